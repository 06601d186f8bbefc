"""Reading the tree for a user: annotated nodes and their chains, in a fixed number of queries."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from people.models import Membership

from .access import access_for
from .models import OrgUnit
from .subtree import ancestors_q


def annotate_counts(queryset, user):
    """Add `member_count` (active members) and `child_count` (children this user may see)."""
    access = access_for(user)
    visible = access.q_for_units("view")
    members = (
        Membership.objects.filter(unit=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("unit")
        .annotate(c=Count("pk"))
        .values("c")
    )
    queryset = queryset.annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0))
    if visible is None:
        return queryset.annotate(child_count=Value(0, output_field=IntegerField()))
    children = (
        OrgUnit.objects.filter(visible, parent=OuterRef("pk"))
        .order_by()
        .values("parent")
        .annotate(c=Count("pk"))
        .values("c")
    )
    return queryset.annotate(child_count=Coalesce(Subquery(children, output_field=IntegerField()), 0))


def chains(units) -> dict[int, list[OrgUnit]]:
    """Ancestors of each unit (root first), for all of them in one query."""
    units = list(units)
    if not units:
        return {}
    q = Q()
    for unit in units:
        q |= ancestors_q(unit, include_self=False)
    ancestors = list(OrgUnit.objects.filter(q).only("pk", "name", "short_name", "tree_id", "lft", "rght"))
    result = {}
    for unit in units:
        result[unit.pk] = sorted(
            (a for a in ancestors if a.tree_id == unit.tree_id and a.lft < unit.lft and a.rght > unit.rght),
            key=lambda a: a.lft,
        )
    return result


def node_queryset():
    return OrgUnit.objects.select_related("kind").order_by("name")
