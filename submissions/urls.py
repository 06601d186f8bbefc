from django.urls import path

from . import pdf_views, views

app_name = "submissions"

urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/new/", views.CampaignFormView.as_view(), name="campaign_add"),
    path("campaigns/<int:pk>/", views.CampaignDashboardView.as_view(), name="campaign"),
    path("campaigns/<int:pk>/edit/", views.CampaignFormView.as_view(), name="campaign_edit"),
    path("campaigns/<int:pk>/remind/", views.CampaignRemindView.as_view(), name="campaign_remind"),
    path("campaigns/<int:pk>/export.xlsx", views.CampaignExportView.as_view(), name="campaign_export"),
    path("campaigns/<int:pk>/historical/", views.HistoricalView.as_view(), name="historical_add"),
    path("campaigns/<int:pk>/units/<int:unit_pk>/start/", views.StartView.as_view(), name="start"),
    path("inbox/documents/", views.InboxView.as_view(), name="inbox"),
    path("submissions/<int:pk>/", views.SubmissionDetailView.as_view(), name="submission"),
    path("submissions/<int:pk>/pdf/", pdf_views.SubmissionPdfView.as_view(), name="pdf"),
    path("submissions/<int:pk>/send/", views.SendView.as_view(), name="send"),
    path("submissions/<int:pk>/submit/", views.SubmissionActionView.as_view(action="submit"), name="submit"),
    path("submissions/<int:pk>/approve/", views.SubmissionActionView.as_view(action="approve"), name="approve"),
    path("submissions/<int:pk>/return/", views.SubmissionActionView.as_view(action="return"), name="return"),
    path("submissions/<int:pk>/reopen/", views.SubmissionActionView.as_view(action="reopen"), name="reopen"),
]
