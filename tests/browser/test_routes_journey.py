"""Routes (issue 13, 000 б, в): the РМО's report is agreed by its МунУМО; the РУМО reviewer sees it and is told
who decides; once the region allows escalation he decides, and the history says the decision was made above
the route. Screenshots go to test-artifacts/routes/."""

import datetime
import os

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from network.models import Notification
from orgunits.models import DocumentType
from people.services import sync_person_access
from submissions import services
from submissions.models import Campaign, State, Submission
from tests import factories as f
from tests.browser.session import open_logged_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.path.join("test-artifacts", "routes")


def log_in(browser, live_server, username):
    return open_logged_in(browser, live_server.url, username, PASSWORD, width=1280)[1]


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def test_a_report_is_agreed_on_its_route_and_above_it_only_by_the_region_s_leave(net, live_server, browser):
    net.kinds["munumo"].approves_documents = ["plan", "report"]
    net.kinds["munumo"].save()
    for username, unit in (("terek_chair", net.terek), ("rmo_chair", net.terek_rmo)):
        person = f.PersonFactory(region=net.region, user=f.UserFactory(username=username), last_name="Председатель")
        f.member(person, unit, "chair")
        sync_person_access(person)
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
    campaign.filer_kinds.set([net.kinds["rmo"]])
    rmo_chair = net.terek_rmo.memberships.get(role="chair").person.user
    submission = services.start(campaign, net.terek_rmo, rmo_chair, timezone.now())
    submission = services.submit(submission, rmo_chair, timezone.now(), today)
    assert submission.approver == net.terek

    # The РУМО reviewer sees the РМО's report, but the decision is the Terek МунУМО's: no buttons, the reason why.
    reviewer = log_in(browser, live_server, "reviewer")
    reviewer.get_by_role("link", name="Входящие", exact=True).click()
    expect(reviewer.locator("main")).to_contain_text("Решений и подписей от вас сейчас не ждут")
    reviewer.goto(f"{live_server.url}{reverse('submissions:inbox')}")
    expect(reviewer.locator("main")).to_contain_text("Документов на согласовании нет")
    reviewer.goto(f"{live_server.url}{submission.get_absolute_url()}")
    expect(reviewer.locator("main")).to_contain_text(
        "Согласует Терское МунУМО. Вышестоящие подразделения решений по нему не принимают (настройка региона)."
    )
    expect(reviewer.get_by_role("button", name="Согласовать")).to_have_count(0)
    shot(reviewer, "1-above-the-route.png")

    # The Terek chair has it in the inbox.
    chair = log_in(browser, live_server, "terek_chair")
    chair.get_by_role("link", name="Входящие", exact=True).click()
    expect(chair.locator("main")).to_contain_text(net.terek_rmo.name)
    chair.goto(f"{live_server.url}{reverse('submissions:inbox')}")
    expect(chair.get_by_role("row").filter(has_text=net.terek_rmo.name)).to_have_count(1)
    shot(chair, "2-the-approver-s-inbox.png")

    # The region allows escalation: the reviewer is warned, decides, and the history says so.
    net.region.allow_escalation = True
    net.region.save()
    reviewer.get_by_role("link", name="Входящие", exact=True).click()
    expect(reviewer.locator("main")).to_contain_text("адресован: Терское МунУМО — решение выше адресата")
    shot(reviewer, "3-escalated-in-the-inbox.png")
    reviewer.goto(f"{live_server.url}{reverse('submissions:inbox')}")
    row = reviewer.get_by_role("row").filter(has_text=net.terek_rmo.name)
    expect(row).to_contain_text("адресован: Терское МунУМО")
    row.get_by_role("link").first.click()
    expect(reviewer.locator("#decision")).to_contain_text("Документ адресован подразделению «Терское МунУМО»")
    shot(reviewer, "4-escalation-allowed.png")
    reviewer.once("dialog", lambda dialog: dialog.accept())
    reviewer.get_by_role("button", name="Согласовать").click()
    expect(reviewer.locator("main")).to_contain_text("Решение принято выше адресата: Терское МунУМО.")
    shot(reviewer, "5-decided-above-the-route.png")

    assert Submission.objects.get(pk=submission.pk).state == State.APPROVED
    told = Notification.objects.filter(user__username="terek_chair", text__startswith="Согласован вышестоящим")
    assert told.count() == 1
