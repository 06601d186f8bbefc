"""001 §5.2: «Мониторинг проводится не реже одного раза в год» — a unit that no monitoring campaign covered in
a year is flagged: on the monitoring page (for the viewer's scope) and, after the year ends, by the daily
sweep, which tells the region's administrators and its РУМО once per region and year."""

import datetime

import pytest
from django.urls import reverse

from monitoring import coverage
from monitoring.models import Assessed, CoverageNotice, Indicator
from monitoring.sweep import check_coverage
from network.models import Notification
from orgunits.models import OrgUnit
from submissions.deadlines import SweepReport

from . import factories as f
from .test_monitoring_pages import grow
from .test_monitoring_rules import make_campaign, make_set

D = datetime.date


@pytest.fixture
def mo_set(net):
    """The region's indicators assess the МО (РМО, ШМО): those must be monitored every year."""
    return make_set(net.region, ("assessment", "", {}))


def names(units):
    return {u.name for u in units}


def test_units_no_campaign_of_the_year_covered_are_listed(net, mo_set):
    """001 §5.2: the Terek campaign of 2026 covers its РМО and ШМО; the Baksan РМО had none in 2026."""
    make_campaign(mo_set, net.terek, year=2026, compute=True)
    missing = coverage.uncovered(OrgUnit.objects.all(), 2026)
    assert names(missing) == {net.baksan_rmo.name}
    # 2025: nobody was monitored, every МО of the set's kinds is listed (not the МунУМО, ЦНППМ, РУМО).
    assert names(coverage.uncovered(OrgUnit.objects.all(), 2025)) == {
        net.terek_rmo.name,
        net.shmo.name,
        net.baksan_rmo.name,
    }


def test_municipalities_must_be_monitored_when_a_set_assesses_them(net, mo_set):
    """001 §5.2 with a set of municipal indicators: the МунУМО themselves are to be covered too."""
    Indicator.objects.create(
        indicator_set=mo_set, position=2, code="muni", name="Муниципальный", short_name="М", method="manual",
        assessed=Assessed.MUNICIPALITY,
    )  # fmt: skip
    make_campaign(mo_set, net.terek, year=2026, compute=True)
    assert names(coverage.uncovered(OrgUnit.objects.all(), 2026)) == {net.baksan.name, net.baksan_rmo.name}


def test_a_unit_closed_before_the_year_ended_or_of_a_region_without_sets_is_not_listed(net, mo_set):
    """001 §5.2 binds the units that worked through the year, in regions that assess them."""
    OrgUnit.objects.filter(pk=net.baksan_rmo.pk).update(opened_on=D(2020, 1, 1), closed_on=D(2026, 6, 30))
    other = f.RegionFactory(code="bur", name="Республика Бурятия")
    f.unit(other, net.kinds["rmo"], f.unit(other, net.kinds["rumo"], name="РУМО РБ"), name="РМО РБ")
    assert names(coverage.uncovered(OrgUnit.objects.all(), 2026)) == {net.terek_rmo.name, net.shmo.name}


def test_the_page_lists_them_for_the_viewers_scope(net, mo_set, login):
    """001 §5.2 on the monitoring page: «Не охвачены мониторингом в <год>», each viewer their own scope."""
    make_campaign(mo_set, net.terek, year=2026, compute=True)
    url = reverse("monitoring:campaigns") + "?coverage=2026"
    page = login(net.users.reviewer).get(url).content.decode()
    assert "Не охвачены мониторингом в 2026 году" in page and net.baksan_rmo.name in page
    assert net.terek_rmo.name not in page.split("Не охвачены мониторингом")[1]
    page = login(net.users.reviewer).get(reverse("monitoring:campaigns") + "?coverage=2025").content.decode()
    assert net.terek_rmo.name in page.split("Не охвачены мониторингом")[1]
    # The Terek chair reviews only Terek: the Baksan РМО is not theirs to see.
    chair = f.UserFactory(username="terek_chair")
    f.member(f.PersonFactory(region=net.region, user=chair), net.terek, "chair")
    from people.services import sync_person_access

    sync_person_access(chair.person)
    page = login(chair).get(reverse("monitoring:campaigns") + "?coverage=2025").content.decode()
    section = page.split("Не охвачены мониторингом")[1]
    assert net.terek_rmo.name in section and net.baksan_rmo.name not in section


def test_the_list_takes_the_same_queries_for_10_and_400_units(net, mo_set, client, django_assert_max_num_queries):
    """001 §5.2 over a whole region: the list is bounded (first 300 and a count), queries do not grow."""
    client.force_login(net.users.reviewer)
    url = reverse("monitoring:campaigns") + "?coverage=2026"
    counts = []
    for size in (10, 400):
        grow(net, size)
        client.get(url)
        with django_assert_max_num_queries(25) as ctx:
            response = client.get(url)
        counts.append(len(ctx.captured_queries))
    assert counts[1] <= counts[0] + 1, counts  # + the count, asked only when the list is cut at 300
    assert "…и ещё" in response.content.decode()


def run(today, region=None):
    report = SweepReport(today)
    check_coverage(today, report, region=region)
    return report


def test_the_sweep_tells_the_region_once_after_the_year_ends(net, mo_set):
    """001 §5.2: from 15 January the past year is checked; the region's administrators and reviewers are told
    once — a second sweep, or a later day, tells nobody again."""
    make_campaign(mo_set, net.terek, year=2026, compute=True)
    run(D(2027, 1, 14))
    assert not CoverageNotice.objects.exists() and not Notification.objects.exists()
    report = run(D(2027, 1, 15))
    notice = CoverageNotice.objects.get()
    assert (notice.region, notice.year, notice.uncovered) == (net.region, 2026, 1)
    told = Notification.objects.filter(text__contains="не охвачены мониторингом")
    assert {n.user for n in told} >= {net.users.admin, net.users.reviewer}
    assert net.users.teacher not in {n.user for n in told}
    assert all(net.baksan_rmo.name in n.text and "п. 5.2" in n.text for n in told)
    assert any("2026" in line for line in report.lines)
    before = Notification.objects.count()
    run(D(2027, 1, 15))
    run(D(2027, 3, 1))
    assert Notification.objects.count() == before and CoverageNotice.objects.count() == 1


def test_the_sweep_of_one_region_checks_only_it(net, mo_set):
    """001 §5.2 per region: a region swept at its own local morning records only itself."""
    other = f.RegionFactory(code="bur", name="Республика Бурятия")
    make_set(other, ("assessment", "", {}))
    f.unit(other, net.kinds["rmo"], f.unit(other, net.kinds["rumo"], name="РУМО РБ"), name="РМО РБ")
    run(D(2027, 1, 20), region=other)
    assert list(CoverageNotice.objects.values_list("region_id", flat=True)) == [other.pk]
    run(D(2027, 1, 20))
    assert CoverageNotice.objects.count() == 2
