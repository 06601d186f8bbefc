"""Pages that read at a glance (issue 12): the administrator opens a unit page and switches its tabs,
moves a unit after reading what changes, opens the monitoring results and sorts a column; at 1366
and 390 px, with axe finding nothing critical or serious on the pages."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from meetings.models import Meeting
from monitoring import services
from monitoring.models import MonitoringCampaign, Row
from tests.browser.axe import axe_source, describe, violations
from tests.browser.session import submit_login
from tests.conftest import PASSWORD
from tests.test_monitoring_rules import make_set, teachers

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.path.join("test-artifacts", "glance")
WIDTHS = (1366, 390)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def log_in(page, live_server, username):
    submit_login(page, live_server.url, username, PASSWORD)


def check_axe(page, name, source, problems):
    found = violations(page, source)
    if found:
        problems.append(describe(name, found))


@pytest.mark.parametrize("width", WIDTHS)
def test_admin_reads_a_unit_moves_one_and_sorts_the_monitoring(net, live_server, page, width):
    source = axe_source()
    problems: list[str] = []
    page.set_viewport_size({"width": width, "height": 900})
    Meeting.objects.create(unit=net.terek, year=2026, number=1, date=datetime.date(2026, 10, 1), title="Установочное")
    kinds = net.kinds
    kinds["munumo"].approves_documents = ["plan"]
    kinds["munumo"].save()
    indicator_set = make_set(net.region, ("routes", "routes", {}, {"short_name": "ИОМ"}))
    teachers(net.region, net.terek_rmo, 3)
    campaign = MonitoringCampaign.objects.create(
        region=net.region, indicator_set=indicator_set, year=2026, root=net.cnppm, title="Мониторинг МО 2026"
    )
    services.compute(campaign.pk, max(datetime.date.today(), datetime.date(2026, 1, 31)))

    log_in(page, live_server, "admin")

    # The unit page: tabs with counts, the overview first; a tab is a link and says it is current.
    page.goto(f"{live_server.url}/units/{net.terek.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(net.terek.name)
    tabs = page.get_by_role("navigation", name="Разделы подразделения")
    expect(tabs.get_by_role("link", name="Обзор")).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="Заседания 1")).to_be_visible()
    check_axe(page, "unit overview", source, problems)
    shot(page, f"unit-overview-{width}.png")
    tabs.get_by_role("link", name="Заседания 1").click()
    expect(
        page.get_by_role("navigation", name="Разделы подразделения").get_by_role("link", name="Заседания 1")
    ).to_have_attribute("aria-current", "page")
    expect(page.locator("main")).to_contain_text("Установочное")
    page.get_by_role("navigation", name="Разделы подразделения").get_by_role("link", name="Состав 2").click()
    expect(page.get_by_role("heading", name="Действующий состав")).to_be_visible()
    check_axe(page, "unit members tab", source, problems)
    shot(page, f"unit-members-{width}.png")

    # Moving the РМО: first what changes, then «Переместить».
    page.goto(f"{live_server.url}/units/{net.terek_rmo.pk}/")
    page.get_by_role("link", name="Перенести").click()
    page.get_by_label("Новое вышестоящее подразделение").select_option(label=str(net.baksan))
    page.get_by_role("button", name="Далее: что изменится").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("в «Баксанское МунУМО»")
    changes = page.locator("main")
    expect(changes).to_contain_text("Кто согласует документы подразделения")
    expect(changes.get_by_role("row").filter(has_text="План работы")).to_contain_text("Баксанское МунУМО")
    expect(changes).to_contain_text("Перестанут действовать")
    check_axe(page, "move confirmation", source, problems)
    shot(page, f"move-confirm-{width}.png")
    page.get_by_role("button", name="Переместить").click()
    expect(page.locator("main")).to_contain_text("перенесено в «Баксанское МунУМО»")
    net.terek_rmo.refresh_from_db()
    assert net.terek_rmo.parent_id == net.baksan.pk

    # The monitoring results: sort by the sum, lowest first, then back.
    Row.objects.filter(campaign=campaign, unit=net.baksan_rmo).update(total=1)
    page.goto(f"{live_server.url}/monitoring/{campaign.pk}/")
    table = page.locator("table.mon-results")
    expect(table.locator("thead")).to_contain_text("по порогам: от 70 % — 2")
    page.get_by_role("link", name="Сумма").click()
    expect(table.locator("th[aria-sort]")).to_contain_text("Сумма")
    sums_desc = [int(t.split()[0]) for t in table.locator("tbody td.total").all_inner_texts()]
    assert sums_desc == sorted(sums_desc, reverse=True)
    table.get_by_role("link", name="Сумма").click()
    expect(table.locator("th[aria-sort=ascending]")).to_contain_text("Сумма")
    sums_asc = [int(t.split()[0]) for t in table.locator("tbody td.total").all_inner_texts()]
    assert sums_asc == sorted(sums_asc)
    expect(page.get_by_role("heading", name="Сумма баллов по подразделениям")).to_be_visible()
    check_axe(page, "monitoring results", source, problems)
    shot(page, f"monitoring-sorted-{width}.png")
    assert problems == [], "\n".join(problems)
