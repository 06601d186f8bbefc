import django_filters
from django.db.models import Exists, OuterRef

from network.models import normalize_search
from orgunits.models import OrgUnit, School

from .models import Membership, MembershipRole, Person, Subject


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="ФИО или e-mail", method="filter_q")
    unit = django_filters.ModelChoiceFilter(
        label="Подразделение (с нижестоящими)", queryset=OrgUnit.objects.none(), method="filter_unit", empty_label="все"
    )
    school = django_filters.ModelChoiceFilter(label="Школа", queryset=School.objects.none(), empty_label="все")
    subject = django_filters.ModelChoiceFilter(
        label="Предмет", queryset=Subject.objects.all(), field_name="subjects", empty_label="все"
    )
    role = django_filters.ChoiceFilter(
        label="Роль (действующая)", choices=MembershipRole.choices, method="filter_role", empty_label="все"
    )

    class Meta:
        model = Person
        fields = ["q", "unit", "school", "subject", "role"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices list only what the user may see; a guessed id is "not one of the choices".
        self.filters["unit"].queryset = (
            OrgUnit.objects.restrict(user, "view").filter(level__lte=2).order_by("tree_id", "lft")
        )
        self.filters["school"].queryset = School.objects.restrict(user, "view").order_by("short_name")

    def filter_q(self, queryset, name, value):
        return queryset.filter(search__contains=normalize_search(value)) if value.strip() else queryset

    def filter_unit(self, queryset, name, unit):
        return queryset.filter(
            Exists(
                Membership.objects.filter(
                    person=OuterRef("pk"),
                    left_on__isnull=True,
                    unit__tree_id=unit.tree_id,
                    unit__lft__gte=unit.lft,
                    unit__lft__lte=unit.rght,
                )
            )
        )

    def filter_role(self, queryset, name, value):
        memberships = Membership.objects.filter(person=OuterRef("pk"), left_on__isnull=True, role=value)
        unit = self.form.cleaned_data.get("unit")
        if unit:
            memberships = memberships.filter(
                unit__tree_id=unit.tree_id, unit__lft__gte=unit.lft, unit__lft__lte=unit.rght
            )
        return queryset.filter(Exists(memberships))
