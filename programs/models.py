"""Programs of a unit and their roadmaps («дорожные карты», seeds 002 and 004), moved out of plans.

The tables were created by plans; programs/migrations moves them to this app without touching the data."""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from network.models import VersionedModel, normalize_search
from orgunits.access import RestrictedQuerySet

MONTH_NAMES = [
    (1, "январь"), (2, "февраль"), (3, "март"), (4, "апрель"), (5, "май"), (6, "июнь"),
    (7, "июль"), (8, "август"), (9, "сентябрь"), (10, "октябрь"), (11, "ноябрь"), (12, "декабрь"),
]  # fmt: skip
MONTHS_PREPOSITIONAL = {
    1: "январе", 2: "феврале", 3: "марте", 4: "апреле", 5: "мае", 6: "июне",
    7: "июле", 8: "августе", 9: "сентябре", 10: "октябре", 11: "ноябре", 12: "декабре",
}  # fmt: skip
FIRST_YEAR, LAST_YEAR = 2000, 2100


class ProgramQuerySet(RestrictedQuerySet):
    actions = frozenset({"view", "keep_records"})

    def _restrict_q(self, access, action):
        # Whoever may view the owning unit sees its programs; editing is `keep_records` (programs.services).
        return access.q_for_units(action, prefix="unit__")


class Program(VersionedModel):
    """A program of a unit with its passport (004: «Паспорт программы») and its roadmap items."""

    class State(models.TextChoices):
        DRAFT = "draft", "проект"
        ACTIVE = "active", "реализуется"
        FINISHED = "finished", "завершена"

    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="programs", verbose_name="подразделение"
    )
    name = models.CharField("наименование", max_length=500)
    legal_basis = models.TextField("основания разработки", blank=True, help_text="Законы, распоряжения, приказы.")
    approval_order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approved_programs",
        verbose_name="приказ об утверждении",
    )
    goal = models.TextField("цель программы")
    tasks = models.TextField("задачи программы", blank=True, help_text="По одной задаче в строке.")
    start_year = models.PositiveSmallIntegerField("начало реализации (год)")
    end_year = models.PositiveSmallIntegerField("окончание реализации (год)")
    expected_results = models.TextField("ожидаемые результаты", blank=True, help_text="По одному в строке.")
    state = models.CharField("состояние", max_length=10, choices=State.choices, default=State.DRAFT)
    search = models.CharField(max_length=600, editable=False, default="")
    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        verbose_name = "программа"
        verbose_name_plural = "программы"
        ordering = ["-start_year", "name", "pk"]
        indexes = [models.Index(fields=["unit", "state"], name="program_unit_state")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("plans:program", args=[self.pk])

    def save(self, *args, **kwargs):
        self.search = normalize_search(self.name)
        super().save(*args, **kwargs)

    @property
    def period_label(self):
        if self.start_year == self.end_year:
            return f"{self.start_year} год"
        return f"{self.start_year}–{self.end_year} годы"

    @property
    def period_end(self) -> datetime.date:
        return datetime.date(self.end_year, 12, 31)

    @property
    def task_list(self):
        return [t.strip(" -–—;•\t") for t in self.tasks.splitlines() if t.strip(" -–—;•\t")]

    @property
    def result_list(self):
        return [t.strip(" -–—;•\t") for t in self.expected_results.splitlines() if t.strip(" -–—;•\t")]

    def clean(self):
        errors = {}
        for name in ("start_year", "end_year"):
            year = getattr(self, name)
            if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
                errors[name] = f"Год — от {FIRST_YEAR} до {LAST_YEAR}."
        if (
            "start_year" not in errors
            and "end_year" not in errors
            and self.start_year is not None
            and self.end_year is not None
            and self.end_year < self.start_year
        ):
            errors["end_year"] = "Год окончания не может быть раньше года начала."
        if self.approval_order_id and self.unit_id and self.approval_order.unit.region_id != self.unit.region_id:
            errors["approval_order"] = "Приказ издан в другом регионе: выберите приказ своего региона."
        if errors:
            raise ValidationError(errors)


class TermKind(models.TextChoices):
    DATE = "date", "дата"
    MONTH = "month", "месяц года"
    YEAR = "year", "в течение года"
    ANNUAL = "annual", "ежегодно в месяце"
    PERIOD = "period", "в течение всего периода"


class ItemStatus(models.TextChoices):
    PLANNED = "planned", "запланировано"
    IN_PROGRESS = "in_progress", "выполняется"
    DONE = "done", "выполнено"
    CANCELLED = "cancelled", "отменено"


CLOSED_STATUSES = (ItemStatus.DONE, ItemStatus.CANCELLED)


def last_day_of_month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


class RoadmapItem(VersionedModel):
    """One row of a roadmap: activity, responsible, term, result (002, 004)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="items", verbose_name="программа")
    section = models.CharField("направление (раздел)", max_length=300, blank=True)
    number = models.CharField("№", max_length=20, blank=True, help_text="Например, 1.1.")
    position = models.PositiveIntegerField("порядок", default=0)
    activity = models.TextField("мероприятие")
    responsible_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roadmap_items",
        verbose_name="ответственное подразделение",
    )
    responsible_person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roadmap_items",
        verbose_name="ответственное лицо",
    )
    responsible_text = models.CharField(
        "ответственные (текстом)", max_length=500, blank=True, help_text="Например, «методисты МАУ ИМК»."
    )
    term_kind = models.CharField("срок", max_length=10, choices=TermKind.choices, default=TermKind.MONTH)
    term_date = models.DateField("дата", null=True, blank=True)
    term_year = models.PositiveSmallIntegerField("год", null=True, blank=True)
    term_month = models.PositiveSmallIntegerField("месяц", choices=MONTH_NAMES, null=True, blank=True)
    due_on = models.DateField("выполнить до", editable=False)
    result = models.TextField("результат выполнения", blank=True, help_text="Например, «Приказ от … № …».")
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="roadmap_items",
        verbose_name="приказ",
    )
    status = models.CharField(
        "состояние", max_length=12, choices=ItemStatus.choices, default=ItemStatus.PLANNED, db_index=True
    )
    done_on = models.DateField("выполнено", null=True, blank=True)
    comment = models.TextField("комментарий", blank=True)

    class Meta:
        verbose_name = "пункт дорожной карты"
        verbose_name_plural = "пункты дорожной карты"
        ordering = ["program", "position", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="roadmap_item_status_due")]

    def __str__(self):
        return f"{self.number} {self.activity[:80]}".strip()

    def get_absolute_url(self):
        return f"{self.program.get_absolute_url()}#item-{self.pk}"

    def compute_due_on(self) -> datetime.date | None:
        """The last day the term allows: a date → it; a month → its last day; a year, the whole
        period → 31 December; «ежегодно в …» → the last day of that month in the current cycle year."""
        program = self.program
        if self.term_kind == TermKind.DATE:
            return self.term_date
        monthly = self.term_kind in (TermKind.MONTH, TermKind.ANNUAL)
        if monthly and self.term_year and self.term_month in MONTHS_PREPOSITIONAL:
            return last_day_of_month(self.term_year, self.term_month)
        if self.term_kind == TermKind.YEAR and self.term_year:
            return datetime.date(self.term_year, 12, 31)
        if self.term_kind == TermKind.PERIOD:
            return program.period_end
        return None

    @property
    def term_label(self) -> str:
        kind = self.term_kind
        if kind == TermKind.DATE and self.term_date:
            return self.term_date.strftime("%d.%m.%Y")
        if kind == TermKind.MONTH and self.term_month:
            return f"{dict(MONTH_NAMES)[self.term_month]} {self.term_year}"
        if kind == TermKind.YEAR and self.term_year:
            return f"в течение {self.term_year} г."
        if kind == TermKind.ANNUAL and self.term_month:
            return f"ежегодно в {MONTHS_PREPOSITIONAL[self.term_month]}"
        return "в течение всего периода"

    @property
    def done_cycles(self) -> list[int]:
        """For «ежегодно» items: the years already done (the cycle moved past them)."""
        if self.term_kind != TermKind.ANNUAL or not self.term_year:
            return []
        last = self.term_year if self.status == ItemStatus.DONE else self.term_year - 1
        return list(range(self.program.start_year, last + 1))

    @property
    def responsible_label(self) -> str:
        parts = []
        if self.responsible_unit_id:
            parts.append(str(self.responsible_unit))
        if self.responsible_person_id:
            parts.append(self.responsible_person.short_name)
        if self.responsible_text:
            parts.append(self.responsible_text)
        return "; ".join(parts)

    def clean(self):
        errors: dict[str, str] = {}
        program = self.program
        if not (self.responsible_unit_id or self.responsible_person_id or self.responsible_text.strip()):
            errors["responsible_text"] = "Укажите ответственного: подразделение, лицо или текстом."
        if self.responsible_unit_id and program.unit_id:
            unit, own = self.responsible_unit, program.unit
            if not own.is_ancestor_of(unit, include_self=True):
                errors["responsible_unit"] = (
                    "Ответственное подразделение — само подразделение программы или нижестоящее."
                )
        person = self.responsible_person if self.responsible_person_id else None
        if person is not None and program.unit_id and person.region_id != program.unit.region_id:
            errors["responsible_person"] = "Ответственное лицо — из другого региона."
        if self.order_id and program.unit_id and self.order.unit.region_id != program.unit.region_id:
            errors["order"] = "Приказ издан в другом регионе: выберите приказ своего региона."
        errors.update(self._term_errors())
        if self.status == ItemStatus.DONE and not self.done_on:
            errors["done_on"] = "Укажите дату выполнения."
        if self.status != ItemStatus.DONE:
            self.done_on = None
        if errors:
            raise ValidationError(errors)

    def _term_errors(self) -> dict[str, str]:
        program, kind = self.program, self.term_kind
        start, end = program.start_year, program.end_year
        if start is None or end is None:
            return {}
        period = f"{start}–{end}" if start != end else str(start)
        # Only the part of the term its kind uses is kept.
        if kind != TermKind.DATE:
            self.term_date = None
        if kind not in (TermKind.MONTH, TermKind.ANNUAL):
            self.term_month = None
        if kind not in (TermKind.MONTH, TermKind.YEAR, TermKind.ANNUAL):
            self.term_year = None
        if kind == TermKind.DATE:
            if not self.term_date:
                return {"term_date": "Укажите дату."}
            if not start <= self.term_date.year <= end:
                return {"term_date": f"Дата вне периода реализации программы ({period})."}
        if kind in (TermKind.MONTH, TermKind.ANNUAL):
            if not self.term_month:
                return {"term_month": "Укажите месяц."}
            if self.term_month not in MONTHS_PREPOSITIONAL:
                return {"term_month": "Месяц — число от 1 до 12."}
        if kind in (TermKind.MONTH, TermKind.YEAR) and not self.term_year:
            return {"term_year": "Укажите год."}
        yearly = kind in (TermKind.MONTH, TermKind.YEAR, TermKind.ANNUAL)
        if yearly and self.term_year and not start <= self.term_year <= end:
            return {"term_year": f"Год вне периода реализации программы ({period})."}
        return {}


class RoadmapEvent(models.Model):
    """The sweep has reported an overdue item for this due date: one row, so a rerun sends nothing twice.

    The due date is part of the key: a term moved later (or the next cycle of an «ежегодно» item)
    is reported again when it passes.
    """

    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="events")
    due_on = models.DateField("срок")
    on = models.DateField("дата")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "уведомление о просрочке пункта"
        verbose_name_plural = "уведомления о просрочке пунктов"
        constraints = [models.UniqueConstraint(fields=["item", "due_on"], name="roadmap_event_once")]

    def __str__(self):
        return f"{self.on:%d.%m.%Y} {self.item_id} {self.due_on:%d.%m.%Y}"
