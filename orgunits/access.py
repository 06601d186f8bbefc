"""Who may see and do what in the network tree.

Grants live where they are held: a django-guardian object permission on one OrgUnit,
given to a user or to a group. Some permissions reach only their unit, the
`*_subtree` ones reach every descendant as well. We never copy a grant onto the
descendants (a national network has hundreds of thousands of units): a check compares
MPTT bounds instead, so that "may user U do A at unit X" costs no query once the user's
few grants are loaded (three queries per request, whatever the size of the tree).

Every list, export and search goes through `queryset.restrict(user, action)`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Q

# Permissions that reach the unit's whole subtree; the others reach the unit only.
SUBTREE_PERMS = frozenset({"view_subtree", "manage_subtree", "manage_members_subtree", "review_subtree"})
LOCAL_PERMS = frozenset({"view_orgunit", "manage_members", "file_documents"})

# action -> (local permissions that allow it, subtree permissions that allow it)
ACTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # see the unit's card and members
    "view": (LOCAL_PERMS, SUBTREE_PERMS),
    # see people's cards (personal data): a plain member sees names only, not cards
    "view_people": (frozenset({"manage_members", "file_documents"}), SUBTREE_PERMS),
    # add members, end terms, change roles
    "manage_members": (frozenset({"manage_members"}), frozenset({"manage_subtree", "manage_members_subtree"})),
    # edit the unit, create and move units, keep schools and people, grant roles
    "manage": (frozenset(), frozenset({"manage_subtree"})),
    # approve documents of the units below (used by the workflow)
    "review": (frozenset(), frozenset({"review_subtree"})),
    # file the unit's own plans and reports (used by the workflow)
    "file": (frozenset({"file_documents"}), frozenset()),
    # keep the unit's registers (orders, events): those who file for it, and its administrators
    "keep_records": (frozenset({"file_documents"}), frozenset({"manage_subtree"})),
}


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    perms: frozenset[str]
    membership: bool  # held by being a member of the unit (else granted by an administrator)


ROLES: dict[str, Role] = {
    r.code: r
    for r in [
        # The chair agrees the plans and reports of the MOs below (e.g. a МунУМО for its РМО).
        Role(
            "chair",
            "председатель",
            frozenset({"view_subtree", "manage_members", "file_documents", "review_subtree"}),
            True,
        ),
        Role("deputy", "заместитель председателя", frozenset({"view_subtree", "file_documents"}), True),
        Role(
            "secretary",
            "ответственный секретарь",
            frozenset({"view_subtree", "manage_members", "file_documents"}),
            True,
        ),
        # A municipal methodist keeps the compositions of the MOs of their municipality.
        Role("methodist", "методист", frozenset({"view_subtree", "manage_members_subtree", "file_documents"}), True),
        Role("member", "член", frozenset({"view_orgunit"}), True),
        Role("reviewer", "эксперт (куратор)", frozenset({"view_subtree", "review_subtree"}), False),
        Role("administrator", "администратор", frozenset({"view_subtree", "manage_subtree", "review_subtree"}), False),
    ]
}
GRANTABLE_ROLES = [r for r in ROLES.values() if not r.membership]
GROUP_PREFIX = "unit:"


def role_group_name(unit_id: int, role: str) -> str:
    return f"{GROUP_PREFIX}{unit_id}:{role}"


def parse_role_group_name(name: str) -> tuple[int, str] | None:
    try:
        prefix, unit_id, role = name.split(":")
        return int(unit_id), role
    except ValueError:
        return None


@dataclass(frozen=True)
class Span:
    unit_id: int
    tree_id: int
    lft: int
    rght: int
    region_id: int

    def contains(self, unit) -> bool:
        return unit.tree_id == self.tree_id and self.lft <= unit.lft and unit.rght <= self.rght

    def is_below(self, unit) -> bool:
        """This span's unit is `unit` or one of its descendants."""
        return unit.tree_id == self.tree_id and unit.lft <= self.lft and self.rght <= unit.rght

    def q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}tree_id": self.tree_id, f"{prefix}lft__gte": self.lft, f"{prefix}lft__lte": self.rght})


@dataclass
class Access:
    """The grants of one user, loaded once per request."""

    user: object
    superuser: bool = False
    grants: dict[str, list[Span]] = field(default_factory=dict)  # permission -> spans of the units

    @classmethod
    def load(cls, user) -> Access:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls(user=user)
        if user.is_superuser:
            return cls(user=user, superuser=True)
        from guardian.models import GroupObjectPermission, UserObjectPermission

        from orgunits.models import OrgUnit

        ct = ContentType.objects.get_for_model(OrgUnit)
        rows = (
            UserObjectPermission.objects.filter(user=user, content_type=ct)
            .values_list("object_pk", "permission__codename")
            .union(
                GroupObjectPermission.objects.filter(group__user=user, content_type=ct).values_list(
                    "object_pk", "permission__codename"
                )
            )
        )
        by_unit: dict[int, set[str]] = {}
        for object_pk, codename in rows:
            by_unit.setdefault(int(object_pk), set()).add(codename)
        access = cls(user=user)
        if by_unit:
            for pk, tree_id, lft, rght, region_id in OrgUnit.objects.filter(pk__in=by_unit).values_list(
                "pk", "tree_id", "lft", "rght", "region_id"
            ):
                span = Span(pk, tree_id, lft, rght, region_id)
                for codename in by_unit[pk]:
                    access.grants.setdefault(codename, []).append(span)
        return access

    # -- single-object checks: no queries -------------------------------------------------

    def _spans(self, perms) -> list[Span]:
        return [span for perm in perms for span in self.grants.get(perm, ())]

    def can(self, action: str, unit) -> bool:
        if self.superuser:
            return True
        local, subtree = ACTIONS[action]
        if any(span.unit_id == unit.pk for span in self._spans(local)):
            return True
        return any(span.contains(unit) for span in self._spans(subtree))

    def can_see_name(self, unit) -> bool:
        """Units above what one may view are shown by name (breadcrumbs, the tree)."""
        if self.can("view", unit):
            return True
        local, subtree = ACTIONS["view"]
        return any(span.is_below(unit) for span in self._spans(local | subtree))

    def is_regional(self, action: str, region_id: int) -> bool:
        """Holds `action` over a whole region (a grant at the region's root)."""
        if self.superuser:
            return True
        return any(s.region_id == region_id and s.lft == 1 for s in self._spans(ACTIONS[action][1]))

    def sees_region(self, region_id: int) -> bool:
        """Holds any grant inside the region (so a page about it is 403 rather than 404)."""
        return self.superuser or any(s.region_id == region_id for spans in self.grants.values() for s in spans)

    def regions(self, action: str) -> set[int]:
        return {s.region_id for s in self._spans(ACTIONS[action][1]) if s.lft == 1}

    @property
    def administers_anything(self) -> bool:
        """May keep registers (schools, people) somewhere: creating a new record starts here."""
        return self.superuser or bool(self.grants.get("manage_subtree"))

    # -- querysets --------------------------------------------------------------------------

    def q_for_units(self, action: str, prefix: str = "") -> Q | None:
        """Filter for OrgUnit (or, with `prefix`, for a relation to it); None = nothing."""
        if self.superuser:
            return Q()
        local, subtree = ACTIONS[action]
        q = Q()
        matched = False
        local_ids = {span.unit_id for span in self._spans(local)}
        if local_ids:
            q |= Q(**{f"{prefix}pk__in": sorted(local_ids)})
            matched = True
        for span in self._subtree_roots(subtree):
            q |= span.q(prefix)
            matched = True
        return q if matched else None

    def _subtree_roots(self, perms) -> list[Span]:
        """Drop spans nested inside another span: the filter stays as short as the grants."""
        spans = sorted(set(self._spans(perms)), key=lambda s: (s.tree_id, s.lft))
        kept: list[Span] = []
        for span in spans:
            if kept and kept[-1].tree_id == span.tree_id and span.rght <= kept[-1].rght:
                continue
            kept.append(span)
        return kept

    def top_spans(self) -> list[Span]:
        """The highest units this user may view: the roots of their visible forest."""
        local, subtree = ACTIONS["view"]
        spans = sorted(set(self._spans(local | subtree)), key=lambda s: (s.tree_id, s.lft))
        kept: list[Span] = []
        subtree_spans = set(self._spans(subtree))
        for span in spans:
            if any(
                k in subtree_spans and k.tree_id == span.tree_id and k.lft <= span.lft and span.rght <= k.rght
                for k in kept
            ):
                continue
            kept.append(span)
        return kept

    def q_for_schools(self, action: str) -> Q | None:
        if self.superuser:
            return Q()
        from orgunits.models import OrgUnit

        units_q = self.q_for_units("manage" if action == "manage" else "view")
        if units_q is None:
            return None
        units = OrgUnit.objects.filter(units_q).values("pk")
        q = Q(municipality__in=units)
        if action != "manage":
            q |= Q(pk__in=OrgUnit.objects.filter(units_q, school__isnull=False).values("school_id"))
        return q


def access_for(user) -> Access:
    """The user's grants, cached on the user object for the length of the request."""
    cached = getattr(user, "_metodset_access", None)
    if cached is None:
        cached = Access.load(user)
        with contextlib.suppress(AttributeError):  # AnonymousUser and the like
            user._metodset_access = cached
    return cached


def forget_access(user) -> None:
    if hasattr(user, "_metodset_access"):
        del user._metodset_access


class RestrictedQuerySet(models.QuerySet):
    """`.restrict(user, action)`: the one door every list, export and search goes through.

    Each queryset names the actions it knows in `actions`. Any other action is a programming error
    and raises: a misspelt or unforeseen action must never quietly fall back to «view» (that is how
    a page meant for editors ends up open to every reader).
    """

    actions: frozenset[str] = frozenset()

    def restrict(self, user, action: str = "view"):
        if action not in self.actions:
            raise ImproperlyConfigured(
                f"{self.model.__name__}.objects.restrict() knows the actions {sorted(self.actions)}, not {action!r}."
            )
        q = self._restrict_q(access_for(user), action)
        if q is None:
            return self.none()
        return self.filter(q)

    def _restrict_q(self, access: Access, action: str) -> Q | None:  # pragma: no cover - abstract
        raise NotImplementedError


# -- granting --------------------------------------------------------------------------------


def role_group(unit, role_code: str) -> Group:
    """The group that carries `role` at `unit`; created with its permissions on first use."""
    from guardian.shortcuts import assign_perm

    role = ROLES[role_code]
    group, created = Group.objects.get_or_create(name=role_group_name(unit.pk, role_code))
    if created:
        for perm in sorted(role.perms):
            assign_perm(f"orgunits.{perm}", group, unit)
    return group


def _log_grant(*, by, user, unit, role: str, change: str, via: str | None) -> None:
    # One entry in the one history (history.LogEntry), about the unit: see orgunits.grant_log.
    from orgunits.grant_log import log_grant

    log_grant(by=by, user=user, unit=unit, role=role, change=change, via=via)


@transaction.atomic
def grant_role(user, unit, role_code: str, *, by=None, via: str | None = None) -> bool:
    """Give `user` the role at `unit`; False when they already held it (nothing logged then).

    `by` is who acted (None: the system — a command or the demo loader), `via` a GrantVia (orgunits.grant_log).
    """
    group = role_group(unit, role_code)
    if user.groups.filter(pk=group.pk).exists():
        return False
    user.groups.add(group)
    forget_access(user)
    _log_grant(by=by, user=user, unit=unit, role=role_code, change="granted", via=via)
    return True


@transaction.atomic
def revoke_role(user, unit, role_code: str, *, by=None, via: str | None = None) -> bool:
    """Take the role at `unit` away from `user`; False when they did not hold it (nothing logged)."""
    group = user.groups.filter(name=role_group_name(unit.pk, role_code)).first()
    if group is None:
        return False
    user.groups.remove(group)
    forget_access(user)
    _log_grant(by=by, user=user, unit=unit, role=role_code, change="revoked", via=via)
    return True


def role_holders(unit, roles=None):
    """(user, role) pairs granted at `unit` through role groups."""
    from django.contrib.auth import get_user_model

    codes = [r.code for r in (roles or ROLES.values())]
    names = {role_group_name(unit.pk, code): code for code in codes}
    users = (
        get_user_model()
        .objects.filter(groups__name__in=names)
        .annotate(group_name=models.F("groups__name"))
        .order_by("last_name", "username")
    )
    return [(u, ROLES[names[u.group_name]]) for u in users]


@transaction.atomic
def sync_membership_roles(user, memberships, *, by=None, via: str | None = None) -> None:
    """Make the user's membership role groups match `memberships` (the active ones).

    Idempotent: run it after any change of a person's memberships or login link; only what
    actually changes is written to the grant log (`by` acted; None is the system).
    Grants given by an administrator (reviewer, administrator) are left alone.
    """
    from orgunits.grant_log import GrantVia
    from orgunits.models import OrgUnit

    via = via or GrantVia.MEMBERSHIP
    desired = {role_group_name(m.unit_id, m.role): m for m in memberships if ROLES[m.role].membership}
    current = {
        g.name: g
        for g in user.groups.filter(name__startswith=GROUP_PREFIX)
        if (parsed := parse_role_group_name(g.name)) and parsed[1] in ROLES and ROLES[parsed[1]].membership
    }
    for name in sorted(set(current) - set(desired)):
        user.groups.remove(current[name])
        unit_id, role = parse_role_group_name(name)
        unit = OrgUnit.objects.filter(pk=unit_id).first()
        if unit is not None:  # a role group may outlive its unit: nothing to log then
            _log_grant(by=by, user=user, unit=unit, role=role, change="revoked", via=via)
    for name, m in desired.items():
        if name not in current:
            user.groups.add(role_group(m.unit, m.role))
            _log_grant(by=by, user=user, unit=m.unit, role=m.role, change="granted", via=via)
    forget_access(user)


def sync_role_group_permissions() -> tuple[int, int]:
    """Re-apply ROLES to every existing role group (a release may change what a role grants)."""
    from guardian.models import GroupObjectPermission
    from guardian.shortcuts import assign_perm

    from orgunits.models import OrgUnit

    ct = ContentType.objects.get_for_model(OrgUnit)
    groups = Group.objects.filter(name__startswith=GROUP_PREFIX)
    current: dict[int, set[str]] = {}
    for group_id, codename in GroupObjectPermission.objects.filter(group__in=groups, content_type=ct).values_list(
        "group_id", "permission__codename"
    ):
        current.setdefault(group_id, set()).add(codename)
    units = OrgUnit.objects.in_bulk(
        [parsed[0] for g in groups if (parsed := parse_role_group_name(g.name)) and parsed[1] in ROLES]
    )
    changed = total = 0
    for group in groups:
        parsed = parse_role_group_name(group.name)
        if not parsed or parsed[1] not in ROLES or parsed[0] not in units:
            continue
        total += 1
        unit_id, role = parsed
        want, have = set(ROLES[role].perms), current.get(group.pk, set())
        if want == have:
            continue
        changed += 1
        with transaction.atomic():
            GroupObjectPermission.objects.filter(
                group=group, content_type=ct, permission__codename__in=have - want
            ).delete()
            for perm in sorted(want - have):
                assign_perm(f"orgunits.{perm}", group, units[unit_id])
    return changed, total
