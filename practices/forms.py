from django import forms
from django.contrib.auth import get_user_model

from network.uploads import KeptUploadsMixin

from . import files
from .models import Development, Verdict

MISSING_VERSION = "Форма устарела: обновите страницу и повторите действие."
FILE_ERRORS = {
    "required": "Прикрепите файл разработки.",
    "empty": "Файл пустой.",
    "invalid": "Файл не получен: выберите его ещё раз.",
}


def version_field():
    return forms.IntegerField(
        widget=forms.HiddenInput, error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION}
    )


def file_field(required=True, label="Файл разработки"):
    field = forms.FileField(label=label, required=required, error_messages=FILE_ERRORS, help_text=files.help_text())
    field.widget.attrs["accept"] = ",".join(files.ALLOWED_EXTENSIONS)
    return field


def clean_upload(form):
    uploaded = form.cleaned_data.get("file")
    if uploaded:
        files.validate(uploaded)
    return uploaded


DESCRIPTION_FIELDS = ["title", "annotation", "subject", "level", "material", "topic"]


class DevelopmentForm(KeptUploadsMixin, forms.ModelForm):
    """A new development (with its author and file) or the description of an existing one."""

    class Meta:
        model = Development
        fields = DESCRIPTION_FIELDS
        widgets = {"annotation": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "title": {"required": "Укажите название разработки."},
            "annotation": {"required": "Напишите аннотацию: о чём разработка и кому она пригодится."},
            "subject": {"required": "Выберите предмет."},
            "level": {"required": "Выберите уровень образования."},
            "topic": {"required": "Укажите тему и ключевые слова: по ним разработку найдут в банке практик."},
        }

    def __init__(self, *args, authors=None, new_file: str = "required", **kwargs):
        """`authors`: people to choose the author from (a new development); `new_file`: "required",
        "optional" (a draft) or "none"."""
        super().__init__(*args, **kwargs)
        self.fields["subject"].empty_label = "— выберите предмет —"
        if authors is not None:
            self.fields["author"] = forms.ModelChoiceField(
                label="Автор",
                queryset=authors,
                empty_label=None if authors.count() == 1 else "— выберите автора —",
                error_messages={
                    "required": "Выберите автора разработки.",
                    "invalid_choice": "Автором может быть только член этого подразделения.",
                },
            )
            self.order_fields(["author", *DESCRIPTION_FIELDS])
        if self.instance.pk:
            self.fields["expected_version"] = version_field()
            self.initial.setdefault("expected_version", self.instance.version)
        if new_file != "none":
            label = "Файл разработки" if new_file == "required" else "Новая версия файла"
            self.fields["file"] = file_field(required=new_file == "required", label=label)

    def clean_title(self):
        return self.cleaned_data["title"].strip()

    def clean_topic(self):
        return self.cleaned_data["topic"].strip()

    def clean_file(self):
        return clean_upload(self)

    def description(self) -> dict:
        return {name: self.cleaned_data[name] for name in DESCRIPTION_FIELDS}


class ActionForm(forms.Form):
    """A button that changes the state: carries the version the page showed."""

    expected_version = version_field()


class ResubmitForm(KeptUploadsMixin, ActionForm):
    file = file_field(label="Доработанная версия файла")
    comment = forms.CharField(
        label="Что изменено", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = file_field(label="Доработанная версия файла")

    def clean_file(self):
        return clean_upload(self)


class AssignForm(ActionForm):
    experts = forms.ModelMultipleChoiceField(
        label="Эксперты",
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Выберите хотя бы одного эксперта.",
            "invalid_choice": "Выбранный пользователь не может быть экспертом этой разработки.",
            "invalid_pk_value": "Выбранный пользователь не может быть экспертом этой разработки.",
        },
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = candidates
        self.fields["experts"].label_from_instance = lambda u: u.get_full_name() or u.username


class ConclusionForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Заключение",
        choices=Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Выберите заключение.",
            "invalid_choice": "Выберите заключение: рекомендовать, вернуть на доработку или отклонить.",
        },
    )
    comment = forms.CharField(
        label="Комментарий эксперта",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
        error_messages={"required": "Напишите комментарий: заключение без обоснования не принимается."},
        help_text="Обоснование заключения: сильные стороны, замечания, что доработать.",
    )


class DecisionForm(ActionForm):
    verdict = forms.ChoiceField(
        label="Решение",
        choices=Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Выберите решение.",
            "invalid_choice": "Выберите решение: рекомендовать, вернуть на доработку или отклонить.",
        },
    )
    # Required for «на доработку» and «отклонить»: services.decide checks it and names the field.
    comment = forms.CharField(
        label="Комментарий к решению",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Обязателен, если разработка возвращается на доработку или отклоняется.",
    )


class UnpublishForm(ActionForm):
    comment = forms.CharField(
        label="Причина снятия с публикации",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        error_messages={"required": "Укажите причину: практика снимается с публикации только с обоснованием."},
    )
