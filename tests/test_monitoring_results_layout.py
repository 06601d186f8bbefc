"""The monitoring results fit the page and read at a glance: place and total first, the name column
fixed, every column sortable on the server (across pages), each indicator's scoring rule in its
header, a chart of the totals (issue 12)."""

import datetime
import re

import pytest
from django.urls import reverse

from monitoring import views
from monitoring.models import MonitoringCampaign, Result, Row, Scoring
from tests import factories as f

from .test_monitoring_rules import YEAR, make_campaign, make_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(net):
    """Three МО of the Terek МунУМО with totals 3, 1, 4 set by hand; «ИОМ» by percent, «Конкурсы» by places."""
    f.unit(net.region, net.kinds["rmo"], net.terek, name="РМО учителей физики Терского района")
    indicator_set = make_set(
        net.region,
        ("routes", "routes", {}, {"short_name": "ИОМ", "high": 75, "mid": "42.5"}),
        ("places", "places", {}, {"short_name": "Конкурсы", "scoring": Scoring.PLACES}),
    )
    campaign = make_campaign(indicator_set, net.terek, today=datetime.date.today())
    for label, total, routes in (("ШМО", 3, 2), ("математики", 1, 0), ("физики", 4, 1)):
        row = Row.objects.get(campaign=campaign, label__contains=label)
        Row.objects.filter(pk=row.pk).update(total=total, scored=2)
        Result.objects.filter(row=row, indicator__code="routes").update(score=routes)
    return campaign


def labels_in_order(client, campaign, sort=None):
    url = reverse("monitoring:campaign", args=[campaign.pk]) + (f"?sort={sort}" if sort else "")
    return [row.label for row in client.get(url).context["rows"]]


def short(labels):
    return [("ШМО" if "ШМО" in s else "физики" if "физики" in s else "математики") for s in labels]


def test_by_default_the_first_place_comes_first(net, client, campaign):
    client.force_login(net.users.reviewer)
    assert short(labels_in_order(client, campaign)) == ["физики", "ШМО", "математики"]


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("total", ["математики", "ШМО", "физики"]),
        ("-total", ["физики", "ШМО", "математики"]),
        ("-rank", ["математики", "ШМО", "физики"]),
        ("label", ["математики", "физики", "ШМО"]),
        ("-label", ["ШМО", "физики", "математики"]),
    ],
)
def test_columns_sort_on_the_server(net, client, campaign, sort, expected):
    client.force_login(net.users.reviewer)
    assert short(labels_in_order(client, campaign, sort)) == expected


def test_an_indicator_column_sorts_by_its_score(net, client, campaign):
    client.force_login(net.users.reviewer)
    routes = campaign.indicator_set.indicators.get(code="routes")
    assert short(labels_in_order(client, campaign, f"-i{routes.pk}")) == ["ШМО", "физики", "математики"]
    assert short(labels_in_order(client, campaign, f"i{routes.pk}")) == ["математики", "физики", "ШМО"]


def test_sorting_happens_before_the_page_is_cut(net, client, campaign, monkeypatch):
    monkeypatch.setattr(views, "ROWS_PER_PAGE", 1)
    client.force_login(net.users.reviewer)
    assert short(labels_in_order(client, campaign, "total")) == ["математики"]
    assert short(labels_in_order(client, campaign, "-total")) == ["физики"]


def test_an_unknown_sort_falls_back_to_the_place(net, client, campaign):
    client.force_login(net.users.reviewer)
    for bad in ("i999999", "password", "-"):
        assert short(labels_in_order(client, campaign, bad)) == ["физики", "ШМО", "математики"]


def test_the_current_column_says_how_it_is_sorted(net, client, campaign):
    client.force_login(net.users.reviewer)
    page = client.get(reverse("monitoring:campaign", args=[campaign.pk]) + "?sort=-total").content.decode()
    assert re.search(r'class="total" aria-sort="descending"><a href="\?sort=total"', page)
    assert page.count("aria-sort=") == 1


def test_place_name_and_total_come_first(net, client, campaign):
    client.force_login(net.users.reviewer)
    page = client.get(reverse("monitoring:campaign", args=[campaign.pk])).content.decode()
    head = page.split('<table class="table mon-table mon-results">', 1)[1].split("</thead>", 1)[0]
    positions = [head.index(word) for word in ("Место", "Подразделение", "Сумма", "ИОМ", "Конкурсы")]
    assert positions == sorted(positions)
    assert 'class="place sticky-1"' in head and 'class="unit sticky-2"' in head


def test_each_indicator_header_states_its_scoring_rule(net, client, campaign):
    client.force_login(net.users.reviewer)
    page = client.get(reverse("monitoring:campaign", args=[campaign.pk])).content.decode()
    assert "по порогам: от 75 % — 2, от 42,5 % — 1, ниже — 0" in page
    assert "по местам: призовое (1–3) — 2, участие — 1, нет — 0" in page


def test_the_chart_of_totals_is_an_svg_with_a_bar_per_unit(net, client, campaign):
    client.force_login(net.users.reviewer)
    response = client.get(reverse("monitoring:campaign", args=[campaign.pk]))
    chart = response.context["chart"]
    assert [b["total"] for b in chart["bars"]] == [4, 3, 1]
    # a bar's length is the share of the largest possible sum (2 × 2 indicators = 4)
    assert [b["width"] for b in chart["bars"]] == ["100.00", "75.00", "25.00"]
    page = response.content.decode()
    assert page.count('<rect class="fill"') == 3 and 'width="75.00"' in page


def test_the_results_page_queries_stay_bounded_when_sorted(net, client, campaign, django_assert_max_num_queries):
    client.force_login(net.users.reviewer)
    routes = campaign.indicator_set.indicators.get(code="routes")
    for sort in ("-total", "label", f"i{routes.pk}", "change"):
        url = reverse("monitoring:campaign", args=[campaign.pk]) + f"?sort={sort}"
        client.get(url)
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200


def test_change_sorts_against_last_year(net, client, campaign):
    last = MonitoringCampaign.objects.create(
        region=net.region, indicator_set=campaign.indicator_set, year=YEAR - 1, root=net.terek
    )
    for row in campaign.rows.all():
        Row.objects.create(
            campaign=last,
            assessed=row.assessed,
            unit=row.unit,
            school=row.school,
            guard=row.guard,
            label=row.label,
            total=2,
        )
    client.force_login(net.users.reviewer)
    # changes: физики +2, ШМО +1, математики −1
    assert short(labels_in_order(client, campaign, "-change")) == ["физики", "ШМО", "математики"]
    assert short(labels_in_order(client, campaign, "change")) == ["математики", "ШМО", "физики"]
