"""Who may see and keep a teacher's card: decided here, in `people`, from the unit grants of
`orgunits.access` (which knows units and schools, not persons)."""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Q

from network.lookups import AnyOf  # noqa: F401 - registers the any_of lookup

# What Person.objects.restrict() accepts: «view» — read the card (one's own, or those of the members
# and schools of units where one may see people's cards, or a whole region); «manage» — keep it.
PERSON_ACTIONS = frozenset({"view", "manage"})


def q_for_people(access, action: str) -> Q | None:
    """Filter for Person by the user's grants (`access`: orgunits.access.Access); None = nothing."""
    if access.superuser:
        return Q()
    ids = visible_ids(access, action)
    if ids is None:
        return None
    if isinstance(ids, list):
        return Q(pk__in=ids)
    if connection.vendor == "postgresql":
        # `id = ANY(ARRAY(…))`: the id set is computed once and the rows fetched by primary
        # key; with `id IN (…)` the planner hash-joins the set against every person instead.
        return Q(pk__any_of=ArraySubquery(ids))
    return Q(pk__in=ids)


def visible_ids(access, action: str, *, beyond_regions: bool = False):
    """The ids of the people `access` may see (or keep), as one query of ids (a list when there is
    nothing to ask); None = nobody. Not for a superuser (who sees everyone: q_for_people gives no filter).

    `beyond_regions`: only those outside the regions the user holds whole (`access.regions`), whom the
    caller adds as `region IN (…)`, an index the planner can use, instead of 80 000 ids of a region."""
    if not getattr(access.user, "is_authenticated", False):
        return None  # an anonymous visitor has no card of their own (and `user=` would not take one)
    from orgunits.models import OrgUnit
    from people.models import Membership, Person

    unit_action = "manage" if action == "manage" else "view_people"
    units_q = access.q_for_units(unit_action)
    regions = access.regions(unit_action)
    beyond = sorted(regions) if beyond_regions else []
    # One id set made of a UNION of indexed lookups: an OR of these conditions over the person
    # table makes PostgreSQL scan every row (a million at national scale) for each page.
    people = Person.objects.order_by().exclude(region__in=beyond) if beyond else Person.objects.order_by()
    members = Membership.objects.order_by()
    if beyond:
        members = members.exclude(person__region__in=beyond)
    sources = [people.filter(user=access.user).values("pk")] if action == "view" else []
    if units_q is not None:
        units = OrgUnit.objects.filter(units_q).order_by().values("pk")
        if connection.vendor == "postgresql":
            # `unit_id = ANY(ARRAY(…))`: the region's 22 000 units probe the memberships' index; with
            # `unit_id IN (…)` PostgreSQL hashed them against a sequential scan of all 1.5 M memberships
            # (350 → 70 ms for a whole region at national size), the same for the schools.
            units = ArraySubquery(units)
            sources.append(members.filter(unit__id__any_of=units).values("person_id"))
            sources.append(people.filter(school__municipality__id__any_of=units).values("pk"))
        else:
            sources.append(members.filter(unit__in=units).values("person_id"))
            sources.append(people.filter(school__municipality__in=units).values("pk"))
    if regions and not beyond:
        sources.append(people.filter(region__in=sorted(regions)).values("pk"))
    if not sources:
        return []
    return sources[0].union(*sources[1:]) if len(sources) > 1 else sources[0]


def q_for_person_rows(access, action: str) -> Q | None:
    """The rule of `visible_ids`, as a condition PostgreSQL checks row by row (EXISTS probes of the
    person's memberships, school and region): for reading one person or a few by id. Building the whole
    visible set to test one person cost a second at national size (80 000 ids of a region)."""
    if access.superuser:
        return Q()
    if not getattr(access.user, "is_authenticated", False):
        return None
    from django.db.models import Exists, OuterRef

    from orgunits.models import School
    from people.models import Membership

    unit_action = "manage" if action == "manage" else "view_people"
    q = Q(user=access.user) if action == "view" else Q()
    matched = action == "view"
    member_q = access.q_for_units(unit_action, prefix="unit__")
    if member_q is not None:
        q |= Q(Exists(Membership.objects.filter(member_q, person=OuterRef("pk")).order_by()))
        school_q = access.q_for_units(unit_action, prefix="municipality__")
        q |= Q(Exists(School.objects.filter(school_q, pk=OuterRef("school_id")).order_by()))
        matched = True
    regions = access.regions(unit_action)
    if regions:
        q |= Q(region__in=sorted(regions))
        matched = True
    return q if matched else None


def may_see_person(user, person_id, action: str = "view") -> bool:
    """Whether `user` may see (or, with «manage», keep) the card of person `person_id`: a few index probes."""
    from orgunits.access import access_for
    from people.models import Person

    q = q_for_person_rows(access_for(user), action)
    return q is not None and Person.objects.filter(q, pk=person_id).exists()


def q_for_person_records(access, action: str, prefix: str) -> Q | None:
    """Filter for a record of one teacher (a course, a route…) through its `prefix` relation to Person:
    seen and kept by whoever may see or keep the teacher's card."""
    q = q_for_people(access, action)
    if q is None:
        return None
    if q == Q():
        return q
    from people.models import Person

    return Q(**{f"{prefix}__in": Person.objects.filter(q).values("pk")})
