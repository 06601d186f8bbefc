import datetime

from django import forms

from network.forms import DateInput, VersionedFormMixin
from network.uploads import KeptUploadsMixin
from people.models import Person, phone_validator
from submissions.attachments import validate_upload
from submissions.models import Submission

from .models import (
    CONTROL_OTHER,
    CONTROL_SELF,
    HEADING_REQUIRED,
    PURPOSE_HELP,
    Order,
    OrderStatus,
    OrderTemplate,
    purpose_rest,
)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name}{f' — {obj.position}' if obj.position else ''}"


class CreateOrderForm(forms.Form):
    """What a template needs besides the unit: the date and the template's own context."""

    date = forms.DateField(label="Дата приказа", widget=DateInput)
    place = forms.CharField(label="Место издания", max_length=200, required=False, help_text="Например: г. Терек.")

    def __init__(self, *args, template: str, people=None, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        if template == OrderTemplate.APPOINT_CHAIR:
            self.fields["person"] = PersonChoiceField(
                label="Назначаемый председатель",
                queryset=people if people is not None else Person.objects.none(),
                empty_label="— выберите участника —",
                help_text="Из действующих участников подразделения.",
            )
        elif template == OrderTemplate.APPROVE_PLAN:
            self.fields["submission"] = forms.ModelChoiceField(
                label="Согласованный план работы",
                queryset=plans if plans is not None else Submission.objects.none(),
                empty_label="— выберите план —",
            )
        elif template == OrderTemplate.APPROVE_PROGRAM:
            self.fields["program"] = forms.CharField(
                label="Наименование программы",
                max_length=400,
                help_text="Например: Программа поддержки школьных, муниципальных методических объединений.",
            )
        elif template == OrderTemplate.FREE:
            self.fields["heading"] = forms.CharField(
                label="Заголовок",
                max_length=500,
                help_text="Обязателен (ГОСТ Р 7.0.97-2025): «О проведении …», «Об организации …».",
                error_messages={"required": HEADING_REQUIRED},
            )
            self.fields["purpose"] = forms.CharField(
                label="В целях (продолжите фразу)",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                help_text=PURPOSE_HELP,
            )

    def clean_purpose(self):
        return purpose_rest(self.cleaned_data.get("purpose", ""))

    def context(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("date")
        return {k: v for k, v in data.items() if v not in ("", None)}


class OrderForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Order
        fields = [
            "date",
            "place",
            "heading",
            "purpose",
            "subject",
            "signatory",
            "signatory_position",
            "executor",
            "executor_phone",
        ]
        widgets = {
            "date": DateInput,
            "heading": forms.Textarea(attrs={"rows": 2}),
            "purpose": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"signatory": PersonChoiceField, "executor": PersonChoiceField}
        labels = {"purpose": "В целях (продолжите фразу)"}
        help_texts = {
            "date": "При переносе на другой год номер присваивается заново (нумерация — в пределах года).",
            "purpose": PURPOSE_HELP + " Слова «В целях» печатаются сами; пустое поле — без преамбулы.",
        }

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["signatory"].queryset = people
            self.fields["executor"].queryset = people
        self.fields["heading"].error_messages["required"] = HEADING_REQUIRED
        self.fields["executor_phone"].validators.append(phone_validator)

    def clean_purpose(self):
        return purpose_rest(self.cleaned_data.get("purpose", ""))

    def clean_heading(self):
        heading = " ".join((self.cleaned_data.get("heading") or "").split())
        if not heading:
            raise forms.ValidationError(HEADING_REQUIRED)
        return heading


class PointForm(forms.Form):
    text = forms.CharField(
        label="Текст пункта",
        widget=forms.Textarea(attrs={"rows": 3, "aria-label": "Текст пункта"}),
        required=False,
        max_length=20000,
    )
    executor = forms.CharField(
        label="Исполнитель",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"aria-label": "Исполнитель", "placeholder": "И.О. Фамилия"}),
    )
    term = forms.CharField(
        label="Срок",
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"aria-label": "Срок", "placeholder": "до 01.10.2026"}),
    )


class BasePointFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Удалить"

    def points(self) -> list[dict]:
        return [
            {k: f.cleaned_data.get(k, "") for k in ("text", "executor", "term")}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


PointFormSet = forms.formset_factory(PointForm, formset=BasePointFormSet, extra=2, can_delete=True, max_num=100)

CONTROL_HINTS = (CONTROL_SELF, CONTROL_OTHER + "… (должность, И.О. Фамилия).")


class RegisterFilterForm(forms.Form):
    """Filters of a register; a bad value is reported on the form and ignored.

    The unit filter is a list only when the units of the visible orders are few (`units`, at most
    orders.views.UNIT_OPTIONS_LIMIT); a regional or national register filters by words of the unit's
    name instead (`unit_search`) — a list of every unit of a country would be megabytes of HTML. A unit
    chosen by a link (?unit=…) stays a hidden field then. A unit's own register has neither.
    """

    q = forms.CharField(label="Заголовок или номер", required=False, max_length=200)
    unit = forms.IntegerField(label="Подразделение", required=False, min_value=1)
    unit_q = forms.CharField(label="Подразделение: слова названия", required=False, max_length=200)
    year = forms.IntegerField(label="Год", required=False, min_value=1900, max_value=2200)
    status = forms.ChoiceField(label="Статус", required=False, choices=[("", "все"), *OrderStatus.choices])

    def __init__(self, *args, units=None, unit_search=False, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(type="search", placeholder="Об утверждении… или 12")
        if unit_search:
            self.fields["unit"].widget = forms.HiddenInput()
            self.fields["unit_q"].widget.attrs.update(type="search", placeholder="например: Терское")
        else:
            del self.fields["unit_q"]
            if units is None:
                del self.fields["unit"]
            else:
                self.fields["unit"].widget = forms.Select(choices=[("", "все"), *units])
        years = sorted(set(years) | {datetime.date.today().year}, reverse=True)
        self.fields["year"].widget = forms.Select(choices=[("", "все"), *((y, y) for y in years)])

    def value(self, name):
        if not self.is_bound:
            return None
        self.is_valid()  # fields with errors are left out of cleaned_data: their filter is ignored
        return self.cleaned_data.get(name)


class AgreementForm(KeptUploadsMixin, forms.Form):
    """The letter of the municipal education authority agreeing the composition (001 §2.2)."""

    authority = forms.CharField(
        label="Орган управления образованием",
        max_length=300,
        help_text="Например: Управление образования местной администрации Терского муниципального района.",
        error_messages={"required": "Укажите орган управления образованием, согласовавший состав."},
    )
    official_name = forms.CharField(
        label="Кто согласовал (фамилия и инициалы)",
        max_length=200,
        error_messages={"required": "Укажите, кто согласовал (фамилия и инициалы)."},
    )
    official_position = forms.CharField(
        label="Должность",
        max_length=300,
        help_text="Например: начальник Управления образования.",
        error_messages={"required": "Укажите должность согласовавшего."},
    )
    letter_number = forms.CharField(
        label="Номер письма", max_length=50, error_messages={"required": "Укажите номер письма о согласовании."}
    )
    letter_date = forms.DateField(
        label="Дата письма",
        widget=DateInput,
        error_messages={"required": "Укажите дату письма о согласовании.", "invalid": "Дата — в виде ДД.ММ.ГГГГ."},
    )
    scan = forms.FileField(
        label="Скан письма",
        required=False,
        help_text="Необязательно: PDF или изображение письма о согласовании.",
        error_messages={"empty": "Файл пустой.", "invalid": "Файл не получен: выберите его ещё раз."},
    )

    def clean_scan(self):
        uploaded = self.cleaned_data.get("scan")
        if uploaded:
            validate_upload(uploaded)
        return uploaded


class ReturnToDraftForm(forms.Form):
    reason = forms.CharField(
        label="Причина",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={
            "required": "Укажите причину: замечания органа управления образованием или что нужно изменить."
        },
    )
