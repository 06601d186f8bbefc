from django.urls import path

from . import views

app_name = "registers"

urlpatterns = [
    path("registers/", views.RegisterListView.as_view(), name="list"),
    path("registers/<slug:code>/export/", views.ExportView.as_view(), name="export"),
    path("registers/exports/<int:pk>/", views.ExportStatusView.as_view(), name="export_status"),
    path("registers/exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export_download"),
    path("registers/<slug:code>/import/", views.ImportView.as_view(), name="import"),
    path("registers/<slug:code>/template/", views.ImportTemplateView.as_view(), name="import_template"),
    path("registers/imports/<int:pk>/", views.ImportPreviewView.as_view(), name="import_preview"),
]
