"""Each demo role logs in and lands on «Мои задачи»: what waits for them, grouped, each with its button —
on a desktop (1366 px) and a phone (390 px). Screenshots go to test-artifacts/home/."""

import os
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.axe import axe_source, describe, violations
from tests.browser.session import open_logged_in

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "metodset-demo"
SHOTS = os.path.join("test-artifacts", "home")

# What each role must see among the headings of «Мои задачи» on the demo network.
EXPECTED = {
    "secretary": ["Представить документы", "Подтвердить протоколы"],
    "chair": ["Представить документы", "Подтвердить протоколы"],
    "reviewer": ["Согласовать документы", "Написать заключение эксперта"],
    "admin": ["Согласовать документы"],
    "teacher": ["Просроченные шаги ИОМ"],
}


def log_in(browser, base_url, username, width, height):
    return open_logged_in(browser, base_url, username, DEMO_PASSWORD, width=width, height=height)


def group_headings(page) -> list[str]:
    return [re.sub(r"\s+\d+$", "", h.strip()) for h in page.locator(".wl-group h3").all_inner_texts()]


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_every_role_starts_with_its_tasks(live_server, browser):
    call_command("load_demo_network", "--date", timezone.localdate().isoformat())
    os.makedirs(SHOTS, exist_ok=True)
    axe, found = axe_source(), []
    for username, expected in EXPECTED.items():
        for width, height in ((1366, 900), (390, 844)):
            context, page = log_in(browser, live_server.url, username, width, height)
            tasks = page.get_by_role("region", name="Мои задачи")
            expect(tasks.get_by_role("heading", name="Мои задачи", level=2)).to_be_visible()
            headings = group_headings(page)
            for group in expected:
                assert group in headings, (username, width, headings)
            # Every task has its button; the units and roles follow the tasks.
            assert page.locator(".wl-task").count() == page.locator(".wl-action :is(a, button)").count() > 0
            expect(page.get_by_role("heading", name="Мои подразделения")).to_be_visible()
            assert fits_the_width(page), (username, width)
            page.screenshot(path=os.path.join(SHOTS, f"{username}-{width}.png"), full_page=True)
            found.append(describe(f"главная {username}, {width} px", violations(page, axe)))
            if width == 1366:
                for name, path in (("входящие", "/inbox/"), ("уведомления", "/notifications/")):
                    page.goto(f"{live_server.url}{path}")
                    found.append(describe(f"{name} {username}", violations(page, axe)))
            context.close()
    report = "\n".join(text for text in found if text)
    assert not report, report


def test_the_secretary_starts_a_report_from_the_home_page(live_server, browser):
    call_command("load_demo_network", "--date", timezone.localdate().isoformat())
    context, page = log_in(browser, live_server.url, "secretary", 1366, 900)
    group = page.locator(".wl-group").filter(has=page.get_by_role("heading", name=re.compile("Представить документы")))
    task = group.locator(".wl-task").first
    expect(task).to_contain_text("Годовой отчёт 2026")
    expect(task).to_contain_text(re.compile(r"срок \d\d\.\d\d\.\d{4}, осталось \d+ дн\."))
    task.get_by_role("button", name="Начать").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("отчёт", ignore_case=True)
    page.goto(f"{live_server.url}/")
    task = page.locator(".wl-task").filter(has_text="Годовой отчёт 2026").first
    expect(task).to_contain_text("черновик начат")
    expect(task.get_by_role("link", name="Продолжить")).to_be_visible()
    # The reviewer's decisions are in «Входящие», one table for every app.
    context.close()
    context, page = log_in(browser, live_server.url, "reviewer", 1366, 900)
    page.get_by_role("link", name=re.compile("Входящие: ждут вашего решения")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Входящие")
    rows = page.locator("table.wl-inbox tbody tr")
    assert rows.count() >= 2
    expect(rows.first).to_contain_text(re.compile(r"\d+ дн\."))
    page.screenshot(path=os.path.join(SHOTS, "reviewer-inbox-1366.png"), full_page=True)
    context.close()
