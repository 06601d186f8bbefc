from django import forms
from django.core.exceptions import ValidationError

from network.forms import VersionedFormMixin
from orgunits.access import access_for
from orgunits.models import Level, OrgUnit
from submissions.attachments import MAX_ATTACHMENT_BYTES, allowed_extensions_label, size_label, validate_upload
from submissions.models import ALLOWED_ATTACHMENT_TYPES

from .models import IndicatorSet, MonitoringCampaign, Recommendation, Scoring

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


class ManualEntryForm(EvidenceMixin):
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
