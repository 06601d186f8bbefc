from django.urls import path

from . import views

app_name = "history"

urlpatterns = [
    path("history/imports/<int:pk>/", views.ImportHistoryView.as_view(), name="import"),
    path("history/<str:model>/<int:pk>/", views.ObjectHistoryView.as_view(), name="object"),
]
