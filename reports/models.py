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

# What to write in each section: the report of a МунУМО «о своей деятельности за предшествующий
# календарный год» (Положение о МунУМО, п. 2.6, 3.8) follows the content of an MO's work named by
# the regional concept (изучение документов, работа с одарёнными детьми, повышение мастерства,
# обобщение опыта, взаимопосещения и открытые уроки, творческие отчёты о самообразовании).
GUIDANCE = {
    "summary": (
        "Цели и задачи года и насколько они достигнуты; состав объединения, основные направления работы, "
        "изученные нормативные и методические документы, главные результаты."
    ),
    "meetings": (
        "Заседания (даты, темы, решения) и проведённые мероприятия: семинары, открытые уроки, "
        "взаимопосещения уроков, конкурсы профессионального мастерства, работа с одарёнными детьми и олимпиады."
    ),
    "qualification": (
        "Кто из педагогов прошёл курсы повышения квалификации и по каким программам, самообразование, "
        "творческие отчёты, аттестация; участие в профессиональных конкурсах."
    ),
    "experience": (
        "Какой опыт обобщён и где представлен: выступления, публикации, мастер-классы, методические "
        "разработки, практики, внесённые в банк; как опыт внедряется в работу других учителей."
    ),
    "young": (
        "Молодые специалисты и наставники: пары «наставник — молодой специалист», что сделано за год, "
        "какие трудности остались."
    ),
    "problems": (
        "Что не удалось и почему; задачи и направления работы на следующий год, предложения в вышестоящее объединение."
    ),
}

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
