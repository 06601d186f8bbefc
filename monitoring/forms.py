from django import forms
from django.core.exceptions import ValidationError

from network.forms import VersionedFormMixin
from network.uploads import KeptUploadsMixin
from orgunits.access import access_for
from orgunits.models import Level, OrgUnit
from submissions.attachments import MAX_ATTACHMENT_BYTES, allowed_extensions_label, size_label, validate_upload
from submissions.models import ALLOWED_ATTACHMENT_TYPES

from . import sets
from .models import Indicator, IndicatorSet, MonitoringCampaign, Recommendation, Scoring
from .rules import RULE_CHOICES

ROOT_CHOICES_LIMIT = 300


class CampaignForm(forms.ModelForm):
    class Meta:
        model = MonitoringCampaign
        fields = ["indicator_set", "root", "year", "title"]
        help_texts = {
            "root": "Оцениваются методические объединения (и другие уровни набора) этого подразделения и ниже.",
            "title": "Необязательно: по умолчанию «Мониторинг эффективности за <год> год: <подразделение>».",
        }
        error_messages = {
            "indicator_set": {"required": "Выберите набор показателей.", "invalid_choice": "Выберите набор из списка."},
            "root": {"required": "Выберите подразделение.", "invalid_choice": "Выберите подразделение из списка."},
            "year": {"required": "Укажите год.", "invalid": "Год — целое число."},
        }

    def __init__(self, *args, user, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        units = (
            OrgUnit.objects.restrict(user, "review")
            .filter(kind__level__in=[Level.REGIONAL, Level.MUNICIPAL], closed_on__isnull=True)
            .select_related("region")
            .order_by("tree_id", "lft")
        )
        self.fields["root"].queryset = units
        self.fields["root"].choices = [("", "— выберите —")] + [
            (u.pk, f"{u.region.name}: {u}") for u in units[:ROOT_CHOICES_LIMIT]
        ]
        sets = IndicatorSet.objects.select_related("region").order_by("region__name", "-is_default", "name")
        if not access_for(user).superuser:
            sets = sets.filter(region__in=units.values("region_id"))
        self.fields["indicator_set"].queryset = sets
        self.fields["indicator_set"].label_from_instance = lambda s: (
            f"{s.region.name}: {s}" + (" (по умолчанию)" if s.is_default else "")
        )
        self.fields["year"].initial = today.year
        self.fields["year"].widget.attrs.update(min=2000, max=today.year)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year < 2000:
            raise ValidationError("Год — не раньше 2000.")
        if year > self.today.year:
            raise ValidationError(f"Год {year} ещё не начался: мониторинг проводится за текущий или прошедшие годы.")
        return year

    def clean(self):
        data = super().clean()
        indicator_set, root = data.get("indicator_set"), data.get("root")
        if indicator_set and root and indicator_set.region_id != root.region_id:
            self.add_error("indicator_set", "Набор показателей другого региона: выберите набор региона подразделения.")
        return data


class EvidenceMixin(forms.Form):
    evidence_text = forms.CharField(
        label="Подтверждение",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text="Документ, на основании которого внесено значение: приказ, протокол, отчёт.",
        error_messages={"required": "Опишите подтверждение: документ, приказ, ссылку на отчёт."},
    )
    evidence_url = forms.URLField(
        label="Ссылка на подтверждение",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Ссылка должна начинаться с http:// или https://."},
    )
    evidence_file = forms.FileField(
        label="Файл подтверждения",
        required=False,
        error_messages={"empty": "Файл пустой.", "invalid": "Файл не получен: выберите его ещё раз."},
    )
    remove_file = forms.BooleanField(label="Удалить прикреплённый файл", required=False)

    def clean_evidence_file(self):
        uploaded = self.cleaned_data.get("evidence_file")
        if uploaded:
            validate_upload(uploaded)
        return uploaded


class ManualEntryForm(KeptUploadsMixin, EvidenceMixin):
    numerator = forms.IntegerField(
        label="Числитель (сколько выполнили)",
        min_value=0,
        required=False,
        error_messages={"min_value": "Числитель — не меньше 0.", "invalid": "Числитель — целое число."},
    )
    denominator = forms.IntegerField(
        label="Знаменатель (сколько всего)",
        min_value=1,
        required=False,
        error_messages={"min_value": "Знаменатель — не меньше 1.", "invalid": "Знаменатель — целое число."},
    )
    score = forms.TypedChoiceField(label="Балл", coerce=int, required=False, choices=[])

    def __init__(self, *args, result, **kwargs):
        super().__init__(*args, **kwargs)
        self.result = result
        indicator = result.indicator
        if indicator.scoring == Scoring.PERCENT:
            del self.fields["score"]
            self.fields["numerator"].required = self.fields["denominator"].required = True
            self.fields["numerator"].error_messages["required"] = "Укажите числитель."
            self.fields["denominator"].error_messages["required"] = "Укажите знаменатель."
        else:
            del self.fields["numerator"], self.fields["denominator"]
            choices = (
                [(2, "2 — призовое место (1–3)"), (1, "1 — участие"), (0, "0 — не участвовали")]
                if indicator.scoring == Scoring.PLACES
                else [(2, "2"), (1, "1"), (0, "0")]
            )
            self.fields["score"].choices = [("", "— выберите —"), *choices]
            self.fields["score"].required = True
            self.fields["score"].error_messages.update(required="Выберите балл.", invalid_choice="Балл — 0, 1 или 2.")
        if not result.evidence_file:
            del self.fields["remove_file"]
        self.fields[
            "evidence_file"
        ].help_text = f"{allowed_extensions_label()}; не больше {size_label(MAX_ATTACHMENT_BYTES)}."
        self.fields["evidence_file"].widget.attrs["accept"] = ",".join(ALLOWED_ATTACHMENT_TYPES)

    def clean(self):
        data = super().clean()
        numerator, denominator = data.get("numerator"), data.get("denominator")
        if numerator is not None and denominator is not None and numerator > denominator:
            self.add_error("numerator", "Числитель не может быть больше знаменателя.")
        return data


class RecommendationForm(VersionedFormMixin, forms.ModelForm):
    text = forms.CharField(
        label="Рекомендации",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Напишите рекомендации.",
            "max_length": "Не больше 10 000 знаков (сейчас %(show_value)d).",
        },
    )

    class Meta:
        model = Recommendation
        fields = ["text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["expected_version"].initial = 0  # written by nobody yet


# -- indicator sets (the portal editor; the admin keeps its own inline for the superuser) ------------


class SetForm(VersionedFormMixin, forms.ModelForm):
    """The passport of a set. The region is chosen once, when the set is created: campaigns hang on it."""

    region = forms.ModelChoiceField(
        label="Регион",
        queryset=None,
        empty_label="— выберите —",
        error_messages={"required": "Выберите регион.", "invalid_choice": "Выберите регион из списка."},
    )

    class Meta:
        model = IndicatorSet
        fields = ["name", "basis", "is_default", "mo_kinds"]
        widgets = {"basis": forms.Textarea(attrs={"rows": 3}), "mo_kinds": forms.CheckboxSelectMultiple}
        error_messages = {
            "name": {"required": "Укажите название набора.", "max_length": "Название — не длиннее 300 знаков."},
            "mo_kinds": {"invalid_choice": "Выберите виды подразделений из списка."},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from orgunits.models import UnitKind

        self.fields["mo_kinds"].queryset = UnitKind.objects.order_by("level", "name")
        if self.instance.pk:
            # The region stays out of the model fields either way: the constraints on it are checked here
            # in clean(), with messages that say what to do (and the default mark moves, see sets.save_set).
            del self.fields["region"]
            region_id = self.instance.region_id
        else:
            regions = sets.editable_regions(user)
            self.fields["region"].queryset = regions
            only = list(regions[:2])
            if len(only) == 1:  # the administrator of one region has nothing to choose
                self.initial.setdefault("region", only[0].pk)
            # (the form's initial, not the field's: a new instance's empty relation would win over the field's)
            self.initial["mo_kinds"] = list(
                UnitKind.objects.filter(code__in=["rmo", "gmo", "shmo"]).values_list("pk", flat=True)
            )
            region_id = None
        default = IndicatorSet.objects.filter(region_id=region_id, is_default=True).exclude(pk=self.instance.pk)
        current = default.first() if region_id else None
        if current is not None:
            self.fields[
                "is_default"
            ].help_text = f"Сейчас набор по умолчанию — «{current}»: если отметить, отметка снимется с него."
        else:
            self.fields["is_default"].help_text = (
                "Предлагается первым при создании кампании; у региона один набор по умолчанию — отметка снимется "
                "с прежнего."
            )

    def clean(self):
        data = super().clean()
        if "region" in self.fields and data.get("region"):
            self.instance.region = data["region"]
        name = data.get("name")
        if name and self.instance.region_id:
            same = IndicatorSet.objects.filter(region_id=self.instance.region_id, name=name).exclude(
                pk=self.instance.pk
            )
            if same.exists():
                self.add_error("name", f"В регионе уже есть набор «{name}»: выберите другое название.")
        return data


INDICATOR_FIELDS = [
    "position",
    "code",
    "short_name",
    "name",
    "assessed",
    "method",
    "rule",
    "params",
    "scoring",
    "mid",
    "high",
    "criteria",
    "hint",
]


def _threshold_errors(what):
    return {
        "required": f"Укажите порог «{what}».",
        "invalid": f"Порог «{what}» — число от 0 до 100.",
        "min_value": f"Порог «{what}» — не меньше 0.",
        "max_value": f"Порог «{what}» — не больше 100.",
        "max_digits": f"Порог «{what}» — число от 0 до 100, не больше двух знаков после запятой.",
        "max_decimal_places": f"Порог «{what}» — не больше двух знаков после запятой.",
    }


class IndicatorForm(forms.ModelForm):
    """The same fields and checks as the admin's inline (Indicator.clean validates rules and thresholds)."""

    rule = forms.ChoiceField(
        label="Правило расчёта",
        required=False,
        choices=[("", "— нет (значение вносится вручную) —"), *RULE_CHOICES],
        error_messages={"invalid_choice": "Выберите правило расчёта из списка."},
    )
    params = forms.JSONField(
        label="Параметры правила (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text='Например {"years": 3}; пусто — параметры по умолчанию.',
        error_messages={"invalid": 'Параметры — объект JSON, например {"years": 3}: проверьте кавычки и скобки.'},
    )

    class Meta:
        model = Indicator
        fields = INDICATOR_FIELDS
        widgets = {"name": forms.Textarea(attrs={"rows": 2}), "hint": forms.Textarea(attrs={"rows": 2})}
        error_messages = {
            "position": {
                "required": "Укажите номер по порядку.",
                "invalid": "№ п/п — целое число.",
                "min_value": "№ п/п — не меньше 0.",
            },
            "code": {
                "required": "Укажите код показателя (латиницей, например routes).",
                "invalid": "Код — латинские буквы, цифры, «-» и «_», например routes.",
                "max_length": "Код — не длиннее 40 знаков.",
            },
            "short_name": {
                "required": "Укажите краткое название (заголовок столбца).",
                "max_length": "Не длиннее 80 знаков.",
            },
            "name": {"required": "Укажите формулировку показателя.", "max_length": "Не длиннее 500 знаков."},
            "assessed": {"invalid_choice": "Выберите, что оценивается, из списка."},
            "method": {"invalid_choice": "Выберите, как получается значение, из списка."},
            "scoring": {"invalid_choice": "Выберите способ оценки из списка."},
            "mid": _threshold_errors("1 балл"),
            "high": _threshold_errors("2 балла"),
            "criteria": {"max_length": "Критерии — не длиннее 300 знаков."},
        }

    def clean_params(self):
        params = self.cleaned_data.get("params")
        return {} if params in (None, "") else params


class BaseIndicatorFormSet(forms.BaseInlineFormSet):
    """The indicators of one set; refuses what a closed year or stored values forbid (see monitoring.sets)."""

    def __init__(self, *args, closed_years=(), with_values=frozenset(), **kwargs):
        self.closed_years = list(closed_years)
        self.with_values = set(with_values)
        kwargs.setdefault("queryset", Indicator.objects.order_by("position", "pk"))
        super().__init__(*args, **kwargs)
        if self.closed_years:
            self.extra = 0  # nothing can be added: no empty rows to fill in vain

    def get_unique_error_message(self, unique_check):
        return "Коды показателей повторяются: у каждого показателя набора должен быть свой код."

    def get_form_error(self):
        return "Этот код уже есть у другого показателя набора: исправьте код."

    def clean(self):
        refused = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            indicator = form.instance
            label = indicator.short_name or indicator.code or "новый показатель"
            if self.can_delete and self._should_delete_form(form):
                if indicator.pk is None:
                    continue
                if self.closed_years:
                    refused.append(f"Показатель «{label}» удалить нельзя: набор использован в закрытом мониторинге.")
                elif indicator.pk in self.with_values:
                    refused.append(f"Показатель «{label}» удалить нельзя: по нему уже есть значения в мониторинге.")
                continue
            if indicator.pk is None:
                if self.closed_years and form.has_changed():
                    form.add_error(None, "Добавить показатель в этот набор нельзя.")
                    refused.append("Новый показатель добавить нельзя: набор использован в закрытом мониторинге.")
                continue
            if self.closed_years:
                locked, reason = sets.SCORING_FIELDS, "набор использован в закрытом мониторинге"
            elif indicator.pk in self.with_values:
                locked, reason = sets.VALUE_FIELDS, "по показателю уже есть значения в мониторинге"
            else:
                continue
            changed = [name for name in locked if name in form.changed_data]
            for name in changed:
                form.add_error(name, f"Не изменяется: {reason}.")
            if changed:
                fields = ", ".join(f"«{form.fields[name].label}»" for name in changed)
                refused.append(f"У показателя «{label}» нельзя изменить {fields}: {reason}.")
        if refused:
            if self.closed_years:
                refused.append(sets.frozen_message(self.closed_years))
            raise ValidationError(list(dict.fromkeys(refused)))
        super().clean()


IndicatorFormSet = forms.inlineformset_factory(
    IndicatorSet,
    Indicator,
    form=IndicatorForm,
    formset=BaseIndicatorFormSet,
    fields=INDICATOR_FIELDS,
    extra=2,
    can_delete=True,
    max_num=200,
    validate_max=True,
)
