"""Registers of teachers' growth: КПК courses and ИОМ routes (personal data, 152-ФЗ)."""

from django.db.models import Count, Q
from import_export import fields, resources

from people.models import Person
from registers.base import Register, register
from registers.helpers import date_field, int_param

from .models import Course, Route


def of_visible_people(model, user):
    return model.objects.filter(person__in=Person.objects.restrict(user, "view").values("pk"))


class CourseResource(resources.ModelResource):
    person = fields.Field(attribute="person__full_name", column_name="Педагог")
    school = fields.Field(attribute="person__school__short_name", column_name="Школа")
    title = fields.Field(attribute="title", column_name="Программа")
    provider = fields.Field(attribute="provider", column_name="Организация")
    hours = fields.Field(attribute="hours", column_name="Часов")
    starts_on = date_field("starts_on", "Начало")
    ends_on = date_field("ends_on", "Окончание")
    certificate_number = fields.Field(attribute="certificate_number", column_name="№ удостоверения")
    status = fields.Field(attribute="get_status_display", column_name="Подтверждение")

    class Meta:
        model = Course
        fields = [
            "person",
            "school",
            "title",
            "provider",
            "hours",
            "starts_on",
            "ends_on",
            "certificate_number",
            "status",
        ]


class RouteResource(resources.ModelResource):
    person = fields.Field(attribute="person__full_name", column_name="Педагог")
    school = fields.Field(attribute="person__school__short_name", column_name="Школа")
    year = fields.Field(attribute="year", column_name="Год")
    unit = fields.Field(attribute="unit__name", column_name="Сопровождает")
    goals = fields.Field(attribute="goals", column_name="Цели")
    steps = fields.Field(attribute="step_count", column_name="Шагов")
    done = fields.Field(attribute="done_count", column_name="Выполнено")

    class Meta:
        model = Route
        fields = ["person", "school", "year", "unit", "goals", "steps", "done"]


@register
class CoursesRegister(Register):
    code = "courses"
    title = "Курсы повышения квалификации (КПК)"
    personal_data = True
    person_field = "person_id"
    resource_class = CourseResource
    widths = {"Педагог": 35, "Школа": 30, "Программа": 60, "Организация": 35}

    def queryset(self, user):
        return (
            of_visible_people(Course, user)
            .select_related("person__school")
            .order_by("person__last_name", "person__first_name", "-ends_on", "pk")
        )

    def filter(self, queryset, params, user):
        if (year := int_param(params, "year")) is not None:
            queryset = queryset.filter(ends_on__year=year)
        return queryset


@register
class RoutesRegister(Register):
    code = "routes"
    title = "Индивидуальные образовательные маршруты (ИОМ)"
    personal_data = True
    person_field = "person_id"
    resource_class = RouteResource
    widths = {"Педагог": 35, "Школа": 30, "Сопровождает": 45, "Цели": 70}

    def queryset(self, user):
        return (
            of_visible_people(Route, user)
            .select_related("person__school", "unit")
            .annotate(step_count=Count("steps"), done_count=Count("steps", filter=Q(steps__status="done")))
            .order_by("-year", "person__last_name", "person__first_name", "pk")
        )

    def filter(self, queryset, params, user):
        if (year := int_param(params, "year")) is not None:
            queryset = queryset.filter(year=year)
        return queryset
