from django.urls import path

from . import attachment_views

app_name = "attachments"

urlpatterns = [
    path("submissions/<int:pk>/attachments/", attachment_views.upload, name="upload"),
    path("attachments/<int:pk>/", attachment_views.download, name="download"),
    path("attachments/<int:pk>/delete/", attachment_views.delete, name="delete"),
]
