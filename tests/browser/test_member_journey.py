"""A municipal methodist logs in, expands the tree, opens a subject MO and adds a member."""

import re

import pytest
from playwright.sync_api import expect

from people.models import Membership
from tests import factories as f
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_methodist_adds_member_through_the_tree(net, live_server, page):
    newcomer = f.PersonFactory(
        region=net.region, school=net.school, last_name="Новикова", first_name="Алина", middle_name="Руслановна"
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "methodist")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Здравствуйте")

    page.get_by_role("link", name="Сеть", exact=True).click()
    terek = page.locator(f"li[data-unit='{net.terek.pk}'] > .node-row")
    terek.locator(".counts").click()  # a click anywhere on the row opens the node
    rmo_link = page.get_by_role("link", name=net.terek_rmo.name)
    expect(rmo_link).to_be_visible()
    rmo_link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(net.terek_rmo.name)
    page.get_by_role("link", name="Добавить участника").click()
    page.get_by_label("Поиск педагога").fill("новикова")
    page.get_by_role("button", name="Найти").click()
    page.get_by_role("link", name=re.compile("Новикова Алина")).click()
    expect(page.locator(".selected-person")).to_have_text("Новикова Алина Руслановна")
    page.get_by_label("Роль").select_option("member")
    page.get_by_role("button", name="Добавить").click()

    expect(page.locator(".messages")).to_contain_text("Новикова Алина Руслановна — член")
    expect(page.get_by_role("table").first).to_contain_text("Новикова Алина Руслановна")
    assert Membership.objects.filter(unit=net.terek_rmo, person=newcomer, left_on__isnull=True).exists()
