from django.urls import path

from . import program_views, views

app_name = "plans"

urlpatterns = [
    path("submissions/<int:pk>/plan/", views.PlanEditView.as_view(), name="edit"),
    path("submissions/<int:pk>/plan/copy-previous/", views.CopyPreviousView.as_view(), name="copy_previous"),
    path("plan-items/<int:pk>/edit/", views.PlanItemEditView.as_view(), name="item_edit"),
    path("plan-items/<int:pk>/delete/", views.PlanItemDeleteView.as_view(), name="item_delete"),
]

urlpatterns += [
    path("units/<int:pk>/programs/", program_views.ProgramListView.as_view(), name="programs"),
    path("units/<int:pk>/programs/new/", program_views.ProgramCreateView.as_view(), name="program_add"),
    path("programs/<int:pk>/", program_views.ProgramDetailView.as_view(), name="program"),
    path("programs/<int:pk>/edit/", program_views.ProgramEditView.as_view(), name="program_edit"),
    path("programs/<int:pk>/move/<str:move>/", program_views.ProgramMoveView.as_view(), name="program_move"),
    path("programs/<int:pk>/items/new/", program_views.ItemCreateView.as_view(), name="roadmap_item_add"),
    path("roadmap-items/<int:pk>/edit/", program_views.ItemEditView.as_view(), name="roadmap_item_edit"),
    path("roadmap-items/<int:pk>/delete/", program_views.ItemDeleteView.as_view(), name="roadmap_item_delete"),
    path("roadmap-items/<int:pk>/status/", program_views.ItemStatusView.as_view(), name="roadmap_item_status"),
]
