"""The daily deadline sweep (DESIGN.md, "Deadlines are enforced by Celery").

For every open campaign and every unit that owes a document and has not submitted it:
a reminder at each offset before the due date, the late flag after the due date, the
missing flag and a note to the parent unit after the closing date. Each of these is a
DeadlineEvent with a unique key, created in the same transaction as its notifications,
so a rerun for the same day, or after a crash, sends nothing twice and loses nothing.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from network import clock, periodic
from network.models import Notification
from network.notify import notification_rows, relay_outbox
from orgunits.models import OrgUnit

from . import reminders
from .models import Campaign, DeadlineEvent, Submission
from .services import unit_filers

# The sweep's notes that ask a unit's filers to file are reminders (recorded as such); the
# «не представлен» note is a verdict, not a reminder.
REMINDING = (DeadlineEvent.Kind.REMINDER, DeadlineEvent.Kind.LATE)

# After closing, a campaign is still swept this long: a sweep that was down catches up.
CATCH_UP_DAYS = 60


@dataclass
class SweepReport:
    day: datetime.date
    region: object = None  # the Region swept (its local date is `day`); None — every region
    reminders: int = 0
    late: int = 0
    missing: int = 0
    parents_notified: int = 0
    no_meetings: int = 0  # units without a meeting in the previous quarter (meetings.governance)
    terms_ending: int = 0  # memberships whose term ends within 30 days (meetings.governance)
    roadmap_overdue: int = 0  # roadmap items reported overdue (plans.sweep)
    surveys_closed: int = 0  # needs surveys closed at the end of their period (growth.services)
    terms_expired: int = 0  # memberships ended by the sweep at the end of their term (people.terms, 001 §2.7)
    renewal_under_third: int = 0  # new compositions renewed by less than a third (people.terms, 001 §2.8)
    emails: int = 0
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        where = f"{self.region}, " if self.region is not None else ""
        return (
            f"{where}{self.day:%d.%m.%Y}: напоминаний {self.reminders}, просрочено {self.late}, "
            f"не представлено {self.missing}, уведомлено вышестоящих {self.parents_notified}, "
            f"без заседаний за квартал {self.no_meetings}, истекает сроков {self.terms_ending}, "
            f"просрочено пунктов дорожных карт {self.roadmap_overdue}, анкет завершено {self.surveys_closed}, "
            f"завершено сроков {self.terms_expired}, обновлено меньше трети {self.renewal_under_third}, "
            f"писем {self.emails}"
        )


def due_events(campaign: Campaign, today: datetime.date) -> list[tuple[str, str, int | None]]:
    """(kind, key, offset) the calendar calls for today for a unit that has not submitted."""
    lateness = campaign.lateness(today)
    if lateness == "missing":
        return [(DeadlineEvent.Kind.LATE, "late", None), (DeadlineEvent.Kind.MISSING, "missing", None)]
    if lateness == "overdue":
        return [(DeadlineEvent.Kind.LATE, "late", None)]
    passed = [o for o in campaign.reminder_offsets if campaign.due_on - datetime.timedelta(days=o) <= today]
    if passed:
        # Only the nearest offset: a sweep that missed days sends one reminder, not a backlog.
        offset = min(passed)
        return [(DeadlineEvent.Kind.REMINDER, f"reminder-{offset}", offset)]
    return []


def _text(kind, campaign, unit, offset):
    doc = f"«{campaign}» ({unit})"
    if kind == DeadlineEvent.Kind.REMINDER:
        return f"Напоминание: до срока представления {doc} осталось {offset} дн., срок {campaign.due_on:%d.%m.%Y}."
    if kind == DeadlineEvent.Kind.LATE:
        return f"Срок представления {doc} прошёл {campaign.due_on:%d.%m.%Y}: документ просрочен."
    return f"Документ {doc} не представлен: кампания закрылась {campaign.closes_on:%d.%m.%Y}."


def sweep_moment(today: datetime.date, region=None) -> datetime.datetime:
    """When the sweep for `today` acted: now, or noon (the region's) of a day replayed later (`--date`)."""
    now = timezone.now()
    if clock.local_today(region, now) == today:
        return now
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)), clock.zone(region))


def sweep_campaign(campaign: Campaign, today: datetime.date, report: SweepReport) -> None:
    """`today` is the date in the campaign's region (the regional sweep's, or `--date`)."""
    calls = due_events(campaign, today)
    if not calls:
        return
    submitted = set(
        Submission.objects.filter(campaign=campaign, first_submitted_on__isnull=False).values_list("unit_id", flat=True)
    )
    owing = [
        u for u in campaign.expected_units().only("pk", "name", "short_name", "parent_id") if u.pk not in submitted
    ]
    if not owing:
        return
    with transaction.atomic():
        # One sweep of a campaign at a time: under this lock «not recorded yet» stays true until
        # this sweep records it, so the events and letters below can be written in bulk.
        Campaign.objects.select_for_update().filter(pk=campaign.pk).exists()
        done = set(
            DeadlineEvent.objects.filter(campaign=campaign, unit__in=[u.pk for u in owing]).values_list(
                "unit_id", "key"
            )
        )
        todo = [(u, call) for u in owing for call in calls if (u.pk, call[1]) not in done]
        if not todo:
            return
        parents = {u.parent_id for u, (kind, _, _) in todo if kind == DeadlineEvent.Kind.MISSING and u.parent_id}
        filers = unit_filers({u.pk for u, _ in todo} | parents)
        parent_names = OrgUnit.objects.in_bulk(parents)
        url = campaign.get_absolute_url()
        events, notes, told = [], [], []
        at = sweep_moment(today, campaign.region)
        for unit, (kind, key, offset) in todo:
            events.append(DeadlineEvent(campaign=campaign, unit=unit, kind=kind, key=key, on=today))
            notes += notification_rows(
                filers.get(unit.pk, []), _text(kind, campaign, unit, offset), url, needs_action=True
            )
            if kind in REMINDING and filers.get(unit.pk):
                # The same record as «Напомнить непредставившим»: the dashboard's «напоминали».
                told.append(reminders.reminder_row(campaign, unit, filers[unit.pk], by=None, at=at, key=key))
            parent = None
            if kind == DeadlineEvent.Kind.MISSING and unit.parent_id:
                text = f"Нижестоящее подразделение «{unit}» не представило «{campaign}»."
                notes += notification_rows(filers.get(unit.parent_id, []), text, url)
                report.parents_notified += 1
                parent = parent_names.get(unit.parent_id)
            counter = {"reminder": "reminders", "late": "late", "missing": "missing"}[kind]
            setattr(report, counter, getattr(report, counter) + 1)
            what = DeadlineEvent.Kind(kind).label + (f" за {offset} дн." if offset else "")
            report.lines.append(f"{campaign}: {unit} — {what}" + (f" → уведомлено: {parent}" if parent else ""))
        DeadlineEvent.objects.bulk_create(events, batch_size=2000)
        Notification.objects.bulk_create(notes, batch_size=2000)
        reminders.save(told)


def sweep_campaigns(today: datetime.date, report: SweepReport, region=None) -> None:
    """The campaigns' step of the sweep (registered first in submissions/periodic.py): the campaigns of
    `region` (its local date is `today`), or of every region."""
    campaigns = (
        Campaign.objects.filter(opens_on__lte=today, closes_on__gte=today - datetime.timedelta(days=CATCH_UP_DAYS))
        .select_related("region")
        .prefetch_related("filer_kinds")
    )
    if region is not None:
        campaigns = campaigns.filter(region=region)
    for campaign in campaigns:
        sweep_campaign(campaign, today, report)


def run_sweep(today: datetime.date, send_email: bool = True, region=None) -> SweepReport:
    """The whole daily sweep for `today` (one date for every rule: never read twice), of `region`
    (`today` is its local date) or, with None, of every region (the `--date` command, the tests).

    The steps are those the apps registered (network.periodic): the campaigns, the meetings'
    governance checks, the overdue roadmap items, the needs surveys to close. A step that raises
    does not stop the others; the letters they wrote are still relayed (last), then the first failure
    is re-raised, carrying the report, so the task is retried (every step is idempotent)."""
    report = SweepReport(day=today, region=region)
    failed = periodic.run_all(today, report, region=region)
    if send_email:
        # The same relay as the every-minute beat: no daily cap, and a letter that fails is
        # recorded on its notification instead of stopping the letters after it.
        mail = relay_outbox()
        report.emails = mail.sent
        if mail.failed or mail.interrupted:
            report.lines.append(
                f"Писем не отправлено: {mail.failed} (повтор позже), "
                f"прервано при отправке: {mail.interrupted} (повторно не отправляются)"
            )
        if mail.server_down:
            report.lines.append("Почтовый сервер недоступен: остальные письма уйдут при следующей попытке.")
    periodic.raise_failed(failed, report)
    return report


# -- the hourly task: each region at its local morning (issue 13, time is the region's) ----------------


def due_regions(now: datetime.datetime) -> list[tuple[object, datetime.date]]:
    """(region, its local date) for every region whose local clock at `now` is past SWEEP_LOCAL_HOUR and
    whose sweep of that date has not finished."""
    from django.conf import settings

    from network.models import SweepRun
    from orgunits.models import Region

    hour = getattr(settings, "SWEEP_LOCAL_HOUR", 6)
    due = []
    regions = list(Region.objects.order_by("pk"))
    finished = set(
        SweepRun.objects.filter(
            finished_at__isnull=False, day__gte=(now - datetime.timedelta(days=2)).date()
        ).values_list("region_id", "day")
    )
    for region in regions:
        local = clock.local_now(region, now)
        if local.hour >= hour and (region.pk, local.date()) not in finished:
            due.append((region, local.date()))
    return due


# A run started this long ago and not finished was killed: the next hour takes it again.
RUN_STALE_AFTER = datetime.timedelta(minutes=50)


def claim_run(region, day: datetime.date, now: datetime.datetime):
    """The SweepRun of (region, day), claimed for this worker; None if it is finished or another worker
    is running it now. Idempotent: the row is created once (unique together)."""
    from django.db.models import Q

    from network.models import SweepRun

    run, _ = SweepRun.objects.get_or_create(region=region, day=day)
    claimed = (
        SweepRun.objects.filter(pk=run.pk, finished_at__isnull=True)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - RUN_STALE_AFTER))
        .update(started_at=now)
    )
    return run if claimed else None


def run_regional_sweeps(now: datetime.datetime | None = None, send_email: bool = True) -> list[SweepReport]:
    """The hourly task's work: sweep every region whose local morning has come, once per local date.

    Each region gets the whole sweep (every step, `region=` that region) with its own date; its SweepRun is
    marked finished only when every step succeeded, so a failure is taken again by the next hour (or the
    task's retry) and, the steps being idempotent, sends nothing twice. The first failure is re-raised at
    the end, after the other regions were swept and the letters relayed."""
    from network.models import SweepRun

    now = now or timezone.now()
    reports, failures = [], []
    for region, day in due_regions(now):
        run = claim_run(region, day, now)
        if run is None:
            continue
        try:
            report = run_sweep(day, send_email=False, region=region)
        except Exception as exc:
            failures.append(exc)
            report = getattr(exc, "sweep_report", None)
            SweepRun.objects.filter(pk=run.pk).update(started_at=None)
            if report is not None:
                reports.append(report)
            continue
        SweepRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), summary=report.summary())
        reports.append(report)
    if send_email and reports:
        relay_outbox()
    if failures:
        raise failures[0]
    return reports
