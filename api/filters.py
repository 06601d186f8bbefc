"""The API's filters: the same questions as the pages' filters (a unit with everything below it, a region,
a year, a state, changed since). A filter only narrows a list that restrict() has already cut to what the
user sees, so a unit the user does not see yields an empty list, never someone else's rows."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from events.models import Event
from meetings.models import Meeting
from monitoring.models import Assessed, MonitoringCampaign, Row
from network.models import normalize_search
from orders.models import Order, OrderStatus, OrderTemplate
from orgunits.models import DocumentType, Level, OrgUnit
from orgunits.subtree import subtree_q
from people.models import Membership, MembershipRole, Person
from submissions.dashboard import DASH_STATES
from submissions.models import Campaign, State, Submission


@extend_schema_field(OpenApiTypes.INT)
class SubtreeFilter(django_filters.Filter):
    """`?unit=<id>`: rows of that unit and of every unit below it (through `prefix`, e.g. «unit__»)."""

    field_class = forms.IntegerField

    def __init__(self, prefix: str = "", **kwargs):
        self.prefix = prefix
        kwargs.setdefault("label", "Подразделение (с нижестоящими), id")
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        unit = OrgUnit.objects.filter(pk=value).only("tree_id", "lft", "rght").first()
        if unit is None:
            return qs.none()
        return qs.filter(subtree_q(unit, self.prefix))


class SearchFilter(django_filters.CharFilter):
    """`?q=`: a substring of the name, case and «ё» folded like the pages' search."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Поиск по названию (без учёта регистра и «ё»)")
        super().__init__(field_name="search", **kwargs)

    def filter(self, qs, value):
        value = normalize_search(value or "")
        return qs.filter(search__contains=value) if value else qs


def region_filter(field_name: str):
    return django_filters.NumberFilter(field_name=field_name, label="Регион, id")


def updated_since():
    return django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label="Изменены с (дата и время ISO 8601)"
    )


class UnitFilter(django_filters.FilterSet):
    unit = SubtreeFilter(label="Подразделение и все нижестоящие, id")
    region = region_filter("region_id")
    parent = django_filters.NumberFilter(field_name="parent_id", label="Непосредственно вышестоящее, id")
    kind = django_filters.CharFilter(field_name="kind__code", label="Вид подразделения (код)")
    level = django_filters.ChoiceFilter(field_name="kind__level", choices=Level.choices, label="Уровень")
    active = django_filters.BooleanFilter(field_name="closed_on", lookup_expr="isnull", label="Действующие")
    q = SearchFilter()

    class Meta:
        model = OrgUnit
        fields = ["unit", "region", "parent", "kind", "level", "active", "q"]


class PersonFilter(django_filters.FilterSet):
    unit = django_filters.NumberFilter(method="filter_unit", label="Состоит в подразделении или ниже, id")
    region = region_filter("region_id")
    school = django_filters.NumberFilter(field_name="school_id", label="Школа, id")
    subject = django_filters.NumberFilter(field_name="subjects", label="Предмет, id")
    role = django_filters.ChoiceFilter(
        choices=MembershipRole.choices, method="filter_role", label="Действующая роль в подразделении"
    )
    q = SearchFilter(label="ФИО или e-mail")

    class Meta:
        model = Person
        fields = ["unit", "region", "school", "subject", "role", "q"]

    def _memberships(self):
        memberships = Membership.objects.filter(person=OuterRef("pk"), left_on__isnull=True)
        unit_id = self.form.cleaned_data.get("unit")
        if unit_id is not None:
            unit = OrgUnit.objects.filter(pk=unit_id).only("tree_id", "lft", "rght").first()
            if unit is None:
                return None
            memberships = memberships.filter(subtree_q(unit, "unit__"))
        return memberships

    def filter_unit(self, queryset, name, value):
        memberships = self._memberships()
        return queryset.none() if memberships is None else queryset.filter(Exists(memberships))

    def filter_role(self, queryset, name, value):
        memberships = self._memberships()
        if memberships is None:
            return queryset.none()
        return queryset.filter(Exists(memberships.filter(role=value)))


class MembershipFilter(django_filters.FilterSet):
    unit = SubtreeFilter(prefix="unit__")
    region = region_filter("unit__region_id")
    person = django_filters.NumberFilter(field_name="person_id", label="Педагог, id")
    role = django_filters.ChoiceFilter(choices=MembershipRole.choices, label="Роль")
    active = django_filters.BooleanFilter(field_name="left_on", lookup_expr="isnull", label="Действующие")
    on = django_filters.DateFilter(method="filter_on", label="В составе на дату (ГГГГ-ММ-ДД)")

    class Meta:
        model = Membership
        fields = ["unit", "region", "person", "role", "active", "on"]

    def filter_on(self, queryset, name, value):
        return queryset.in_force_on(value)


class CampaignFilter(django_filters.FilterSet):
    region = region_filter("region_id")
    year = django_filters.NumberFilter(label="Год")
    document_type = django_filters.ChoiceFilter(
        choices=[(DocumentType.PLAN, DocumentType.PLAN.label), (DocumentType.REPORT, DocumentType.REPORT.label)],
        label="Документ",
    )

    class Meta:
        model = Campaign
        fields = ["region", "year", "document_type"]


class CampaignUnitFilter(django_filters.FilterSet):
    """Over the units a campaign expects (OrgUnit rows annotated with their document's state)."""

    unit = SubtreeFilter()
    state = django_filters.ChoiceFilter(choices=DASH_STATES, field_name="dash_state", label="Состояние")
    level = django_filters.ChoiceFilter(field_name="kind__level", choices=Level.choices, label="Уровень")

    class Meta:
        model = OrgUnit
        fields = ["unit", "state", "level"]


class SubmissionFilter(django_filters.FilterSet):
    unit = SubtreeFilter(prefix="unit__")
    region = region_filter("unit__region_id")
    campaign = django_filters.NumberFilter(field_name="campaign_id", label="Кампания, id")
    year = django_filters.NumberFilter(method="filter_year", label="Год (учебный — для плана, календарный — отчёта)")
    state = django_filters.ChoiceFilter(choices=State.choices, label="Состояние")
    updated_since = updated_since()

    class Meta:
        model = Submission
        fields = ["unit", "region", "campaign", "year", "state", "updated_since"]

    def filter_year(self, queryset, name, value):
        return queryset.filter(Q(campaign__year=value) | Q(campaign__isnull=True, own_year=value))


class MeetingFilter(django_filters.FilterSet):
    unit = SubtreeFilter(prefix="unit__")
    region = region_filter("unit__region_id")
    year = django_filters.NumberFilter(field_name="year", label="Год")
    status = django_filters.ChoiceFilter(choices=Meeting.Status.choices, label="Статус протокола")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="Дата с")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="Дата по")

    class Meta:
        model = Meeting
        fields = ["unit", "region", "year", "status", "date_from", "date_to"]


class OrderFilter(django_filters.FilterSet):
    unit = SubtreeFilter(prefix="unit__")
    region = region_filter("unit__region_id")
    year = django_filters.NumberFilter(field_name="year", label="Год регистрации")
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices, label="Статус")
    template = django_filters.ChoiceFilter(choices=OrderTemplate.choices, label="Вид приказа")
    updated_since = updated_since()

    class Meta:
        model = Order
        fields = ["unit", "region", "year", "status", "template", "updated_since"]


class EventFilter(django_filters.FilterSet):
    unit = SubtreeFilter(prefix="unit__")
    region = region_filter("unit__region_id")
    year = django_filters.NumberFilter(field_name="starts_on", lookup_expr="year", label="Год начала")
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices, label="Вид")
    level = django_filters.ChoiceFilter(choices=Event.Level.choices, label="Уровень")
    date_from = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte", label="Начало с")
    date_to = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte", label="Начало по")

    class Meta:
        model = Event
        fields = ["unit", "region", "year", "kind", "level", "date_from", "date_to"]


class MonitoringCampaignFilter(django_filters.FilterSet):
    region = region_filter("region_id")
    year = django_filters.NumberFilter(label="Год")
    state = django_filters.ChoiceFilter(choices=MonitoringCampaign.State.choices, label="Состояние")
    unit = SubtreeFilter(prefix="root__", label="Корень мониторинга в подразделении или ниже, id")

    class Meta:
        model = MonitoringCampaign
        fields = ["region", "year", "state", "unit"]


class MonitoringRowFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(field_name="campaign_id", label="Кампания мониторинга, id")
    year = django_filters.NumberFilter(field_name="campaign__year", label="Год")
    region = region_filter("campaign__region_id")
    assessed = django_filters.ChoiceFilter(choices=Assessed.choices, label="Что оценивается")
    unit = SubtreeFilter(prefix="guard__", label="Оцениваемое подразделение (или муниципалитет школы) и ниже, id")

    class Meta:
        model = Row
        fields = ["campaign", "year", "region", "assessed", "unit"]
