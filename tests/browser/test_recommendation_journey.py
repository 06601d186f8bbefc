"""001 §5.2 in the browser: the reviewer sees who was not monitored in a year and, on the campaign's page,
whether each unit's recommendations were taken into its next plan; the secretary links a plan item to the
recommendation in the plan editor."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from monitoring import services
from monitoring.models import MonitoringCampaign, Recommendation, Row
from plans.models import PlanItem
from tests import documents as d
from tests.test_monitoring_rules import make_set

from .test_report_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.path.join("test-artifacts", "recommendations")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_recommendation_goes_into_the_next_plan(net, live_server, browser):
    indicator_set = make_set(net.region, ("assessment", "", {}), mo_kinds=("munumo", "rmo"))
    campaign = MonitoringCampaign.objects.create(
        region=net.region, indicator_set=indicator_set, year=2025, root=net.terek, title="Мониторинг Терека 2025"
    )
    services.compute(campaign.pk, datetime.date(2025, 12, 31))
    Recommendation.objects.create(
        row=Row.objects.get(campaign=campaign, unit=net.terek),
        text="Разработать индивидуальные образовательные маршруты для педагогов без ИОМ.",
        author=net.users.reviewer,
    )
    MonitoringCampaign.objects.filter(pk=campaign.pk).update(state=MonitoringCampaign.State.CLOSED)
    plan = d.plan(net, net.terek, 2026)

    secretary = log_in(browser, live_server, "secretary")
    secretary.goto(f"{live_server.url}/submissions/{plan.pk}/plan/")
    secretary.get_by_label("Направление").select_option(label="Сопровождение молодых специалистов")
    secretary.get_by_label("Мероприятие").fill("Разработка ИОМ молодых педагогов")
    secretary.get_by_label("Форма").select_option(label="консультация")
    secretary.get_by_label("Срок").select_option(label="в течение года")
    secretary.get_by_label("Ответственные").fill("Петрова А. В.")
    secretary.get_by_label("Во исполнение рекомендации мониторинга").select_option(index=1)
    shot(secretary, "1-plan-editor")
    secretary.get_by_role("button", name="Добавить пункт").click()
    expect(secretary.locator("#items")).to_contain_text("во исполнение рекомендации мониторинга за 2025 год")
    shot(secretary, "2-plan-item")
    assert PlanItem.objects.get(submission=plan).recommendation is not None

    reviewer = log_in(browser, live_server, "reviewer")
    reviewer.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    section = reviewer.locator("#recommendations")
    expect(section).to_contain_text("учтена в плане")
    shot(reviewer, "3-campaign")
    reviewer.goto(f"{live_server.url}/monitoring/?coverage=2025")
    expect(reviewer.locator("#coverage")).to_contain_text(net.baksan_rmo.name)
    shot(reviewer, "4-coverage")
