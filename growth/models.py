"""Teachers' professional growth (issue 5): courses, diagnostics, routes, mentoring."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from network.models import VersionedModel
from orgunits.access import RestrictedQuerySet
from people.access import PERSON_ACTIONS, q_for_person_records


class PortfolioQuerySet(RestrictedQuerySet):
    """A record of a teacher's portfolio (a course, a diagnostic, a route): seen by whoever may see the
    teacher's card, kept by whoever may keep it (people.access)."""

    actions = PERSON_ACTIONS
    person_path = "person"

    def _restrict_q(self, access, action):
        return q_for_person_records(access, action, self.person_path)


class CourseQuerySet(PortfolioQuerySet):
    def confirmed(self):
        """What counts (the hours of the portfolio, registers, reports, monitoring): confirmed courses only."""
        return self.filter(status=Course.Status.CONFIRMED)

    def pending(self):
        return self.filter(status=Course.Status.PENDING)


class RouteStepQuerySet(PortfolioQuerySet):
    person_path = "route__person"


class MentoringQuerySet(PortfolioQuerySet):
    # A pair is kept in the mentee's portfolio and shows in the mentor's as well.
    person_path = "mentee"

    def _restrict_q(self, access, action):
        q = super()._restrict_q(access, action)
        if action == "view" and q is not None and q != Q():
            q |= q_for_person_records(access, action, "mentor")
        return q


class Course(VersionedModel):
    """A КПК (курсы повышения квалификации) the teacher took.

    A course the teacher adds themselves waits for confirmation by their MO (growth/machines.py); one
    added by those who keep the teacher's portfolio or confirm it is confirmed at once."""

    class Status(models.TextChoices):
        PENDING = "pending", "на подтверждении"
        CONFIRMED = "confirmed", "подтверждён"
        REJECTED = "rejected", "отклонён"

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="courses", verbose_name="педагог"
    )
    title = models.CharField("название программы", max_length=500)
    provider = models.CharField("организация", max_length=300)
    hours = models.PositiveSmallIntegerField(
        "объём, часов",
        validators=[
            MinValueValidator(1, "Объём курса — не меньше 1 часа."),
            MaxValueValidator(2000, "Объём курса — не больше 2000 часов."),
        ],
    )
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание")
    certificate_number = models.CharField("номер удостоверения", max_length=100, blank=True)
    file = models.FileField("скан удостоверения", upload_to="growth/certificates/%Y/", blank=True)
    # The state moves only through workflow.engine.perform (growth/machines.py); the fields below are
    # written by its moves, not by forms (editable=False: the history records the moves, not them).
    status = models.CharField(
        "подтверждение", max_length=20, choices=Status.choices, default=Status.CONFIRMED, editable=False
    )
    submitted_at = models.DateTimeField("отправлен на подтверждение", null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField("подтверждён", null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="кем подтверждён",
    )
    reject_reason = models.TextField("причина отклонения", blank=True, editable=False)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = "курс повышения квалификации"
        verbose_name_plural = "курсы повышения квалификации"
        ordering = ["-ends_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="growth_course_dates"),
            models.CheckConstraint(condition=Q(hours__gte=1, hours__lte=2000), name="growth_course_hours"),
        ]
        indexes = [models.Index(fields=["status", "person"], name="growth_course_status")]

    def __str__(self):
        return f"{self.title} ({self.hours} ч.)"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "Дата окончания курса раньше даты начала."})

    def get_absolute_url(self):
        return reverse("growth:portfolio", args=[self.person_id]) + f"#course-{self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class Diagnostic(VersionedModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="diagnostics", verbose_name="педагог"
    )
    date = models.DateField("дата")
    instrument = models.CharField("инструмент диагностики", max_length=300)

    objects = PortfolioQuerySet.as_manager()

    class Meta:
        verbose_name = "диагностика"
        verbose_name_plural = "диагностики"
        ordering = ["-date", "pk"]

    def __str__(self):
        return f"{self.instrument}, {self.date:%d.%m.%Y}"


class DiagnosticResult(models.Model):
    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="results")
    area = models.CharField("область компетенций", max_length=300)
    percent = models.PositiveSmallIntegerField(
        "результат, %",
        validators=[MaxValueValidator(100, "Результат — от 0 до 100 %%.")],
    )
    is_deficit = models.BooleanField("дефицит", default=False)

    class Meta:
        verbose_name = "результат диагностики"
        verbose_name_plural = "результаты диагностики"
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="growth_result_percent")]

    def __str__(self):
        return f"{self.area}: {self.percent} %"


class Route(VersionedModel):
    """ИОМ — индивидуальный образовательный маршрут."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="routes", verbose_name="педагог")
    year = models.PositiveSmallIntegerField(
        "год", validators=[MinValueValidator(2000, "Год — не раньше 2000."), MaxValueValidator(2100)]
    )
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="сопровождающее подразделение",
    )
    goals = models.TextField("цели")
    diagnostic = models.ForeignKey(
        Diagnostic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routes",
        verbose_name="по итогам диагностики",
    )

    objects = PortfolioQuerySet.as_manager()

    class Meta:
        verbose_name = "индивидуальный образовательный маршрут"
        verbose_name_plural = "индивидуальные образовательные маршруты"
        ordering = ["-year", "pk"]

    def __str__(self):
        return f"ИОМ на {self.year} год"

    def clean(self):
        if self.diagnostic_id and self.person_id and self.diagnostic.person_id != self.person_id:
            raise ValidationError({"diagnostic": "Диагностика другого педагога."})


class RouteStep(VersionedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "запланировано"
        IN_PROGRESS = "in_progress", "выполняется"
        DONE = "done", "выполнено"

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="steps", verbose_name="маршрут")
    text = models.CharField("мероприятие", max_length=500)
    due_on = models.DateField("срок")
    status = models.CharField("статус", max_length=20, choices=Status.choices, default=Status.PLANNED)

    objects = RouteStepQuerySet.as_manager()

    class Meta:
        verbose_name = "шаг маршрута"
        verbose_name_plural = "шаги маршрута"
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.text


class Mentoring(VersionedModel):
    """A mentoring pair (001 §3.6)."""

    class Kind(models.TextChoices):
        YOUNG = "young", "наставник – молодой специалист"
        PEER = "peer", "педагог – педагог"
        HEAD = "head", "руководитель – педагог"

    mentor = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="mentoring_given", verbose_name="наставник"
    )
    mentee = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="mentoring_received", verbose_name="наставляемый"
    )
    kind = models.CharField("форма наставничества", max_length=10, choices=Kind.choices)
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание", null=True, blank=True)

    objects = MentoringQuerySet.as_manager()

    class Meta:
        verbose_name = "наставническая пара"
        verbose_name_plural = "наставнические пары"
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("mentee")), name="growth_mentor_not_mentee"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="growth_mentoring_dates"
            ),
        ]

    def __str__(self):
        return f"{self.mentor} → {self.mentee} ({self.get_kind_display()})"

    def clean(self):
        errors = {}
        if self.mentor_id and self.mentee_id and self.mentor_id == self.mentee_id:
            errors["mentee"] = "Наставник и наставляемый — один и тот же педагог."
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "Дата окончания раньше даты начала."
        if errors:
            raise ValidationError(errors)
