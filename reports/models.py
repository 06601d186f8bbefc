"""A unit's annual report for a calendar year: narrative sections and figures."""

from django.db import models

from submissions.models import Submission

SECTIONS = [
    ("summary", "Общие сведения и итоги года"),
    ("meetings", "Заседания и мероприятия"),
    ("qualification", "Повышение квалификации педагогов"),
    ("experience", "Обобщение и распространение педагогического опыта"),
    ("young", "Работа с молодыми специалистами"),
    ("problems", "Проблемы и задачи на следующий год"),
]

# Figures the portal computes (reports.figures); the methodist may correct each.
FIGURES = [
    ("members_end", "Участников на конец года"),
    ("members_joined", "Вошли в состав за год"),
    ("members_left", "Выбыли из состава за год"),
    ("plan_items", "Пунктов в планах работы"),
    ("plan_items_done", "Из них выполнено"),
    ("meetings_held", "Заседаний с подтверждённым протоколом"),
    ("events_organised", "Мероприятий проведено"),
    ("participations", "Участий членов в мероприятиях"),
    ("places_won", "Из них призовых мест (1–3 место, призёр)"),
    ("courses_finished", "Членов, окончивших КПК за год"),
]


class ReportSection(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="report_sections")
    key = models.CharField(max_length=30)
    title = models.CharField("раздел", max_length=200)
    text = models.TextField("текст", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "раздел отчёта"
        verbose_name_plural = "разделы отчёта"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["submission", "key"], name="report_section_once")]

    def __str__(self):
        return self.title


class ReportFigure(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="report_figures")
    key = models.CharField(max_length=30)
    label = models.CharField("показатель", max_length=200)
    computed = models.IntegerField("по данным портала", null=True, blank=True)
    value = models.IntegerField("значение", null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "показатель отчёта"
        verbose_name_plural = "показатели отчёта"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["submission", "key"], name="report_figure_once")]

    def __str__(self):
        return self.label

    @property
    def corrected(self):
        return self.value is not None and self.value != self.computed
