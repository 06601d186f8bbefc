"""/api/v1/: the read-only API for regional systems; the schema at /api/v1/schema/, its page at /api/v1/docs/."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter(use_regex_path=False)  # path() with <int:pk>: a converter, not a regex
router.register("units", views.UnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("reports", views.ReportViewSet, basename="report")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("orders", views.OrderViewSet, basename="order")
router.register("events", views.EventViewSet, basename="event")
router.register("monitoring/campaigns", views.MonitoringCampaignViewSet, basename="monitoring-campaign")
router.register("monitoring/results", views.MonitoringRowViewSet, basename="monitoring-result")


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema, open to anyone: it describes the API, not any data (YAML; ?format=json for JSON)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        from rest_framework.response import Response

        from .schema import schema_dict

        return Response(schema_dict(), headers={"Content-Disposition": 'inline; filename="metodset-api.yaml"'})


urlpatterns = [
    path("v1/schema/", SchemaView.as_view(), name="schema"),
    path(
        "v1/campaigns/<int:pk>/units/",
        views.CampaignUnitViewSet.as_view({"get": "list"}),
        name="campaign-units",
    ),
    path("v1/docs/", views.DocsView.as_view(), name="docs"),
    path("v1/", include(router.urls)),
]
