"""Administrators configure indicator sets here (inline indicators); campaigns are run in the portal."""

from django import forms
from django.contrib import admin

from orgunits.access import access_for

from .models import Indicator, IndicatorSet, MonitoringCampaign
from .rules import RULE_CHOICES


class IndicatorForm(forms.ModelForm):
    rule = forms.ChoiceField(
        label="Правило расчёта",
        required=False,
        choices=[("", "— нет (значение вносится вручную) —"), *RULE_CHOICES],
    )

    class Meta:
        model = Indicator
        fields = [
            "position",
            "code",
            "short_name",
            "name",
            "assessed",
            "method",
            "rule",
            "params",
            "scoring",
            "mid",
            "high",
            "criteria",
            "hint",
        ]
        widgets = {"name": forms.Textarea(attrs={"rows": 2, "cols": 50}), "hint": forms.Textarea(attrs={"rows": 2})}


class IndicatorInline(admin.StackedInline):
    model = Indicator
    form = IndicatorForm
    extra = 0
    fields = [
        ("position", "code", "short_name"),
        "name",
        ("assessed", "method"),
        ("rule", "params"),
        ("scoring", "mid", "high"),
        "criteria",
        "hint",
    ]


class RegionalAdminMixin:
    """A regional administrator sees the sets and campaigns of the regions they administer."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(region_id__in=access_for(request.user).regions("manage"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region" and not request.user.is_superuser:
            from orgunits.models import Region

            kwargs["queryset"] = Region.objects.filter(pk__in=access_for(request.user).regions("manage"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(IndicatorSet)
class IndicatorSetAdmin(RegionalAdminMixin, admin.ModelAdmin):
    list_display = ["name", "region", "is_default"]
    list_filter = ["region", "is_default"]
    search_fields = ["name"]
    filter_horizontal = ["mo_kinds"]
    inlines = [IndicatorInline]


@admin.register(MonitoringCampaign)
class MonitoringCampaignAdmin(RegionalAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "region", "year", "state", "computed_on", "closed_at"]
    list_filter = ["region", "state", "year"]
    readonly_fields = ["state", "computed_at", "computed_on", "closed_at", "closed_by", "created_by"]
    raw_id_fields = ["root"]

    def has_change_permission(self, request, obj=None):
        # A closed year is frozen: its results are not edited from the admin either.
        if obj is not None and not obj.is_open:
            return False
        return super().has_change_permission(request, obj)
