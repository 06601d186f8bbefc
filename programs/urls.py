"""The programs' pages. Included by plans/urls.py, in the `plans` namespace where they were born:
the URL names (plans:programs, plans:program, plans:roadmap_item_…) did not change with the move."""

from django.urls import path

from . import views

urlpatterns = [
    path("units/<int:pk>/programs/", views.ProgramListView.as_view(), name="programs"),
    path("units/<int:pk>/programs/new/", views.ProgramCreateView.as_view(), name="program_add"),
    path("programs/<int:pk>/", views.ProgramDetailView.as_view(), name="program"),
    path("programs/<int:pk>/edit/", views.ProgramEditView.as_view(), name="program_edit"),
    path("programs/<int:pk>/move/<str:move>/", views.ProgramMoveView.as_view(), name="program_move"),
    path("programs/<int:pk>/items/new/", views.ItemCreateView.as_view(), name="roadmap_item_add"),
    path("roadmap-items/<int:pk>/edit/", views.ItemEditView.as_view(), name="roadmap_item_edit"),
    path("roadmap-items/<int:pk>/delete/", views.ItemDeleteView.as_view(), name="roadmap_item_delete"),
    path("roadmap-items/<int:pk>/status/", views.ItemStatusView.as_view(), name="roadmap_item_status"),
]
