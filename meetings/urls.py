from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("units/<int:pk>/meetings/", views.MeetingListView.as_view(), name="list"),
    path("units/<int:pk>/meetings/new/", views.MeetingCreateView.as_view(), name="add"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting"),
    path("meetings/<int:pk>/edit/", views.MeetingEditView.as_view(), name="edit"),
    path("meetings/<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path("meetings/<int:pk>/quorum/", views.QuorumView.as_view(), name="quorum"),
    path("meetings/<int:pk>/items/", views.ItemAddView.as_view(), name="item_add"),
    path("meetings/<int:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
    path("meetings/<int:pk>/protocol.pdf", views.ProtocolPdfView.as_view(), name="protocol"),
    path("meeting-items/<int:pk>/edit/", views.ItemEditView.as_view(), name="item_edit"),
    path("meeting-items/<int:pk>/delete/", views.ItemDeleteView.as_view(), name="item_delete"),
]
