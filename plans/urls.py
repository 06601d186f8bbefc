from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("submissions/<int:pk>/plan/", views.PlanEditView.as_view(), name="edit"),
    path("submissions/<int:pk>/plan/copy-previous/", views.CopyPreviousView.as_view(), name="copy_previous"),
    path("plan-items/<int:pk>/edit/", views.PlanItemEditView.as_view(), name="item_edit"),
    path("plan-items/<int:pk>/delete/", views.PlanItemDeleteView.as_view(), name="item_delete"),
]
