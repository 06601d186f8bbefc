import datetime
import re

from django import forms
from django.urls import reverse

from network.forms import DateInput
from orgunits.models import DocumentType, OrgUnit, Region, UnitKind
from workflow.kinds import KINDS, kind

from .models import Campaign

# Campaigns are for the kinds with campaign deadlines: plans and reports (candidacies open their own;
# developments go to expertise one by one).
DOCUMENT_TYPES = [(code, DocumentType(code).label) for code in KINDS if KINDS[code].deadlines]
OFFSETS_MESSAGE = "Сроки напоминаний — числа дней от 1 до 120 через запятую, например 14, 7, 1."
ORDER_MESSAGE = "Даты должны идти по порядку: открытие ≤ срок представления ≤ закрытие."


def parse_offsets(text: str) -> list[int]:
    """«14, 7, 1» → [14, 7, 1]: distinct, the furthest first."""
    parts = [p for p in re.split(r"[\s,;]+", text or "") if p]
    if not all(p.isdigit() and 1 <= int(p) <= 120 for p in parts):
        raise forms.ValidationError(OFFSETS_MESSAGE)
    return sorted({int(p) for p in parts}, reverse=True)


def format_offsets(offsets) -> str:
    return ", ".join(str(o) for o in offsets or [])


def filing_kinds(document_type: str):
    """Kinds configured to file this document (a JSON list, filtered here: kinds are few)."""
    return [k.pk for k in UnitKind.objects.all() if k.files(document_type)]


def default_year(document_type: str, today: datetime.date) -> int:
    """A report is for the year that has ended (until summer); a plan for the coming academic year."""
    return kind(document_type).default_year(today)


class CampaignForm(forms.Form):
    """A campaign of one region: the period, its dates (blank → the defaults of 001) and who files.

    The region, the document and the year are chosen when the campaign is created and fixed after.
    """

    region = forms.ModelChoiceField(label="Регион", queryset=Region.objects.none(), empty_label=None)
    document_type = forms.ChoiceField(label="Документ", choices=DOCUMENT_TYPES)
    year = forms.IntegerField(
        label="Год",
        min_value=2000,
        max_value=2100,
        help_text="Отчёт — за календарный год; план — на учебный год, начинающийся в сентябре этого года.",
    )
    title = forms.CharField(
        label="Название", max_length=200, required=False, help_text="Пусто — название по документу и периоду."
    )
    opens_on = forms.DateField(label="Открыта с", required=False, widget=DateInput)
    due_on = forms.DateField(
        label="Срок представления", required=False, widget=DateInput, help_text="После него документ — с опозданием."
    )
    closes_on = forms.DateField(
        label="Закрывается",
        required=False,
        widget=DateInput,
        help_text="После этой даты непредставленный документ — не представлен.",
    )
    reminder_offsets = forms.CharField(
        label="Напоминать за (дней)",
        required=False,
        help_text="Через запятую, например 14, 7, 1. Пусто — без напоминаний.",
    )
    filer_kinds = forms.ModelMultipleChoiceField(
        label="Кто представляет",
        queryset=UnitKind.objects.order_by("level", "name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Отметьте виды подразделений, которые представляют документ."},
    )

    def __init__(self, *args, regions=None, instance: Campaign | None = None, **kwargs):
        self.instance = instance
        super().__init__(*args, **kwargs)
        if instance is not None:
            for name in ("region", "document_type", "year"):
                del self.fields[name]
            self.initial.update(
                title=instance.title,
                opens_on=instance.opens_on,
                due_on=instance.due_on,
                closes_on=instance.closes_on,
                reminder_offsets=format_offsets(instance.reminder_offsets),
                filer_kinds=list(instance.filer_kinds.values_list("pk", flat=True)),
            )
            for name in ("opens_on", "due_on", "closes_on"):
                self.fields[name].required = True
        else:
            self.fields["region"].queryset = regions if regions is not None else Region.objects.none()
            # Changing the document or the year refreshes the default dates (htmx; without it, blank = default).
            for name in ("document_type", "year"):
                self.fields[name].widget.attrs.update(
                    {
                        "hx-get": reverse("submissions:campaign_add"),
                        "hx-trigger": "change",
                        "hx-include": "#id_document_type, #id_year, #id_region",
                        "hx-select": "#campaign-dates",
                        "hx-target": "#campaign-dates",
                        "hx-swap": "outerHTML",
                    }
                )

    HEAD = ("region", "document_type", "year", "title")

    def head_fields(self):
        return [self[name] for name in self.HEAD if name in self.fields]

    def date_fields(self):
        return [self[name] for name in self.fields if name not in self.HEAD]

    @classmethod
    def initial_for(cls, document_type: str, year: int) -> dict:
        defaults = Campaign.defaults_for(document_type, year)
        return {
            "document_type": document_type,
            "year": year,
            "opens_on": defaults["opens_on"],
            "due_on": defaults["due_on"],
            "closes_on": defaults["closes_on"],
            "reminder_offsets": format_offsets(defaults["reminder_offsets"]),
            "filer_kinds": filing_kinds(document_type),
        }

    def clean_reminder_offsets(self):
        return parse_offsets(self.cleaned_data.get("reminder_offsets", ""))

    def clean(self):
        data = super().clean()
        instance = self.instance
        document_type = instance.document_type if instance else data.get("document_type")
        year = instance.year if instance else data.get("year")
        region = instance.region if instance else data.get("region")
        if document_type and year:
            defaults = Campaign.defaults_for(document_type, year)
            for name in ("opens_on", "due_on", "closes_on"):
                if not data.get(name) and name not in self.errors:
                    data[name] = defaults[name]
        opens_on, due_on, closes_on = data.get("opens_on"), data.get("due_on"), data.get("closes_on")
        if opens_on and due_on and closes_on and not (opens_on <= due_on <= closes_on):
            self.add_error("due_on", ORDER_MESSAGE)
        if region and document_type and year:
            clash = Campaign.objects.filter(region=region, document_type=document_type, year=year)
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            clash = clash.first()
            if clash is not None:
                self.add_error("year", f"В регионе уже есть кампания за этот период: «{clash}».")
        return data


class HistoricalForm(forms.Form):
    """A paper document of a past year, recorded as approved with its real dates."""

    unit = forms.ModelChoiceField(label="Подразделение", queryset=OrgUnit.objects.none())
    submitted_on = forms.DateField(label="Представлен", widget=DateInput)
    approved_on = forms.DateField(label="Согласован", widget=DateInput)

    def __init__(self, *args, units=None, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if units is not None:
            self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.name} ({u.kind})"

    def clean(self):
        data = super().clean()
        submitted_on, approved_on = data.get("submitted_on"), data.get("approved_on")
        for name in ("submitted_on", "approved_on"):
            if data.get(name) and data[name] > self.today:
                self.add_error(name, "Дата ещё не наступила: переносится документ, который уже был.")
        if submitted_on and approved_on and approved_on < submitted_on:
            self.add_error("approved_on", "Дата согласования раньше даты представления.")
        return data
