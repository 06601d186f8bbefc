import django_filters
from django import forms
from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import Lower

from network.models import normalize_search
from orgunits.models import OrgUnit, School
from orgunits.subtree import subtree_q

from .models import Membership, MembershipRole, Person, Subject

OPTIONS_LIMIT = 300


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="ФИО или e-mail", method="filter_q")
    unit = django_filters.ModelChoiceFilter(
        label="Подразделение (с нижестоящими)", queryset=OrgUnit.objects.none(), method="filter_unit", empty_label="все"
    )
    school = django_filters.ModelChoiceFilter(label="Школа", queryset=School.objects.none(), empty_label="все")
    school_q = django_filters.CharFilter(label="Школа: название или ИНН", method="filter_school_q")
    subject = django_filters.ModelChoiceFilter(
        label="Предмет", queryset=Subject.objects.all(), field_name="subjects", empty_label="все"
    )
    role = django_filters.ChoiceFilter(
        label="Роль (действующая)", choices=MembershipRole.choices, method="filter_role", empty_label="все"
    )

    class Meta:
        model = Person
        fields = ["q", "unit", "school", "school_q", "subject", "role"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices list only what the user may see; a guessed id is "not one of the choices".
        units = OrgUnit.objects.restrict(user, "view")
        self.filters["unit"].queryset = units.order_by("tree_id", "lft")
        self.filters["school"].queryset = School.objects.restrict(user, "view").order_by("short_name")
        # A select of every unit or school of a country would be megabytes of HTML: show the
        # deepest levels of the tree that still make a short list, and schools as a list only
        # when there are few (otherwise a search by name or INN). Any visible id still filters.
        per_level = dict(units.filter(level__lte=2).order_by().values_list("level").annotate(n=Count("pk")))
        depth = 2
        while depth > 0 and sum(n for level, n in per_level.items() if level <= depth) > OPTIONS_LIMIT:
            depth -= 1
        self.unit_depth = depth
        self.many_schools = self.filters["school"].queryset[: OPTIONS_LIMIT + 1].count() > OPTIONS_LIMIT

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            field = form.fields["unit"]
            shown = list(field.queryset.filter(level__lte=self.unit_depth))
            chosen = self.data.get("unit") if self.data else None
            if chosen and chosen.isdigit() and all(str(u.pk) != chosen for u in shown):
                shown += list(field.queryset.filter(pk=int(chosen)))
            field.widget.choices = [("", "все"), *((u.pk, str(u)) for u in shown)]
            if self.many_schools:
                form.fields["school"].widget = forms.HiddenInput()
            else:
                del form.fields["school_q"]
        return self._form

    def filter_school_q(self, queryset, name, value):
        return queryset.filter(school__search__contains=normalize_search(value)) if value.strip() else queryset

    def filter_q(self, queryset, name, value):
        if not value.strip():
            return queryset
        # Sorted by expressions, not columns: with a search term PostgreSQL then finds the matches
        # through the trigram index and sorts those few, instead of walking the whole name index
        # in order and testing every teacher of the country against the pattern.
        return queryset.filter(search__contains=normalize_search(value)).order_by(
            Lower("last_name"), Lower("first_name"), Lower("middle_name"), "pk"
        )

    def filter_unit(self, queryset, name, unit):
        return queryset.filter(
            Exists(
                Membership.objects.filter(
                    subtree_q(unit, "unit__"),
                    person=OuterRef("pk"),
                    left_on__isnull=True,
                )
            )
        )

    def filter_role(self, queryset, name, value):
        memberships = Membership.objects.filter(person=OuterRef("pk"), left_on__isnull=True, role=value)
        unit = self.form.cleaned_data.get("unit")
        if unit:
            memberships = memberships.filter(subtree_q(unit, "unit__"))
        return queryset.filter(Exists(memberships))
