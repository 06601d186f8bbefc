"""Effectiveness indicators and monitoring campaigns (issue 5, parts 4–5; seeds 002 and 001 §5.2).

An indicator set is configuration, per region: each indicator says what it assesses (an МО,
a school or a municipality), how its value is obtained (a named rule over portal data, or by
hand with evidence) and how a value scores 2 / 1 / 0 (002: 70–100 % → 2, 40–69 % → 1, below 40 %
→ 0). A monitoring campaign assesses one subtree for one year: each assessed unit or school is
a row, each (row, indicator) a result that keeps the records it was computed from, so that a
closed year never changes when the records do.

What is assessed (see rules.Scope for how the teachers of each are counted):
- МО: units whose kind is one of the set's «МО» kinds (РМО, ГМО, ШМО by default);
- municipality: the topmost municipal-level unit of each branch (МунУМО, ММС), unless it is an МО kind;
- school: the schools (the register of ОО) of the municipalities of the subtree.
"""

from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from network.models import VersionedModel
from orgunits.access import RestrictedQuerySet


class Assessed(models.TextChoices):
    MO = "mo", "методическое объединение"
    SCHOOL = "school", "образовательная организация"
    MUNICIPALITY = "municipality", "муниципалитет"


class Method(models.TextChoices):
    COMPUTED = "computed", "вычисляется по данным портала"
    MANUAL = "manual", "вносится вручную с подтверждением"


class Scoring(models.TextChoices):
    PERCENT = "percent", "по доле, % (пороги)"
    PLACES = "places", "по результатам: 2 — призовое место (1–3), 1 — участие, 0 — нет"
    SCORE = "score", "балл 0–2 выставляется вручную"


class IndicatorSet(VersionedModel):
    """Versioned: the portal editor saves the passport and the indicators as one edit of the set, so two
    administrators editing one set never silently overwrite each other (see monitoring.sets)."""

    region = models.ForeignKey(
        "orgunits.Region", on_delete=models.PROTECT, related_name="indicator_sets", verbose_name="регион"
    )
    name = models.CharField("название", max_length=300)
    basis = models.TextField("основание", blank=True, help_text="Приказ или положение, которым утверждены показатели.")
    is_default = models.BooleanField("набор региона по умолчанию", default=False)
    mo_kinds = models.ManyToManyField(
        "orgunits.UnitKind",
        related_name="+",
        blank=True,
        verbose_name="виды подразделений — методические объединения",
        help_text="Подразделения этих видов оцениваются по показателям уровня «методическое объединение».",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "набор показателей эффективности"
        verbose_name_plural = "наборы показателей эффективности"
        ordering = ["region__name", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="monitoring_set_name_unique"),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(is_default=True),
                name="monitoring_one_default_set",
                violation_error_message="У региона уже есть набор показателей по умолчанию.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("monitoring:set", args=[self.pk])


class Indicator(models.Model):
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="indicators", verbose_name="набор"
    )
    position = models.PositiveSmallIntegerField("№ п/п", default=1)
    code = models.SlugField("код", max_length=40)
    name = models.CharField("показатель", max_length=500)
    short_name = models.CharField("кратко (заголовок столбца)", max_length=80)
    assessed = models.CharField("что оценивается", max_length=20, choices=Assessed.choices, default=Assessed.MO)
    method = models.CharField("как получается", max_length=20, choices=Method.choices, default=Method.COMPUTED)
    rule = models.CharField("правило расчёта", max_length=40, blank=True)
    params = models.JSONField("параметры правила", default=dict, blank=True)
    scoring = models.CharField("оценка", max_length=20, choices=Scoring.choices, default=Scoring.PERCENT)
    high = models.DecimalField(
        "порог «2 балла», %",
        max_digits=5,
        decimal_places=2,
        default=Decimal(70),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    mid = models.DecimalField(
        "порог «1 балл», %",
        max_digits=5,
        decimal_places=2,
        default=Decimal(40),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    criteria = models.CharField("критерии (как в утверждённой таблице)", max_length=300, blank=True)
    hint = models.TextField(
        "рекомендация при низкой оценке", blank=True, help_text="Предлагается проверяющему в адресных рекомендациях."
    )

    class Meta:
        verbose_name = "показатель"
        verbose_name_plural = "показатели"
        ordering = ["indicator_set", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="monitoring_indicator_code_unique"),
            models.CheckConstraint(condition=Q(mid__lt=models.F("high")), name="monitoring_indicator_mid_below_high"),
        ]

    def __str__(self):
        return self.short_name or self.name

    @property
    def scoring_rule(self) -> str:
        """How a value becomes a score, for a column header: an indicator scored by places says so."""
        if self.scoring == Scoring.PLACES:
            return "по местам: призовое (1–3) — 2, участие — 1, нет — 0"
        if self.scoring == Scoring.SCORE:
            return "балл 0–2 выставляется вручную"
        high, mid = (format(value.normalize(), "f").replace(".", ",") for value in (self.high, self.mid))
        return f"по порогам: от {high} % — 2, от {mid} % — 1, ниже — 0"

    def clean(self):
        from . import rules

        errors = {}
        if self.high is not None and self.mid is not None and not (0 <= self.mid < self.high <= 100):
            errors["mid"] = "Пороги: 0 ≤ «1 балл» < «2 балла» ≤ 100 %."
        if self.method == Method.COMPUTED:
            if self.rule not in rules.RULES:
                errors["rule"] = "Выберите правило расчёта из списка: " + ", ".join(rules.RULES) + "."
            else:
                try:
                    self.params = rules.RULES[self.rule].clean_params(self.params)
                except ValidationError as exc:
                    errors["params"] = exc.messages
                if self.scoring == Scoring.SCORE:
                    errors["scoring"] = "Балл вручную выставляется только для показателей, вносимых вручную."
                if self.scoring == Scoring.PLACES and self.rule != "places":
                    errors["scoring"] = "Оценка по местам — только для правила «места в конкурсах»."
        else:
            if self.rule:
                errors["rule"] = "У показателя, вносимого вручную, правила расчёта нет: оставьте поле пустым."
            if self.params:
                errors["params"] = "У показателя, вносимого вручную, параметров нет."
        if errors:
            raise ValidationError(errors)

    @property
    def is_manual(self):
        return self.method == Method.MANUAL

    @property
    def rule_label(self):
        from . import rules

        rule = rules.RULES.get(self.rule)
        return rule.describe(self.params) if rule else ""


class CampaignQuerySet(RestrictedQuerySet):
    # «view»: whoever sees the campaign's root unit; «review»: its reviewers, who run the campaign.
    actions = frozenset({"view", "review"})

    def _restrict_q(self, access, action):
        return access.q_for_units(action, prefix="root__")


class MonitoringCampaign(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "открыта"
        CLOSED = "closed", "закрыта"

    region = models.ForeignKey(
        "orgunits.Region", on_delete=models.PROTECT, related_name="monitoring_campaigns", verbose_name="регион"
    )
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.PROTECT, related_name="campaigns", verbose_name="набор показателей"
    )
    year = models.PositiveSmallIntegerField("год", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    root = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="monitoring_campaigns", verbose_name="подразделение"
    )
    title = models.CharField("название", max_length=300, blank=True)
    state = models.CharField("состояние", max_length=10, choices=State.choices, default=State.OPEN)
    computed_at = models.DateTimeField("рассчитана", null=True, blank=True)
    computed_on = models.DateField("данные на дату", null=True, blank=True)
    closed_at = models.DateTimeField("закрыта", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто закрыл",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = "кампания мониторинга"
        verbose_name_plural = "кампании мониторинга"
        ordering = ["-year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "root", "year"],
                name="monitoring_campaign_once_a_year",
                violation_error_message="Мониторинг этого подразделения по этому набору за этот год уже есть.",
            )
        ]

    def __str__(self):
        return self.title or f"Мониторинг эффективности за {self.year} год: {self.root}"

    def get_absolute_url(self):
        return reverse("monitoring:campaign", args=[self.pk])

    @property
    def is_open(self):
        return self.state == self.State.OPEN

    @property
    def computation_in_progress(self):
        """The background computation still waiting or running (its page says so), or None."""
        active = [Computation.Status.PENDING, Computation.Status.RUNNING]
        return self.computations.filter(status__in=active).order_by("-pk").first()

    @cached_property
    def last_computation(self):
        """The computation the campaign page shows: its progress while it waits or runs, else how it ended."""
        return self.computations.order_by("-pk").first()


class CampaignSummary(models.Model):
    """The results page's score distribution and heat table, aggregated over every result of the campaign:
    written by services.compute and after each hand-entered value (services.refresh_summary). A table of its
    own (tens of kilobytes at national size) so that reading campaigns does not carry it."""

    campaign = models.OneToOneField(
        MonitoringCampaign, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    data = models.JSONField("сводка итогов", default=dict)

    class Meta:
        verbose_name = "сводка итогов кампании"
        verbose_name_plural = "сводки итогов кампаний"

    def __str__(self):
        return f"Сводка: {self.campaign_id}"


class Row(models.Model):
    """One assessed unit or school of a campaign, with its total (kept in step with its results)."""

    campaign = models.ForeignKey(MonitoringCampaign, on_delete=models.CASCADE, related_name="rows")
    assessed = models.CharField(max_length=20, choices=Assessed.choices)
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    school = models.ForeignKey("orgunits.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # The unit whose permissions guard the row: the unit itself, or the school's municipality.
    guard = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(max_length=500)
    teachers = models.PositiveIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    scored = models.PositiveSmallIntegerField("оценено показателей", default=0)

    class Meta:
        ordering = ["campaign", "-total", "label", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit"], condition=Q(unit__isnull=False), name="monitoring_row_unit"
            ),
            models.UniqueConstraint(
                fields=["campaign", "school"], condition=Q(school__isnull=False), name="monitoring_row_school"
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True, school__isnull=False) | Q(unit__isnull=False, school__isnull=True),
                name="monitoring_row_unit_or_school",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "total"], name="monitoring_row_rank")]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("monitoring:row", args=[self.pk])

    @property
    def max_total(self):
        return 2 * self.scored


def evidence_path(instance, filename):
    return f"monitoring/{instance.row.campaign_id}/{instance.pk or 'new'}/{filename}"


class Result(models.Model):
    """The value of one indicator for one row: computed (with its records) or entered by hand."""

    class Source(models.TextChoices):
        COMPUTED = "computed", "вычислено"
        MANUAL = "manual", "внесено вручную"

    row = models.ForeignKey(Row, on_delete=models.CASCADE, related_name="results")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="results")
    source = models.CharField(max_length=10, choices=Source.choices)
    numerator = models.PositiveIntegerField("числитель", null=True, blank=True)
    denominator = models.PositiveIntegerField("знаменатель", null=True, blank=True)
    # Truncated (never rounded up) to 3 decimals: the score compares the same way as the exact share.
    percent = models.DecimalField("доля, %", max_digits=7, decimal_places=3, null=True, blank=True)
    score = models.PositiveSmallIntegerField("балл", null=True, blank=True)
    note = models.CharField("пояснение", max_length=300, blank=True)
    # The records behind the value as they stood when computed: the drill-down reads only this.
    records = models.JSONField(default=list, blank=True)
    evidence_text = models.TextField("подтверждение", blank=True)
    evidence_url = models.URLField("ссылка на подтверждение", blank=True, max_length=500)
    evidence_file = models.FileField("файл подтверждения", upload_to=evidence_path, blank=True)
    evidence_name = models.CharField(max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="внёс"
    )
    entered_at = models.DateTimeField("внесено", null=True, blank=True)

    class Meta:
        ordering = ["row", "indicator__position"]
        constraints = [
            models.UniqueConstraint(fields=["row", "indicator"], name="monitoring_result_once"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__lte=2), name="monitoring_score_0_2"),
        ]

    def __str__(self):
        return f"{self.row}: {self.indicator}"

    def get_absolute_url(self):
        return reverse("monitoring:result", args=[self.pk])


class Recommendation(VersionedModel):
    """Targeted recommendations to one assessed unit (001 §5.2), written by the reviewer."""

    row = models.OneToOneField(Row, on_delete=models.CASCADE, related_name="recommendation")
    text = models.TextField("рекомендации")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "адресные рекомендации"
        verbose_name_plural = "адресные рекомендации"

    def __str__(self):
        return f"Рекомендации: {self.row}"


class Computation(models.Model):
    """A computation of a campaign asked for a worker (network/jobs.py; every computation runs in the
    «monitoring» queue, its page follows steps_done of steps_total): it waits for the queue
    (queued_at empty) while the broker is down and is sent again by network.requeue_jobs, so a
    requested computation is never lost."""

    class Status(models.TextChoices):
        PENDING = "pending", "в очереди"
        RUNNING = "running", "выполняется"
        DONE = "done", "выполнен"
        FAILED = "failed", "ошибка"

    campaign = models.ForeignKey(MonitoringCampaign, on_delete=models.CASCADE, related_name="computations")
    day = models.DateField("данные на дату")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField("состояние", max_length=10, choices=Status.choices, default=Status.PENDING)
    summary = models.CharField("итог", max_length=500, blank=True)
    error = models.TextField(blank=True)
    # Progress, written by the worker as it goes (services.compute's steps: the subtree, each rule, the writing).
    steps_done = models.PositiveIntegerField("выполнено шагов", default=0)
    steps_total = models.PositiveIntegerField("всего шагов", default=0)
    stage = models.CharField("текущий шаг", max_length=300, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    touched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "расчёт кампании в фоне"
        verbose_name_plural = "расчёты кампаний в фоне"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.campaign}: {self.day:%d.%m.%Y}, {self.get_status_display()}"


class CoverageNotice(models.Model):
    """001 §5.2 «Мониторинг проводится не реже одного раза в год»: the daily sweep told a region's
    administrators which of its units no campaign covered in `year` — once per region and year."""

    region = models.ForeignKey("orgunits.Region", on_delete=models.CASCADE, related_name="+", verbose_name="регион")
    year = models.PositiveSmallIntegerField("год")
    uncovered = models.PositiveIntegerField("не охвачено подразделений", default=0)
    notified = models.PositiveIntegerField("уведомлено пользователей", default=0)
    created_at = models.DateTimeField("проверено", auto_now_add=True)

    class Meta:
        verbose_name = "проверка охвата мониторингом"
        verbose_name_plural = "проверки охвата мониторингом"
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="monitoring_coverage_once")]

    def __str__(self):
        return f"{self.region_id}/{self.year}: {self.uncovered}"
