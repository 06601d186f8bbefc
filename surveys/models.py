"""The needs surveys of teachers' professional needs and deficits (issue 5, part 7), moved out of growth.

The tables were created by growth; surveys/migrations moves them to this app without touching the data."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from network.models import VersionedModel
from orgunits.access import RestrictedQuerySet

# -- Monitoring of teachers' professional needs and deficits (issue 5, part 7) ---------------------
# Seed 004 roadmap: the survey is designed in January, run in March; its answers feed the PD
# plan-schedule (April) and the teachers' individual routes (001 §3.4).


class NeedsSurveyQuerySet(RestrictedQuerySet):
    # «view»: whoever sees the organising unit; «keep_records»: who organises it there.
    actions = frozenset({"view", "keep_records"})

    def _restrict_q(self, access, action):
        return access.q_for_units(action, prefix="unit__")


class NeedsSurvey(VersionedModel):
    """An organising unit's survey of its teachers' professional needs for one year."""

    class State(models.TextChoices):
        DESIGN = "design", "разработка"
        OPEN = "open", "проводится"
        CLOSED = "closed", "завершена"

    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="needs_surveys", verbose_name="организатор"
    )
    year = models.PositiveSmallIntegerField(
        "год",
        validators=[MinValueValidator(2000, "Год — не раньше 2000."), MaxValueValidator(2100, "Год — не позже 2100.")],
    )
    title = models.CharField("название", max_length=300)
    instructions = models.TextField("обращение к педагогам", blank=True)
    state = models.CharField("состояние", max_length=10, choices=State.choices, default=State.DESIGN)
    opens_on = models.DateField("приём ответов с")
    closes_on = models.DateField("приём ответов по")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField("открыта", null=True, blank=True)
    closed_at = models.DateTimeField("завершена", null=True, blank=True)

    objects = NeedsSurveyQuerySet.as_manager()

    class Meta:
        verbose_name = "анкета профессиональных потребностей"
        verbose_name_plural = "анкеты профессиональных потребностей"
        ordering = ["-year", "-opens_on", "-pk"]
        indexes = [models.Index(fields=["unit", "year"], name="growth_survey_unit_year")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="growth_survey_dates"),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"

    def get_absolute_url(self):
        return reverse("growth:survey", args=[self.pk])

    def clean(self):
        errors = {}
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = "Дата окончания приёма ответов раньше даты начала."
        if self.year:
            for name in ("opens_on", "closes_on"):
                value = getattr(self, name)
                if value and value.year != self.year and name not in errors:
                    errors[name] = f"Сроки анкетирования — в пределах {self.year} года."
        if errors:
            raise ValidationError(errors)


class SurveyTopic(models.Model):
    """A need a teacher may tick: a topic within a competence area (the vocabulary of diagnostics)."""

    survey = models.ForeignKey(NeedsSurvey, on_delete=models.CASCADE, related_name="topics", verbose_name="анкета")
    area = models.CharField("область компетенций", max_length=300)
    title = models.CharField("тема", max_length=300)
    position = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "тема анкеты"
        verbose_name_plural = "темы анкеты"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "title"],
                name="growth_topic_unique_title",
                violation_error_message="Такая тема уже есть в анкете.",
            )
        ]

    def __str__(self):
        return self.title


class CourseFormat(models.TextChoices):
    IN_PERSON = "in_person", "очно"
    REMOTE = "remote", "дистанционно"
    BLENDED = "blended", "смешанно"


class NeedsAnswer(VersionedModel):
    """One teacher's answer to one survey; changeable while the survey is open."""

    survey = models.ForeignKey(NeedsSurvey, on_delete=models.CASCADE, related_name="answers", verbose_name="анкета")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="needs_answers", verbose_name="педагог"
    )
    topics = models.ManyToManyField(
        SurveyTopic, blank=True, related_name="answers", verbose_name="нужна помощь по темам"
    )
    difficulties = models.TextField("профессиональные затруднения", blank=True, max_length=2000)
    preferred_format = models.CharField("предпочтительный формат курсов", max_length=10, choices=CourseFormat.choices)
    # The respondent's units in the organiser's subtree when they answered: the MO breakdown of
    # the results stays what it was even after memberships change.
    units = models.ManyToManyField(
        "orgunits.OrgUnit", blank=True, related_name="survey_answers", verbose_name="подразделения педагога"
    )
    submitted_at = models.DateTimeField("ответ отправлен")
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "ответ на анкету"
        verbose_name_plural = "ответы на анкеты"
        ordering = ["survey", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person"],
                name="growth_one_answer_per_person",
                violation_error_message="Этот педагог уже ответил на анкету.",
            )
        ]

    def __str__(self):
        return f"{self.person} — {self.survey}"
