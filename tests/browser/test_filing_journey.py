"""The demo secretary files the annual report and resubmits it after a return; the demo reviewer
agrees it (issue 12, «Filing and approving»). Screenshots go to test-artifacts/filing/.

The secretary starts the report from «Кампании» (which shows «не начат»), meets the error
summary, leaves a section empty and is shown the check before sending, sends all the same; the
reviewer reads the report, returns it with a reason; the secretary sees the reason on the document
and in the editor, fills the section and «Сохранить и отправить» sends it at once; the reviewer
sees «повторно, изменено с момента возврата» and what changed, and «Согласовать» asks first."""

import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from demo.orgunits import DEMO_PASSWORD, load_demo
from orgunits.models import DocumentType
from people.models import Membership
from people.services import sync_person_access
from submissions.models import Campaign, State, Submission
from tests.browser.axe import axe_source, describe, violations
from tests.browser.session import open_logged_in
from workflow.engine import moves_of

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.path.join("test-artifacts", "filing")
REASON = "Заполните раздел о молодых специалистах: наставники и итоги года."
YOUNG = "Работа с молодыми специалистами"


def log_in(browser, live_server, username):
    return open_logged_in(browser, live_server.url, username, DEMO_PASSWORD, timeout=20_000)[1]


def shot(page, name, found=None):
    """A screenshot, and the page's axe check (no critical or serious violation) into `found`."""
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name), full_page=True)
    if found is not None:
        problems = violations(page, axe_source())
        if problems:
            found.append(describe(name, problems))


def another_chair_with_a_login():
    """The chair of a МунУМО other than Terek, given a login (the demo gives none outside Terek)."""
    membership = (
        Membership.objects.active()
        .filter(role="chair", unit__kind__code="munumo", unit__region__code="kbr")
        .exclude(unit__name__contains="Терск")
        .select_related("person", "unit")
        .order_by("unit__name")
        .first()
    )
    user = get_user_model().objects.create_user(
        "baksan_chair", "baksan_chair@metodset.local", DEMO_PASSWORD, first_name="Председатель", last_name="Другой"
    )
    membership.person.user = user
    membership.person.save()
    sync_person_access(membership.person)
    return membership, membership.unit


def test_secretary_files_and_resubmits_a_report_the_reviewer_agrees_it(live_server, browser):
    load_demo(timezone.localdate())
    axe = []  # blocking accessibility violations, by page
    campaign = Campaign.objects.get(document_type=DocumentType.REPORT, year=2026, region__code="kbr")

    # «Кампании»: the secretary's own report is not started; «Начать» is in its row.
    secretary = log_in(browser, live_server, "secretary")
    secretary.get_by_role("link", name="Кампании").first.click()
    row = secretary.locator("tr", has_text=str(campaign))
    expect(row).to_contain_text("не начат")
    shot(secretary, "1-campaigns-not-started.png", axe)
    row.get_by_role("button", name="Начать").click()
    expect(secretary.get_by_role("heading", level=1)).to_contain_text("Годовой отчёт")
    expect(secretary.locator("main")).to_contain_text("Что не удалось и почему")  # guidance of a section

    # A wrong figure: the summary at the top names it and links to it; nothing is saved or sent.
    secretary.get_by_label("Общие сведения и итоги года").fill("МунУМО провело 4 заседания, 2 семинара.")
    secretary.get_by_label("Участников на конец года").fill("-4")
    secretary.get_by_role("button", name="Сохранить и отправить").click()
    summary = secretary.locator("#error-summary")
    expect(summary).to_contain_text("Исправьте 1 ошибку")
    expect(summary).to_be_focused()  # a keyboard user starts from the list of errors
    shot(secretary, "2-error-summary.png", axe)
    summary.get_by_role("link", name="Участников на конец года").click()
    expect(secretary.get_by_label("Участников на конец года")).to_be_focused()
    secretary.get_by_label("Участников на конец года").fill("")

    # Every section but one: the check lists the empty one and asks first.
    for label, text in [
        ("Заседания и мероприятия", "Заседания: ФГОС, функциональная грамотность, итоги года."),
        ("Повышение квалификации педагогов", "КПК прошли 12 учителей."),
        ("Обобщение и распространение педагогического опыта", "Мастер-классы победителей конкурса."),
        ("Проблемы и задачи на следующий год", "Наставничество в сельских школах."),
    ]:
        secretary.get_by_label(label).fill(text)
    secretary.get_by_role("button", name="Сохранить и отправить").click()
    expect(secretary.get_by_role("heading", level=1)).to_have_text("Проверка перед отправкой")
    expect(secretary.locator(".send-problems")).to_contain_text(f"Раздел «{YOUNG}» не заполнен.")
    expect(secretary.locator("main")).to_contain_text("Отчёт сохранён.")
    shot(secretary, "3-check-before-sending.png", axe)
    secretary.get_by_role("button", name="Отправить всё равно").click()
    expect(secretary.locator("main")).to_contain_text("Документ отправлен на согласование.")
    expect(secretary.locator("main")).to_contain_text("на согласовании")

    submission = Submission.objects.get(campaign=campaign, unit__name__contains="Терск")
    assert submission.state == State.SUBMITTED

    # The reviewer reads the report; the decision comes after the content; returns it with a reason.
    reviewer = log_in(browser, live_server, "reviewer")
    reviewer.goto(f"{live_server.url}{submission.get_absolute_url()}")
    content = reviewer.get_by_role("heading", name="Содержание")
    decision = reviewer.get_by_role("heading", name="Решение")
    assert content.bounding_box()["y"] < decision.bounding_box()["y"]
    shot(reviewer, "4-reviewer-reads.png", axe)
    reviewer.get_by_label("Что доработать").fill(REASON)
    reviewer.get_by_role("button", name="Вернуть на доработку").click()
    expect(reviewer.locator("main")).to_contain_text("возвращён на доработку")

    # The secretary sees the reason at the top of the document and of the editor.
    secretary.reload()
    panel = secretary.locator("#return-reason")
    expect(panel).to_contain_text("Возвращён на доработку")
    expect(panel).to_contain_text(REASON)
    expect(panel).to_contain_text("Экспертова")
    shot(secretary, "5-returned-with-reason.png", axe)
    secretary.get_by_role("link", name="Редактировать").click()
    expect(secretary.locator("#return-reason")).to_contain_text(REASON)
    secretary.get_by_label(YOUNG).fill("Два молодых учителя, за каждым закреплён наставник; оба прошли аттестацию.")
    shot(secretary, "6-editor-with-reason.png")
    # Nothing left to check: «Сохранить и отправить» sends at once.
    secretary.get_by_role("button", name="Сохранить и отправить").click()
    expect(secretary.locator("main")).to_contain_text("Отчёт сохранён. Документ отправлен на согласование.")
    expect(secretary.locator("#return-reason")).to_have_count(0)

    # The reviewer sees the resubmission and what changed; «Согласовать» asks before freezing it.
    reviewer.reload()
    expect(reviewer.locator("main")).to_contain_text("повторно, изменено с момента возврата")
    changes = reviewer.locator("#changes")
    expect(changes).to_contain_text("Два молодых учителя")
    shot(reviewer, "7-resubmitted-changes.png", axe)

    questions = []

    def refuse(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    reviewer.once("dialog", refuse)
    reviewer.get_by_role("button", name="Согласовать").click()
    reviewer.wait_for_timeout(300)
    assert questions and "заморожен" in questions[0]
    submission.refresh_from_db()
    assert submission.state == State.SUBMITTED  # refused: nothing sent

    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.get_by_role("button", name="Согласовать").click()
    expect(reviewer.locator("main")).to_contain_text("Документ согласован.")
    expect(reviewer.locator("main").locator(".state-approved")).to_have_text("согласован")
    shot(reviewer, "8-approved.png")

    # «Напомнить непредставившим» from the Terek dashboard: in the demo nobody below Terek has a login,
    # so the preview says so and offers no button: a reminder never claims to reach nobody.
    reviewer.get_by_role("link", name="Годовые отчёты за 2026 год").first.click()
    reviewer.get_by_role("link", name="Напомнить непредставившим…").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Напомнить непредставившим")
    expect(reviewer.get_by_role("heading", name=re.compile("Некому напомнить"))).to_be_visible()
    expect(reviewer.locator("main")).to_contain_text("Отправлять некому")
    expect(reviewer.get_by_role("button", name="Отправить напоминание")).to_have_count(0)
    shot(reviewer, "9-remind-nobody.png", axe)

    # The chair of another МунУМО gets a login; from the region's dashboard the preview names her.
    chair, unit = another_chair_with_a_login()
    reviewer.get_by_role("link", name="Кампании").first.click()
    reviewer.get_by_role("link", name=str(campaign)).click()
    reviewer.get_by_role("link", name="Напомнить непредставившим…").click()
    told = reviewer.locator("table.remind-preview")
    expect(told).to_contain_text(unit.name)
    expect(told).to_contain_text(chair.person.full_name)
    expect(told).to_contain_text("baksan_chair@metodset.local")
    shot(reviewer, "10-remind-preview.png", axe)
    reviewer.get_by_role("button", name="Отправить напоминание").click()
    messages = reviewer.locator(".messages")
    expect(messages).to_contain_text("Напоминание получили 1 человек в 1 подразделении.")
    expect(messages).to_contain_text("Некому напомнить (нет представляющих с учётной записью)")
    shot(reviewer, "11-reminded.png")
    reviewer.goto(f"{live_server.url}{campaign.get_absolute_url()}?unit={unit.pk}")
    today = timezone.localdate().strftime("%d.%m.%Y")
    expect(reviewer.locator("main")).to_contain_text(f"последнее напоминание {today}")

    submission.refresh_from_db()
    assert submission.state == State.APPROVED
    assert list(moves_of(submission).values_list("to_state", flat=True)) == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert axe == [], "\n".join(axe)
