"""Meetings with their protocols."""

from django.db.models import Count, Q
from import_export import fields, resources

from registers.base import Register, register
from registers.helpers import date_field, int_param, label_field, visible_to

from .models import Meeting


class MeetingResource(resources.ModelResource):
    unit = fields.Field(attribute="unit__name", column_name="Подразделение")
    number = fields.Field(attribute="number", column_name="№ протокола")
    year = fields.Field(attribute="year", column_name="Год")
    date = date_field("date", "Дата")
    kind = label_field("kind", "Форма")
    title = fields.Field(attribute="title", column_name="Тема")
    place = fields.Field(attribute="place", column_name="Место")
    present = fields.Field(attribute="present_count", column_name="Присутствовали")
    items = fields.Field(attribute="item_count", column_name="Вопросов повестки")
    status = label_field("status", "Протокол")

    class Meta:
        model = Meeting
        fields = ["unit", "number", "year", "date", "kind", "title", "place", "present", "items", "status"]


@register
class MeetingsRegister(Register):
    code = "meetings"
    title = "Заседания и протоколы"
    resource_class = MeetingResource
    widths = {"Подразделение": 60, "Тема": 50, "Место": 30}

    def queryset(self, user):
        return (
            visible_to(Meeting, user)
            .select_related("unit")
            .annotate(
                present_count=Count("attendance", filter=Q(attendance__present=True), distinct=True),
                item_count=Count("items", distinct=True),
            )
            .order_by("-date", "-number", "pk")
        )

    def filter(self, queryset, params, user):
        if (unit := int_param(params, "unit")) is not None:
            queryset = queryset.filter(unit_id=unit)
        if (year := int_param(params, "year")) is not None:
            queryset = queryset.filter(date__year=year)
        return queryset
