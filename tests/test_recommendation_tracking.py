"""001 §5.2: «По результатам мониторинга осуществляется анализ, разрабатываются адресные рекомендации» — the
recommendations of the last campaign are tracked to their execution in the unit's next plan: a plan item
names the recommendation it carries out, and the campaign page shows per unit whether its recommendations
were taken into the next plan («учтена в плане» / «не учтена» / «следующий план ещё не представлен»)."""

import pytest
from django.urls import reverse

from monitoring import tracking
from monitoring.models import MonitoringCampaign, Recommendation, Row
from plans.models import PlanItem

from . import documents as d
from .test_monitoring_rules import make_campaign, make_set


@pytest.fixture
def mo_set(net):
    """The МунУМО are assessed as МО here, so the Terek МунУМО — which files plans — gets a row."""
    return make_set(net.region, ("assessment", "", {}), mo_kinds=("munumo", "rmo"))


def recommend(campaign, unit, text, by, closed=True):
    row = Row.objects.get(campaign=campaign, unit=unit)
    rec = Recommendation.objects.create(row=row, text=text, author=by)
    if closed:
        MonitoringCampaign.objects.filter(pk=campaign.pk).update(state=MonitoringCampaign.State.CLOSED)
    return rec


@pytest.fixture
def last(net, mo_set):
    """The Terek recommendations of the closed 2025 campaign (the one a 2026/27 plan carries out)."""
    campaign = make_campaign(mo_set, net.cnppm, year=2025, compute=True)
    return recommend(campaign, net.terek, "Разработать ИОМ для педагогов без маршрута.", net.users.reviewer)


def test_the_editor_offers_the_recommendations_of_the_units_last_closed_campaign(net, mo_set, last):
    """001 §5.2: a plan carries out the latest analysis — not an older year, not an open campaign, not
    another unit's."""
    older = make_campaign(mo_set, net.terek, year=2024, compute=True)
    recommend(older, net.terek, "Старые рекомендации.", net.users.reviewer)
    open_one = make_campaign(make_set(net.region, ("a2", "", {}), mo_kinds=("munumo",)), net.terek, year=2026)
    recommend(open_one, net.terek, "Рекомендации открытой кампании.", net.users.reviewer, closed=False)
    plan = d.plan(net, net.terek, 2026)
    assert list(tracking.recommendations_for_plan(plan)) == [last]
    # A plan of the academic year 2024/25 was written before the 2025 results: it may carry out 2024's only.
    assert [r.row.campaign.year for r in tracking.recommendations_for_plan(d.plan(net, net.terek, 2024))] == [2024]


def test_a_plan_item_is_linked_to_a_recommendation_in_the_editor(net, last, login):
    """001 §5.2: the item «во исполнение рекомендации» — saved from the plan editor, shown in the plan."""
    plan = d.plan(net, net.terek, 2026)
    client = login(net.users.secretary)
    page = client.get(reverse("plans:edit", args=[plan.pk])).content.decode()
    assert "Мониторинг за 2025 год: Разработать ИОМ" in page
    response = client.post(reverse("plans:edit", args=[plan.pk]), d.item_data(plan, recommendation=last.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    item = PlanItem.objects.get(submission=plan)
    assert item.recommendation == last
    page = client.get(reverse("plans:edit", args=[plan.pk])).content.decode()
    assert "во исполнение рекомендации мониторинга за 2025 год" in page


def test_the_editor_refuses_a_recommendation_of_another_unit(net, mo_set, last, login):
    """001 §5.2 «адресные»: a recommendation is addressed to one unit; another unit's plan cannot claim it."""
    baksan = Recommendation.objects.create(
        row=Row.objects.get(campaign=last.row.campaign, unit=net.baksan), text="Баксану.", author=net.users.reviewer
    )
    plan = d.plan(net, net.terek, 2026)
    response = login(net.users.secretary).post(
        reverse("plans:edit", args=[plan.pk]), d.item_data(plan, recommendation=baksan.pk)
    )
    assert response.status_code == 200
    assert "последнего мониторинга подразделения" in response.content.decode()
    assert not PlanItem.objects.filter(submission=plan).exists()


def statuses(campaign):
    return {t.recommendation.row.unit_id: t.status for t in tracking.tracking(campaign)}


def test_status_taken_not_taken_or_waiting(net, last):
    """001 §5.2 tracked: linked → «учтена в плане»; next plan sent without it → «не учтена»; no plan yet →
    «следующий план ещё не представлен»."""
    campaign = last.row.campaign
    baksan = Recommendation.objects.create(
        row=Row.objects.get(campaign=campaign, unit=net.baksan), text="Провести семинар.", author=net.users.reviewer
    )
    assert statuses(campaign) == {net.terek.pk: "waiting", net.baksan.pk: "waiting"}
    baksan_plan = d.plan(net, net.baksan, 2026)
    d.item(baksan_plan, recommendation=baksan)
    terek_plan = d.plan(net, net.terek, 2026)
    d.item(terek_plan)
    assert statuses(campaign)[net.terek.pk] == "waiting"  # a draft may still take it
    d.submit(terek_plan, net)
    assert statuses(campaign) == {net.terek.pk: "not_taken", net.baksan.pk: "taken"}
    assert last.plan_items.count() == 0


def test_the_campaign_page_shows_per_unit_whether_the_plan_took_them(net, last, login):
    """001 §5.2 on the campaign's page: each unit's recommendations and the plan that carries them out."""
    plan = d.plan(net, net.terek, 2026)
    d.item(plan, recommendation=last)
    page = login(net.users.reviewer).get(last.row.campaign.get_absolute_url()).content.decode()
    section = page.split("Исполнение рекомендаций в следующем плане")[1]
    assert "учтена в плане" in section and plan.get_absolute_url() in section


def test_the_tracking_takes_the_same_queries_for_2_and_40_recommendations(net, mo_set, django_assert_num_queries):
    """001 §5.2 over a whole network: three queries, whatever the number of units."""
    from .test_monitoring_pages import grow

    grow(net, 40)
    campaign = make_campaign(mo_set, net.cnppm, year=2025, compute=True)
    rows = list(Row.objects.filter(campaign=campaign, unit__isnull=False))
    for row in rows[:2]:
        Recommendation.objects.create(row=row, text="Р.", author=net.users.reviewer)
    with django_assert_num_queries(3):
        assert len(tracking.tracking(campaign)) == 2
    for row in rows[2:]:
        Recommendation.objects.create(row=row, text="Р.", author=net.users.reviewer)
    with django_assert_num_queries(3):
        assert len(tracking.tracking(campaign)) == len(rows) >= 40
