"""001 §2.2: the secretary sends the МунУМО composition order to the education authority, enters its letter
of agreement, and only then marks the order signed; the order's page and PDF carry «СОГЛАСОВАНО»."""

import datetime
import os

import pytest
from playwright.sync_api import expect

from orders import services
from orders.models import Order, OrderStatus, OrderTemplate
from tests import factories as f

from .test_report_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.path.join("test-artifacts", "agreement")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_secretary_agrees_the_composition_before_signing(net, live_server, browser):
    f.member(f.PersonFactory(region=net.region, last_name="Хуранова"), net.terek, "chair")
    order = services.create_order(
        net.terek, OrderTemplate.APPROVE_COMPOSITION, datetime.date(2026, 9, 1), net.users.secretary
    )
    page = log_in(browser, live_server, "secretary")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("Согласование с органом управления образованием")
    expect(page.get_by_role("button", name="Отметить подписанным")).to_have_count(0)
    shot(page, "1-draft")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Направить на согласование").click()
    expect(page.locator("main")).to_contain_text("на согласовании с органом управления образованием")
    shot(page, "2-on-agreement")

    page.get_by_role("link", name="Внести согласование").click()
    page.get_by_label("Орган управления образованием").fill("Управление образования Терского района")
    page.get_by_label("Кто согласовал (фамилия и инициалы)").fill("Кумыкова Л. А.")
    page.get_by_label("Должность").fill("Начальник Управления образования")
    page.get_by_label("Номер письма").fill("01-12/345")
    page.get_by_label("Дата письма").fill("2026-09-10")
    shot(page, "3-letter")
    page.get_by_role("button", name="Внести согласование").click()
    expect(page.locator("main")).to_contain_text("Согласование внесено")
    expect(page.locator("main")).to_contain_text("№ 01-12/345 от 10.09.2026")
    shot(page, "4-agreed")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Отметить подписанным").click()
    expect(page.locator("main")).to_contain_text("отмечен как подписанный")
    shot(page, "5-signed")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SIGNED
