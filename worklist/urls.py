from django.urls import path

from . import views

app_name = "worklist"

urlpatterns = [
    path("inbox/", views.InboxView.as_view(), name="inbox"),
]
