"""A reviewer opens the monitoring results, clicks a score and lands on the teachers behind it."""

import datetime

import pytest
from playwright.sync_api import expect

from growth.models import Route
from monitoring import services
from monitoring.models import MonitoringCampaign
from tests.conftest import PASSWORD
from tests.test_monitoring_rules import make_set, teachers

pytestmark = pytest.mark.django_db(transaction=True)


def test_reviewer_clicks_a_score_and_sees_the_records(net, live_server, page):
    indicator_set = make_set(net.region, ("routes", "routes", {}, {"short_name": "ИОМ"}))
    people = teachers(net.region, net.terek_rmo, 3)
    Route.objects.create(person=people[0], year=2026, goals="Функциональная грамотность")
    today = max(datetime.date.today(), datetime.date(2026, 1, 31))
    campaign = MonitoringCampaign.objects.create(
        region=net.region, indicator_set=indicator_set, year=2026, root=net.terek, title="Мониторинг РМО 2026"
    )
    services.compute(campaign.pk, today)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/monitoring/")
    page.get_by_role("link", name="Мониторинг РМО 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Мониторинг РМО 2026")

    row = page.get_by_role("row").filter(has_text=net.terek_rmo.name)
    row.locator("a.score").first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"ИОМ: {net.terek_rmo.name}")
    records = page.get_by_role("table")
    for person in people:
        expect(records).to_contain_text(person.full_name)
    expect(records).to_contain_text("ИОМ на 2026 год")
    expect(page.locator("main")).to_contain_text("Учтено: 1 из 5")
