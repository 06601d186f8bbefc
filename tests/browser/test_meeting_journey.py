"""A meeting from the calendar to the PDF: the secretary records it with attendance and a vote,
the chair and the secretary confirm the protocol, the protocol downloads as a PDF."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from meetings.models import Meeting
from tests.meetings_helpers import add_chair, add_members

from .test_report_journey import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_secretary_records_both_confirm_and_the_protocol_downloads(net, live_server, browser):
    add_chair(net)
    add_members(net, net.terek, 7)  # ten members with the chair, the secretary and the methodist
    today = timezone.localdate()

    # The secretary opens the unit's meetings and records a new one.
    secretary = log_in(browser, live_server, "secretary")
    secretary.goto(f"{live_server.url}{net.terek.get_absolute_url()}")
    secretary.get_by_role("link", name="Все заседания и календарь").click()
    expect(secretary.get_by_role("heading", level=1)).to_contain_text("Заседания: Терское МунУМО")
    secretary.get_by_role("link", name="Новое заседание").click()
    secretary.get_by_label("Дата").fill(today.isoformat())
    secretary.get_by_label("Время").fill("15:00")
    secretary.get_by_label("Место проведения").fill("г. Терек, управление образования")
    secretary.get_by_role("button", name="Записать заседание").click()
    expect(secretary.locator(".messages")).to_contain_text("Протокол № 1")

    # Attendance: the quorum badge follows the checkboxes before anything is saved.
    badge = secretary.locator("#quorum")
    expect(badge).to_contain_text("кворума нет: 0 из 10")
    boxes = secretary.locator("#attendance input[type=checkbox]")
    expect(boxes).to_have_count(10)
    for i in range(5):
        boxes.nth(i).check()
    expect(badge).to_contain_text("кворума нет: 5 из 10")
    boxes.nth(5).check()
    expect(badge).to_contain_text("кворум есть: 6 из 10")
    secretary.get_by_role("button", name="Сохранить присутствие").click()
    expect(secretary.locator(".messages")).to_contain_text("кворум есть: 6 из 10")

    # An agenda item with its vote: 4 of 6 «за» adopt it.
    secretary.get_by_label("Вопрос повестки").fill("Об утверждении плана работы МунУМО")
    secretary.get_by_label("СЛУШАЛИ").fill("Председателеву А.Б. о проекте плана.")
    secretary.get_by_label("ВЫСТУПИЛИ").fill("Методист предложила добавить семинар.")
    secretary.get_by_label("ПОСТАНОВИЛИ (РЕШИЛИ)").fill("Утвердить план работы.")
    secretary.get_by_label("Голосовали «за»").fill("4")
    secretary.get_by_label("«против»").fill("1")
    secretary.get_by_label("«воздержались»").fill("1")
    secretary.get_by_role("button", name="Добавить вопрос").click()
    agenda = secretary.locator("#agenda")
    expect(agenda).to_contain_text("за — 4, против — 1, воздержались — 1")
    expect(agenda).to_contain_text("решение принято")

    # The secretary confirms; the protocol waits for the chair.
    secretary.get_by_role("button", name="Подтвердить как секретарь").click()
    expect(secretary.locator(".messages")).to_contain_text("ожидается подтверждение второй подписи")
    meeting = Meeting.objects.get(unit=net.terek)
    assert meeting.is_draft and meeting.secretary_confirmed_at is not None

    # The chair finds it and confirms: the protocol is frozen.
    chair = log_in(browser, live_server, "chair")
    chair.goto(f"{live_server.url}{meeting.get_absolute_url()}")
    chair.get_by_role("button", name="Подтвердить как председатель").click()
    expect(chair.locator(".messages")).to_contain_text("Протокол подтверждён председателем и секретарём")
    expect(chair.locator("h1")).to_contain_text("подтверждён")
    expect(chair.get_by_role("button", name="Добавить вопрос")).to_have_count(0)

    # «Печать протокола» serves the PDF.
    href = chair.get_by_role("link", name="Печать протокола").get_attribute("href")
    response = chair.request.get(f"{live_server.url}{href}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CONFIRMED
    assert meeting.attendance.filter(present=True).count() == 6
    assert meeting.items.get().votes_for == 4
