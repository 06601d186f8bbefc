"""Events of the network (seminars, master classes, contests…) and who took part in them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from network.models import normalize_search
from orgunits.access import RestrictedQuerySet

# The contests of seed 002: suggestions for the free-text name of a contest.
COMPETITION_SUGGESTIONS = ["Учитель года", "Методист года", "Педагогический дебют", "Воспитатель года"]


class EventQuerySet(RestrictedQuerySet):
    actions = frozenset({"view", "keep_records"})

    def _restrict_q(self, access, action):
        return access.q_for_units(action, prefix="unit__")

    def with_participant_count(self):
        """participant_count per event, computed for the rows read (a page), not by grouping
        every event of the country before the page is cut."""
        per_event = (
            Participation.objects.filter(event=OuterRef("pk"))
            .order_by()
            .values("event")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(participant_count=Coalesce(Subquery(per_event), 0))


class Event(models.Model):
    class Kind(models.TextChoices):
        SEMINAR = "seminar", "семинар"
        WORKSHOP = "workshop", "мастер-класс"
        CONFERENCE = "conference", "конференция"
        WEBINAR = "webinar", "вебинар"
        OPEN_LESSON = "open_lesson", "открытый урок"
        CONTEST = "contest", "конкурс"
        OTHER = "other", "другое"

    class Level(models.TextChoices):
        SCHOOL = "school", "школьный"
        MUNICIPAL = "municipal", "муниципальный"
        REGIONAL = "regional", "региональный"
        FEDERAL = "federal", "федеральный"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "очно"
        REMOTE = "remote", "дистанционно"

    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="events", verbose_name="организатор"
    )
    title = models.CharField("название", max_length=300)
    kind = models.CharField("вид", max_length=20, choices=Kind.choices, default=Kind.SEMINAR)
    competition = models.CharField("конкурс", max_length=200, blank=True, help_text="Для конкурсов: название конкурса.")
    level = models.CharField("уровень", max_length=20, choices=Level.choices, default=Level.MUNICIPAL)
    format = models.CharField("формат", max_length=20, choices=Format.choices, default=Format.IN_PERSON)
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание", null=True, blank=True)
    place = models.CharField("место проведения", max_length=300, blank=True)
    plan_item = models.ForeignKey(
        "plans.PlanItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="выполняет пункт плана",
    )
    description = models.TextField("описание", blank=True)
    # Case-folded title for search: SQLite's LIKE folds ASCII only (see network.models.normalize_search).
    search = models.CharField(max_length=600, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        ordering = ["-starts_on", "-pk"]
        indexes = [
            models.Index(fields=["unit", "starts_on"]),
            # The list order (newest first): a page is read from the index, not sorted.
            models.Index(fields=["starts_on", "id"], name="event_start_order"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search = normalize_search(self.title, self.competition)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:event", args=[self.pk])

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "Дата окончания не может быть раньше даты начала."})
        if self.kind != self.Kind.CONTEST:
            self.competition = ""


class ParticipationQuerySet(RestrictedQuerySet):
    # A participation is a line of its event: seen and kept with the event.
    actions = frozenset({"view", "keep_records"})

    def _restrict_q(self, access, action):
        return access.q_for_units(action, prefix="event__unit__")


class Participation(models.Model):
    class Role(models.TextChoices):
        PARTICIPANT = "participant", "участник"
        SPEAKER = "speaker", "выступающий"
        ORGANISER = "organiser", "организатор"

    class Result(models.TextChoices):
        NONE = "none", "—"
        FIRST = "first", "1 место"
        SECOND = "second", "2 место"
        THIRD = "third", "3 место"
        LAUREATE = "laureate", "лауреат"
        PRIZE = "prize", "призёр"
        PARTICIPANT = "participant", "участник"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="participations", verbose_name="педагог"
    )
    role = models.CharField("роль", max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    result = models.CharField("результат", max_length=20, choices=Result.choices, default=Result.NONE)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = "участие"
        verbose_name_plural = "участие в мероприятиях"
        ordering = ["person__last_name", "person__first_name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person", "role"], name="events_participation_unique_role")
        ]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()}"
