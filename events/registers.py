"""Events and the teachers who took part."""

from import_export import fields, resources

from registers.base import Register, register
from registers.helpers import date_field, label_field, visible_to

from .filters import filter_events
from .models import Event, Participation


class EventResource(resources.ModelResource):
    title = fields.Field(attribute="title", column_name="Название")
    kind = label_field("kind", "Вид")
    competition = fields.Field(attribute="competition", column_name="Конкурс")
    level = label_field("level", "Уровень")
    format = label_field("format", "Формат")
    starts_on = date_field("starts_on", "Начало")
    ends_on = date_field("ends_on", "Окончание")
    unit = fields.Field(attribute="unit__name", column_name="Организатор")
    place = fields.Field(attribute="place", column_name="Место")
    participants = fields.Field(attribute="participant_count", column_name="Участников")

    class Meta:
        model = Event
        fields = [
            "title",
            "kind",
            "competition",
            "level",
            "format",
            "starts_on",
            "ends_on",
            "unit",
            "place",
            "participants",
        ]


class ParticipationResource(resources.ModelResource):
    person = fields.Field(attribute="person__full_name", column_name="Педагог")
    school = fields.Field(attribute="person__school__short_name", column_name="Школа")
    event = fields.Field(attribute="event__title", column_name="Мероприятие")
    level = fields.Field(attribute="event__get_level_display", column_name="Уровень")
    format = fields.Field(attribute="event__get_format_display", column_name="Формат")
    starts_on = date_field("event__starts_on", "Дата")
    role = label_field("role", "Роль")
    result = label_field("result", "Результат")

    class Meta:
        model = Participation
        fields = ["person", "school", "event", "level", "format", "starts_on", "role", "result"]


@register
class EventsRegister(Register):
    code = "events"
    title = "Мероприятия"
    resource_class = EventResource
    widths = {"Название": 60, "Организатор": 50, "Конкурс": 25, "Место": 30}
    page_url_name = "events:list"

    def queryset(self, user):
        return (
            Event.objects.restrict(user, "view")
            .select_related("unit")
            .with_participant_count()
            .order_by("-starts_on", "-pk")
        )

    def filter(self, queryset, params, user):
        return filter_events(queryset, params)


@register
class ParticipationsRegister(Register):
    code = "participations"
    title = "Участие педагогов в мероприятиях"
    personal_data = True
    person_field = "person_id"
    resource_class = ParticipationResource
    widths = {"Педагог": 35, "Школа": 35, "Мероприятие": 60}

    def queryset(self, user):
        return (
            visible_to(Participation, user, "view_people", prefix="event__unit__")
            .select_related("person__school", "event")
            .order_by("-event__starts_on", "event_id", "person__last_name", "pk")
        )

    def filter(self, queryset, params, user):
        return filter_events(queryset, params, prefix="event__")
