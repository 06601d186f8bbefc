from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("submissions/<int:pk>/report/", views.ReportEditView.as_view(), name="edit"),
]
