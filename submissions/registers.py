"""Plans and reports with their states (the register behind campaigns and dashboards)."""

from django.db.models import Q
from import_export import fields, resources

from registers.base import Register, register
from registers.helpers import date_field, datetime_field, int_param, label_field

from .models import State, Submission


class SubmissionResource(resources.ModelResource):
    unit = fields.Field(attribute="unit__name", column_name="Подразделение")
    kind = fields.Field(attribute="unit__kind__short_name", column_name="Вид")
    document = fields.Field(attribute="kind_label", column_name="Документ")
    year = fields.Field(attribute="year", column_name="Год")
    campaign = fields.Field(attribute="campaign", column_name="Кампания")
    state = label_field("state", "Состояние")
    first_submitted_on = date_field("first_submitted_on", "Впервые представлен")
    on_time = fields.Field(column_name="Своевременность")
    approved_at = datetime_field("approved_at", "Согласован")
    approver = fields.Field(attribute="approver__name", column_name="Согласующее")
    historical = fields.Field(column_name="С бумаги")

    class Meta:
        model = Submission
        fields = [
            "unit",
            "kind",
            "document",
            "year",
            "campaign",
            "state",
            "first_submitted_on",
            "on_time",
            "approved_at",
            "approver",
            "historical",
        ]

    def dehydrate_on_time(self, s):
        return "" if s.on_time is None else ("в срок" if s.on_time else "с опозданием")

    def dehydrate_historical(self, s):
        return "да" if s.historical else ""

    def dehydrate_campaign(self, s):
        return str(s.campaign) if s.campaign_id else ""  # a candidacy belongs to no campaign


@register
class DocumentsRegister(Register):
    code = "documents"
    title = "Планы и отчёты"
    resource_class = SubmissionResource
    widths = {"Подразделение": 60, "Кампания": 40, "Согласующее": 40, "Документ": 20}

    def queryset(self, user):
        return (
            Submission.objects.restrict(user, "view")
            .select_related("unit__kind", "campaign", "approver")
            .order_by("-campaign__year", "campaign__document_type", "unit__tree_id", "unit__lft")
        )

    def filter(self, queryset, params, user):
        if (campaign := int_param(params, "campaign")) is not None:
            queryset = queryset.filter(campaign_id=campaign)
        if (year := int_param(params, "year")) is not None:
            queryset = queryset.filter(Q(campaign__year=year) | Q(campaign__isnull=True, own_year=year))
        if params.get("state") in State.values:
            queryset = queryset.filter(state=params["state"])
        return queryset
