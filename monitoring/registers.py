"""Indicator results of monitoring campaigns: one row per unit and indicator."""

from import_export import fields, resources

from registers.base import Register, register
from registers.helpers import int_param, label_field

from .models import MonitoringCampaign, Result


class ResultResource(resources.ModelResource):
    campaign = fields.Field(attribute="row__campaign", column_name="Кампания")
    year = fields.Field(attribute="row__campaign__year", column_name="Год")
    unit = fields.Field(attribute="row__label", column_name="Оценивается")
    indicator = fields.Field(attribute="indicator__name", column_name="Показатель")
    source = label_field("source", "Как получено")
    numerator = fields.Field(attribute="numerator", column_name="Числитель")
    denominator = fields.Field(attribute="denominator", column_name="Знаменатель")
    percent = fields.Field(attribute="percent", column_name="Доля, %")
    score = fields.Field(attribute="score", column_name="Балл")
    evidence = fields.Field(attribute="evidence_text", column_name="Подтверждение")

    class Meta:
        model = Result
        fields = [
            "campaign",
            "year",
            "unit",
            "indicator",
            "source",
            "numerator",
            "denominator",
            "percent",
            "score",
            "evidence",
        ]

    def dehydrate_campaign(self, result):
        return str(result.row.campaign)

    def dehydrate_percent(self, result):
        return None if result.percent is None else float(result.percent)


@register
class MonitoringResultsRegister(Register):
    code = "indicator_results"
    title = "Результаты мониторинга эффективности"
    resource_class = ResultResource
    widths = {"Кампания": 45, "Оценивается": 55, "Показатель": 60, "Подтверждение": 40}

    def queryset(self, user):
        campaigns = MonitoringCampaign.objects.restrict(user, "view").values("pk")
        return (
            Result.objects.filter(row__campaign__in=campaigns)
            .select_related("row__campaign__root", "indicator")  # str(campaign) names its root
            .order_by("-row__campaign__year", "row__campaign_id", "row__label", "indicator__position", "pk")
        )

    def filter(self, queryset, params, user):
        if (campaign := int_param(params, "campaign")) is not None:
            queryset = queryset.filter(row__campaign_id=campaign)
        return queryset
