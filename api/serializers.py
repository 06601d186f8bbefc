"""What the API shows of each register: metadata, ids of related rows, and a link to the portal's page.

Related rows are named by id (a unit, a person, a campaign), so that every serializer reads only the
columns of its own page query: the number of queries of a list never depends on the rows in it."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.models import Event
from meetings.models import Meeting
from monitoring.models import Indicator, MonitoringCampaign, Result, Row
from orders.models import Order
from orgunits.models import OrgUnit, Region, UnitKind
from people.models import Membership, Person
from submissions.dashboard import DASH_STATE_LABELS
from submissions.models import Campaign, Submission


@extend_schema_field(OpenApiTypes.URI)
class PortalUrlField(serializers.Field):
    """The object's page on the portal (absolute), where a person may open what the API leaves out."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Страница на портале")
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return absolute(self.context, value.get_absolute_url())


def absolute(context, url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "timezone"]


class KindSerializer(serializers.ModelSerializer):
    class Meta:
        model = UnitKind
        fields = ["code", "name", "short_name", "level"]


class UnitRefSerializer(serializers.ModelSerializer):
    """A unit by name: the links of a chain (those above may be seen by name only, as on the portal)."""

    kind = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Код вида подразделения")

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "short_name", "kind"]


class UnitSerializer(serializers.ModelSerializer):
    kind = KindSerializer(read_only=True)
    region = RegionSerializer(read_only=True)
    chain = serializers.SerializerMethodField(
        help_text="Вышестоящие подразделения от корня региона до непосредственного"
    )
    is_active = serializers.BooleanField(read_only=True, help_text="Действует (не прекратило работу)")
    url = PortalUrlField()

    class Meta:
        model = OrgUnit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "region",
            "parent",
            "school",
            "opened_on",
            "closed_on",
            "is_active",
            "chain",
            "url",
        ]

    @extend_schema_field(UnitRefSerializer(many=True))
    def get_chain(self, unit):
        # Made by the view for the whole page (api.views.chains_of): one query, each ancestor built once.
        return self.context.get("chains", {}).get(unit.pk, [])


class PersonSerializer(serializers.ModelSerializer):
    subjects = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    full_name = serializers.CharField(read_only=True)
    url = PortalUrlField()

    class Meta:
        model = Person
        fields = [
            "id",
            "last_name",
            "first_name",
            "middle_name",
            "full_name",
            "position",
            "region",
            "school",
            "subjects",
            "qualification_category",
            "teaching_since",
            "email",
            "phone",
            "url",
        ]


class PersonRefSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "full_name"]


class MembershipSerializer(serializers.ModelSerializer):
    person = PersonRefSerializer(read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "person", "unit", "role", "starts_on", "ends_on", "left_on", "is_active"]


class CampaignSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="__str__", read_only=True)
    region = RegionSerializer(read_only=True)
    filer_kinds = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    units_url = serializers.SerializerMethodField(help_text="Подразделения, которые должны представить документ")
    url = PortalUrlField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "title",
            "region",
            "document_type",
            "year",
            "opens_on",
            "due_on",
            "closes_on",
            "reminder_offsets",
            "filer_kinds",
            "units_url",
            "url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_units_url(self, campaign):
        return absolute(self.context, reverse("api:campaign-units", args=[campaign.pk]))


class CampaignUnitSerializer(serializers.Serializer):
    """One unit that owes a campaign's document, with where its document stands (the campaign's dashboard)."""

    unit = UnitRefSerializer(source="*", read_only=True)
    parent = serializers.IntegerField(source="parent_id", allow_null=True, read_only=True)
    state = serializers.CharField(
        source="dash_state",
        read_only=True,
        help_text="none, draft, submitted, returned, approved, overdue (просрочен), missing (не представлен)",
    )
    state_label = serializers.SerializerMethodField()
    submission = serializers.IntegerField(source="sub_id", allow_null=True, read_only=True)
    first_submitted_on = serializers.DateField(source="submitted_on", allow_null=True, read_only=True)
    on_time = serializers.BooleanField(allow_null=True, read_only=True)
    approved_at = serializers.DateTimeField(allow_null=True, read_only=True)
    approver = serializers.IntegerField(source="approver_id", allow_null=True, read_only=True)
    historical = serializers.BooleanField(allow_null=True, read_only=True)
    last_reminded = serializers.DateTimeField(allow_null=True, read_only=True)

    def get_state_label(self, row) -> str:
        return DASH_STATE_LABELS.get(row.dash_state, row.dash_state)


class SubmissionSerializer(serializers.ModelSerializer):
    document_type = serializers.CharField(read_only=True)
    year = serializers.IntegerField(read_only=True)
    title = serializers.CharField(source="__str__", read_only=True)
    unit = UnitRefSerializer(read_only=True)
    pdf_url = serializers.SerializerMethodField(help_text="Документ в PDF на портале")
    url = PortalUrlField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "title",
            "document_type",
            "year",
            "campaign",
            "unit",
            "state",
            "approver",
            "first_submitted_on",
            "on_time",
            "submitted_at",
            "approved_at",
            "historical",
            "created_at",
            "updated_at",
            "version",
            "pdf_url",
            "url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, submission):
        return absolute(self.context, reverse("submissions:pdf", args=[submission.pk]))


class MeetingSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="__str__", read_only=True)
    url = PortalUrlField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "unit",
            "year",
            "number",
            "date",
            "time",
            "kind",
            "place",
            "online_link",
            "status",
            "chair",
            "secretary",
            "chair_confirmed_at",
            "secretary_confirmed_at",
            "created_at",
            "url",
        ]


class OrderSerializer(serializers.ModelSerializer):
    url = PortalUrlField()

    class Meta:
        model = Order
        fields = [
            "id",
            "unit",
            "year",
            "number",
            "date",
            "place",
            "heading",
            "status",
            "template",
            "submission",
            "subject_unit",
            "signatory",
            "signatory_position",
            "signed_at",
            "created_at",
            "updated_at",
            "url",
        ]


class EventSerializer(serializers.ModelSerializer):
    participant_count = serializers.IntegerField(read_only=True)
    url = PortalUrlField()

    class Meta:
        model = Event
        fields = [
            "id",
            "unit",
            "title",
            "kind",
            "competition",
            "level",
            "format",
            "starts_on",
            "ends_on",
            "place",
            "plan_item",
            "participant_count",
            "created_at",
            "url",
        ]


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "position", "code", "name", "short_name", "assessed", "method", "scoring", "high", "mid"]


class MonitoringCampaignSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="__str__", read_only=True)
    indicator_set = serializers.CharField(source="indicator_set.name", read_only=True)
    indicators = IndicatorSerializer(source="indicator_set.indicators", many=True, read_only=True)
    url = PortalUrlField()

    class Meta:
        model = MonitoringCampaign
        fields = [
            "id",
            "title",
            "region",
            "year",
            "root",
            "indicator_set",
            "indicators",
            "state",
            "computed_at",
            "computed_on",
            "closed_at",
            "url",
        ]


class ResultSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text="Код показателя")

    class Meta:
        model = Result
        fields = ["indicator", "source", "numerator", "denominator", "percent", "score", "note"]


class MonitoringRowSerializer(serializers.ModelSerializer):
    results = serializers.SerializerMethodField()
    max_total = serializers.IntegerField(read_only=True)
    url = PortalUrlField()

    class Meta:
        model = Row
        fields = [
            "id",
            "campaign",
            "assessed",
            "unit",
            "school",
            "municipality",
            "label",
            "teachers",
            "total",
            "scored",
            "max_total",
            "results",
            "url",
        ]

    @extend_schema_field(ResultSerializer(many=True))
    def get_results(self, row):
        # Plain dicts, as ResultSerializer would write them: a page of rows carries thousands of values, and a
        # serializer instance per value would cost more than the page's SQL.
        return [
            {
                "indicator": r.indicator.code,
                "source": r.source,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "percent": None if r.percent is None else f"{r.percent:.3f}",
                "score": r.score,
                "note": r.note,
            }
            for r in row.results.all()
        ]
