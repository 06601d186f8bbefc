from django.urls import path

from .views import ApiTokenView, LockoutsView

app_name = "accounts"

urlpatterns = [
    path("accounts/lockouts/", LockoutsView.as_view(), name="lockouts"),
    path("accounts/api-token/", ApiTokenView.as_view(), name="api_token"),
]
