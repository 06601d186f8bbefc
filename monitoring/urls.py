from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("monitoring/", views.CampaignListView.as_view(), name="campaigns"),
    path("monitoring/new/", views.CampaignCreateView.as_view(), name="campaign_add"),
    path("monitoring/<int:pk>/", views.CampaignView.as_view(), name="campaign"),
    path("monitoring/<int:pk>/compute/", views.ComputeView.as_view(), name="compute"),
    path("monitoring/<int:pk>/compute/progress/", views.ComputeProgressView.as_view(), name="compute_progress"),
    path("monitoring/<int:pk>/close/", views.CloseView.as_view(), name="close"),
    path("monitoring/<int:pk>/export.xlsx", views.ExportView.as_view(), name="export"),
    path("monitoring/<int:pk>/manual/", views.ManualListView.as_view(), name="manual"),
    path("monitoring/results/<int:pk>/", views.ResultView.as_view(), name="result"),
    path("monitoring/results/<int:pk>/enter/", views.ManualEntryView.as_view(), name="enter"),
    path("monitoring/results/<int:pk>/evidence/", views.EvidenceFileView.as_view(), name="evidence"),
    path("monitoring/rows/<int:pk>/", views.RowView.as_view(), name="row"),
    path("monitoring/rows/<int:pk>/recommendation/", views.RecommendationView.as_view(), name="recommendation"),
    path("monitoring/sets/", views.SetListView.as_view(), name="sets"),
    path("monitoring/sets/new/", views.SetEditView.as_view(), name="set_add"),
    path("monitoring/sets/<int:pk>/", views.SetView.as_view(), name="set"),
    path("monitoring/sets/<int:pk>/edit/", views.SetEditView.as_view(), name="set_edit"),
]
