from django import forms
from django.core.exceptions import ValidationError

from network.forms import DateInput, VersionedFormMixin
from network.models import normalize_search

from .models import CourseFormat, NeedsSurvey, SurveyTopic
from .services import EMPTY_ANSWER, area_suggestions, default_survey_dates

# -- the needs survey


class NeedsSurveyForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = NeedsSurvey
        fields = ["title", "year", "opens_on", "closes_on", "instructions"]
        widgets = {
            "opens_on": DateInput(),
            "closes_on": DateInput(),
            "instructions": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "opens_on": "Пусто — 1 марта года анкетирования (дорожная карта: проведение в марте).",
            "closes_on": "Пусто — 31 марта.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opens_on"].required = False
        self.fields["closes_on"].required = False
        if self.instance.pk and self.instance.state != NeedsSurvey.State.DESIGN:
            # Answers already refer to this year: the year stays.
            self.fields["year"].disabled = True

    def clean(self):
        data = super().clean()
        year = data.get("year")
        if year:
            opens, closes = default_survey_dates(year)
            if not data.get("opens_on") and "opens_on" not in self.errors:
                data["opens_on"] = opens
            if not data.get("closes_on") and "closes_on" not in self.errors:
                data["closes_on"] = closes
        return data


class SurveyTopicForm(forms.ModelForm):
    class Meta:
        model = SurveyTopic
        fields = ["area", "title", "position"]
        widgets = {"area": forms.TextInput(attrs={"list": "area-suggestions"})}
        help_texts = {"area": "Те же области, что в диагностике дефицитов: выберите из подсказок или впишите."}

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.survey = survey
        self.area_suggestions = area_suggestions(survey.unit.region_id)

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        # Compared case-folded in Python: SQLite's LIKE (iexact) folds ASCII only.
        others = SurveyTopic.objects.filter(survey=self.instance.survey).exclude(pk=self.instance.pk)
        if normalize_search(title) in {normalize_search(t) for t in others.values_list("title", flat=True)}:
            raise ValidationError("Такая тема уже есть в анкете.")
        return title

    def clean_area(self):
        return " ".join(self.cleaned_data["area"].split())


class NeedsAnswerForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        label="Темы, по которым вам нужна методическая помощь или курсы",
        queryset=SurveyTopic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Выберите темы из списка анкеты.",
            "invalid_pk_value": "Выберите темы из списка анкеты.",
        },
    )
    difficulties = forms.CharField(
        label="Профессиональные затруднения (своими словами)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    preferred_format = forms.ChoiceField(
        label="Предпочтительный формат курсов",
        choices=CourseFormat.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Выберите формат курсов.",
            "invalid_choice": "Выберите формат: очно, дистанционно или смешанно.",
        },
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, survey, answer=None, **kwargs):
        if answer is not None:
            current = {
                "topics": [t.pk for t in answer.topics.all()],
                "difficulties": answer.difficulties,
                "preferred_format": answer.preferred_format,
                "expected_version": answer.version,
            }
        else:
            current = {"expected_version": 1}
        kwargs["initial"] = {**current, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = survey.topics.all()
        self.fields["topics"].label_from_instance = lambda t: f"{t.title} ({t.area})"

    def clean(self):
        data = super().clean()
        if not data.get("topics") and not (data.get("difficulties") or "").strip() and "topics" not in self.errors:
            self.add_error("topics", EMPTY_ANSWER)  # the rule of services.save_answer, shown with the others
        return data
