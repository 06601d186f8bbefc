"""The portal's URLs with «Входящие» (worklist:inbox) first, so /inbox/ is the one inbox while the
submissions app still serves its own reviewer's inbox at the same address (tests/test_worklist.py)."""

from django.urls import include, path

from network.urls import urlpatterns as portal

urlpatterns = [path("", include("worklist.urls")), *portal]
