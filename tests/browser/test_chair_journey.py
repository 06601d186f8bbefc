"""The chair's main task: a meeting's protocol confirmed and an order signed.

The chair of the Terek МунУМО opens the meeting the secretary recorded, marks everyone present with
one button, confirms the protocol (the secretary confirms too: it takes both signatures), reads the
protocol's heading in the genitive, then opens «Приказы», finds the draft order, reads its preamble
(«В целях …» printed once) and signs it. Screenshots of each step go to test-artifacts/chair/.
"""

import datetime
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings import services as meeting_services
from meetings.models import Meeting
from orders import services as order_services
from orders.models import CONTROL_SELF, Order, OrderTemplate
from tests.meetings_helpers import add_chair, add_members

from .test_report_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.path.join("test-artifacts", "chair")


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_chair_marks_all_present_confirms_the_protocol_and_signs_an_order(net, live_server, browser):
    add_chair(net)
    add_members(net, net.terek, 5)  # eight members with the chair, the secretary and the methodist
    net.terek.name = "Муниципальное учебно-методическое объединение Терского муниципального района"
    net.terek.save()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    meeting = meeting_services.create_meeting(
        unit=net.terek,
        by=net.users.secretary,
        date=yesterday,
        kind=Meeting.Kind.IN_PERSON,
        place="г. Терек, управление образования",
    )
    meeting_services.add_item(
        meeting,
        net.users.secretary,
        meeting.version,
        title="Об итогах муниципального этапа олимпиады",
        heard="Методиста об итогах олимпиады.",
        decision="Информацию принять к сведению.",
        votes_for=0,
        votes_against=0,
        votes_abstained=0,
    )
    order = order_services.create_order(
        net.terek,
        OrderTemplate.FREE,
        yesterday,
        net.users.secretary,
        heading="О проведении муниципального семинара",
        purpose="обмена опытом учителей математики",
        signatory=net.users.chair_person,
    )
    order_services.update_order(
        order,
        fields={"signatory_position": "Председатель МунУМО"},
        points=[
            {"text": "Провести семинар 12.12.2026.", "executor": "Фамилия-secretary", "term": "до 12.12.2026"},
            {"text": CONTROL_SELF},
        ],
        expected_version=order.version,
    )

    # The chair opens the meeting: its heading reads in the genitive.
    chair = log_in(browser, live_server, "chair")
    chair.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    expect(chair.get_by_role("heading", level=1)).to_contain_text(f"Протокол № {meeting.number}")
    expect(chair.locator("main")).to_contain_text(
        "Протокол заседания Муниципального учебно-методического объединения Терского муниципального района"
    )
    badge = chair.locator("#quorum")
    expect(badge).to_contain_text("кворума нет: 0 из 8")
    shot(chair, "1-meeting")

    # «Отметить всех»: everyone present, saved at once.
    chair.get_by_role("button", name="Отметить всех").click()
    expect(chair.locator(".messages")).to_contain_text("Отмечены все члены (8): кворум есть: 8 из 8")
    expect(badge).to_contain_text("кворум есть: 8 из 8")
    expect(chair.locator("#attendance input[type=checkbox]:checked")).to_have_count(8)
    shot(chair, "2-all-present")

    # The chair confirms; the protocol waits for the secretary.
    chair.get_by_role("button", name="Подтвердить как председатель").click()
    expect(chair.locator(".messages")).to_contain_text("ожидается подтверждение второй подписи")
    expect(chair.get_by_role("heading", level=1)).to_contain_text("черновик")

    # The secretary confirms too: the protocol is frozen, and the chair sees it so.
    secretary = log_in(browser, live_server, "secretary")
    secretary.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    secretary.get_by_role("button", name="Подтвердить как секретарь").click()
    expect(secretary.locator(".messages")).to_contain_text("Протокол подтверждён председателем и секретарём")
    chair.reload()
    expect(chair.get_by_role("heading", level=1)).to_contain_text("подтверждён")
    expect(chair.get_by_role("button", name="Отметить всех")).to_have_count(0)
    expect(chair.locator("#confirmation")).to_contain_text("Председатель А.Б. Председателева: подтвердил")
    shot(chair, "3-protocol-confirmed")

    # «Приказы»: the register offers «Создать приказ» and lists the draft.
    chair.get_by_role("link", name="Приказы", exact=True).first.click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Приказы")
    expect(chair.get_by_role("link", name="Создать приказ")).to_be_visible()
    shot(chair, "4-orders-register")
    chair.get_by_role("link", name="О проведении муниципального семинара").click()
    expect(chair.get_by_role("heading", level=1)).to_contain_text(f"№ {order.number}")
    text = chair.locator(".order-text")
    expect(text).to_contain_text("В целях обмена опытом учителей математики")
    assert text.inner_text().count("В целях") == 1
    shot(chair, "5-order-draft")

    # Signing asks first, then freezes the order.
    chair.once("dialog", lambda dialog: dialog.accept())
    chair.get_by_role("button", name="Отметить подписанным").click()
    expect(chair.locator(".messages")).to_contain_text("отмечен как подписанный")
    expect(chair.locator("main .state")).to_have_text("подписан")
    expect(chair.get_by_role("link", name="Редактировать")).to_have_count(0)
    shot(chair, "6-order-signed")

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONFIRMED
    assert meeting.attendance.filter(present=False).count() == 0
    assert Order.objects.get(pk=order.pk).is_signed
