"""axe-core on the main pages of the demo, each opened by the user who works there: no «critical» or
«serious» violation (issue 12, «Everyone can use it»)."""

import datetime

import pytest

from demo.orgunits import DEMO_PASSWORD, load_demo
from monitoring.models import MonitoringCampaign
from orgunits.models import OrgUnit
from submissions.models import Campaign, Submission
from tests.browser.axe import axe_source, describe, violations
from tests.browser.session import open_logged_in

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_DAY = datetime.date(2026, 11, 24)


def log_in(browser, live_server, username, width=1366):
    return open_logged_in(browser, live_server.url, username, DEMO_PASSWORD, width=width, timeout=20_000)[1]


def pages_to_check():
    """(user, name, path) of the pages every role lives in."""
    # The demo secretary's МунУМО (Terek): its documents, its campaign.
    terek = OrgUnit.objects.get(memberships__person__user__username="secretary", memberships__role="secretary")
    campaign = Campaign.objects.filter(submissions__unit__tree_id=terek.tree_id).order_by("-pk").first()
    submission = (
        Submission.objects.filter(unit__tree_id=terek.tree_id, unit__lft__gte=terek.lft, unit__rght__lte=terek.rght)
        .order_by("-pk")
        .first()
    )
    report = (
        Submission.objects.filter(unit=terek, campaign__document_type="report", state__in=["draft", "returned"])
        .order_by("-pk")
        .first()
    )
    monitoring = MonitoringCampaign.objects.order_by("-pk").first()
    pages = [
        ("teacher", "главная учителя", "/"),
        ("teacher", "портфолио", None),  # filled below: the teacher's own
        ("teacher", "банк практик", "/practices/"),
        ("teacher", "уведомления", "/notifications/"),
        ("methodist", "главная методиста", "/"),
        ("methodist", "дерево сети", "/tree/"),
        ("methodist", "страница подразделения", terek.get_absolute_url()),
        ("methodist", "педагоги", "/people/"),
        ("methodist", "мероприятия", "/events/"),
        ("secretary", "кампании", "/campaigns/"),
        ("secretary", "приказы", "/orders/"),
        ("reviewer", "входящие", "/inbox/"),
        ("reviewer", "экспертиза", "/practices/expertise/"),
        ("admin", "реестры", "/registers/"),
        ("admin", "мониторинг", "/monitoring/"),
    ]
    if campaign is not None:
        pages.append(("methodist", "сводка кампании", f"/campaigns/{campaign.pk}/"))
    if submission is not None:
        pages.append(("methodist", "документ", f"/submissions/{submission.pk}/"))
    if report is not None:
        pages.append(("secretary", "редактор отчёта", f"/submissions/{report.pk}/report/"))
    if monitoring is not None:
        pages.append(("reviewer_rb", "результаты мониторинга", f"/monitoring/{monitoring.pk}/"))
    return pages


def test_main_pages_have_no_serious_accessibility_violation(live_server, browser):
    load_demo(DEMO_DAY)
    from people.models import Person

    teacher = Person.objects.get(user__username="teacher")
    source = axe_source()
    found = []
    checked = []

    # The login page, as anybody sees it.
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
    anonymous = context.new_page()
    anonymous.goto(f"{live_server.url}/accounts/login/")
    found.append(describe("вход", violations(anonymous, source)))
    checked.append("вход")
    context.close()

    pages = {}
    for username, name, path in pages_to_check():
        if path is None:
            path = f"/people/{teacher.pk}/portfolio/"
        if username not in pages:
            pages[username] = log_in(browser, live_server, username)
        page = pages[username]
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, f"{name}: {path} → {response and response.status}"
        found.append(describe(name, violations(page, source)))
        checked.append(name)

    # The tree with a node opened (its children loaded by htmx).
    page = pages["methodist"]
    page.goto(f"{live_server.url}/tree/")
    toggle = page.locator(".node-toggle").first
    toggle.click()
    page.locator(".children:not([hidden]) .node").first.wait_for()
    found.append(describe("дерево, раскрытый узел", violations(page, source)))
    for page in pages.values():
        page.context.close()

    # On a phone (390 px): the pages where tables scroll sideways and the open menu.
    phone = log_in(browser, live_server, "methodist", width=390)
    phone_pages = [("телефон: главная", "/"), ("телефон: педагоги", "/people/"), ("телефон: дерево", "/tree/")]
    phone_pages += [(f"телефон: {name}", path) for user, name, path in pages_to_check() if name == "сводка кампании"]
    for name, path in phone_pages:
        phone.goto(f"{live_server.url}{path}")
        found.append(describe(name, violations(phone, source)))
        checked.append(name)
    phone.get_by_role("button", name="Меню").click()
    found.append(describe("телефон: открытое меню", violations(phone, source)))
    phone.context.close()

    report = "\n".join(text for text in found if text)
    assert not report, f"Проверено страниц: {len(checked)}\n{report}"
