"""001 §5.2: monitoring at least once a year — after a year ends, the units no campaign covered are reported.

When: from 15 January of the next year. The campaign of a year is often opened and computed in its last
days or just after it (the data are taken on 31 December), and 1–8 January are holidays in Russia: until
mid-January an uncovered unit may still be covered by a campaign of the past year, so a warning before then
would be mostly false. From 15 January on, the step checks the past year once per region and records it
(CoverageNotice), so a sweep run again — or one that missed a day — never tells twice, and one that missed
15 January still tells on the next run.
"""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse

from network.notify import notify
from orgunits.access import ROLES, role_holders
from orgunits.models import OrgUnit, Region

from .coverage import uncovered
from .models import CoverageNotice, IndicatorSet

CHECK_FROM = (1, 15)  # (month, day) of the next year
NAMES_IN_NOTE = 10


def due_year(today: datetime.date) -> int | None:
    """The year to check on `today`: the past one from 15 January on, none before."""
    return today.year - 1 if (today.month, today.day) >= CHECK_FROM else None


def region_recipients(region) -> list:
    """The region's administrators and reviewers (granted at its root) and the root unit's (РУМО's) chair,
    deputy, secretary and methodists with a login."""
    from submissions.services import unit_filers

    roots = list(OrgUnit.objects.filter(region=region, parent__isnull=True, closed_on__isnull=True))
    users = {}
    for root in roots:
        for user, _role in role_holders(root, [ROLES["administrator"], ROLES["reviewer"]]):
            if user.is_active:
                users[user.pk] = user
    for filers in unit_filers(roots).values():
        for user in filers:
            users[user.pk] = user
    return list(users.values())


def check_coverage(today: datetime.date, report, region=None) -> None:
    year = due_year(today)
    if year is None:
        return
    regions = Region.objects.filter(pk=region.pk) if region is not None else Region.objects.all()
    # Only the regions that keep indicator sets: a region without any has no units the portal knows to monitor.
    regions = regions.filter(pk__in=IndicatorSet.objects.values("region_id")).exclude(
        pk__in=CoverageNotice.objects.filter(year=year).values("region_id")
    )
    for each in regions.order_by("pk"):
        _check_region(each, year, report)


def _check_region(region, year: int, report) -> None:
    missing = uncovered(OrgUnit.objects.filter(region=region), year)
    names = list(missing.values_list("name", flat=True)[:NAMES_IN_NOTE])
    total = len(names) if len(names) < NAMES_IN_NOTE else missing.count()
    users = region_recipients(region) if total else []
    try:
        with transaction.atomic():
            CoverageNotice.objects.create(region=region, year=year, uncovered=total, notified=len(users))
            if total:
                more = f" и ещё {total - len(names)}" if total > len(names) else ""
                url = reverse("monitoring:campaigns") + f"?coverage={year}"
                notify(
                    users,
                    f"Мониторинг проводится не реже одного раза в год (Положение о МунУМО, п. 5.2): в {year} году "
                    f"не охвачены мониторингом подразделений региона «{region}» — {total}: "
                    f"{'; '.join(names)}{more}. Проведите мониторинг или внесите его результаты.",
                    url,
                    needs_action=True,
                )
    except IntegrityError:
        return  # another sweep recorded the region first
    if total:
        report.lines.append(f"{region}: не охвачены мониторингом в {year} году — {total}")
