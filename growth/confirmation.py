"""Who confirms a teacher's own КПК certificate.

The teacher adds a course to their own portfolio; it waits «на подтверждении» until somebody who answers
for the teacher in the network confirms or rejects it: whoever keeps the teacher's card (people.access,
«manage»: the administrators) or keeps the composition of an MO the teacher is an active member of (the
chair, the secretary of that MO, the methodist of a unit above it — orgunits.access «manage_members»).
Courses added by these people are confirmed at once.
"""

from __future__ import annotations

from django.db.models import Q

from orgunits.access import access_for
from people.access import q_for_people


def is_own(user, person) -> bool:
    return person.user_id is not None and person.user_id == getattr(user, "pk", None)


def confirmers_people_q(access) -> Q | None:
    """Filter for Person: the teachers whose courses the user (`access`) may confirm; None = nobody."""
    if access.superuser:
        return Q()
    from orgunits.models import OrgUnit
    from people.models import Membership, Person

    sources = []
    kept = q_for_people(access, "manage")
    if kept is not None and kept != Q(pk__in=[]):
        sources.append(Person.objects.filter(kept).order_by().values("pk"))
    units_q = access.q_for_units("manage_members")
    if units_q is not None:
        units = OrgUnit.objects.filter(units_q).order_by().values("pk")
        sources.append(Membership.objects.active().filter(unit__in=units).order_by().values("person_id"))
    if not sources:
        return None
    ids = sources[0].union(*sources[1:]) if len(sources) > 1 else sources[0]
    return Q(pk__in=ids)


def may_confirm_person(user, person) -> bool:
    """May confirm (and add already confirmed) courses of `person`; never one's own."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_own(user, person) and not user.is_superuser:
        return False
    q = confirmers_people_q(access_for(user))
    if q is None:
        return False
    from people.models import Person

    return Person.objects.filter(q, pk=person.pk).exists()


def may_confirm(user, course) -> bool:
    return may_confirm_person(user, course.person)


def may_keep_courses(user, person) -> bool:
    """Adds confirmed courses to `person`'s portfolio, edits and deletes any of them: the confirmers and
    whoever keeps the teacher's card (people.access «manage»; for one's own card, the administrators)."""
    if may_confirm_person(user, person):
        return True
    from people.models import Person

    return Person.objects.restrict(user, "manage").filter(pk=person.pk).exists()
