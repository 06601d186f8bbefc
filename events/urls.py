from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("events/", views.EventListView.as_view(), name="list"),
    path("events/<int:pk>/", views.EventDetailView.as_view(), name="event"),
    path("events/<int:pk>/edit/", views.EventEditView.as_view(), name="edit"),
    path("events/<int:pk>/participants/", views.ParticipantAddView.as_view(), name="participant_add"),
    path("participations/<int:pk>/delete/", views.ParticipantRemoveView.as_view(), name="participant_remove"),
    path("units/<int:pk>/events/", views.UnitEventListView.as_view(), name="unit_list"),
    path("units/<int:pk>/events/new/", views.EventCreateView.as_view(), name="add"),
]
