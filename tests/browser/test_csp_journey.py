"""Under the strict Content-Security-Policy the pages still work in a real browser: a delete button asks
first (static/js/metodset.js, no inline handler), htmx loads the tree, and Chromium refuses nothing."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from plans.models import PlanItem
from tests import documents as d
from tests.conftest import PASSWORD

from .conftest import watch_csp

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_work_and_nothing_is_refused_under_the_policy(net, live_server, page):
    plan = d.plan(net)
    d.item(plan, activity="Первый семинар")
    d.item(plan, activity="Второй семинар")
    refused = watch_csp(page)  # the `page` fixture checks too; here the journey says so itself

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Здравствуйте")

    # The question comes from the static script; "Отмена" sends nothing.
    response = page.goto(live_server.url + reverse("plans:edit", args=[plan.pk]))
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="удалить").first.click()
    page.wait_for_timeout(300)
    assert asked == ["Удалить пункт плана?"]
    assert PlanItem.objects.filter(submission=plan).count() == 2

    # "OK" deletes the item.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="удалить").first.click()
    expect(page.get_by_role("button", name="удалить")).to_have_count(1)
    assert PlanItem.objects.filter(submission=plan).count() == 1

    # htmx (a static file of the portal) still loads a branch of the tree when it is opened.
    page.goto(f"{live_server.url}/tree/")
    branch = page.locator(f"li[data-unit='{net.terek.pk}']")
    expect(branch).not_to_contain_text(net.terek_rmo.name)
    branch.locator("> .node-row .kind").click()  # a click anywhere on the row opens the node
    expect(branch).to_contain_text(net.terek_rmo.name)

    # The styles are the portal's stylesheet: the top bar is laid out, not bare markup.
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") != "inline"
    assert refused == []
