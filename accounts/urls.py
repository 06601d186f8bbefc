from django.urls import path

from .views import LockoutsView

app_name = "accounts"

urlpatterns = [
    path("accounts/lockouts/", LockoutsView.as_view(), name="lockouts"),
]
