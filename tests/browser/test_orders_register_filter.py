"""The orders register of a large network (issue 14): the unit filter is words of the unit's name, not a list
of every unit; a unit opened by a link stays chosen and is named. Screenshots go to test-artifacts/orders/."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from orders import services
from orders import views as order_views
from orders.models import OrderTemplate
from tests.browser.session import open_logged_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.path.join("test-artifacts", "orders")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_a_national_register_filters_by_words_of_the_unit_name(net, live_server, browser, monkeypatch):
    monkeypatch.setattr(order_views, "UNIT_OPTIONS_LIMIT", 1)  # two units with orders are «many» here
    services.create_order(
        net.terek, OrderTemplate.FREE, datetime.date(2026, 3, 1), None, heading="О проведении семинара"
    )
    services.create_order(
        net.baksan, OrderTemplate.FREE, datetime.date(2026, 4, 1), None, heading="Об утверждении состава жюри"
    )
    _, page = open_logged_in(browser, live_server.url, "admin", PASSWORD, width=1280)
    page.goto(f"{live_server.url}/orders/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Приказы")
    expect(page.locator("select[name=unit]")).to_have_count(0)
    unit_words = page.get_by_label("Подразделение: слова названия")
    expect(unit_words).to_be_visible()
    expect(page.get_by_role("link", name="О проведении семинара")).to_be_visible()
    shot(page, "01-register.png")

    unit_words.fill("баксанское")
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_role("link", name="Об утверждении состава жюри")).to_be_visible()
    expect(page.get_by_role("link", name="О проведении семинара")).to_have_count(0)
    expect(unit_words).to_have_value("баксанское")
    shot(page, "02-by-unit-words.png")

    page.get_by_role("link", name="сбросить").click()
    page.goto(f"{live_server.url}/orders/?unit={net.terek.pk}")
    expect(page.get_by_role("link", name="О проведении семинара")).to_be_visible()
    expect(page.get_by_role("link", name="Об утверждении состава жюри")).to_have_count(0)
    expect(page.locator("main, body").get_by_text("Подразделение:", exact=False).first).to_be_visible()
    # The status filter keeps the unit chosen by the link (a hidden field of the same form).
    page.get_by_label("Статус").select_option("draft")
    page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(f"{live_server.url}/orders/?unit={net.terek.pk}&q=&unit_q=&year=&status=draft")
    expect(page.get_by_role("link", name="О проведении семинара")).to_be_visible()
    expect(page.get_by_role("link", name="Об утверждении состава жюри")).to_have_count(0)
    shot(page, "03-unit-by-link.png")
