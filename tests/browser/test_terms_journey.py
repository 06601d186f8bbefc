"""A member is elected for one year (001 §2.7): the methodist adding a member reads the limit under
«Срок по», tries a term of a year and four months, is refused with the last allowed day, and adds the
member for the year. Screenshots go to test-artifacts/terms/."""

import os

import pytest
from playwright.sync_api import expect

from people.models import Membership
from tests import factories as f

from .test_report_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.path.join("test-artifacts", "terms")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_term_longer_than_a_year_is_refused_on_the_add_member_page(net, live_server, browser):
    person = f.PersonFactory(region=net.region, school=net.school, last_name="Годичная", first_name="Елена")
    page = log_in(browser, live_server, "methodist")
    page.goto(f"{live_server.url}/units/{net.terek_rmo.pk}/members/add/?person={person.pk}")
    expect(page.get_by_text("избирается на один год (Положение, п. 2.7)")).to_be_visible()
    page.get_by_label("Роль").select_option("member")
    page.get_by_label("Срок с").fill("2026-09-01")
    page.get_by_label("Срок по").fill("2027-12-31")
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_text("срок заканчивается не позднее 31.08.2027")).to_be_visible()
    shot(page, "refused")
    assert not Membership.objects.filter(person=person).exists()

    page.get_by_label("Срок по").fill("2027-08-31")
    page.get_by_role("button", name="Добавить").click()
    expect(page.locator(".messages")).to_contain_text("Годичная Елена")
    expect(page.locator(".messages")).to_contain_text("до 31.08.2027")
    shot(page, "added")
    assert Membership.objects.get(person=person).ends_on.isoformat() == "2027-08-31"
