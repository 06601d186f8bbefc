"""Terms of office (001 §2.7) and the renewal of a composition by a third (001 §2.8).

* A member is elected for one year (001 §2.7). A region whose own regulation allows longer
  terms says so in its settings (`Region.max_term_months`, default 12); a term longer than that
  is refused on every path that sets one (the «add a member» form, a change of role, the import
  of memberships, the services).
* A membership stops counting on the day after its `ends_on`: the daily sweep ends it with
  `left_on = ends_on + 1 day` — `left_on` is the first day a person is no longer a member (the
  composition, the quorum base and the meetings read «in force on a day» as
  `starts_on <= day <= ends_on` and `left_on > day`), so a meeting held on the last day of the
  term still counts the member. The ending goes through `services.end_membership` (the
  «Завершить срок» button's service), so the role groups are synced and the grant log records
  the revocation as made by the system; the unit's chair and secretary are told once (one
  notification per unit and sweep, in the transaction that ends the terms).
* The renewal by a third is checked when a unit's new composition year starts: the day after
  the previous term ran out (the first day of the new composition, the day the sweep ends the
  terms). Members are usually elected in the following weeks, so the check looks at the
  composition RENEWAL_GRACE_DAYS later, with the same computation as the composition page
  (`orders.services.renewal`). Each check is recorded once (`RenewalCheck`); a composition
  renewed by less than a third is reported to the unit's filers and the filers of its parent.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from network.notify import notify

from .models import Membership, MembershipRole, RenewalCheck

DEFAULT_MAX_TERM_MONTHS = 12
# Time to elect the new members after the old term ran out, before the renewal is judged.
RENEWAL_GRACE_DAYS = 30
# How far back the sweep looks for a composition year it has not judged yet (missed sweeps).
RENEWAL_LOOKBACK_DAYS = 60
NAMES_IN_NOTE = 5
BATCH = 500


# -- the longest term --------------------------------------------------------------------------


def max_term_months(unit_or_region) -> int:
    region = getattr(unit_or_region, "region", unit_or_region)
    return getattr(region, "max_term_months", None) or DEFAULT_MAX_TERM_MONTHS


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; a day the month lacks (31 January + 1) is the first of the next."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    if day.day > calendar.monthrange(year, month)[1]:
        return datetime.date(year + (month == 12), month % 12 + 1, 1)
    return day.replace(year=year, month=month)


def longest_term_end(starts_on: datetime.date, months: int) -> datetime.date:
    """The last day of a term of `months` from `starts_on`: 12 months from 01.09.2026 end on 31.08.2027."""
    return add_months(starts_on, months) - datetime.timedelta(days=1)


def months_label(months: int) -> str:
    """The term in the genitive, as «не больше …» and «до …» need it: 1 года, 2 лет, 18 месяцев."""
    number, (one, many) = (months // 12, ("года", "лет")) if months % 12 == 0 else (months, ("месяца", "месяцев"))
    if months == 12:
        return "одного года"
    return f"{number} {one if number % 10 == 1 and number % 100 != 11 else many}"


def term_error(unit, starts_on: datetime.date, ends_on: datetime.date) -> str | None:
    """The refusal of a term longer than the region allows (001 §2.7), or None."""
    months = max_term_months(unit)
    last = longest_term_end(starts_on, months)
    if ends_on <= last:
        return None
    if months == DEFAULT_MAX_TERM_MONTHS:
        return (
            f"Срок полномочий члена объединения — один год (Положение, п. 2.7): при начале {starts_on:%d.%m.%Y} "
            f"срок заканчивается не позднее {last:%d.%m.%Y}."
        )
    return (
        f"Срок полномочий не может быть больше {months_label(months)} (настройка региона): при начале "
        f"{starts_on:%d.%m.%Y} срок заканчивается не позднее {last:%d.%m.%Y}."
    )


def check_term(unit, starts_on: datetime.date, ends_on: datetime.date, field: str = "ends_on") -> None:
    error = term_error(unit, starts_on, ends_on)
    if error:
        raise ValidationError({field: error})


def term_help_text(region) -> str:
    """What the «Срок по» field of the add-member form says about the limit."""
    months = max_term_months(region)
    if months == DEFAULT_MAX_TERM_MONTHS:
        return "Пусто — один год. Член объединения избирается на один год (Положение, п. 2.7): дольше нельзя."
    if months > DEFAULT_MAX_TERM_MONTHS:
        return (
            f"Пусто — один год (Положение, п. 2.7). Положение региона допускает срок до {months_label(months)}: "
            "это настройка региона."
        )
    return f"Пусто — один год, но не больше {months_label(months)}: это настройка региона."


def default_term_end(unit, starts_on: datetime.date) -> datetime.date:
    """One year (001 §2.7), shortened to the region's limit if it is shorter than a year."""
    return min(Membership.default_term_end(starts_on), longest_term_end(starts_on, max_term_months(unit)))


# -- expired terms -------------------------------------------------------------------------------


def expired(today: datetime.date, region=None):
    """Memberships still in force whose term ended before `today`."""
    qs = Membership.objects.active().filter(ends_on__lt=today)
    if region is not None:
        qs = qs.filter(unit__region=region)
    return qs


def officers_of(unit_ids) -> dict[int, list]:
    """Logins of the chair and the secretary of each unit (who is told that terms ended)."""
    result: dict[int, list] = {}
    rows = (
        Membership.objects.active()
        .filter(
            unit__in=unit_ids,
            role__in=[MembershipRole.CHAIR, MembershipRole.SECRETARY],
            person__user__isnull=False,
            person__user__is_active=True,
        )
        .select_related("person__user")
        .order_by("unit_id", "role")
    )
    for m in rows:
        result.setdefault(m.unit_id, []).append(m.person.user)
    return result


def end_expired_terms(today: datetime.date, report=None, region=None) -> int:
    """End every membership past its term (left_on = ends_on + 1 day) and tell each unit's officers once.

    Returns how many memberships were ended. The officers are read before the terms end (a secretary
    whose own term ran out is told too, as the last holder of the composition)."""
    from orgunits.grant_log import GrantVia
    from orgunits.models import OrgUnit

    from .services import end_membership

    unit_ids = sorted(set(expired(today, region).values_list("unit_id", flat=True)))
    ended_total = 0
    for i in range(0, len(unit_ids), BATCH):
        batch = unit_ids[i : i + BATCH]
        officers = officers_of(batch)
        units = OrgUnit.objects.only("pk", "name", "short_name").in_bulk(batch)
        rows_by_unit: dict[int, list[Membership]] = {}
        for m in (
            expired(today, region)
            .filter(unit_id__in=batch)
            .select_related("person")
            .order_by("unit_id", "ends_on", "person__last_name", "pk")
        ):
            rows_by_unit.setdefault(m.unit_id, []).append(m)
        for unit_id in batch:
            rows = rows_by_unit.get(unit_id, [])
            if not rows:
                continue
            ended = []
            with transaction.atomic():
                for m in rows:
                    try:
                        end_membership(m, m.ends_on + datetime.timedelta(days=1), by=None, via=GrantVia.SYSTEM)
                    except ValidationError:
                        continue  # ended meanwhile by hand
                    ended.append(m)
                if ended:
                    unit = units[unit_id]
                    names = [
                        f"{m.person.short_name} ({m.get_role_display()}, истёк {m.ends_on:%d.%m.%Y})"
                        for m in ended[:NAMES_IN_NOTE]
                    ]
                    more = f" и ещё {len(ended) - NAMES_IN_NOTE}" if len(ended) > NAMES_IN_NOTE else ""
                    notify(
                        officers.get(unit_id, []),
                        f"«{unit}»: истёк срок полномочий (Положение, п. 2.7), участники выведены из состава: "
                        f"{', '.join(names)}{more}. Избранных на новый срок добавьте в состав заново.",
                        unit.get_absolute_url(),
                        needs_action=True,
                    )
            ended_total += len(ended)
            if report is not None and ended:
                report.lines.append(f"{units[unit_id]}: истёк срок полномочий — выведено {len(ended)} чел.")
    if report is not None:
        report.terms_expired += ended_total
    return ended_total


# -- renewal by a third -------------------------------------------------------------------------


def composition_year_starts(today: datetime.date, region=None) -> dict[int, datetime.date]:
    """Units whose new composition year started RENEWAL_GRACE_DAYS or more ago (within the look-back)
    and was not judged yet: {unit id: the first day of the new composition}.

    A composition year starts the day after a term ran out: a membership that reached its end
    (not left earlier, e.g. by a change of role) marks `ends_on + 1 day`; the latest such day of a unit counts."""
    latest_end = today - datetime.timedelta(days=RENEWAL_GRACE_DAYS + 1)
    earliest_end = latest_end - datetime.timedelta(days=RENEWAL_LOOKBACK_DAYS)
    qs = Membership.objects.filter(
        ends_on__gte=earliest_end, ends_on__lte=latest_end, unit__closed_on__isnull=True
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=F("ends_on")))
    if region is not None:
        qs = qs.filter(unit__region=region)
    starts: dict[int, datetime.date] = {}
    for unit_id, ends_on in qs.values_list("unit_id", "ends_on").order_by("unit_id", "ends_on").distinct():
        starts[unit_id] = ends_on + datetime.timedelta(days=1)
    if not starts:
        return {}
    judged = set(RenewalCheck.objects.filter(unit_id__in=list(starts)).values_list("unit_id", "starts_on").iterator())
    return {u: s for u, s in starts.items() if (u, s) not in judged}


def check_renewal(unit, starts_on: datetime.date, today: datetime.date) -> RenewalCheck | None:
    """Judge the composition of `unit` whose year started on `starts_on`; record it once.

    None when it was recorded already, or when the new composition has no members yet (then a later
    sweep judges it, as long as the start is within RENEWAL_LOOKBACK_DAYS)."""
    from orders.services import renewal

    on = min(today, starts_on + datetime.timedelta(days=RENEWAL_GRACE_DAYS))
    r = renewal(unit, on)
    if r.total == 0 and today > on:  # the new members were entered from a later date: judge today's
        on, r = today, renewal(unit, today)
    if r.total == 0:
        return None  # no new composition entered yet: judged on a later sweep (within the look-back)
    try:
        with transaction.atomic():
            check = RenewalCheck.objects.create(
                unit=unit,
                starts_on=starts_on,
                on=on,
                total=r.total,
                renewed=r.renewed,
                previous=r.previous,
                required=r.required,
                under_third=r.under_third,
            )
            if check.under_third:
                _report_under_third(unit, check)
    except IntegrityError:
        return None  # another sweep judged it first
    return check


def _report_under_third(unit, check: RenewalCheck) -> None:
    from django.urls import reverse

    from submissions.services import unit_filers

    filers = unit_filers([unit.pk] + ([unit.parent_id] if unit.parent_id else []))
    url = reverse("orders:composition", args=[unit.pk]) + f"?date={check.on:%Y-%m-%d}"
    text = (
        f"«{unit}»: состав на {check.on:%d.%m.%Y} обновлён меньше чем на треть — новых {check.renewed} "
        f"из {check.total}, нужно не менее {check.required} (Положение, п. 2.8)."
    )
    notify(filers.get(unit.pk, []), text, url, needs_action=True)
    if unit.parent_id:
        notify(filers.get(unit.parent_id, []), f"Нижестоящее подразделение {text}", url)


def check_renewals(today: datetime.date, report=None, region=None) -> int:
    """Judge every composition year that started RENEWAL_GRACE_DAYS ago; returns how many were under a third."""
    from orgunits.models import OrgUnit

    starts = composition_year_starts(today, region)
    flagged = 0
    ids = sorted(starts)
    for i in range(0, len(ids), BATCH):
        for unit in OrgUnit.objects.filter(pk__in=ids[i : i + BATCH]).order_by("pk"):
            check = check_renewal(unit, starts[unit.pk], today)
            if check is not None and check.under_third:
                flagged += 1
                if report is not None:
                    report.lines.append(
                        f"{unit}: состав обновлён меньше чем на треть ({check.renewed} из {check.total})."
                    )
    if report is not None:
        report.renewal_under_third += flagged
    return flagged


def step(today: datetime.date, report, region=None) -> None:
    """The sweep's step «people.terms»: end the expired terms, then judge the renewals."""
    end_expired_terms(today, report, region)
    check_renewals(today, report, region)


def last_under_third(unit) -> RenewalCheck | None:
    """The latest recorded composition renewed by less than a third, if it is the latest check."""
    check = RenewalCheck.objects.filter(unit=unit).order_by("-starts_on").first()
    return check if check is not None and check.under_third else None
