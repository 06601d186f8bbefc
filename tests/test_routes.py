"""Routes (issue 13, «Routes (000)»): a document is agreed by the unit its route names.

000, «Муниципальные учебно-методические объединения осуществляют взаимодействие с Региональным
учебно-методическим объединением … по следующим вопросам: … б) Согласование планов работы МунМО с РУМО.
в) Согласование отчётов о проделанной работе МунМО с РУМО»; and the МунУМО «Курируют работу муниципальных
предметных методических объединений» — a region whose МунУМО agrees the РМО's documents routes them there.

So the decision is the routed approver's (Submission.approver): its own reviewers (a role granted or held as a
member on exactly that unit) decide. A reviewer of a unit above sees the document but decides only if the region
allows escalation (Region.allow_escalation); the move then says so in the history and the approver is told.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

import workflow
from network.models import Notification
from orgunits.access import grant_role
from orgunits.models import OrgUnit
from people.services import sync_person_access
from submissions import services
from submissions.models import State, Submission
from submissions.routing import may_decide
from worklist.registry import tasks_for

from . import factories as f
from .workflow import AFTER_DUE, OPEN_DAY, freeze, grow, moment, report_campaign, submitted

AGREE = "Согласовать документы"
ABOVE = "Решение принято выше адресата: Терское МунУМО."


def login_member(net, username, unit, role):
    user = f.UserFactory(username=username)
    person = f.PersonFactory(region=net.region, user=user, last_name=f"Фамилия-{username}")
    f.member(person, unit, role)
    sync_person_access(person)
    return user


@pytest.fixture
def routes(net, monkeypatch):
    """Two routes of one region on 27.02.2027 (reports on approval):

    - the Terek РМО's report → Терское МунУМО (the region's МунУМО agree the reports of their РМО);
    - the Terek МунУМО's report → РУМО КБР (000 в).
    """
    net.kinds["munumo"].approves_documents = ["plan", "report"]
    net.kinds["munumo"].save()
    users = net.users
    users.terek_chair = login_member(net, "terek_chair", net.terek, "chair")
    users.rmo_chair = login_member(net, "rmo_chair", net.terek_rmo, "chair")
    users.baksan_chair = login_member(net, "baksan_chair", net.baksan, "chair")
    users.terek_reviewer = f.UserFactory(username="terek_reviewer")
    grant_role(users.terek_reviewer, net.terek, "reviewer")
    campaign = report_campaign(net)
    rmo_report = submitted(campaign, net.terek_rmo, users.rmo_chair)
    terek_report = submitted(campaign, net.terek, users.secretary)
    assert (rmo_report.approver, terek_report.approver) == (net.terek, net.rumo)
    freeze(monkeypatch, AFTER_DUE)
    for user in vars(users).values():
        if hasattr(user, "_metodset_access"):
            del user._metodset_access
    return {"rmo": rmo_report, "munumo": terek_report}


def allow_escalation(net):
    net.region.allow_escalation = True
    net.region.save()


def post(client, user, submission, move, comment=""):
    client.force_login(user)
    return client.post(reverse(f"submissions:{move}", args=[submission.pk]), {"comment": comment})


def state(submission):
    return Submission.objects.get(pk=submission.pk).state


def last_entry(submission):
    return workflow.moves_of(Submission, submission.pk).last()


def inbox(client, user):
    client.force_login(user)
    response = client.get(reverse("submissions:inbox"))
    assert response.status_code == 200
    return [s.pk for s in response.context["page_obj"]]


def to_agree(user):
    return [t.url for t in tasks_for(user, AFTER_DUE) if t.group == AGREE]


# -- the routed approver decides ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "who"),
    [
        ("rmo", "terek_chair"),  # the chair of the МунУМО the РМО's report is addressed to (a member's role)
        ("rmo", "terek_reviewer"),  # a reviewer granted on exactly that МунУМО
        ("munumo", "reviewer"),  # 000 в: the РУМО's reviewer agrees the МунУМО's report
        ("munumo", "admin"),  # the РУМО's administrator reviews at the РУМО itself
    ],
)
def test_the_routed_approver_decides(client, net, routes, route, who):
    submission = routes[route]
    response = post(client, getattr(net.users, who), submission, "approve")
    assert response.status_code == 302
    assert state(submission) == State.APPROVED
    assert "выше адресата" not in last_entry(submission).reason


@pytest.mark.parametrize(("route", "who"), [("rmo", "terek_chair"), ("munumo", "reviewer")])
def test_the_routed_approver_sees_it_in_the_inbox_and_the_tasks(client, net, routes, route, who):
    submission = routes[route]
    user = getattr(net.users, who)
    assert submission.pk in inbox(client, user)
    assert submission.get_absolute_url() in to_agree(user)
    assert may_decide(user, submission) and not may_decide(user, submission).above_route


# -- above the route: sees, does not decide ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "admin"])
@pytest.mark.parametrize("move", ["approve", "return"])
def test_a_reviewer_above_the_route_gets_403_naming_the_approver(client, net, routes, who, move):
    """000 б, в: the РМО's report is agreed at its МунУМО, not by the РУМО (the region does not allow escalation)."""
    submission = routes["rmo"]
    response = post(client, getattr(net.users, who), submission, move, comment="Доработать раздел 2.")
    assert response.status_code == 403
    assert "Согласует Терское МунУМО. Вышестоящие подразделения решений по нему не принимают" in str(
        response.context["exception"]
    )
    assert state(submission) == State.SUBMITTED


def test_the_machine_refuses_above_the_route_whoever_calls_it(net, routes):
    with pytest.raises(PermissionDenied, match="Согласует Терское МунУМО"):
        workflow.perform(routes["rmo"], "approve", net.users.reviewer, now=moment(AFTER_DUE))


def test_a_reviewer_above_may_not_reopen_an_approved_document(client, net, routes):
    submission = routes["rmo"]
    workflow.perform(submission, "approve", net.users.terek_chair, now=moment(AFTER_DUE))
    response = post(client, net.users.reviewer, submission, "reopen", comment="Ошибка в таблице.")
    assert response.status_code == 403
    assert state(submission) == State.APPROVED


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_a_reviewer_above_sees_the_document_without_the_buttons(client, net, routes, who):
    client.force_login(getattr(net.users, who))
    response = client.get(routes["rmo"].get_absolute_url())
    assert response.status_code == 200  # higher levels see the documents below them
    assert not response.context["can_decide"]
    page = response.content.decode()
    assert "Согласует Терское МунУМО." in page
    assert reverse("submissions:approve", args=[routes["rmo"].pk]) not in page


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_a_reviewer_above_has_it_neither_in_the_inbox_nor_in_the_tasks(client, net, routes, who):
    user = getattr(net.users, who)
    assert inbox(client, user) == [routes["munumo"].pk]  # only what is routed to the РУМО
    assert to_agree(user) == [routes["munumo"].get_absolute_url()]


@pytest.mark.parametrize("who", ["terek_chair", "terek_reviewer"])
def test_a_reviewer_below_the_route_neither_sees_it_to_agree_nor_decides(client, net, routes, who):
    """The МунУМО's own report goes to the РУМО (000 в): its chair files it, does not agree it."""
    submission = routes["munumo"]
    user = getattr(net.users, who)
    assert submission.pk not in inbox(client, user)
    assert post(client, user, submission, "approve").status_code == 403
    assert state(submission) == State.SUBMITTED


def test_a_reviewer_of_another_municipality_does_not_even_see_it(client, net, routes):
    assert post(client, net.users.baksan_chair, routes["rmo"], "approve").status_code == 404
    assert inbox(client, net.users.baksan_chair) == []


def test_a_document_sent_is_announced_to_the_routed_approver_only(net, routes):
    asked = set(
        Notification.objects.filter(text__startswith="На согласование: ", url=routes["rmo"].get_absolute_url())
        .values_list("user__username", flat=True)
        .distinct()
    )
    assert asked == {"terek_chair", "terek_reviewer"}


# -- escalation: a region's setting ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_with_escalation_a_reviewer_above_decides_and_the_history_says_so(client, net, routes, who):
    allow_escalation(net)
    submission = routes["rmo"]
    response = post(client, getattr(net.users, who), submission, "approve", comment="Согласовано.")
    assert response.status_code == 302
    assert state(submission) == State.APPROVED
    entry = last_entry(submission)
    assert entry.reason.startswith("Согласовано.\n")
    assert ABOVE in entry.reason and "РУМО КБР" in entry.reason
    client.force_login(net.users.rmo_chair)
    assert ABOVE in client.get(submission.get_absolute_url()).content.decode()  # the document's history table


def test_with_escalation_the_routed_approver_is_told(net, routes):
    allow_escalation(net)
    submission = routes["rmo"]
    workflow.perform(submission, "approve", net.users.reviewer, now=moment(AFTER_DUE))
    told = Notification.objects.filter(text__startswith="Согласован вышестоящим подразделением (РУМО КБР)")
    assert set(told.values_list("user__username", flat=True)) == {"terek_chair", "terek_reviewer"}
    assert all("Согласующее подразделение по маршруту — Терское МунУМО" in n.text for n in told)


def test_with_escalation_a_return_above_the_route_keeps_the_comment_and_is_marked(client, net, routes):
    allow_escalation(net)
    submission = routes["rmo"]
    assert post(client, net.users.reviewer, submission, "return", comment="Доработать раздел 2.").status_code == 302
    assert state(submission) == State.RETURNED
    entry = last_entry(submission)
    assert entry.reason.startswith("Доработать раздел 2.") and ABOVE in entry.reason
    assert Notification.objects.filter(
        user=net.users.terek_chair, text__startswith="Возвращён на доработку вышестоящим подразделением"
    ).exists()


def test_with_escalation_the_routed_approver_decides_unmarked(net, routes):
    allow_escalation(net)
    submission = routes["rmo"]
    workflow.perform(submission, "approve", net.users.terek_chair, now=moment(AFTER_DUE))
    assert "выше адресата" not in last_entry(submission).reason
    assert not Notification.objects.filter(text__contains="вышестоящим подразделением").exists()


def test_with_escalation_the_inbox_and_the_tasks_name_the_route(client, net, routes):
    allow_escalation(net)
    client.force_login(net.users.reviewer)
    response = client.get(reverse("submissions:inbox"))
    rows = {s.pk: s for s in response.context["page_obj"]}
    assert set(rows) == {routes["rmo"].pk, routes["munumo"].pk}
    assert rows[routes["rmo"].pk].above_route and not rows[routes["munumo"].pk].above_route
    assert "адресован: Терское МунУМО" in response.content.decode()
    notes = {t.url: t.note for t in tasks_for(net.users.reviewer, AFTER_DUE) if t.group == AGREE}
    assert notes[routes["rmo"].get_absolute_url()] == "адресован: Терское МунУМО — решение выше адресата"
    assert notes[routes["munumo"].get_absolute_url()] == ""


def test_escalation_is_the_region_of_the_approver_only(client, net, routes):
    """Another region allowing escalation changes nothing here."""
    other = f.RegionFactory(allow_escalation=True)
    assert other.allow_escalation and not net.region.allow_escalation
    assert post(client, net.users.reviewer, routes["rmo"], "approve").status_code == 403


def test_escalation_does_not_reach_down_past_what_a_reviewer_holds(client, net, routes):
    """Escalation lets a unit above decide, not a unit beside or below: the Terek chair still may not agree the
    МунУМО's own report routed to the РУМО."""
    allow_escalation(net)
    assert post(client, net.users.terek_chair, routes["munumo"], "approve").status_code == 403


# -- the inbox stays bounded ---------------------------------------------------------------------------------


@pytest.mark.parametrize("escalation", [False, True])
def test_the_inbox_of_a_reviewer_above_costs_the_same_at_any_size(
    client, net, routes, escalation, django_assert_max_num_queries
):
    if escalation:
        allow_escalation(net)
    campaign = routes["rmo"].campaign
    units = grow(net, 300)
    Submission.objects.bulk_create(
        [
            Submission(
                campaign=campaign,
                unit=u,
                approver=net.terek if i % 2 else net.rumo,
                state=State.SUBMITTED,
                first_submitted_on=OPEN_DAY,
                on_time=True,
                submitted_at=moment(OPEN_DAY),
            )
            for i, u in enumerate(units)
        ]
    )
    client.force_login(net.users.reviewer)
    address = reverse("submissions:inbox")
    client.get(address)
    with django_assert_max_num_queries(8):  # as without escalation; the size is test_inbox.py's
        response = client.get(address)
    on_approval = Submission.objects.filter(state=State.SUBMITTED)
    expected = on_approval if escalation else on_approval.filter(approver=net.rumo)
    assert response.context["page_obj"].paginator.count == expected.count() >= 150


# -- the demo ---------------------------------------------------------------------------------------------------


def test_the_demo_routes(db, client):
    """In the demo (KBR): the МунУМО plans go to the РУМО (000 б) — `reviewer` and `admin` decide them; a Terek
    РМО's plan goes to the Терское МунУМО — its chair (`chair`) decides it, the РУМО sees it without deciding."""
    call_command("load_demo_network", "--date", "2026-11-24")
    User = get_user_model()
    reviewer, admin, chair = (User.objects.get(username=u) for u in ("reviewer", "admin", "chair"))
    baksan_plan = Submission.objects.get(unit__name__contains="Баксан", state=State.SUBMITTED)
    assert baksan_plan.approver.kind.code == "rumo"
    assert may_decide(reviewer, baksan_plan) and may_decide(admin, baksan_plan)
    assert not may_decide(chair, baksan_plan)

    terek = OrgUnit.objects.get(kind__code="munumo", name__contains="Терск")
    rmo = OrgUnit.objects.filter(kind__code="rmo", parent=terek).order_by("name").first()
    at = datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC)
    plan = services.submit(services.start(baksan_plan.campaign, rmo, None, at), None, at, at.date())
    assert plan.approver == terek
    assert may_decide(chair, plan)
    for above in (reviewer, admin):
        decision = may_decide(above, plan)
        assert not decision and decision.refusal.startswith(f"Согласует {terek.name}.")
    client.force_login(reviewer)
    assert plan.pk not in [s.pk for s in client.get(reverse("submissions:inbox")).context["page_obj"]]
    client.force_login(chair)
    assert plan.pk in [s.pk for s in client.get(reverse("submissions:inbox")).context["page_obj"]]


def test_the_403_page_says_who_decides(client, net, routes):
    """000 б, в: the refusal the user reads names the approver, not a generic «нет прав»."""
    response = post(client, net.users.reviewer, routes["rmo"], "approve")
    page = response.content.decode()
    assert "Согласует Терское МунУМО." in page and "У вас нет прав на это действие" not in page
