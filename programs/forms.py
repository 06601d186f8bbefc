"""The forms of a program's passport, its roadmap items and an item's status."""

from django import forms

from network.forms import DateInput, VersionedFormMixin
from orders.models import Order
from people.models import Person

from .models import FIRST_YEAR, LAST_YEAR, MONTH_NAMES, ItemStatus, Program, RoadmapItem, TermKind
from .services import FUTURE_DONE, first_cycle_year, items_outside

CHOICES_LIMIT = 300


def _limited_choices(field, rows, label, empty="—"):
    """A select of the first CHOICES_LIMIT rows; the field's queryset still validates any allowed pk."""
    field.choices = [("", empty)] + [(obj.pk, label(obj)) for obj in rows[:CHOICES_LIMIT]]


def order_label(order) -> str:
    return f"{order.unit.short_name or order.unit.name}: от {order.date:%d.%m.%Y} № {order.number} «{order.heading}»"


def region_orders(user, region):
    """Orders the user may see; the choices show their region's, newest first."""
    visible = Order.objects.restrict(user, "view")
    choices = visible.filter(unit__region=region).select_related("unit").order_by("-date", "-number", "-pk")
    return visible, choices


class ProgramForm(VersionedFormMixin, forms.ModelForm):
    """The passport of a program (004): the model's `clean` holds the rules of the period and the order."""

    class Meta:
        model = Program
        fields = [
            "name",
            "legal_basis",
            "approval_order",
            "goal",
            "tasks",
            "start_year",
            "end_year",
            "expected_results",
        ]  # not "state": only the moves of programs/machines.py change it
        widgets = {
            "name": forms.TextInput(attrs={"size": 80}),
            "legal_basis": forms.Textarea(attrs={"rows": 4}),
            "goal": forms.Textarea(attrs={"rows": 2}),
            "tasks": forms.Textarea(attrs={"rows": 5}),
            "expected_results": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, unit, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.unit = unit
        visible, choices = region_orders(user, unit.region_id)
        field = self.fields["approval_order"]
        field.queryset = visible
        _limited_choices(field, choices, order_label)
        for name in ("start_year", "end_year"):
            self.fields[name].widget.attrs.update(min=FIRST_YEAR, max=LAST_YEAR)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if self.instance.pk and start and end and not self.errors:
            outside = items_outside(self.instance, start, end)
            if outside:
                numbers = ", ".join(i.number or str(i.position) for i in outside[:10])
                self.add_error(
                    "end_year" if end < self.instance.end_year else "start_year",
                    f"Сроки пунктов дорожной карты ({numbers}) выходят за новый период: сначала измените их.",
                )
        return data


class RoadmapItemForm(VersionedFormMixin, forms.ModelForm):
    """One item of a roadmap: the model's `clean` holds the rules (responsible, term, order, done)."""

    class Meta:
        model = RoadmapItem
        fields = [
            "section",
            "number",
            "activity",
            "responsible_unit",
            "responsible_person",
            "responsible_text",
            "term_kind",
            "term_date",
            "term_month",
            "term_year",
            "result",
            "order",
            "status",
            "done_on",
            "comment",
        ]
        widgets = {
            "activity": forms.Textarea(attrs={"rows": 3}),
            "result": forms.Textarea(attrs={"rows": 2}),
            "comment": forms.Textarea(attrs={"rows": 2}),
            "term_date": DateInput,
            "done_on": DateInput,
            "section": forms.TextInput(attrs={"list": "roadmap-sections", "size": 60}),
        }
        help_texts = {
            "term_kind": "Дата, месяц года, весь год, ежегодно в месяце или весь период реализации.",
            "term_date": "Для срока «дата».",
            "term_month": "Для сроков «месяц года» и «ежегодно в месяце».",
            "term_year": "Для сроков «месяц года» и «в течение года»; для «ежегодно» — год ближайшего выполнения.",
            "done_on": "Для выполненного пункта.",
        }

    def __init__(self, *args, program, user, today, **kwargs):
        if kwargs.get("instance") is None:
            kwargs["instance"] = RoadmapItem(program=program)
        super().__init__(*args, **kwargs)
        self.program, self.today = program, today
        self.instance.program = program
        unit = program.unit
        subtree = unit.get_descendants(include_self=True)
        field = self.fields["responsible_unit"]
        field.queryset = subtree
        _limited_choices(
            field,
            subtree.filter(closed_on__isnull=True).order_by("tree_id", "lft"),
            lambda u: ("· " * (u.level - unit.level)) + str(u),
        )
        people = (
            Person.objects.filter(memberships__unit__in=subtree, memberships__left_on__isnull=True)
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )
        field = self.fields["responsible_person"]
        field.queryset = Person.objects.filter(region=unit.region_id)
        _limited_choices(field, people, lambda p: p.full_name)
        visible, choices = region_orders(user, unit.region_id)
        field = self.fields["order"]
        field.queryset = visible
        _limited_choices(field, choices, order_label)
        self.fields["term_month"].choices = [("", "—"), *MONTH_NAMES]
        self.fields["term_year"].widget.attrs.update(min=program.start_year, max=program.end_year)
        self.sections = list(
            program.items.exclude(section="").order_by("section").values_list("section", flat=True).distinct()
        )

    def clean(self):
        data = super().clean()
        if data.get("term_kind") == TermKind.ANNUAL and not data.get("term_year"):
            data["term_year"] = first_cycle_year(self.program, self.today)
            self.instance.term_year = data["term_year"]
        if data.get("status") == ItemStatus.DONE and data.get("done_on") and data["done_on"] > self.today:
            self.add_error("done_on", FUTURE_DONE)
        return data


class StatusForm(forms.Form):
    """The status of one item, changed from the roadmap table."""

    status = forms.ChoiceField(label="Состояние", choices=ItemStatus.choices)
    done_on = forms.DateField(label="Выполнено", required=False, widget=DateInput)
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
