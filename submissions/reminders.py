"""Reminders to file: who will be told before anyone is, and a record of who was.

«Напомнить непредставившим» first shows `plan()`: per owing unit the filers with a login who
will be told (by name, with their e-mail), the units with nobody to tell and those reminded
today already. `remind()` sends what the plan says at that moment. Both it and the daily sweep
(submissions.deadlines) record each unit told as a Reminder (`reminder_row` + `save`): the
dashboard shows when each unit was last reminded. A unit with nobody to tell gets no record and
is never counted as reminded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery

from network.models import Notification
from network.notify import notification_rows, queue_relay

from .models import DeadlineEvent, Reminder
from .services import FILING_ROLES


@dataclass
class Recipient:
    user: object
    name: str

    @property
    def email(self) -> str:
        return self.user.email


@dataclass
class UnitPlan:
    unit: object
    recipients: list[Recipient]


@dataclass
class Plan:
    """What «Напомнить» would do now: units to tell (with whom), units with nobody, units done today."""

    told: list[UnitPlan] = field(default_factory=list)
    nobody: list = field(default_factory=list)
    already: list = field(default_factory=list)

    @property
    def people(self) -> int:
        return len({r.user.pk for u in self.told for r in u.recipients})


@dataclass
class Result:
    units: int = 0
    people: int = 0
    nobody: list = field(default_factory=list)
    already: list = field(default_factory=list)


def manual_key(today: datetime.date) -> str:
    return f"manual-{today.isoformat()}"


def recipients_of(unit_ids) -> dict[int, list[Recipient]]:
    """The filers with an active login of each unit (chair, deputy, secretary, methodist), by name."""
    from people.models import Membership

    result: dict[int, dict[int, Recipient]] = {}
    rows = (
        Membership.objects.active()
        .filter(unit__in=unit_ids, role__in=FILING_ROLES, person__user__isnull=False, person__user__is_active=True)
        .select_related("person__user")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    for m in rows:
        user = m.person.user
        result.setdefault(m.unit_id, {}).setdefault(user.pk, Recipient(user, m.person.full_name))
    return {unit_id: list(by_user.values()) for unit_id, by_user in result.items()}


def plan(campaign, unit, user, today: datetime.date) -> Plan:
    """Who a reminder sent now from `unit`'s dashboard would reach (three queries)."""
    from . import dashboard

    units = list(dashboard.owing(campaign, unit, user).select_related("kind").order_by("tree_id", "lft"))
    done = set(
        DeadlineEvent.objects.filter(
            campaign=campaign, key=manual_key(today), unit__in=[u.pk for u in units]
        ).values_list("unit_id", flat=True)
    )
    result = Plan()
    todo = []
    for u in units:
        (result.already if u.pk in done else todo).append(u)
    recipients = recipients_of([u.pk for u in todo])
    for u in todo:
        if recipients.get(u.pk):
            result.told.append(UnitPlan(u, recipients[u.pk]))
        else:
            result.nobody.append(u)
    return result


def reminder_row(campaign, unit, users, *, by, at, key: str) -> tuple[Reminder, list]:
    """An unsaved Reminder of `unit` and its recipients, for `save`."""
    return Reminder(campaign=campaign, unit=unit, sent_at=at, sent_by=by, key=key), list(users)


def save(rows: list[tuple[Reminder, list]]) -> None:
    """Write the reminders and their recipients in bulk (inside the caller's transaction)."""
    rows = [(r, users) for r, users in rows if users]
    if not rows:
        return
    Reminder.objects.bulk_create([r for r, _ in rows], batch_size=500)
    through = Reminder.recipients.through
    links = {(r.pk, u.pk) for r, users in rows for u in users}
    through.objects.bulk_create(
        [through(reminder_id=reminder_id, user_id=user_id) for reminder_id, user_id in sorted(links)], batch_size=1000
    )


def text(campaign, unit, by) -> str:
    who = by.get_full_name() or by.get_username()
    return f"Напоминание ({who}): представьте «{campaign}» — {unit}. Срок представления {campaign.due_on:%d.%m.%Y}."


def remind(campaign, unit, by, now: datetime.datetime, today: datetime.date) -> Result:
    """Tell the filers of every owing unit below `unit`, once per unit per day, and record it.

    Units with nobody to tell are returned by name; so are those reminded earlier today (the
    DeadlineEvent `manual-<date>` is unique per campaign and unit: two presses at once send once)."""
    key = manual_key(today)
    try:
        with transaction.atomic():
            current = plan(campaign, unit, by, today)
            result = Result(nobody=current.nobody, already=current.already)
            if not current.told:
                return result
            DeadlineEvent.objects.bulk_create(
                [
                    DeadlineEvent(campaign=campaign, unit=u.unit, kind=DeadlineEvent.Kind.MANUAL, key=key, on=today)
                    for u in current.told
                ],
                batch_size=500,
            )
            notes, rows = [], []
            for u in current.told:
                users = [r.user for r in u.recipients]
                url = f"{campaign.get_absolute_url()}?unit={u.unit.pk}"
                # A reminder asks to file: the bell lists it under «Требуют действия».
                notes += notification_rows(users, text(campaign, u.unit, by), url, needs_action=True)
                rows.append(reminder_row(campaign, u.unit, users, by=by, at=now, key=key))
            Notification.objects.bulk_create(notes, batch_size=500)
            save(rows)
            queue_relay()
    except IntegrityError:
        # Somebody pressed the button at the same moment and recorded today's reminder first.
        return Result(already=[u.unit for u in current.told] + current.already, nobody=current.nobody)
    result.units = len(current.told)
    result.people = current.people
    return result


def last_reminded(campaign):
    """A subquery of when each unit (OuterRef pk) was last reminded in the campaign."""
    return Subquery(
        Reminder.objects.filter(campaign=campaign, unit=OuterRef("pk")).order_by("-sent_at").values("sent_at")[:1]
    )
