"""The workflow pages through the real client: who may open and do what, and what each step does.

The permission rule is the portal's: what one may not see does not exist (404), what one sees
but may not do is refused (403), anonymous visitors go to the login page (302). A POST that is
allowed redirects (302), whether the service accepted the step or explained why not.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from network.models import Notification
from people.services import sync_person_access
from submissions import services
from submissions.models import Campaign, State, Submission
from workflow.engine import moves_of

from . import factories as f
from .workflow import AFTER_DUE, OPEN_DAY, freeze, moment, report_campaign, submitted

ROLES = f.MATRIX_ROLES

# fmt: off
MATRIX = {
    #                            adm  rev  meth sec  bak  shmo tch  out  root anon
    "campaigns":                (200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "campaign_add_get":         (200, 403, 403, 403, 403, 403, 403, 403, 200, 302),
    "campaign_add_post":        (302, 403, 403, 403, 403, 403, 403, 403, 302, 302),
    "campaign_edit_get":        (200, 403, 403, 403, 403, 403, 403, 404, 200, 302),
    "campaign_edit_post":       (302, 403, 403, 403, 403, 403, 403, 404, 302, 302),
    "dashboard":                (200, 200, 200, 200, 200, 200, 200, 404, 200, 302),
    "dashboard_terek":          (200, 200, 200, 200, 404, 403, 403, 404, 200, 302),
    "export_terek":             (200, 200, 200, 200, 404, 403, 403, 404, 200, 302),
    "remind_terek":             (302, 302, 403, 403, 404, 403, 403, 404, 302, 302),
    "start_baksan":             (403, 403, 404, 404, 302, 404, 404, 404, 302, 302),
    "historical_get":           (200, 403, 403, 403, 403, 403, 403, 404, 200, 302),
    "inbox":                    (200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "submission":               (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    "submit":                   (403, 403, 302, 302, 404, 404, 404, 404, 302, 302),
    "approve":                  (302, 302, 403, 403, 404, 404, 404, 404, 302, 302),
    "return":                   (302, 302, 403, 403, 404, 404, 404, 404, 302, 302),
    "reopen":                   (302, 302, 403, 403, 404, 404, 404, 404, 302, 302),
    "notifications":            (200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "notifications_read_all":   (302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
    "unit_terek":               (200, 200, 200, 200, 404, 403, 403, 404, 200, 302),
}
# fmt: on


@pytest.fixture
def world(net, monkeypatch):
    """A 2026 report campaign on 10.02.2027: the Terek МунУМО's report is on approval at РУМО."""
    freeze(monkeypatch, OPEN_DAY)
    campaign = report_campaign(net)
    terek_report = submitted(campaign, net.terek, net.users.secretary)
    return net, campaign, terek_report


def request_for(page, net, campaign, terek_report):
    sub = terek_report.pk
    new_campaign = {
        "region": net.region.pk,
        "document_type": "plan",
        "year": 2027,
        "title": "",
        "opens_on": "",
        "due_on": "",
        "closes_on": "",
        "reminder_offsets": "14, 7, 1",
        "filer_kinds": [net.kinds["munumo"].pk],
    }
    edit = {
        "title": "Отчёты 2026",
        "opens_on": "2027-01-10",
        "due_on": "2027-02-20",
        "closes_on": "2027-03-01",
        "reminder_offsets": "7",
        "filer_kinds": [net.kinds["munumo"].pk, net.kinds["rmo"].pk],
    }
    pages = {
        "campaigns": ("get", reverse("submissions:campaigns"), None),
        "campaign_add_get": ("get", reverse("submissions:campaign_add"), None),
        "campaign_add_post": ("post", reverse("submissions:campaign_add"), new_campaign),
        "campaign_edit_get": ("get", reverse("submissions:campaign_edit", args=[campaign.pk]), None),
        "campaign_edit_post": ("post", reverse("submissions:campaign_edit", args=[campaign.pk]), edit),
        "dashboard": ("get", reverse("submissions:campaign", args=[campaign.pk]), None),
        "dashboard_terek": ("get", reverse("submissions:campaign", args=[campaign.pk]) + f"?unit={net.terek.pk}", None),
        "export_terek": (
            "get",
            reverse("submissions:campaign_export", args=[campaign.pk]) + f"?unit={net.terek.pk}",
            None,
        ),
        "remind_terek": ("post", reverse("submissions:campaign_remind", args=[campaign.pk]), {"unit": net.terek.pk}),
        "start_baksan": ("post", reverse("submissions:start", args=[campaign.pk, net.baksan.pk]), {}),
        "historical_get": ("get", reverse("submissions:historical_add", args=[campaign.pk]), None),
        "inbox": ("get", reverse("submissions:inbox"), None),
        "submission": ("get", reverse("submissions:submission", args=[sub]), None),
        "submit": ("post", reverse("submissions:submit", args=[sub]), {}),
        "approve": ("post", reverse("submissions:approve", args=[sub]), {"comment": ""}),
        "return": ("post", reverse("submissions:return", args=[sub]), {"comment": "Дополните раздел 2."}),
        "reopen": ("post", reverse("submissions:reopen", args=[sub]), {"comment": "Ошибка в цифрах."}),
        "notifications": ("get", reverse("notifications"), None),
        "notifications_read_all": ("post", reverse("notifications"), {"mark_all": "1"}),
        "unit_terek": ("get", reverse("orgunits:unit", args=[net.terek.pk]), None),
    }
    return pages[page]


CASES = f.matrix_cases(MATRIX, ROLES)


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_permission_matrix(client, world, page, role, expected):
    net, campaign, terek_report = world
    method, url, data = request_for(page, net, campaign, terek_report)
    if role != "anonymous":
        client.force_login(getattr(net.users, role))
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == expected, response.content.decode()[:800]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


# -- one document: what each step does --------------------------------------------------------------


def post(client, name, submission, **data):
    return client.post(reverse(f"submissions:{name}", args=[submission.pk]), data, follow=True)


def page_text(response):
    return response.content.decode()


def test_return_without_a_comment_is_refused_and_changes_nothing(client, world):
    net, _, report = world
    before = moves_of(report).count()
    client.force_login(net.users.reviewer)
    response = post(client, "return", report, comment="   ")
    report.refresh_from_db()
    assert report.state == State.SUBMITTED
    assert moves_of(report).count() == before
    assert "без комментария вернуть нельзя" in page_text(response)
    assert not Notification.objects.filter(text__startswith="Возвращён").exists()


def test_return_with_a_comment_records_it_and_tells_the_filers(client, world):
    net, _, report = world
    client.force_login(net.users.reviewer)
    post(client, "return", report, comment="Дополните раздел о молодых специалистах.")
    report.refresh_from_db()
    assert report.state == State.RETURNED
    last = moves_of(report).last()
    assert (last.from_state, last.to_state, last.actor, last.reason) == (
        State.SUBMITTED,
        State.RETURNED,
        net.users.reviewer,
        "Дополните раздел о молодых специалистах.",
    )
    assert Notification.objects.filter(user=net.users.secretary, text__contains="молодых специалистах").exists()


def test_approve_only_when_submitted(client, world, monkeypatch):
    net, campaign, report = world
    baksan = services.start(campaign, net.baksan, net.users.baksan_methodist, moment(OPEN_DAY))
    client.force_login(net.users.reviewer)
    response = post(client, "approve", baksan)
    baksan.refresh_from_db()
    assert baksan.state == State.DRAFT
    assert "Согласовать можно только документ на согласовании" in page_text(response)

    post(client, "approve", report, comment="Принято.")
    report.refresh_from_db()
    assert report.state == State.APPROVED
    assert moves_of(report).last().reason == "Принято."
    response = post(client, "approve", report)
    assert "Согласовать можно только документ на согласовании" in page_text(response)
    assert moves_of(report).filter(to_state=State.APPROVED).count() == 1


def test_return_only_when_submitted(client, world):
    net, campaign, _ = world
    draft = services.start(campaign, net.baksan, net.users.baksan_methodist, moment(OPEN_DAY))
    client.force_login(net.users.reviewer)
    response = post(client, "return", draft, comment="Доработать.")
    draft.refresh_from_db()
    assert draft.state == State.DRAFT
    assert "Вернуть можно только документ на согласовании" in page_text(response)


def test_reopen_needs_a_reason(client, world):
    net, _, report = world
    services.approve(report, net.users.reviewer, moment(OPEN_DAY))
    client.force_login(net.users.reviewer)
    response = post(client, "reopen", report, comment="")
    report.refresh_from_db()
    assert report.state == State.APPROVED
    assert "Укажите причину" in page_text(response)

    post(client, "reopen", report, comment="В отчёт не вошли данные за декабрь.")
    report.refresh_from_db()
    assert report.state == State.RETURNED
    assert moves_of(report).last().reason == "В отчёт не вошли данные за декабрь."


def test_reopen_only_by_the_approver(client, world):
    """The chair of the Terek МунУМО reviews below Terek, but its report is approved at РУМО."""
    net, _, report = world
    services.approve(report, net.users.reviewer, moment(OPEN_DAY))
    chair_user = f.UserFactory(username="terek_chair")
    chair = f.PersonFactory(region=net.region, user=chair_user)
    f.member(chair, net.terek, "chair")
    sync_person_access(chair)
    client.force_login(chair_user)
    assert client.get(reverse("submissions:submission", args=[report.pk])).status_code == 200
    response = client.post(reverse("submissions:reopen", args=[report.pk]), {"comment": "Хочу поправить."})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.state == State.APPROVED


def test_reopen_only_an_approved_document(client, world):
    net, _, report = world
    client.force_login(net.users.reviewer)
    response = post(client, "reopen", report, comment="Причина.")
    report.refresh_from_db()
    assert report.state == State.SUBMITTED
    assert "Открыть повторно можно только согласованный документ" in page_text(response)


def test_submit_sends_a_draft_and_decides_timeliness(client, net, monkeypatch):
    freeze(monkeypatch, AFTER_DUE)
    campaign = report_campaign(net)
    draft = services.start(campaign, net.terek, net.users.secretary, moment(OPEN_DAY))
    client.force_login(net.users.methodist)
    response = post(client, "submit", draft)
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    assert (draft.first_submitted_on, draft.on_time) == (AFTER_DUE, False)
    assert "Документ отправлен на согласование" in page_text(response)
    assert Notification.objects.filter(user=net.users.reviewer, text__startswith="На согласование").exists()


def test_the_page_offers_each_role_its_own_actions(client, world):
    net, campaign, report = world
    url = reverse("submissions:submission", args=[report.pk])
    client.force_login(net.users.reviewer)
    text = page_text(client.get(url))
    assert "Согласовать" in text and "Вернуть на доработку" in text
    assert "Отправить на согласование" not in text and "Открыть повторно" not in text

    client.force_login(net.users.secretary)
    text = page_text(client.get(url))
    assert "Согласовать" not in text and "Отправить на согласование" not in text  # on approval: frozen for filers

    draft = services.start(campaign, net.baksan, net.users.baksan_methodist, moment(OPEN_DAY))
    client.force_login(net.users.baksan_methodist)
    text = page_text(client.get(reverse("submissions:submission", args=[draft.pk])))
    assert "Отправить на согласование" in text and "Редактировать" in text
    assert reverse("reports:edit", args=[draft.pk]) in text

    services.approve(report, net.users.reviewer, moment(OPEN_DAY))
    client.force_login(net.users.reviewer)
    text = page_text(client.get(url))
    assert "Открыть повторно" in text and "Согласовать</button>" not in text


def test_the_page_shows_the_content_and_the_whole_history(client, world):
    net, _, report = world
    services.return_for_revision(report, net.users.reviewer, "Дополните итоги.", moment(OPEN_DAY, 14))
    client.force_login(net.users.methodist)
    text = page_text(client.get(reverse("submissions:submission", args=[report.pk])))
    assert "Общие сведения и итоги года" in text  # a section of the report
    assert "Участников на конец года" in text  # a figure
    assert "документ создан" in text and "Дополните итоги." in text
    assert "возвращён на доработку" in text
    assert net.users.secretary.get_full_name() in text  # who sent it
    assert net.users.reviewer.get_full_name() in text  # who returned it


def test_the_diff_after_return_shows_changed_fields(client, world):
    net, _, report = world
    services.return_for_revision(report, net.users.reviewer, "Дополните итоги.", moment(OPEN_DAY, 13))
    section = report.report_sections.get(key="summary")
    section.text = "Проведено 12 заседаний, все по плану."
    section.save()
    services.submit(report, net.users.secretary, moment(OPEN_DAY, 15), OPEN_DAY)
    client.force_login(net.users.reviewer)
    text = page_text(client.get(reverse("submissions:submission", args=[report.pk])))
    assert "Изменения после возврата" in text
    assert "Общие сведения и итоги года" in text
    assert "<ins>Проведено 12 заседаний, все по плану.</ins>" in text


def test_a_first_submission_shows_no_diff(client, world):
    net, _, report = world
    client.force_login(net.users.reviewer)
    assert "Изменения после возврата" not in page_text(client.get(reverse("submissions:submission", args=[report.pk])))


def test_a_plan_is_shown_by_direction(client, net, monkeypatch):
    from plans.models import Direction, EventForm, PlanItem

    freeze(monkeypatch, datetime.date(2026, 9, 1))
    campaign = Campaign.objects.create(
        region=net.region, document_type="plan", year=2026, **Campaign.defaults_for("plan", 2026)
    )
    campaign.filer_kinds.set([net.kinds["munumo"]])
    plan = services.start(campaign, net.terek, net.users.secretary, moment(datetime.date(2026, 9, 1)))
    PlanItem.objects.create(
        submission=plan,
        direction=Direction.YOUNG,
        activity="Школа молодого педагога",
        form=EventForm.SEMINAR,
        month=10,
        responsible="Иванова М. И.",
    )
    client.force_login(net.users.methodist)
    text = page_text(client.get(reverse("submissions:submission", args=[plan.pk])))
    assert "Сопровождение молодых специалистов" in text and "Школа молодого педагога" in text


# -- starting a document --------------------------------------------------------------------------


def test_start_creates_the_document_and_opens_its_editor(client, world):
    net, campaign, _ = world
    client.force_login(net.users.baksan_methodist)
    response = client.post(reverse("submissions:start", args=[campaign.pk, net.baksan.pk]))
    submission = Submission.objects.get(campaign=campaign, unit=net.baksan)
    assert submission.state == State.DRAFT
    assert response["Location"] == reverse("reports:edit", args=[submission.pk])
    # Idempotent: a second click opens the same document.
    client.post(reverse("submissions:start", args=[campaign.pk, net.baksan.pk]))
    assert Submission.objects.filter(campaign=campaign, unit=net.baksan).count() == 1


def test_start_before_the_campaign_opens_is_refused(client, net, monkeypatch):
    freeze(monkeypatch, datetime.date(2026, 12, 1))
    campaign = report_campaign(net)
    client.force_login(net.users.secretary)
    response = client.post(reverse("submissions:start", args=[campaign.pk, net.terek.pk]), follow=True)
    assert "откроется 10.01.2027" in page_text(response)
    assert not Submission.objects.exists()


def test_start_of_a_unit_that_does_not_file_is_refused(client, world):
    net, campaign, _ = world
    client.force_login(net.users.superuser)
    response = client.post(reverse("submissions:start", args=[campaign.pk, net.cnppm.pk]), follow=True)
    assert "не представляет документ" in page_text(response)
    assert not Submission.objects.filter(unit=net.cnppm).exists()


def test_the_filer_sees_start_on_the_own_unit(client, world):
    net, campaign, _ = world
    client.force_login(net.users.baksan_methodist)
    text = page_text(client.get(reverse("submissions:campaign", args=[campaign.pk])))
    assert reverse("submissions:start", args=[campaign.pk, net.baksan.pk]) in text
    assert "Начать" in text


# -- campaigns ------------------------------------------------------------------------------------


def test_the_new_campaign_form_is_prefilled_with_the_defaults(client, world):
    net, _, _ = world
    client.force_login(net.users.admin)
    text = page_text(client.get(reverse("submissions:campaign_add") + "?document_type=report&year=2027"))
    assert 'value="2028-02-25"' in text and 'value="2028-03-01"' in text and 'value="2028-01-10"' in text
    assert 'value="14, 7, 1"' in text
    assert f'value="{net.kinds["munumo"].pk}" id="id_filer_kinds_' in text
    response = client.get(reverse("submissions:campaign_add") + "?document_type=report&year=2027")
    assert set(response.context["form"].initial["filer_kinds"]) == {
        net.kinds["munumo"].pk,
        net.kinds["rmo"].pk,
        net.kinds["shmo"].pk,
    }


def campaign_data(net, **changes):
    data = {
        "region": net.region.pk,
        "document_type": "report",
        "year": 2027,
        "title": "",
        "opens_on": "",
        "due_on": "",
        "closes_on": "",
        "reminder_offsets": "14, 7, 1",
        "filer_kinds": [net.kinds["munumo"].pk, net.kinds["rmo"].pk],
    }
    return {**data, **changes}


def test_a_new_campaign_takes_the_default_dates_and_the_offsets(client, world):
    net, _, _ = world
    client.force_login(net.users.admin)
    response = client.post(reverse("submissions:campaign_add"), campaign_data(net, reminder_offsets="7,14 ,1, 7"))
    campaign = Campaign.objects.get(year=2027, document_type="report")
    assert response["Location"] == campaign.get_absolute_url()
    assert (campaign.opens_on, campaign.due_on, campaign.closes_on) == (
        datetime.date(2028, 1, 10),
        datetime.date(2028, 2, 25),
        datetime.date(2028, 3, 1),
    )
    assert campaign.reminder_offsets == [14, 7, 1]
    assert set(campaign.filer_kinds.all()) == {net.kinds["munumo"], net.kinds["rmo"]}


def test_dates_out_of_order_are_refused_in_russian(client, world):
    net, _, _ = world
    client.force_login(net.users.admin)
    response = client.post(
        reverse("submissions:campaign_add"),
        campaign_data(net, opens_on="2028-01-10", due_on="2028-03-05", closes_on="2028-03-01"),
    )
    assert response.status_code == 200
    assert "Даты должны идти по порядку" in page_text(response)
    assert not Campaign.objects.filter(year=2027).exists()


def test_a_second_campaign_for_one_period_is_refused(client, world):
    net, campaign, _ = world
    client.force_login(net.users.admin)
    response = client.post(reverse("submissions:campaign_add"), campaign_data(net, year=2026))
    assert response.status_code == 200
    assert "уже есть кампания за этот период" in page_text(response)
    assert Campaign.objects.filter(year=2026).count() == 1


def test_bad_reminder_offsets_are_refused(client, world):
    net, _, _ = world
    client.force_login(net.users.admin)
    response = client.post(reverse("submissions:campaign_add"), campaign_data(net, reminder_offsets="14, неделя"))
    assert "Сроки напоминаний" in page_text(response)
    assert not Campaign.objects.filter(year=2027).exists()


def test_editing_a_campaign_moves_its_dates(client, world):
    net, campaign, _ = world
    client.force_login(net.users.admin)
    data = {
        "title": "",
        "opens_on": "2027-01-10",
        "due_on": "2027-02-20",
        "closes_on": "2027-03-01",
        "reminder_offsets": "3",
        "filer_kinds": [net.kinds["munumo"].pk],
    }
    client.post(reverse("submissions:campaign_edit", args=[campaign.pk]), data)
    campaign.refresh_from_db()
    assert campaign.due_on == datetime.date(2027, 2, 20)
    assert campaign.reminder_offsets == [3]
    assert list(campaign.filer_kinds.all()) == [net.kinds["munumo"]]


def test_the_campaign_list_shows_the_regions_campaigns(client, world):
    net, campaign, _ = world
    other_region = f.RegionFactory(code="other", name="Другой регион")
    Campaign.objects.create(
        region=other_region, document_type="report", year=2026, **Campaign.defaults_for("report", 2026)
    )
    client.force_login(net.users.methodist)
    response = client.get(reverse("submissions:campaigns"))
    assert [c.pk for c in response.context["page_obj"]] == [campaign.pk]


# -- a paper document of a past year -----------------------------------------------------------------


def test_a_historical_document_is_recorded_as_approved(client, net, monkeypatch):
    freeze(monkeypatch, datetime.date(2026, 11, 20))
    campaign = report_campaign(net, year=2024)
    client.force_login(net.users.admin)
    response = client.post(
        reverse("submissions:historical_add", args=[campaign.pk]),
        {"unit": net.terek.pk, "submitted_on": "2025-02-20", "approved_on": "2025-03-03"},
    )
    submission = Submission.objects.get(campaign=campaign, unit=net.terek)
    assert response["Location"] == submission.get_absolute_url()
    assert submission.state == State.APPROVED and submission.historical
    assert (submission.first_submitted_on, submission.on_time) == (datetime.date(2025, 2, 20), True)
    assert submission.approver == net.rumo


def test_a_historical_document_approved_before_it_was_submitted_is_refused(client, net, monkeypatch):
    freeze(monkeypatch, datetime.date(2026, 11, 20))
    campaign = report_campaign(net, year=2024)
    client.force_login(net.users.admin)
    response = client.post(
        reverse("submissions:historical_add", args=[campaign.pk]),
        {"unit": net.terek.pk, "submitted_on": "2025-03-03", "approved_on": "2025-02-20"},
    )
    assert response.status_code == 200
    assert "Дата согласования раньше даты представления" in page_text(response)
    assert not Submission.objects.exists()


# -- notifications and the bell -------------------------------------------------------------------


def test_the_bell_counts_unread_notifications_in_one_query(client, world):
    net, _, _ = world  # the submission notified the reviewer
    client.force_login(net.users.reviewer)
    with CaptureQueriesContext(connection) as ctx:
        text = page_text(client.get(reverse("home")))
    bell = [q["sql"] for q in ctx.captured_queries if "network_notification" in q["sql"]]
    assert len(bell) == 1 and "COUNT" in bell[0].upper()
    assert '<span class="bell-count" aria-hidden="true">1</span>' in text


def test_an_anonymous_page_asks_nothing_about_notifications(client, db):
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("login"))
    assert not [q for q in ctx.captured_queries if "network_notification" in q["sql"]]


def test_notifications_unread_first_and_mark_all_read(client, world):
    net, _, _ = world
    user = net.users.methodist
    old = Notification.objects.create(user=user, text="Старое прочитанное")
    Notification.objects.filter(pk=old.pk).update(read_at=moment(OPEN_DAY))
    new = Notification.objects.create(user=user, text="Новое")
    client.force_login(user)
    response = client.get(reverse("notifications"))
    assert [n.pk for n in response.context["page_obj"]] == [new.pk, old.pk]
    client.post(reverse("notifications"), {"mark_all": "1"})
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert "bell-count" not in page_text(client.get(reverse("notifications")))


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, world):
    net, _, report = world
    note = Notification.objects.get(user=net.users.reviewer)
    client.force_login(net.users.reviewer)
    response = client.post(reverse("notifications"), {"open": note.pk})
    assert response["Location"] == report.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None


def test_one_cannot_open_someone_elses_notification(client, world):
    net, _, _ = world
    note = Notification.objects.get(user=net.users.reviewer)
    client.force_login(net.users.methodist)
    assert client.post(reverse("notifications"), {"open": note.pk}).status_code == 404


# -- the unit's card ----------------------------------------------------------------------------------


def test_the_unit_card_lists_its_documents(client, world):
    net, campaign, report = world
    client.force_login(net.users.methodist)
    text = page_text(client.get(reverse("orgunits:unit", args=[net.terek.pk])))
    assert "Документы" in text and reverse("submissions:submission", args=[report.pk]) in text
