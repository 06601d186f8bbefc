"""Governance checks of the daily sweep (DESIGN.md, "Deadlines are enforced by Celery").

* A unit that had members on the first day of the previous calendar quarter and recorded no
  meeting in it (001 §2.4: meetings at least once a quarter) is flagged once per (unit,
  quarter) to its filers and to the filers of its parent. The check starts QUARTER_GRACE_DAYS
  into the new quarter: a meeting of 28 December is often recorded after the holidays.
* A membership still in force whose term (`ends_on`, 001 §2.7: one year) ends within
  TERM_NOTICE_DAYS — or has already ended while nobody closed it — is flagged once to the
  unit's filers; one notification per unit lists the people of that day.

Like the deadline events, each flag is a GovernanceEvent with a unique (unit, key) created in
the same transaction as its notifications: a second sweep on the same day sends nothing, a
sweep killed midway loses nothing. Work is done in batches of units, so the number of
queries grows with the flagged units, never with the size of the tree.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from network.notify import notify
from orgunits.models import OrgUnit
from people.models import Membership
from submissions.services import unit_filers

from .models import GovernanceEvent, Meeting

TERM_NOTICE_DAYS = 30
QUARTER_GRACE_DAYS = 10
BATCH = 500
NAMES_IN_NOTE = 5


def previous_quarter(today: datetime.date) -> tuple[int, int, datetime.date, datetime.date]:
    """(year, quarter number, first day, last day) of the calendar quarter before `today`'s."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    this_start = datetime.date(today.year, first_month, 1)
    last = this_start - datetime.timedelta(days=1)
    start = datetime.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
    return last.year, (last.month - 1) // 3 + 1, start, last


def _batches(items, size=BATCH):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _meetings_url(unit_id: int) -> str:
    return reverse("meetings:list", args=[unit_id])


def check_quarterly_meetings(today: datetime.date, report, region=None) -> None:
    year, quarter, start, end = previous_quarter(today)
    if (today - end).days <= QUARTER_GRACE_DAYS:
        return
    key = f"no-meeting-{year}-Q{quarter}"
    members_at_start = Membership.objects.filter(unit=OuterRef("pk"), starts_on__lte=start).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=start)
    )
    met = Meeting.objects.filter(unit=OuterRef("pk"), date__gte=start, date__lte=end)
    flagged = GovernanceEvent.objects.filter(unit=OuterRef("pk"), key=key)
    units = OrgUnit.objects.filter(region=region) if region is not None else OrgUnit.objects.all()
    unit_ids = list(
        units.filter(Exists(members_at_start))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .exclude(Exists(met))
        .exclude(Exists(flagged))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for batch in _batches(unit_ids):
        units = list(OrgUnit.objects.filter(pk__in=batch).only("pk", "name", "short_name", "parent_id").order_by("pk"))
        filers = unit_filers({u.pk for u in units} | {u.parent_id for u in units if u.parent_id})
        for unit in units:
            try:
                with transaction.atomic():
                    GovernanceEvent.objects.create(unit=unit, key=key, on=today)
                    url = _meetings_url(unit.pk)
                    notify(
                        filers.get(unit.pk, []),
                        f"«{unit}»: в {quarter} квартале {year} г. не проведено ни одного заседания "
                        "(заседания — не реже одного раза в квартал, 001 §2.4).",
                        url,
                        needs_action=True,
                    )
                    if unit.parent_id:
                        notify(
                            filers.get(unit.parent_id, []),
                            f"Нижестоящее подразделение «{unit}» не провело ни одного заседания "
                            f"в {quarter} квартале {year} г.",
                            url,
                        )
            except IntegrityError:
                continue  # another sweep recorded it first
            report.no_meetings += 1
            report.lines.append(f"{unit}: нет заседаний в {quarter} квартале {year} г.")


def _term_key(m: Membership) -> str:
    # The end date is part of the key: a term extended later is flagged again before its new end.
    return f"term-{m.pk}-{m.ends_on:%Y%m%d}"


def check_expiring_terms(today: datetime.date, report, region=None) -> None:
    horizon = today + datetime.timedelta(days=TERM_NOTICE_DAYS)
    memberships = Membership.objects.active()
    if region is not None:
        memberships = memberships.filter(unit__region=region)
    expiring = list(
        memberships.filter(ends_on__lte=horizon, starts_on__lte=today, unit__closed_on__isnull=True)
        .select_related("person")
        .order_by("unit_id", "ends_on", "person__last_name", "pk")
    )
    if not expiring:
        return
    unit_ids = sorted({m.unit_id for m in expiring})
    done = set(
        GovernanceEvent.objects.filter(unit_id__in=unit_ids, key__startswith="term-").values_list("unit_id", "key")
    )
    by_unit: dict[int, list[Membership]] = {}
    for m in expiring:
        if (m.unit_id, _term_key(m)) not in done:
            by_unit.setdefault(m.unit_id, []).append(m)
    for batch in _batches(sorted(by_unit)):
        units = OrgUnit.objects.only("pk", "name", "short_name").in_bulk(batch)
        filers = unit_filers(batch)
        for unit_id in batch:
            unit, rows = units[unit_id], by_unit[unit_id]
            try:
                with transaction.atomic():
                    GovernanceEvent.objects.bulk_create(
                        [GovernanceEvent(unit_id=unit_id, key=_term_key(m), on=today) for m in rows]
                    )
                    names = [
                        f"{m.person.short_name} ({m.get_role_display()}, "
                        f"{'истёк' if m.ends_on < today else 'до'} {m.ends_on:%d.%m.%Y})"
                        for m in rows[:NAMES_IN_NOTE]
                    ]
                    more = f" и ещё {len(rows) - NAMES_IN_NOTE}" if len(rows) > NAMES_IN_NOTE else ""
                    notify(
                        filers.get(unit_id, []),
                        f"«{unit}»: заканчивается срок полномочий (001 §2.7): {', '.join(names)}{more}. "
                        "Продлите срок или обновите состав (не менее чем на треть, 001 §2.8).",
                        unit.get_absolute_url(),
                        needs_action=True,
                    )
            except IntegrityError:
                continue  # another sweep recorded them first
            report.terms_ending += len(rows)
            report.lines.append(f"{unit}: истекает срок полномочий — {len(rows)} чел.")


def run_governance_checks(today: datetime.date, report, region=None) -> None:
    """Called by `submissions.deadlines.run_sweep` with the sweep's date and report: the units of
    `region` (whose local date `today` is), or of every region."""
    check_quarterly_meetings(today, report, region=region)
    check_expiring_terms(today, report, region=region)
