from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from network.forms import DateInput, VersionedFormMixin

from .access import GRANTABLE_ROLES
from .models import Level, OrgUnit, Publication, Region, School


class OrgUnitForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["kind", "name", "short_name", "name_genitive", "school", "description", "opened_on", "closed_on"]
        widgets = {
            "opened_on": DateInput,
            "closed_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, parent=None, schools=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.parent = parent if parent is not None else self.instance.parent
        kinds = self.fields["kind"].queryset
        if self.parent is not None:
            kinds = kinds.filter(allowed_parents=self.parent.kind)
            self.fields["kind"].error_messages["invalid_choice"] = (
                f"Этот вид подразделения не может входить в «{self.parent.kind.name}»: выберите вид из списка."
            )
        self.fields["kind"].queryset = kinds.order_by("name")
        self.fields["school"].queryset = schools if schools is not None else School.objects.none()
        self.fields["school"].required = False
        if self.instance.pk:
            # Moving is its own action (it locks the tree); the kind stays with the unit.
            self.fields["kind"].disabled = True
        else:
            del self.fields["closed_on"]

    def clean(self):
        cleaned = super().clean()
        if self.parent is not None:
            self.instance.parent = self.parent
            self.instance.region = self.parent.region
        return cleaned

    def _update_errors(self, errors):
        # The model reports placement under `parent`, which this form has no field for (the
        # parent comes from the URL): show such errors above the form instead of a ValueError.
        if hasattr(errors, "error_dict"):
            remapped = {}
            for name, messages in errors.error_dict.items():
                remapped.setdefault(name if name in self.fields else NON_FIELD_ERRORS, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)


class MoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        label="Новое вышестоящее подразделение",
        error_messages={"invalid_choice": "Выберите подразделение из списка."},
    )

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["new_parent"].queryset = targets


class SchoolForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "short_name", "inn", "municipality", "address"]

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = municipalities if municipalities is not None else OrgUnit.objects.none()
        self.fields["municipality"].queryset = qs.filter(kind__level=Level.MUNICIPAL).order_by("name")
        self.fields["inn"].error_messages["unique"] = "Школа с таким ИНН уже есть в реестре."


class GrantForm(forms.Form):
    username = forms.CharField(label="Логин пользователя", max_length=150)
    role = forms.ChoiceField(label="Роль", choices=[(r.code, r.label) for r in GRANTABLE_ROLES])

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError("Пользователь «%(name)s» не найден или отключён.", params={"name": username})
        return user


def timezone_choices():
    import zoneinfo

    # Russian zones first: they are what a region picks; the rest stay available for completeness.
    zones = sorted(zoneinfo.available_timezones())
    russian = [z for z in zones if z in RUSSIAN_ZONES]
    return [(z, z) for z in russian] + [(z, z) for z in zones if z not in RUSSIAN_ZONES]


RUSSIAN_ZONES = frozenset(
    {
        "Europe/Kaliningrad",
        "Europe/Moscow",
        "Europe/Samara",
        "Europe/Volgograd",
        "Europe/Astrakhan",
        "Europe/Saratov",
        "Europe/Ulyanovsk",
        "Europe/Kirov",
        "Asia/Yekaterinburg",
        "Asia/Omsk",
        "Asia/Novosibirsk",
        "Asia/Barnaul",
        "Asia/Tomsk",
        "Asia/Novokuznetsk",
        "Asia/Krasnoyarsk",
        "Asia/Irkutsk",
        "Asia/Chita",
        "Asia/Yakutsk",
        "Asia/Khandyga",
        "Asia/Vladivostok",
        "Asia/Ust-Nera",
        "Asia/Magadan",
        "Asia/Sakhalin",
        "Asia/Srednekolymsk",
        "Asia/Kamchatka",
        "Asia/Anadyr",
    }
)


class RegionSettingsForm(forms.ModelForm):
    """What a regional administrator may change for their own region (the name is the superuser's)."""

    timezone = forms.ChoiceField(
        label="Часовой пояс",
        help_text="По нему считаются «сегодня», сроки и ежедневная проверка сроков в регионе.",
        error_messages={
            "required": "Выберите часовой пояс региона.",
            "invalid_choice": "Неизвестный часовой пояс «%(value)s»: выберите его из списка, например Europe/Moscow.",
        },
    )

    published = forms.MultipleChoiceField(
        label="Открыто публикуются",
        required=False,
        choices=Publication.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Что сеть региона показывает на открытых страницах без входа (001 §1.3, гласность): только "
        "согласованное, подтверждённое и подписанное, без телефонов и e-mail. Ничего не отмечено — "
        "открытых страниц у региона нет.",
    )

    class Meta:
        model = Region
        fields = ["timezone", "allow_escalation", "max_term_months", "published"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = timezone_choices()

    def clean_timezone(self):
        import zoneinfo

        value = self.cleaned_data["timezone"]
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(f"Неизвестный часовой пояс «{value}»: выберите его из списка.") from exc
        return value


class AccessLogFilterForm(forms.Form):
    """Filters of the region's 152-ФЗ log; a malformed value is reported and that filter is ignored."""

    person = forms.CharField(label="Чьи данные (фамилия, имя, e-mail)", required=False, max_length=200)
    user = forms.CharField(label="Кто (логин или фамилия)", required=False, max_length=150)
    action = forms.ChoiceField(label="Действие", required=False)
    date_from = forms.DateField(
        label="С даты",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Дата «с» — в виде ДД.ММ.ГГГГ или выберите в календаре."},
    )
    date_to = forms.DateField(
        label="По дату",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Дата «по» — в виде ДД.ММ.ГГГГ или выберите в календаре."},
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "любое"), *actions]
        self.fields["action"].error_messages["invalid_choice"] = "Выберите действие из списка."

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "Дата «по» раньше даты «с»: поменяйте их местами.")
        return data
