"""001 §5.2: «Мониторинг проводится не реже одного раза в год» — which units no campaign covered in a year.

The units that must be monitored are those the region's indicator sets assess (monitoring.rules.Scope
makes the same choice for a campaign's rows): the units of the sets' «МО» kinds when a set has indicators
of the level «методическое объединение», and the municipalities — the topmost municipal-level unit of each
branch — when a set has indicators of the level «муниципалитет». A unit counts for a year when it was
working on 31 December of it (the campaign's reference date). It is covered when a campaign of that year
(open or closed, of any set) has its row. Schools are assessed inside the campaigns of their
municipalities and are not units of the tree: they are not listed here.

Every question is a bounded number of queries, whatever the size of the scope.
"""

import datetime

from django.db.models import Exists, OuterRef, Q

from orgunits.models import Level

from .models import Assessed, Indicator, IndicatorSet, Row

SHOWN = 300


def monitored_q(region_ids) -> Q | None:
    """The units of these regions that the regions' indicator sets assess (None: no set assesses any)."""
    levels: dict[int, set[str]] = {}
    for region_id, assessed in (
        Indicator.objects.filter(indicator_set__region_id__in=region_ids)
        .values_list("indicator_set__region_id", "assessed")
        .distinct()
    ):
        levels.setdefault(region_id, set()).add(assessed)
    kinds: dict[int, set[int]] = {}
    mo_sets = IndicatorSet.objects.filter(region_id__in=region_ids, indicators__assessed=Assessed.MO).values_list(
        "region_id", "mo_kinds"
    )
    for region_id, kind_id in mo_sets.distinct():
        if kind_id is not None:
            kinds.setdefault(region_id, set()).add(kind_id)
    query = None
    for region_id, assessed in levels.items():
        parts = Q(pk__in=[])
        if kinds.get(region_id):
            parts |= Q(kind_id__in=sorted(kinds[region_id]))
        if Assessed.MUNICIPALITY in assessed:
            parts |= Q(kind__level=Level.MUNICIPAL) & ~Q(parent__kind__level=Level.MUNICIPAL)
        one = Q(region_id=region_id) & parts
        query = one if query is None else query | one
    return query


def working_on_q(day: datetime.date) -> Q:
    return (Q(opened_on__isnull=True) | Q(opened_on__lte=day)) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def uncovered(units, year: int):
    """Of `units` (a queryset of OrgUnit), those that must be monitored and no campaign of `year` covered."""
    region_ids = list(units.order_by().values_list("region_id", flat=True).distinct())
    wanted = monitored_q(region_ids) if region_ids else None
    if wanted is None:
        return units.none()
    covered = Row.objects.filter(unit=OuterRef("pk"), campaign__year=year)
    return (
        units.filter(wanted)
        .filter(working_on_q(datetime.date(year, 12, 31)))
        .exclude(Exists(covered))
        .select_related("kind", "parent")
        .order_by("region_id", "tree_id", "lft")
    )


def listing(units, year: int) -> dict:
    """For a page: the first SHOWN uncovered units and how many there are in all."""
    rows = uncovered(units, year)
    shown = list(rows[:SHOWN])
    total = len(shown) if len(shown) < SHOWN else rows.count()
    return {"year": year, "units": shown, "total": total, "more": total - len(shown)}
