"""The campaign dashboard: states on a given day, percentages, filters, reminders, the Excel export,
and a number of queries that does not grow with the network."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from network.models import Notification
from network.spreadsheets import neutralise as safe
from submissions import dashboard, services
from submissions.models import DeadlineEvent, State, Submission

from .workflow import AFTER_CLOSE, AFTER_DUE, OPEN_DAY, freeze, grow, moment, report_campaign, submitted

D = datetime.date


@pytest.fixture
def campaign(net):
    return report_campaign(net)


def url(campaign, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("submissions:campaign", args=[campaign.pk]) + (f"?{query}" if query else "")


def states_on(client, campaign, unit=None):
    """{unit name: state code} of every row of the dashboard page."""
    response = client.get(url(campaign, **({"unit": unit.pk} if unit else {})))
    assert response.status_code == 200
    return {row.name: row.dash_state for row in response.context["rows"]}


# -- the rule, for a given day ------------------------------------------------------------------


class FakeSubmission:
    def __init__(self, state, first_submitted_on=None):
        self.state, self.first_submitted_on = state, first_submitted_on


@pytest.mark.parametrize(
    ("today", "submission", "expected"),
    [
        (OPEN_DAY, None, "none"),
        (D(2027, 2, 25), None, "none"),  # the due date itself is still in time
        (D(2027, 2, 26), None, "overdue"),
        (D(2027, 3, 1), None, "overdue"),  # the closing date itself: late, not yet missing
        (D(2027, 3, 2), None, "missing"),
        (OPEN_DAY, FakeSubmission(State.DRAFT), "draft"),
        (AFTER_DUE, FakeSubmission(State.DRAFT), "overdue"),
        (AFTER_CLOSE, FakeSubmission(State.DRAFT), "missing"),
        (AFTER_CLOSE, FakeSubmission(State.SUBMITTED, AFTER_DUE), "submitted"),
        (AFTER_CLOSE, FakeSubmission(State.RETURNED, OPEN_DAY), "returned"),
        (AFTER_CLOSE, FakeSubmission(State.APPROVED, OPEN_DAY), "approved"),
    ],
)
def test_state_of_a_unit_on_a_day(campaign, today, submission, expected):
    assert dashboard.state_of(campaign, today, submission) == expected


def test_the_database_applies_the_same_rule(net, campaign):
    draft = services.start(campaign, net.baksan, net.users.baksan_methodist, moment(OPEN_DAY))
    report = submitted(campaign, net.terek, net.users.secretary)
    services.return_for_revision(report, net.users.reviewer, "Доработать.", moment(OPEN_DAY))
    subs = {s.unit_id: s for s in Submission.objects.all()}
    assert draft.unit_id in subs
    for today in (OPEN_DAY, AFTER_DUE, AFTER_CLOSE):
        rows = dashboard.rows(campaign, net.rumo, net.users.reviewer, today)
        for row in rows:
            assert row.dash_state == dashboard.state_of(campaign, today, subs.get(row.pk)), (today, row)


# -- the page on three days -----------------------------------------------------------------------------


def test_before_the_due_date_nobody_is_late(client, net, campaign, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    submitted(campaign, net.terek, net.users.secretary)
    services.start(campaign, net.baksan, net.users.baksan_methodist, moment(OPEN_DAY))
    client.force_login(net.users.reviewer)
    assert states_on(client, campaign) == {
        "Терское МунУМО": "submitted",
        "Баксанское МунУМО": "draft",
        "РМО учителей математики Терского района": "none",
        "ШМО математиков СОШ № 1": "none",
        "РМО учителей математики Баксанского района": "none",
    }
    assert "не начат" in client.get(url(campaign)).content.decode()


def test_after_the_due_date_the_units_that_have_not_submitted_are_late(client, net, campaign, monkeypatch):
    submitted(campaign, net.terek, net.users.secretary)
    services.start(campaign, net.baksan, net.users.baksan_methodist, moment(OPEN_DAY))
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    states = states_on(client, campaign)
    assert states["Терское МунУМО"] == "submitted"
    assert states["Баксанское МунУМО"] == "overdue"  # a draft is not a submission
    assert states["РМО учителей математики Терского района"] == "overdue"
    assert "просрочен" in client.get(url(campaign)).content.decode()


def test_after_closing_they_are_missing(client, net, campaign, monkeypatch):
    submitted(campaign, net.terek, net.users.secretary)
    freeze(monkeypatch, AFTER_CLOSE)
    client.force_login(net.users.reviewer)
    states = states_on(client, campaign)
    assert states["Терское МунУМО"] == "submitted"
    assert {v for k, v in states.items() if k != "Терское МунУМО"} == {"missing"}
    assert "не представлен" in client.get(url(campaign)).content.decode()


def test_submitted_date_timeliness_and_approver_are_shown(client, net, campaign, monkeypatch):
    report = submitted(campaign, net.terek, net.users.secretary, day=AFTER_DUE)
    services.approve(report, net.users.reviewer, moment(AFTER_DUE))
    freeze(monkeypatch, AFTER_CLOSE)
    client.force_login(net.users.reviewer)
    text = client.get(url(campaign)).content.decode()
    assert "27.02.2027" in text and "с опозданием" in text and "РУМО КБР" in text and "согласован" in text


# -- the numbers ----------------------------------------------------------------------------------------


def test_percentages_overall_and_per_level(client, net, campaign, monkeypatch):
    """Five units owe: Terek on time, Baksan late, the ШМО on time; the two РМО nothing."""
    submitted(campaign, net.terek, net.users.secretary, day=OPEN_DAY)
    submitted(campaign, net.baksan, net.users.baksan_methodist, day=AFTER_DUE)
    submitted(campaign, net.shmo, net.users.shmo_secretary, day=OPEN_DAY)
    freeze(monkeypatch, AFTER_CLOSE)
    client.force_login(net.users.reviewer)
    summary = client.get(url(campaign)).context["summary"]
    overall = summary["overall"]
    assert (overall["total"], overall["submitted"], overall["in_time"]) == (5, 3, 2)
    assert (overall["completeness"], overall["on_time"]) == (60, 40)
    levels = {row["label"]: row for row in summary["levels"]}
    assert list(levels) == ["муниципальный", "школьный"]
    municipal, school = levels["муниципальный"], levels["школьный"]
    assert (municipal["total"], municipal["completeness"], municipal["on_time"]) == (4, 50, 25)
    assert (school["total"], school["completeness"], school["on_time"]) == (1, 100, 100)
    assert {code: n for code, _, n in overall["states"]} == {
        "none": 0,
        "draft": 0,
        "submitted": 3,
        "returned": 0,
        "approved": 0,
        "overdue": 0,
        "missing": 2,
    }


def test_no_expected_unit_means_no_percentage(net, campaign):
    result = dashboard.summary(campaign, net.shmo, net.users.reviewer, OPEN_DAY)
    assert result["overall"]["total"] == 0 and result["overall"]["completeness"] is None


# -- filters and drill-down -----------------------------------------------------------------------------


def test_filter_by_state(client, net, campaign, monkeypatch):
    submitted(campaign, net.terek, net.users.secretary)
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    rows = client.get(url(campaign, state="submitted")).context["rows"]
    assert [r.name for r in rows] == ["Терское МунУМО"]
    assert len(client.get(url(campaign, state="overdue")).context["rows"]) == 4


def test_filter_by_level(client, net, campaign, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    client.force_login(net.users.reviewer)
    rows = client.get(url(campaign, level="school")).context["rows"]
    assert [r.name for r in rows] == ["ШМО математиков СОШ № 1"]


def test_an_unknown_filter_is_ignored(client, net, campaign, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    client.force_login(net.users.reviewer)
    assert len(client.get(url(campaign, state="drop table", level="x")).context["rows"]) == 5


def test_drill_down_to_a_municipality(client, net, campaign, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    client.force_login(net.users.reviewer)
    text = client.get(url(campaign)).content.decode()
    assert f'href="?unit={net.terek.pk}"' in text
    assert set(states_on(client, campaign, net.terek)) == {
        "РМО учителей математики Терского района",
        "ШМО математиков СОШ № 1",
    }


def test_the_default_unit_is_the_users_highest(client, net, campaign, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    client.force_login(net.users.methodist)
    response = client.get(url(campaign))
    assert response.context["unit"] == net.terek
    assert response.context["own"].pk == net.terek.pk and response.context["own"].can_start


def test_pagination_at_fifty(client, net, campaign, monkeypatch):
    grow(net, 120)
    freeze(monkeypatch, OPEN_DAY)
    client.force_login(net.users.reviewer)
    response = client.get(url(campaign, unit=net.terek.pk))
    assert len(response.context["rows"]) == 50
    assert response.context["page_obj"].paginator.count == 120
    assert len(client.get(url(campaign, unit=net.terek.pk, page=3)).context["rows"]) == 20


# -- «Напомнить непредставившим» ---------------------------------------------------------------------


def remind(client, campaign, unit):
    return client.post(reverse("submissions:campaign_remind", args=[campaign.pk]), {"unit": unit.pk}, follow=True)


def test_remind_the_owing_units_once_a_day(client, net, campaign, monkeypatch):
    submitted(campaign, net.terek, net.users.secretary)
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    before = Notification.objects.count()

    response = remind(client, campaign, net.rumo)
    # Owing: Baksan, both РМО and the ШМО; Terek has submitted. Neither РМО has a filer with a login:
    # nobody there can be told, and they are named instead of counted.
    text = response.content.decode()
    assert "Напоминание получили 2 человека в 2 подразделениях." in text
    assert "Некому напомнить" in text and "РМО учителей математики Баксанского района" in text
    events = DeadlineEvent.objects.filter(campaign=campaign, kind=DeadlineEvent.Kind.MANUAL)
    assert events.count() == 2 and {e.key for e in events} == {"manual-2027-02-27"}
    notes = Notification.objects.filter(text__startswith="Напоминание")
    assert set(notes.values_list("user__username", flat=True)) == {"baksan_methodist", "shmo_secretary"}
    assert not notes.filter(user=net.users.secretary).exists()  # Terek has submitted
    sent = Notification.objects.count()
    assert sent > before

    response = remind(client, campaign, net.rumo)
    assert "Новых напоминаний нет" in response.content.decode()
    assert Notification.objects.count() == sent
    assert DeadlineEvent.objects.filter(campaign=campaign).count() == 2

    freeze(monkeypatch, AFTER_DUE + datetime.timedelta(days=1))
    client.force_login(net.users.reviewer)
    remind(client, campaign, net.rumo)
    assert Notification.objects.count() == sent + 2


def test_remind_within_a_municipality_reaches_only_its_units(client, net, campaign, monkeypatch):
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.admin)
    remind(client, campaign, net.terek)
    # The Terek РМО is owing too, but has no filer with a login: only the ШМО was told.
    assert set(DeadlineEvent.objects.filter(campaign=campaign).values_list("unit__name", flat=True)) == {
        "ШМО математиков СОШ № 1",
    }


# -- the Excel export -----------------------------------------------------------------------------------


def workbook(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_export_has_the_rows_with_dates_as_dates(client, net, campaign, monkeypatch):
    submitted(campaign, net.terek, net.users.secretary, day=OPEN_DAY)
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    sheet = workbook(client.get(reverse("submissions:campaign_export", args=[campaign.pk])))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:5] == ("Подразделение", "Вид", "Уровень", "Вышестоящее", "Состояние")
    body = {r[0]: r for r in rows[2:]}
    assert set(body) == {
        "Терское МунУМО",
        "Баксанское МунУМО",
        "РМО учителей математики Терского района",
        "РМО учителей математики Баксанского района",
        "ШМО математиков СОШ № 1",
    }
    terek = body["Терское МунУМО"]
    assert terek[4] == "на согласовании" and terek[6] == "в срок" and terek[8] == "РУМО КБР"
    assert terek[5].date() == OPEN_DAY  # a date cell, not text
    assert body["Баксанское МунУМО"][4] == "просрочен"
    assert sheet.column_dimensions["A"].width == 60


def test_export_follows_the_filters(client, net, campaign, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    client.force_login(net.users.reviewer)
    response = client.get(reverse("submissions:campaign_export", args=[campaign.pk]) + "?level=school")
    rows = list(workbook(response).iter_rows(values_only=True))
    assert [r[0] for r in rows[2:]] == ["ШМО математиков СОШ № 1"]


def test_export_neutralises_formulas(client, net, campaign, monkeypatch):
    net.terek_rmo.name = '=HYPERLINK("http://evil.example","жми")'
    net.terek_rmo.save()
    net.baksan_rmo.name = "@SUM(1+1)"
    net.baksan_rmo.save()
    freeze(monkeypatch, OPEN_DAY)
    client.force_login(net.users.reviewer)
    sheet = workbook(client.get(reverse("submissions:campaign_export", args=[campaign.pk])))
    names = [r[0] for r in sheet.iter_rows(min_row=3, values_only=True)]
    # Written as text cells, as they are: nothing in the workbook is a formula.
    assert '=HYPERLINK("http://evil.example","жми")' in names and "@SUM(1+1)" in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+HYPERLINK(1)", "'+HYPERLINK(1)"),
        ("-Итого", "'-Итого"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@x", "'@x"),
        ("+7 (900) 000-00-00", "+7 (900) 000-00-00"),  # a phone runs nothing: no apostrophe
        ("-5", "-5"),
        ("РМО", "РМО"),
        (5, 5),
        (None, None),
    ],
)
def test_safe_cell_values(value, expected):
    assert safe(value) == expected


# -- the number of queries does not grow with the network ---------------------------------------------

SMALL, BIG = 10, 2_000


def seed_submissions(campaign, units, approver):
    """Every third unit has a document, in turn submitted, approved and a draft."""
    states = [State.SUBMITTED, State.APPROVED, State.DRAFT]
    Submission.objects.bulk_create(
        [
            Submission(
                campaign=campaign,
                unit=unit,
                approver=approver,
                state=states[i % 3],
                first_submitted_on=None if states[i % 3] == State.DRAFT else OPEN_DAY,
                on_time=None if states[i % 3] == State.DRAFT else i % 2 == 0,
                submitted_at=None if states[i % 3] == State.DRAFT else moment(OPEN_DAY),
            )
            for i, unit in enumerate(units)
            if i % 3 == 0
        ]
    )


def count_queries(client, address):
    client.get(address)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries], response


@pytest.mark.parametrize("page", ["dashboard", "dashboard_filtered", "export"])
def test_dashboard_queries_do_not_grow_with_the_network(client, net, campaign, monkeypatch, page):
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    addresses = {
        "dashboard": url(campaign, unit=net.terek.pk),
        "dashboard_filtered": url(campaign, unit=net.terek.pk, state="overdue", level="school"),
        "export": reverse("submissions:campaign_export", args=[campaign.pk]) + f"?unit={net.terek.pk}",
    }
    new = grow(net, SMALL)
    seed_submissions(campaign, [net.terek_rmo, *new], net.rumo)
    small, small_response = count_queries(client, addresses[page])

    more = grow(net, BIG)
    seed_submissions(campaign, more, net.rumo)
    big, big_response = count_queries(client, addresses[page])

    print(f"{page}: {len(small)} queries at {SMALL} units, {len(big)} at {BIG}")
    assert len(big) == len(small), "\n".join(big)
    if page == "dashboard":
        assert big_response.context["page_obj"].paginator.count == BIG
        assert big_response.context["summary"]["overall"]["total"] == BIG


def test_no_start_button_before_the_campaign_opens(client, net, campaign, monkeypatch):
    freeze(monkeypatch, D(2026, 12, 1))
    client.force_login(net.users.secretary)
    response = client.get(url(campaign))
    assert not response.context["own"].can_start
    assert "Кампания откроется 10.01.2027" in response.content.decode()
