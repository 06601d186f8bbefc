from django import forms

from network.forms import DateInput
from submissions.editing import ExpectedVersionMixin

from .models import PlanItem, Timing


def recommendation_label(recommendation) -> str:
    text = " ".join(recommendation.text.split())
    text = text if len(text) <= 160 else text[:159].rstrip() + "…"
    return f"Мониторинг за {recommendation.row.campaign.year} год: {text}"


class DoneSelect(forms.NullBooleanSelect):
    """Выполнено: not marked yet / yes / no."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "не отмечено"), ("true", "выполнено"), ("false", "не выполнено")]


class PlanItemForm(ExpectedVersionMixin, forms.ModelForm):
    """One item of a plan; the model's `clean` holds the rules of the term (date, month)."""

    class Meta:
        model = PlanItem
        fields = [
            "direction",
            "activity",
            "form",
            "timing",
            "date",
            "month",
            "responsible",
            "expected_result",
            "done",
            "recommendation",
        ]
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
            "recommendation": "Адресные рекомендации последнего мониторинга (Положение о МунУМО, п. 5.2): "
            "отметьте пункт, который их выполняет.",
        }

    def __init__(self, *args, submission=None, **kwargs):
        if submission is not None and kwargs.get("instance") is None:
            kwargs["instance"] = PlanItem(submission=submission)
        super().__init__(*args, submission=submission, **kwargs)
        for name in ("direction", "form", "month"):
            field = self.fields[name]
            field.choices = [("", "— выберите —" if field.required else "—"), *list(field.choices)[1:]]
        self._offer_recommendations(submission)

    def _offer_recommendations(self, submission) -> None:
        """The recommendations of the unit's last closed monitoring campaign; no field when there are none."""
        from monitoring.tracking import recommendations_for_plan

        if submission is None:
            del self.fields["recommendation"]
            return
        current = self.instance.recommendation_id
        offered = recommendations_for_plan(submission, keep=current)
        if current is None and not offered.exists():
            del self.fields["recommendation"]
            return
        field = self.fields["recommendation"]
        field.queryset = offered
        field.empty_label = "— не относится к рекомендациям —"
        field.label_from_instance = recommendation_label
        field.error_messages["invalid_choice"] = (
            "Выберите рекомендацию из списка: это рекомендации последнего мониторинга подразделения."
        )

    def clean(self):
        cleaned = super().clean()
        timing = cleaned.get("timing")
        # Only the part of the term the timing uses is kept: a month left from an earlier choice goes.
        if timing != Timing.DATE:
            cleaned["date"] = None
        if timing != Timing.MONTH:
            cleaned["month"] = None
        return cleaned
