from django import forms

from network.forms import DateInput
from submissions.editing import ExpectedVersionMixin

from .models import PlanItem, Timing


class DoneSelect(forms.NullBooleanSelect):
    """Выполнено: not marked yet / yes / no."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "не отмечено"), ("true", "выполнено"), ("false", "не выполнено")]


class PlanItemForm(ExpectedVersionMixin, forms.ModelForm):
    """One item of a plan; the model's `clean` holds the rules of the term (date, month)."""

    class Meta:
        model = PlanItem
        fields = ["direction", "activity", "form", "timing", "date", "month", "responsible", "expected_result", "done"]
        widgets = {
            "activity": forms.Textarea(attrs={"rows": 2}),
            "expected_result": forms.Textarea(attrs={"rows": 2}),
            "date": DateInput,
            "done": DoneSelect,
        }
        help_texts = {
            "timing": "Конкретная дата, месяц или «в течение года».",
            "date": "Для срока «дата»: в пределах учебного года.",
            "month": "Для срока «месяц».",
            "done": "Отмечается по итогам года, для отчёта.",
        }

    def __init__(self, *args, submission=None, **kwargs):
        if submission is not None and kwargs.get("instance") is None:
            kwargs["instance"] = PlanItem(submission=submission)
        super().__init__(*args, submission=submission, **kwargs)
        for name in ("direction", "form", "month"):
            field = self.fields[name]
            field.choices = [("", "— выберите —" if field.required else "—"), *list(field.choices)[1:]]

    def clean(self):
        cleaned = super().clean()
        timing = cleaned.get("timing")
        # Only the part of the term the timing uses is kept: a month left from an earlier choice goes.
        if timing != Timing.DATE:
            cleaned["date"] = None
        if timing != Timing.MONTH:
            cleaned["month"] = None
        return cleaned
