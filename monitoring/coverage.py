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


def monitored_q(region_ids=None) -> Q | None:
    """The units that the regions' indicator sets assess (None: no set assesses any); all regions by default.

    The condition has one term per unit kind (and one for the municipalities), each with the list of the
    regions that assess it, so its size and the two queries that build it do not grow with the regions.
    """
    indicators = Indicator.objects.all()
    sets = IndicatorSet.objects.filter(indicators__assessed=Assessed.MO)
    if region_ids is not None:
        indicators = indicators.filter(indicator_set__region_id__in=region_ids)
        sets = sets.filter(region_id__in=region_ids)
    municipal: set[int] = set()
    assessing: set[int] = set()
    for region_id, assessed in indicators.order_by().values_list("indicator_set__region_id", "assessed").distinct():
        assessing.add(region_id)
        if assessed == Assessed.MUNICIPALITY:
            municipal.add(region_id)
    regions_of_kind: dict[int, set[int]] = {}
    for region_id, kind_id in sets.order_by().values_list("region_id", "mo_kinds").distinct():
        if kind_id is not None and region_id in assessing:
            regions_of_kind.setdefault(kind_id, set()).add(region_id)
    query = None
    for kind_id, regions in sorted(regions_of_kind.items()):
        one = Q(kind_id=kind_id, region_id__in=sorted(regions))
        query = one if query is None else query | one
    if municipal:
        one = Q(region_id__in=sorted(municipal), kind__level=Level.MUNICIPAL) & ~Q(parent__kind__level=Level.MUNICIPAL)
        query = one if query is None else query | one
    return query


def working_on_q(day: datetime.date) -> Q:
    return (Q(opened_on__isnull=True) | Q(opened_on__lte=day)) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))


def uncovered(units, year: int):
    """Of `units` (a queryset of OrgUnit), those that must be monitored and no campaign of `year` covered."""
    # Every region's sets (a small table) rather than the regions of `units` (a scan of the units table):
    # the terms of other regions select nothing from `units`.
    wanted = monitored_q()
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
