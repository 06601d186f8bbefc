"""The annual report travels up and back: file, return with a comment, fix, resubmit, see the diff, approve."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orgunits.models import DocumentType
from submissions.models import Campaign, State, Submission
from tests.browser.session import open_logged_in
from tests.conftest import PASSWORD
from workflow.engine import moves_of

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(browser, live_server, username):
    return open_logged_in(browser, live_server.url, username, PASSWORD, width=1280)[1]


def test_report_is_filed_returned_fixed_and_approved(net, live_server, browser):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        region=net.region,
        document_type=DocumentType.REPORT,
        year=today.year,
        opens_on=today - datetime.timedelta(days=1),
        due_on=today + datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=35),
        reminder_offsets=[14, 7, 1],
    )
    campaign.filer_kinds.set([net.kinds["munumo"]])

    # The secretary of the Terek МунУМО files the report.
    secretary = log_in(browser, live_server, "secretary")
    secretary.get_by_role("link", name="Кампании").click()
    secretary.get_by_role("link", name=str(campaign)).click()
    secretary.get_by_role("button", name="Начать").click()
    secretary.get_by_label("Общие сведения и итоги года").fill("МунУМО провело 4 заседания.")
    secretary.get_by_role("button", name="Сохранить", exact=True).click()
    secretary.get_by_role("link", name="К документу").click()
    secretary.get_by_role("button", name="Отправить на согласование").click()
    # Five sections are empty: the check before sending lists them, the secretary sends all the same.
    secretary.get_by_role("button", name="Отправить всё равно").click()
    expect(secretary.locator("main")).to_contain_text("на согласовании")

    # The РУМО reviewer finds it in the inbox and returns it with a comment.
    reviewer = log_in(browser, live_server, "reviewer")
    reviewer.get_by_role("link", name="Входящие", exact=True).click()
    reviewer.get_by_role("row").filter(has_text=net.terek.name).get_by_role("link").first.click()
    reviewer.get_by_label("Что доработать").fill("Укажите темы заседаний.")
    reviewer.get_by_role("button", name="Вернуть на доработку").click()
    expect(reviewer.locator("main")).to_contain_text("возвращён на доработку")

    # The secretary sees the comment, fixes the section and resubmits.
    secretary.reload()
    expect(secretary.locator("main")).to_contain_text("Укажите темы заседаний.")
    secretary.get_by_role("link", name="Редактировать").click()
    secretary.get_by_label("Общие сведения и итоги года").fill(
        "МунУМО провело 4 заседания: ФГОС, ФГ, наставничество, итоги."
    )
    secretary.get_by_role("button", name="Сохранить", exact=True).click()
    secretary.get_by_role("link", name="К документу").click()
    secretary.get_by_role("button", name="Отправить на согласование").click()
    # Five sections are empty: the check before sending lists them, the secretary sends all the same.
    secretary.get_by_role("button", name="Отправить всё равно").click()

    # The reviewer sees what changed since the return, and approves.
    reviewer.reload()
    changes = reviewer.get_by_role("heading", name="Изменения после возврата").locator("xpath=..")
    expect(changes).to_contain_text("МунУМО провело 4 заседания.")
    expect(changes).to_contain_text("наставничество")
    reviewer.once("dialog", lambda dialog: dialog.accept())  # «Согласовать» asks first: it freezes the report
    reviewer.get_by_role("button", name="Согласовать").click()
    expect(reviewer.locator("main")).to_contain_text("согласован")

    submission = Submission.objects.get(campaign=campaign, unit=net.terek)
    assert submission.state == State.APPROVED and submission.on_time is True
    assert list(moves_of(submission).values_list("to_state", flat=True)) == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
