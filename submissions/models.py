"""Documents that travel upward: campaigns, submissions and deadline events.

Every step of a submission's workflow is a history.LogEntry written by workflow.perform
(the machine is in submissions/machines.py); the old Transition table was migrated there.

A plan and a report share one workflow (DESIGN.md, "Submissions flow upward"); what they
contain lives in `plans` and `reports`. This app holds what they have in common, so the
rules of states, routing and deadlines exist once.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from network.models import VersionedModel
from orgunits.access import RestrictedQuerySet
from orgunits.models import DocumentType
from orgunits.subtree import subtree_q
from workflow.kinds import kind as document_kind

# The default dates of each document's campaign are its kind's (workflow.kinds).
DEFAULT_REMINDER_OFFSETS = [14, 7, 1]


def offsets_validator(value):
    if not isinstance(value, list) or not all(isinstance(v, int) and 0 < v <= 120 for v in value):
        raise ValidationError("Сроки напоминаний — список чисел дней от 1 до 120, например 14, 7, 1.")


class Campaign(models.Model):
    """One document type for one period in one region: who files, by when."""

    region = models.ForeignKey(
        "orgunits.Region", on_delete=models.PROTECT, related_name="campaigns", verbose_name="регион"
    )
    document_type = models.CharField("документ", max_length=20, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField(
        "год", help_text="Отчёт — за календарный год; план — на учебный год, начинающийся в сентябре этого года."
    )
    title = models.CharField("название", max_length=200, blank=True)
    opens_on = models.DateField("открыта с")
    due_on = models.DateField("срок представления", help_text="После него документ — с опозданием.")
    closes_on = models.DateField("закрывается", help_text="После этой даты непредставленный документ — не представлен.")
    reminder_offsets = models.JSONField(
        "напоминать за (дней)", default=list, blank=True, validators=[offsets_validator]
    )
    filer_kinds = models.ManyToManyField(
        "orgunits.UnitKind", related_name="+", verbose_name="кто представляет", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "кампания"
        verbose_name_plural = "кампании"
        ordering = ["-year", "document_type"]
        constraints = [
            models.UniqueConstraint(fields=["region", "document_type", "year"], name="campaign_one_per_period"),
            models.CheckConstraint(
                condition=Q(opens_on__lte=models.F("due_on")) & Q(due_on__lte=models.F("closes_on")),
                name="campaign_dates_in_order",
                violation_error_message="Даты должны идти по порядку: открытие ≤ срок ≤ закрытие.",
            ),
        ]

    def __str__(self):
        return self.title or self.default_title()

    def get_absolute_url(self):
        return reverse("submissions:campaign", args=[self.pk])

    def default_title(self):
        return document_kind(self.document_type).default_title(self.year)

    @property
    def period_label(self):
        return document_kind(self.document_type).period_label(self.year)

    def clean(self):
        if self.opens_on and self.due_on and self.closes_on and not (self.opens_on <= self.due_on <= self.closes_on):
            raise ValidationError("Даты должны идти по порядку: открытие ≤ срок представления ≤ закрытие.")

    @classmethod
    def defaults_for(cls, document_type: str, year: int) -> dict:
        """Dates of DESIGN.md for a period: a 2026 report is due 25.02.2027 and closes 01.03.2027."""
        return {**document_kind(document_type).default_dates(year), "reminder_offsets": list(DEFAULT_REMINDER_OFFSETS)}

    def lateness(self, today: datetime.date) -> str | None:
        """What the calendar makes of a document not submitted by `today`: None while there is
        time, "overdue" after the due date, "missing" after the closing date (001 §3.8, §2.6)."""
        if today > self.closes_on:
            return "missing"
        if today > self.due_on:
            return "overdue"
        return None

    def expected_units(self, within=None):
        """Units that owe this document: a filing kind, active on the due date (DESIGN: a unit
        created or closed during the campaign is expected only if it is active at the deadline)."""
        from orgunits.models import OrgUnit

        qs = OrgUnit.objects.filter(region_id=self.region_id, kind__in=self.filer_kinds.all())
        qs = qs.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=self.due_on))
        qs = qs.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=self.due_on))
        if within is not None:
            qs = qs.filter(subtree_q(within, include_self=False))
        return qs


class State(models.TextChoices):
    DRAFT = "draft", "черновик"
    SUBMITTED = "submitted", "на согласовании"
    RETURNED = "returned", "возвращён на доработку"
    APPROVED = "approved", "согласован"


class SubmissionQuerySet(RestrictedQuerySet):
    # «view»: whoever sees the filing unit; «review»: who decides on it — the reviewers AT the approving
    # unit, and those above it only in a region that allows escalation (submissions/routing.py, 000 б, в).
    actions = frozenset({"view", "review"})

    def _restrict_q(self, access, action):
        if action == "review":
            from .routing import review_q

            return review_q(access)
        return access.q_for_units("view", prefix="unit__")


class Submission(VersionedModel):
    """A unit's plan or report for one campaign, and where it stands."""

    # None for a document that belongs to no campaign (a candidacy): it names its own kind and year.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions", verbose_name="кампания"
    )
    own_kind = models.CharField("вид документа вне кампании", max_length=20, choices=DocumentType.choices, blank=True)
    own_year = models.PositiveSmallIntegerField("год документа вне кампании", null=True, blank=True)
    # What the one-a-year rule counts within a kind: a unit proposes one chair and one deputy a year, but
    # each of its delegates to the РУМО separately (000 а) — «chair», «deputy», «delegate-<person>».
    own_subject = models.CharField("предмет документа вне кампании", max_length=40, blank=True, default="")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="submissions", verbose_name="подразделение"
    )
    state = models.CharField("состояние", max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    approver = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions_to_approve",
        verbose_name="согласующее подразделение",
    )
    first_submitted_on = models.DateField("впервые представлен", null=True, blank=True)
    # Decided once, by the first submission against the due date; never recomputed.
    on_time = models.BooleanField("в срок", null=True, blank=True)
    submitted_at = models.DateTimeField("представлен", null=True, blank=True)
    approved_at = models.DateTimeField("согласован", null=True, blank=True)
    historical = models.BooleanField("исторический (перенесён с бумаги)", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = "документ на согласовании"
        verbose_name_plural = "документы на согласовании"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="submission_one_per_unit"),
            # A document without a campaign (a candidacy): one of a kind and subject a year per unit.
            models.UniqueConstraint(
                fields=["unit", "own_kind", "own_year", "own_subject"],
                condition=Q(campaign__isnull=True),
                name="submission_one_a_year_without_campaign",
            ),
            models.CheckConstraint(
                condition=Q(campaign__isnull=False) | (~Q(own_kind="") & Q(own_year__isnull=False)),
                name="submission_campaign_or_own_kind",
            ),
        ]
        indexes = [models.Index(fields=["approver", "state"], name="submission_inbox")]

    def __str__(self):
        return f"{self.kind_label} {self.period_label}: {self.unit}"

    def get_absolute_url(self):
        return reverse("submissions:submission", args=[self.pk])

    @property
    def is_editable(self):
        return self.state in (State.DRAFT, State.RETURNED)

    @property
    def document_type(self) -> str:
        return self.campaign.document_type if self.campaign_id else self.own_kind

    @property
    def year(self) -> int:
        return self.campaign.year if self.campaign_id else self.own_year

    @property
    def kind_label(self) -> str:
        return document_kind(self.document_type).label

    @property
    def period_label(self) -> str:
        return document_kind(self.document_type).period_label(self.year)


class DeadlineEvent(models.Model):
    """What the sweep has done for a unit in a campaign: one row per kind, so a rerun sends nothing twice."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "напоминание"
        LATE = "late", "просрочен"
        MISSING = "missing", "не представлен"
        MANUAL = "manual", "напоминание проверяющего"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=40, help_text="вид и параметр: reminder-14, late, missing, manual-2027-02-20")
    on = models.DateField("дата")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "событие сроков"
        verbose_name_plural = "события сроков"
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "key"], name="deadline_event_once")]

    def __str__(self):
        return f"{self.on:%d.%m.%Y} {self.key}"


ALLOWED_ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def attachment_path(instance, filename):
    return f"submissions/{instance.submission_id}/{filename}"


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("файл", upload_to=attachment_path)
    name = models.CharField("название", max_length=255)
    size = models.PositiveIntegerField("размер, байт")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "вложение"
        verbose_name_plural = "вложения"
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.name


class Reminder(models.Model):
    """A reminder to file that reached a unit: when, by whom (None: the daily sweep), whom.

    Written by submissions.reminders for «Напомнить непредставившим» and for the sweep's own
    reminders; a unit with nobody to tell gets no row (it was not reminded)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reminders", verbose_name="кампания")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+", verbose_name="подразделение"
    )
    sent_at = models.DateTimeField("когда")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто напомнил",
    )
    key = models.CharField("вид", max_length=40, help_text="manual-<дата>, reminder-14, late…")
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name="кому")

    class Meta:
        verbose_name = "напоминание"
        verbose_name_plural = "напоминания"
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["campaign", "unit", "-sent_at"], name="reminder_last")]

    def __str__(self):
        return f"{self.sent_at:%d.%m.%Y} {self.unit_id}: {self.key}"
