"""Meetings of a unit and their protocols (001 §2.4), and what the governance sweep has flagged.

A meeting is numbered per unit within the calendar year of its date (ГОСТ Р 7.0.97: the
registration number is sequential within a year). Its protocol is a draft until both the
chair and the secretary of the meeting confirm it; then it is frozen. The rules live in
`meetings.services`; the models only hold the data and the database guarantees.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from network.models import VersionedModel
from orgunits.access import RestrictedQuerySet


class MeetingQuerySet(RestrictedQuerySet):
    # «view»: whoever sees the unit; «file»: who files its documents (keeps its protocols).
    actions = frozenset({"view", "file"})

    def _restrict_q(self, access, action):
        return access.q_for_units(action, prefix="unit__")


class Meeting(VersionedModel):
    class Kind(models.TextChoices):
        IN_PERSON = "in_person", "очное"
        REMOTE = "remote", "дистанционное"

    class Status(models.TextChoices):
        DRAFT = "draft", "черновик"
        CONFIRMED = "confirmed", "подтверждён"

    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="meetings", verbose_name="подразделение"
    )
    year = models.PositiveSmallIntegerField("год нумерации", editable=False)
    number = models.PositiveIntegerField("№ протокола", editable=False)
    date = models.DateField("дата")
    time = models.TimeField("время", null=True, blank=True)
    kind = models.CharField("форма проведения", max_length=20, choices=Kind.choices, default=Kind.IN_PERSON)
    place = models.CharField("место проведения", max_length=300, blank=True)
    online_link = models.URLField("ссылка на подключение", max_length=500, blank=True)
    title = models.CharField(
        "заголовок к тексту",
        max_length=300,
        blank=True,
        help_text="По умолчанию «заседания <подразделение>»; можно уточнить, например «заседания Терского МунУМО».",
    )
    chair = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="председатель заседания",
    )
    secretary = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="секретарь заседания",
    )
    guests = models.TextField("приглашённые", blank=True, help_text="По одному в строке: ФИО, должность.")
    status = models.CharField("статус протокола", max_length=20, choices=Status.choices, default=Status.DRAFT)
    chair_confirmed_at = models.DateTimeField("подтверждён председателем", null=True, blank=True)
    chair_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    secretary_confirmed_at = models.DateTimeField("подтверждён секретарём", null=True, blank=True)
    secretary_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "заседание"
        verbose_name_plural = "заседания"
        ordering = ["-date", "-number"]
        indexes = [models.Index(fields=["unit", "date"], name="meeting_unit_date")]
        constraints = [
            # The backstop of the numbering lock: two meetings of a unit never share a number in a year.
            models.UniqueConstraint(fields=["unit", "year", "number"], name="meeting_number_once_per_year"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(chair_confirmed_at__isnull=False, secretary_confirmed_at__isnull=False),
                name="meeting_confirmed_by_both",
            ),
        ]

    def __str__(self):
        return f"Протокол № {self.number} от {self.date:%d.%m.%Y}"

    def get_absolute_url(self):
        return reverse("meetings:meeting", args=[self.pk])

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def heading(self):
        """«заседания Районного методического объединения …»: the unit's name in the genitive."""
        from network.russian import unit_genitive

        return self.title or f"заседания {unit_genitive(self.unit)}"

    @property
    def guest_lines(self) -> list[str]:
        return [line.strip() for line in self.guests.splitlines() if line.strip()]

    @property
    def place_label(self) -> str:
        if self.kind == self.Kind.REMOTE:
            return self.place or "дистанционно"
        return self.place


class AgendaItem(models.Model):
    """An item of the agenda with what was heard, said and decided, and the vote."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items", verbose_name="заседание")
    position = models.PositiveSmallIntegerField("№ п/п", default=0)
    title = models.CharField("вопрос повестки", max_length=500)
    speaker = models.CharField("докладчик", max_length=300, blank=True, help_text="ФИО, должность.")
    heard = models.TextField("СЛУШАЛИ", blank=True)
    discussion = models.TextField("ВЫСТУПИЛИ", blank=True)
    decision = models.TextField("ПОСТАНОВИЛИ (РЕШИЛИ)", blank=True)
    votes_for = models.PositiveSmallIntegerField("за", default=0)
    votes_against = models.PositiveSmallIntegerField("против", default=0)
    votes_abstained = models.PositiveSmallIntegerField("воздержались", default=0)

    class Meta:
        verbose_name = "вопрос повестки"
        verbose_name_plural = "повестка дня"
        ordering = ["meeting", "position", "pk"]

    def __str__(self):
        return self.title

    @property
    def votes_total(self) -> int:
        return self.votes_for + self.votes_against + self.votes_abstained


class Attendance(models.Model):
    """A member of the unit on the meeting date, present or not."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+", verbose_name="член")
    present = models.BooleanField("присутствовал", default=False)

    class Meta:
        verbose_name = "присутствие"
        verbose_name_plural = "присутствие на заседании"
        ordering = ["meeting", "person__last_name", "person__first_name", "person__middle_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_meeting")]

    def __str__(self):
        return f"{self.person}: {'присутствовал' if self.present else 'отсутствовал'}"


class GovernanceEvent(models.Model):
    """What the governance checks have flagged for a unit: one row per key, so a rerun sends nothing twice."""

    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=60, help_text="no-meeting-2026-Q4, term-<членство>-<дата окончания>")
    on = models.DateField("дата")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "событие контроля работы"
        verbose_name_plural = "события контроля работы"
        constraints = [models.UniqueConstraint(fields=["unit", "key"], name="governance_event_once")]

    def __str__(self):
        return f"{self.on:%d.%m.%Y} {self.key}"
