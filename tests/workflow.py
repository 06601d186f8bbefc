"""Helpers of the workflow tests: a campaign, a frozen clock, a grown municipality."""

import datetime
import itertools

from django.utils import timezone

from orgunits.models import OrgUnit
from submissions import services
from submissions.models import Campaign

from . import factories as f

D = datetime.date
_seq = itertools.count(1)

# A 2026 report campaign: opens 10.01.2027, due 25.02.2027, closes 01.03.2027.
OPEN_DAY = D(2027, 2, 10)
AFTER_DUE = D(2027, 2, 27)
AFTER_CLOSE = D(2027, 3, 5)


def moment(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def freeze(monkeypatch, day: datetime.date, hour: int = 12) -> datetime.datetime:
    """Every `timezone.now()` (the views', the sessions', auto_now) returns this moment."""
    at = moment(day, hour)
    monkeypatch.setattr(timezone, "now", lambda: at)
    return at


def report_campaign(net, year=2026, kinds=("munumo", "rmo", "shmo"), **changes) -> Campaign:
    campaign = Campaign.objects.create(
        region=net.region, document_type="report", year=year, **{**Campaign.defaults_for("report", year), **changes}
    )
    campaign.filer_kinds.set([net.kinds[k] for k in kinds])
    return campaign


def submitted(campaign, unit, by, day=OPEN_DAY):
    """The unit's document, started and sent for approval on `day`."""
    at = moment(day)
    submission = services.start(campaign, unit, by, at)
    return services.submit(submission, by, at, day)


def below(unit):
    unit.refresh_from_db()
    return OrgUnit.objects.filter(tree_id=unit.tree_id, lft__gt=unit.lft, lft__lt=unit.rght)


def grow(net, total: int) -> list[OrgUnit]:
    """Bring the units below the Terek МунУМО to `total`: РМО under it, ШМО under those.

    Built with bulk_create and one partial rebuild, as a real import would be; returns the new units.
    """
    need = total - below(net.terek).count()
    assert need >= 0
    n_rmo = max(1, need // 10)
    n_shmo = need - n_rmo

    def node(kind, parent, name, school=None):
        return f.bulk_node(net.region, kind, parent, name, school)

    with OrgUnit.objects.disable_mptt_updates():
        rmos = OrgUnit.objects.bulk_create(
            [node(net.kinds["rmo"], net.terek, f"РМО № {next(_seq)} Терского района") for _ in range(n_rmo)]
        )
        shmos = OrgUnit.objects.bulk_create(
            [
                node(net.kinds["shmo"], rmos[i % len(rmos)], f"ШМО № {next(_seq)} СОШ № 1", net.school)
                for i in range(n_shmo)
            ]
        )
    OrgUnit.objects.partial_rebuild(net.terek.tree_id)
    for name in ("rumo", "cnppm", "terek", "baksan", "terek_rmo", "baksan_rmo", "shmo"):
        getattr(net, name).refresh_from_db()
    assert below(net.terek).count() == total
    return [*rmos, *shmos]
