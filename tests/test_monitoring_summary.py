"""Issue 14 at national size: the results page's score distribution and heat table are stored with the
computation (CampaignSummary) instead of being aggregated over every result on each view, and stay right
after a value entered by hand; the «not covered» block of the campaigns list takes the same queries for one
region as for three."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import services
from monitoring.models import CampaignSummary
from tests import factories as f

from .test_monitoring_pages import campaign, enter_data  # noqa: F401 (a fixture)
from .test_monitoring_rules import make_set, result_of


def bars(response):
    """The distribution as the page has it: indicator short name → counts of 2, 1, 0, н/д."""
    return {d["indicator"].short_name: [b["n"] for b in d["bars"]] for d in response.context["distribution"]}


def heat_rows(response):
    return {h["name"]: [v["avg"] for v in h["values"]] for h in response.context["heat"]}


def aggregate_queries(queries):
    return [q["sql"] for q in queries if "monitoring_result" in q["sql"] and "GROUP BY" in q["sql"]]


def test_the_page_reads_the_stored_summary_not_every_result(net, login, campaign):  # noqa: F811
    stored = CampaignSummary.objects.get(campaign=campaign).data
    assert stored == services.aggregate_summary(campaign)
    assert stored["scores"], "compute stores the distribution"
    client = login(net.users.reviewer)
    url = reverse("monitoring:campaign", args=[campaign.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert aggregate_queries(ctx.captured_queries) == []
    # ИОМ is computed for the РМО and the ШМО (2 rows); the hand-entered value has no score yet: н/д twice.
    assert bars(response)["Оценка компетенций"] == [0, 0, 0, 2]
    assert sum(bars(response)["ИОМ"]) == 2


def test_a_value_entered_by_hand_changes_the_distribution_and_the_heat_table(net, login, campaign):  # noqa: F811
    client = login(net.users.reviewer)
    url = reverse("monitoring:campaign", args=[campaign.pk])
    before = client.get(url)
    assert bars(before)["Оценка компетенций"] == [0, 0, 0, 2]
    manual = result_of(campaign, net.shmo, "assessment")
    response = client.post(reverse("monitoring:enter", args=[manual.pk]), enter_data())  # 7 of 10: 2 points
    assert response.status_code == 302
    after = client.get(url)
    assert bars(after)["Оценка компетенций"] == [1, 0, 0, 1]
    assessment = [i.code for i in after.context["indicators"]].index("assessment")
    assert [row[assessment] for row in heat_rows(after).values()] == [2.0]
    # Entered again lower (3 of 10: 0 points): the old score leaves the summary.
    client.post(reverse("monitoring:enter", args=[manual.pk]), enter_data(numerator="3"))
    again = client.get(url)
    assert bars(again)["Оценка компетенций"] == [0, 0, 1, 1]
    assert [row[assessment] for row in heat_rows(again).values()] == [0.0]
    # The other indicator's part is untouched, and the whole equals a fresh aggregation.
    assert bars(again)["ИОМ"] == bars(before)["ИОМ"]
    assert CampaignSummary.objects.get(campaign=campaign).data == services.aggregate_summary(campaign)


def test_a_campaign_computed_before_summaries_gets_one_on_its_first_view(net, login, campaign):  # noqa: F811
    stored = CampaignSummary.objects.get(campaign=campaign).data
    CampaignSummary.objects.filter(campaign=campaign).delete()
    client = login(net.users.reviewer)
    response = client.get(reverse("monitoring:campaign", args=[campaign.pk]))
    assert bars(response)["Оценка компетенций"] == [0, 0, 0, 2]
    assert CampaignSummary.objects.get(campaign=campaign).data == stored


def another_region(net, n):
    """A region with its РУМО, a МунУМО with an РМО, and an indicator set that assesses the МО."""
    region = f.RegionFactory(name=f"Регион {n}", code=f"extra{n}")
    rumo = f.unit(region, net.kinds["rumo"], name=f"РУМО {n}")
    munumo = f.unit(region, net.kinds["munumo"], rumo, name=f"МунУМО {n}")
    f.unit(region, net.kinds["rmo"], munumo, name=f"РМО {n}")
    make_set(region, ("assessment", "", {}))
    return region


def test_the_not_covered_block_takes_the_same_queries_for_one_region_and_three(
    net, login, django_assert_max_num_queries
):
    make_set(net.region, ("assessment", "", {}))
    client = login(net.users.superuser)
    url = reverse("monitoring:campaigns") + "?coverage=2026"

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        listing = [q["sql"] for q in ctx.captured_queries if "monitoring_row" in q["sql"] and "EXISTS" in q["sql"]]
        # The condition has a term per unit kind, not per region: as many OR for three regions as for one.
        return len(ctx.captured_queries), response.context["coverage"], listing[0].count(" OR ")

    one, listed, terms_one = count()
    assert listed["total"] == 3  # the РМО of Terek and Baksan and the ШМО
    another_region(net, 2)
    another_region(net, 3)
    three, listed, terms_three = count()
    assert {u.name for u in listed["units"]} >= {"РМО 2", "РМО 3"}
    assert listed["total"] == 5
    assert three == one, (one, three)
    assert terms_three == terms_one, (terms_one, terms_three)
    # No scan of the units for their regions.
    with django_assert_max_num_queries(one) as ctx:
        client.get(url)
    assert not [q["sql"] for q in ctx.captured_queries if 'DISTINCT "orgunits_orgunit"."region_id"' in q["sql"]]
