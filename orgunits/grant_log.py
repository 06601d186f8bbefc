"""Grants and revocations of roles live in the one history (history.LogEntry), not in a table of their own.

Each grant or revocation is ONE entry about the unit (action «изменение», kind GRANT_KIND): the
human-readable change in `changes` (what the unit's «История» tab shows), the facts the grant-log pages
filter on (whom, which role, granted or revoked, through which path) in `snapshot["grant"]`.
Who acted, through what and in which request come from history.context, as for every other entry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

GRANT_KIND = "grant"

GRANTED = "granted"
REVOKED = "revoked"
CHANGE_LABELS = {GRANTED: "назначена", REVOKED: "отозвана"}


class GrantVia:
    """The path a grant came through (kept in the entry's `detail` as words, in the snapshot as a code)."""

    ACCESS_PAGE = "access_page"
    MEMBERSHIP = "membership"
    IMPORT = "import"
    SYSTEM = "system"

    LABELS = {
        ACCESS_PAGE: "страница «Доступ»",
        MEMBERSHIP: "изменение состава",
        IMPORT: "загрузка реестра",
        SYSTEM: "система (команда, демонстрационные данные)",
    }


def _person_name(user) -> str:
    return user.get_full_name() or user.username


def log_grant(*, by, user, unit, role: str, change: str, via: str | None) -> None:
    """One history entry about `unit`: `user` got (or lost) `role`. Called only when something changed."""
    from history.models import LogEntry
    from history.services import record
    from orgunits.access import ROLES

    via = via or GrantVia.SYSTEM
    role_label = ROLES[role].label if role in ROLES else role
    old, new = ("—", CHANGE_LABELS[GRANTED]) if change == GRANTED else (CHANGE_LABELS[GRANTED], CHANGE_LABELS[REVOKED])
    record(
        unit,
        LogEntry.Action.CHANGE,
        # `by` is who the caller says acted; without one the context's user is (None outside a request).
        actor=by if getattr(by, "is_authenticated", False) else None,
        # The name, not the login: the unit's «История» is read by everyone who sees the unit, while
        # logins are shown only on the «Доступ» page (to those who manage the unit).
        changes={f"роль «{role_label}»: {_person_name(user)}": [old, new]},
        detail=GrantVia.LABELS.get(via, via),
        kind=GRANT_KIND,
        snapshot={"grant": {"user": user.pk, "role": role, "change": change, "path": via}},
    )


def grant_entries():
    """Every grant entry (a lazy queryset of history.LogEntry, newest first)."""
    from history.models import LogEntry
    from orgunits.models import OrgUnit

    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(OrgUnit), kind=GRANT_KIND).order_by(
        "-at", "-pk"
    )


def for_units(units):
    """The grant entries of `units` (a queryset of OrgUnit: a subquery, not a list)."""
    return grant_entries().filter(object_id__in=units.values("pk"))


def for_user(user_id):
    """The grant entries about the roles of the login `user_id`."""
    return grant_entries().filter(snapshot__grant__user=user_id)


@dataclass
class GrantRow:
    at: object
    user: object  # the login the role was given to / taken from
    unit: object
    role_label: str
    change_label: str
    by: object  # None: the system
    path_label: str


def rows(entries) -> list[GrantRow]:
    """Present one page of grant entries: two queries (the logins, the units) whatever the page size."""
    from orgunits.access import ROLES
    from orgunits.models import OrgUnit

    entries = list(entries)
    facts = [(e, (e.snapshot or {}).get("grant", {})) for e in entries]
    users = get_user_model().objects.in_bulk({g.get("user") for _, g in facts if g.get("user")})
    units = OrgUnit.objects.in_bulk({e.object_id for e in entries})
    result = []
    for e, g in facts:
        role = g.get("role", "")
        result.append(
            GrantRow(
                at=e.at,
                user=users.get(g.get("user")),
                unit=units.get(e.object_id),
                role_label=ROLES[role].label if role in ROLES else role,
                change_label=CHANGE_LABELS.get(g.get("change"), g.get("change", "")),
                by=e.actor,
                path_label=e.detail,
            )
        )
    return result
