"""An anonymous visitor reads the open portal of a region (issue 13, «Done means»; 001 §1.3, гласность).

The region's administrator ticks «согласованные планы работы» and «календарь заседаний и мероприятий» in
the region settings; then a visitor who never logs in opens /open/kbr/, sees the sections the region
publishes (and not the others), the list of plans with the approved plan of the Terek МунУМО and not the
Baksan draft, reads the plan, and opens the calendar with a meeting. Screenshots go to
test-artifacts/public/.
"""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orgunits.models import Region
from submissions.models import State, Submission
from tests import documents as d
from tests import meetings_helpers as mh
from tests.test_public_pages import approved_plan

from .test_report_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.path.join("test-artifacts", "public")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_anonymous_visitor_reads_the_published_plan_and_calendar(net, live_server, browser):
    approved_plan(net, activity="Семинар «Функциональная грамотность на уроках математики»")
    draft = Submission.objects.create(campaign=d.campaign(net), unit=net.baksan, state=State.DRAFT)
    d.item(draft, activity="Черновой пункт Баксанского плана")
    today = timezone.localdate()
    mh.new_meeting(net, day=today + datetime.timedelta(days=3), time=datetime.time(15, 0))

    # The region's administrator publishes plans and the calendar.
    admin = log_in(browser, live_server, "admin")
    admin.goto(f"{live_server.url}/regions/{net.region.pk}/settings/")
    admin.get_by_label("согласованные планы работы").check()
    admin.get_by_label("календарь заседаний и мероприятий").check()
    admin.get_by_role("button", name="Сохранить").click()
    expect(admin.locator(".msg").first).to_be_visible()
    assert sorted(Region.objects.get(pk=net.region.pk).published) == ["calendar", "plans"]
    admin.context.close()

    # A visitor who never logs in.
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/open/kbr/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Кабардино-Балкарская Республика")
    nav = page.get_by_role("navigation", name="Разделы открытых данных")
    expect(nav.get_by_role("link", name="Планы работы")).to_be_visible()
    expect(nav.get_by_role("link", name="Календарь")).to_be_visible()
    expect(nav.get_by_role("link", name="Приказы")).to_have_count(0)
    expect(page.get_by_role("button", name="Меню")).to_have_count(0)  # no portal menu for a visitor
    shot(page, "01-region")

    nav.get_by_role("link", name="Планы работы").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Планы работы")
    table = page.locator("table")
    expect(table).to_contain_text(net.terek.name)
    expect(table).not_to_contain_text(net.baksan.name)
    shot(page, "02-plans")

    page.get_by_role("link", name="План работы 2026/2027").click()
    expect(page.locator("main")).to_contain_text("Функциональная грамотность на уроках математики")
    expect(page.locator("main")).not_to_contain_text("Черновой пункт")
    shot(page, "03-plan")

    # The draft answers 404 even by its address.
    response = page.goto(f"{live_server.url}/open/kbr/documents/{draft.pk}/")
    assert response.status == 404

    page.goto(f"{live_server.url}/open/kbr/")
    page.get_by_role("navigation", name="Разделы открытых данных").get_by_role("link", name="Календарь").click()
    expect(page.locator("main")).to_contain_text("Заседание")
    shot(page, "04-calendar")
    context.close()
