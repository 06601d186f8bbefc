"""A unit's work plan for an academic year: items grouped by the directions of 001 §3.2."""

from django.core.exceptions import ValidationError
from django.db import models

from submissions.models import Submission


class Direction(models.TextChoices):
    SYSTEM = "system", "Развитие муниципальной системы образования"
    QUALIFICATION = "qualification", "Повышение квалификации и переподготовка педагогов"
    FGOS = "fgos", "Методическое сопровождение ФГОС"
    SUBJECT_MO = "subject_mo", "Работа предметных методических объединений"
    EXPERIENCE = "experience", "Изучение, обобщение и распространение опыта"
    INNOVATION = "innovation", "Инновационные формы повышения мастерства"
    YOUNG = "young", "Сопровождение молодых специалистов"
    INFORMATION = "information", "Информационно-методическое обеспечение"
    ANALYTICS = "analytics", "Аналитическая, диагностическая и экспертная деятельность"
    CONTESTS = "contests", "Конкурсы профессионального мастерства"


class EventForm(models.TextChoices):
    MEETING = "meeting", "заседание"
    SEMINAR = "seminar", "семинар"
    WORKSHOP = "workshop", "мастер-класс"
    CONFERENCE = "conference", "конференция"
    CONTEST = "contest", "конкурс"
    CONSULTATION = "consultation", "консультация"
    WEBINAR = "webinar", "вебинар"
    OPEN_LESSON = "open_lesson", "открытый урок"
    ROUND_TABLE = "round_table", "круглый стол"
    MONITORING = "monitoring", "мониторинг"
    OTHER = "other", "другое"


class Timing(models.TextChoices):
    DATE = "date", "дата"
    MONTH = "month", "месяц"
    THROUGHOUT = "throughout", "в течение года"


MONTHS = [
    (9, "сентябрь"), (10, "октябрь"), (11, "ноябрь"), (12, "декабрь"), (1, "январь"), (2, "февраль"),
    (3, "март"), (4, "апрель"), (5, "май"), (6, "июнь"), (7, "июль"), (8, "август"),
]  # fmt: skip


class PlanItem(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="plan_items")
    direction = models.CharField("направление", max_length=30, choices=Direction.choices)
    activity = models.TextField("мероприятие")
    form = models.CharField("форма", max_length=30, choices=EventForm.choices)
    timing = models.CharField("срок", max_length=20, choices=Timing.choices, default=Timing.MONTH)
    date = models.DateField("дата", null=True, blank=True)
    month = models.PositiveSmallIntegerField("месяц", choices=MONTHS, null=True, blank=True)
    responsible = models.CharField("ответственные", max_length=500)
    expected_result = models.TextField("ожидаемый результат", blank=True)
    done = models.BooleanField("выполнено", null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    # 001 §5.2: the targeted recommendations of the monitoring are carried out in the next plan; the item
    # names the recommendation of the unit's last closed campaign it carries out (monitoring.tracking).
    recommendation = models.ForeignKey(
        "monitoring.Recommendation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_items",
        verbose_name="во исполнение рекомендации мониторинга",
    )

    class Meta:
        verbose_name = "пункт плана"
        verbose_name_plural = "пункты плана"
        ordering = ["direction", "position", "pk"]

    def __str__(self):
        return self.activity[:80]

    def clean(self):
        if self.timing == Timing.DATE and not self.date:
            raise ValidationError({"date": "Укажите дату."})
        if self.timing == Timing.MONTH and not self.month:
            raise ValidationError({"month": "Укажите месяц."})
        if self.timing == Timing.DATE and self.date and self.submission_id:
            year = self.submission.campaign.year
            start, end = (year, 9, 1), (year + 1, 8, 31)
            if not (start <= (self.date.year, self.date.month, self.date.day) <= end):
                raise ValidationError({"date": f"Дата вне учебного года {year}/{year + 1}."})

    @property
    def term_label(self):
        if self.timing == Timing.DATE and self.date:
            return self.date.strftime("%d.%m.%Y")
        if self.timing == Timing.MONTH and self.month:
            return dict(MONTHS)[self.month]
        return Timing.THROUGHOUT.label

    def snapshot(self):
        return {
            "Направление": self.get_direction_display(),
            "Мероприятие": self.activity,
            "Форма": self.get_form_display(),
            "Срок": self.term_label,
            "Ответственные": self.responsible,
            "Ожидаемый результат": self.expected_result,
            "Выполнено": {True: "да", False: "нет", None: "—"}[self.done],
        }
