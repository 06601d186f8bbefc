"""The workflow engine (workflow.engine.perform): one function moves every document, checks
who may, the state it starts from and what the move requires, and writes one history entry."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections  # noqa: F401 - `connection` is read by the skipif below
from django.urls import reverse
from django.utils import timezone

from history.models import LogEntry
from network.models import Notification
from submissions import services
from submissions.models import State, Submission
from workflow.engine import MoveRefused, machine_for, moves_of, perform
from workflow.kinds import kind

from . import factories as f
from .workflow import OPEN_DAY, freeze, moment, report_campaign, submitted


@pytest.fixture
def report(net, monkeypatch):
    """The Terek МунУМО's 2026 report, on approval at РУМО."""
    freeze(monkeypatch, OPEN_DAY)
    return submitted(report_campaign(net), net.terek, net.users.secretary)


def test_a_move_writes_one_entry_with_who_why_and_the_snapshot(net, report):
    before = LogEntry.objects.count()
    perform(report, "return", net.users.reviewer, reason="Добавьте раздел о КПК.", now=moment(OPEN_DAY, 15))
    report.refresh_from_db()
    assert report.state == State.RETURNED
    assert LogEntry.objects.count() == before + 1
    entry = moves_of(report).last()
    assert (entry.action, entry.kind, entry.move, entry.from_state, entry.to_state) == (
        LogEntry.Action.TRANSITION,
        "report",
        "return",
        State.SUBMITTED,
        State.RETURNED,
    )
    assert (entry.actor, entry.reason, entry.at) == (net.users.reviewer, "Добавьте раздел о КПК.", moment(OPEN_DAY, 15))
    assert "fields" in entry.snapshot
    assert Notification.objects.filter(user=net.users.secretary, text__contains="раздел о КПК").exists()


def test_the_whole_path_is_in_the_history(net, report):
    services.approve(report, net.users.reviewer, moment(OPEN_DAY, 16))
    assert list(moves_of(report).values_list("move", "to_state")) == [
        ("create", State.DRAFT),
        ("submit", State.SUBMITTED),
        ("approve", State.APPROVED),
    ]


def test_a_move_from_a_wrong_state_is_refused_and_changes_nothing(net, report):
    services.approve(report, net.users.reviewer, moment(OPEN_DAY, 15))
    entries = LogEntry.objects.count()
    with pytest.raises(MoveRefused) as refused:
        perform(report, "return", net.users.reviewer, reason="Поздно.", now=moment(OPEN_DAY, 16))
    assert "а он — «согласован»" in refused.value.messages[0]
    report.refresh_from_db()
    assert report.state == State.APPROVED and LogEntry.objects.count() == entries


def test_a_stale_copy_is_checked_against_the_locked_row(net, report):
    """The page was opened before someone else approved: the engine rereads the row, not the copy."""
    stale = Submission.objects.get(pk=report.pk)
    services.approve(report, net.users.reviewer, moment(OPEN_DAY, 15))
    assert stale.state == State.SUBMITTED
    with pytest.raises(MoveRefused):
        perform(stale, "approve", net.users.admin, now=moment(OPEN_DAY, 16))
    assert moves_of(report).filter(move="approve").count() == 1


def test_a_move_without_the_required_reason_is_refused(net, report):
    entries = LogEntry.objects.count()
    with pytest.raises(ValidationError) as missing:
        perform(report, "return", net.users.reviewer, reason="   ", now=moment(OPEN_DAY, 15))
    assert "без комментария вернуть нельзя" in missing.value.messages[0]
    report.refresh_from_db()
    assert report.state == State.SUBMITTED and LogEntry.objects.count() == entries
    assert not Notification.objects.filter(text__startswith="Возвращён").exists()


def test_a_move_by_someone_not_allowed_is_403_and_changes_nothing(client, net, report):
    entries = LogEntry.objects.count()
    # The secretary files the report but does not approve it.
    with pytest.raises(PermissionDenied):
        perform(report, "approve", net.users.secretary, now=moment(OPEN_DAY, 15))
    client.force_login(net.users.secretary)
    response = client.post(reverse("submissions:approve", args=[report.pk]))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.state == State.SUBMITTED and LogEntry.objects.count() == entries


def test_the_moves_offered_follow_the_state_and_the_user(net, report):
    machine = machine_for(report)
    assert [m.name for m in machine.available(report, net.users.reviewer)] == ["approve", "return"]
    assert machine.available(report, net.users.secretary) == []


def test_routing_comes_from_the_document_kind(net):
    assert kind("report").approver(net.terek) == net.rumo
    assert services.content_module("plan").__name__ == "plans.content"
    assert kind("candidate").content_module().__name__ == "people.candidates"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL (SQLite serialises writers)")
def test_two_approvals_at_once_make_one_move(net, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    report = submitted(report_campaign(net), net.terek, net.users.secretary)
    barrier = threading.Barrier(2)
    outcomes = []

    def worker(user):
        try:
            barrier.wait(timeout=10)
            perform(report.pk, "approve", user, model=Submission, now=moment(OPEN_DAY, 15))
            outcomes.append("done")
        except MoveRefused:
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - reported below
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(net.users.reviewer,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(map(str, outcomes)) == ["done", "refused"]
    assert moves_of(report).filter(move="approve").count() == 1


# -- the old submissions.Transition rows move into the history ---------------------------------------

BEFORE = [("submissions", "0003_alter_campaign_document_type")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_old_transition(net):
    from django.db.migrations.executor import MigrationExecutor

    campaign = report_campaign(net)
    earlier_campaign = report_campaign(net, year=2025)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        OldSubmission = apps.get_model("submissions", "Submission")
        Transition = apps.get_model("submissions", "Transition")
        at = datetime.datetime(2027, 2, 10, 9, tzinfo=datetime.UTC)
        steps = [("", "draft", ""), ("draft", "submitted", ""), ("submitted", "returned", "Дополните.")]
        steps += [("returned", "submitted", ""), ("submitted", "approved", "Принято.")]
        rows = []
        for c, unit in ((campaign, net.terek), (earlier_campaign, net.baksan)):
            sub = OldSubmission.objects.create(campaign_id=c.pk, unit_id=unit.pk, approver_id=net.rumo.pk)
            for i, (a, b, comment) in enumerate(steps):
                rows.append(
                    Transition.objects.create(
                        submission=sub,
                        from_state=a,
                        to_state=b,
                        by_id=net.users.reviewer.pk if b in ("returned", "approved") else net.users.secretary.pk,
                        at=at + datetime.timedelta(hours=i),
                        comment=comment,
                        snapshot={"fields": {"step": i}},
                    )
                )
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
    finally:
        executor.migrate(executor.loader.graph.leaf_nodes())  # through 0005 and on to the latest

    moved = LogEntry.objects.filter(action=LogEntry.Action.TRANSITION).order_by("object_id", "at", "pk")
    assert len(moved) == len(rows) == 10
    for old, new in zip(rows, moved, strict=True):
        assert (new.object_id, new.from_state, new.to_state, new.actor_id, new.at, new.reason, new.snapshot) == (
            old.submission_id,
            old.from_state,
            old.to_state,
            old.by_id,
            old.at,
            old.comment,
            old.snapshot,
        )
    assert [e.move for e in moved[:5]] == ["create", "submit", "return", "submit", "approve"]
    # What reads the history afterwards finds them: the reviewer who returned, the approval stamp.
    terek = Submission.objects.get(unit=net.terek)
    assert services.diff_since_return(terek) is not None
    assert moves_of(terek).filter(to_state=State.RETURNED).last().actor == net.users.reviewer


# -- developments (practices) ----------------------------------------------------------------------------


def development(net):
    from practices import services as practices

    from .test_practices import new_dev

    return practices, new_dev(net)


def test_a_development_moves_through_the_engine_with_one_entry_per_step(net):
    practices, dev = development(net)
    practices.submit(dev, net.users.teacher, moment(OPEN_DAY), dev.version)
    dev.refresh_from_db()
    practices.assign(dev, [net.users.reviewer], net.users.reviewer, moment(OPEN_DAY, 13), dev.version)
    entries = list(moves_of(dev).values_list("kind", "move", "from_state", "to_state", "reason"))
    expert = net.users.reviewer.get_full_name() or net.users.reviewer.username
    assert entries == [
        ("development", "create", "", "draft", "разработка создана"),
        ("development", "submit", "draft", "submitted", "направлена на экспертизу"),
        ("development", "assign", "submitted", "in_expertise", f"назначены эксперты: {expert}"),
    ]


def test_a_stale_development_page_is_refused_before_anything_else(net):
    practices, dev = development(net)
    stale = dev.version
    practices.submit(dev, net.users.teacher, moment(OPEN_DAY), stale)
    entries = LogEntry.objects.count()
    with pytest.raises(ValidationError) as conflict:
        practices.assign(dev, [net.users.reviewer], net.users.reviewer, moment(OPEN_DAY, 13), stale)
    assert "изменил другой пользователь" in conflict.value.messages[0]
    assert LogEntry.objects.count() == entries


def test_only_the_assigned_expert_concludes(net):
    practices, dev = development(net)
    practices.submit(dev, net.users.teacher, moment(OPEN_DAY), dev.version)
    dev.refresh_from_db()
    practices.assign(dev, [net.users.reviewer], net.users.reviewer, moment(OPEN_DAY, 13), dev.version)
    with pytest.raises(PermissionDenied):
        practices.conclude(dev.assignments.get(), net.users.admin, "recommend", "Да.", moment(OPEN_DAY, 14))
    assert not moves_of(dev).filter(move="conclude").exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_old_expertise_step(net):
    from django.db.migrations.executor import MigrationExecutor

    _, dev = development(net)
    target = [("practices", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    try:
        Transition = executor.loader.project_state(target).apps.get_model("practices", "Transition")
        at = datetime.datetime(2027, 2, 10, 9, tzinfo=datetime.UTC)
        pairs = [("", "draft"), ("draft", "submitted"), ("submitted", "in_expertise"), ("in_expertise", "to_revise")]
        rows = [
            Transition.objects.create(
                development_id=dev.pk, from_state=a, to_state=b, by_id=net.users.reviewer.pk, at=at, comment=f"шаг {i}"
            )
            for i, (a, b) in enumerate(pairs)
        ]
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
    finally:
        executor.migrate(executor.loader.graph.leaf_nodes())
    moved = list(moves_of(dev).exclude(reason="разработка создана"))
    assert [(e.from_state, e.to_state, e.reason, e.actor_id) for e in moved] == [
        (t.from_state, t.to_state, t.comment, t.by_id) for t in rows
    ]
    assert [e.move for e in moved] == ["create", "submit", "assign", "revise"]


# -- orders ----------------------------------------------------------------------------------------------


def signable_order(net):
    from orders import services as orders

    from .test_orders import CONTROL_SELF, free

    order = free(net.terek, datetime.date(2026, 2, 1), by=net.users.secretary)
    person = f.PersonFactory(region=net.region, last_name="Председателева", first_name="Анна")
    f.member(person, net.terek, "chair")
    orders.update_order(
        order,
        fields={"signatory": person, "signatory_position": "Председатель"},
        points=[{"text": "Утвердить положение."}, {"text": CONTROL_SELF}],
        expected_version=order.version,
    )
    return orders, order


def test_signing_an_order_is_one_move_in_its_history(net):
    orders, order = signable_order(net)
    signed = orders.sign_order(order, net.users.secretary, moment(OPEN_DAY))
    assert (signed.status, signed.signed_by, signed.signed_at) == ("signed", net.users.secretary, moment(OPEN_DAY))
    assert list(moves_of(order).values_list("kind", "move", "from_state", "to_state", "actor")) == [
        ("order", "create", "", "draft", net.users.secretary.pk),
        ("order", "sign", "draft", "signed", net.users.secretary.pk),
    ]
    with pytest.raises(MoveRefused):
        orders.sign_order(order, net.users.secretary, moment(OPEN_DAY))
    assert moves_of(order).count() == 2


def test_an_order_is_signed_only_by_who_may_issue_it(net):
    orders, order = signable_order(net)
    with pytest.raises(PermissionDenied):
        orders.sign_order(order, net.users.reviewer, moment(OPEN_DAY))
    order.refresh_from_db()
    assert order.status == "draft" and not moves_of(order).filter(move="sign").exists()


# -- protocols (meetings) --------------------------------------------------------------------------------


def confirmable_meeting(net):
    from .meetings_helpers import add_chair, item, mark_present, new_meeting

    add_chair(net)
    meeting = mark_present(net, new_meeting(net), 2)
    item(net, meeting, (2, 0, 0))
    return meeting


def test_each_confirmation_is_a_move_and_the_second_freezes_the_protocol(net):
    from meetings import services as meetings

    from .meetings_helpers import MEETING_DAY

    meeting = confirmable_meeting(net)
    after = moment(MEETING_DAY + datetime.timedelta(days=1))
    meetings.confirm(meeting, net.users.secretary, meeting.version, after)
    meetings.confirm(meeting, net.users.chair, meeting.version, after)
    assert list(moves_of(meeting).values_list("kind", "move", "from_state", "to_state", "actor")) == [
        ("protocol", "confirm", "draft", "draft", net.users.secretary.pk),
        ("protocol", "confirm", "draft", "confirmed", net.users.chair.pk),
    ]


def test_an_edit_after_a_confirmation_is_a_logged_move_told_to_who_confirmed(net):
    from meetings import services as meetings

    from .meetings_helpers import MEETING_DAY, item

    meeting = confirmable_meeting(net)
    meetings.confirm(meeting, net.users.chair, meeting.version, moment(MEETING_DAY + datetime.timedelta(days=1)))
    item(net, meeting, (1, 1, 0), title="Дополнительный вопрос")  # the secretary edits
    meeting.refresh_from_db()
    assert meeting.chair_confirmed_at is None and meeting.is_draft
    withdrawn = moves_of(meeting).last()
    assert (withdrawn.move, withdrawn.actor, withdrawn.reason) == (
        "withdraw",
        net.users.secretary,
        meetings.EDITED_AFTER_CONFIRMATION,
    )
    told = Notification.objects.filter(user=net.users.chair, text__contains="изменён после вашего подтверждения")
    assert told.count() == 1
    # A further edit of the unconfirmed draft withdraws nothing and writes no move.
    item(net, meeting, (1, 0, 0), title="Ещё вопрос")
    assert moves_of(meeting).filter(move="withdraw").count() == 1


# -- programs ----------------------------------------------------------------------------------------------


def test_a_programs_state_is_not_a_form_field(net, client):
    from programs.models import Program

    from .test_programs import make_program, program_data

    program = make_program(net.terek, state=Program.State.ACTIVE)
    client.force_login(net.users.methodist)
    edit = reverse("plans:program_edit", args=[program.pk])
    response = client.post(edit, program_data(state="finished", expected_version=str(program.version)))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.state == Program.State.ACTIVE
    created = client.post(reverse("plans:program_add", args=[net.terek.pk]), program_data(state="finished"))
    assert created.status_code == 302
    assert Program.objects.exclude(pk=program.pk).get().state == Program.State.DRAFT


def test_a_program_moves_through_its_page(net, client):
    from programs.models import Program

    from .test_programs import make_program

    program = make_program(net.terek, state=Program.State.DRAFT)
    move = lambda name, **data: client.post(reverse("plans:program_move", args=[program.pk, name]), data)  # noqa: E731
    client.force_login(net.users.methodist)
    assert "Начать реализацию" in client.get(program.get_absolute_url()).content.decode()
    assert move("start").status_code == 302
    assert move("finish").status_code == 302
    move("resume", reason="  ")  # refused: a finished program resumes only with a reason
    program.refresh_from_db()
    assert program.state == Program.State.FINISHED
    move("resume", reason="Продлена приказом № 12.")
    move("start")  # a stale page: the program is active already
    program.refresh_from_db()
    assert program.state == Program.State.ACTIVE
    assert list(moves_of(program).values_list("move", "to_state", "reason")) == [
        ("start", "active", ""),
        ("finish", "finished", ""),
        ("resume", "active", "Продлена приказом № 12."),
    ]
    # Who sees the unit but keeps no records of it is refused (403); who does not see it, 404.
    client.force_login(net.users.reviewer)
    assert move("finish").status_code == 403
    client.force_login(net.users.outsider)
    assert move("finish").status_code == 404
    assert move("nonsense").status_code == 404
    program.refresh_from_db()
    assert program.state == Program.State.ACTIVE


# -- monitoring campaigns ------------------------------------------------------------------------------------


def test_closing_a_monitoring_campaign_is_one_logged_move_by_a_reviewer(net):
    from monitoring import services as monitoring
    from monitoring.models import MonitoringCampaign

    from .test_monitoring_rules import make_campaign, make_set

    campaign = make_campaign(make_set(net.region, ("assessment", "", {})), net.baksan)
    with pytest.raises(PermissionDenied):
        monitoring.close(campaign.pk, net.users.teacher, moment(OPEN_DAY))
    assert not moves_of(campaign).exists()
    closed = monitoring.close(campaign.pk, net.users.reviewer, moment(OPEN_DAY))
    assert (closed.state, closed.closed_by, closed.closed_at) == (
        MonitoringCampaign.State.CLOSED,
        net.users.reviewer,
        moment(OPEN_DAY),
    )
    assert list(moves_of(campaign).values_list("kind", "move", "from_state", "to_state", "actor")) == [
        ("monitoring", "close", "open", "closed", net.users.reviewer.pk)
    ]


# -- needs surveys -----------------------------------------------------------------------------------------


def test_a_survey_opens_and_closes_through_the_engine(net, client):
    from surveys import services as surveys
    from surveys.models import NeedsSurvey

    from .test_needs_survey import make_survey

    survey = make_survey(net.terek, NeedsSurvey.State.DESIGN)
    client.force_login(net.users.methodist)
    client.post(reverse("growth:survey_open", args=[survey.pk]))
    # The daily sweep closes it as the system once the answering period is over.
    surveys.close_survey(survey, now=moment(OPEN_DAY))
    with pytest.raises(MoveRefused, match="только проводимую"):
        surveys.close_survey(survey, by=net.users.methodist)
    assert list(moves_of(survey).values_list("kind", "move", "from_state", "to_state", "actor")) == [
        ("survey", "open", "design", "open", net.users.methodist.pk),
        ("survey", "close", "open", "closed", None),
    ]


def test_only_the_organiser_opens_a_survey(net):
    from surveys import services as surveys
    from surveys.models import NeedsSurvey

    from .test_needs_survey import make_survey

    survey = make_survey(net.terek, NeedsSurvey.State.DESIGN)
    with pytest.raises(PermissionDenied):
        surveys.open_survey(survey, timezone.localdate(), by=net.users.teacher)
    survey.refresh_from_db()
    assert survey.state == NeedsSurvey.State.DESIGN and not moves_of(survey).exists()


# -- candidacies: documents without a campaign -------------------------------------------------------------


def test_a_candidacy_without_a_campaign_moves_and_shows_everywhere(net, client):
    from people import candidates

    person = f.PersonFactory(region=net.region, last_name="Кандидатова")
    f.member(person, net.terek, "member")
    submission = candidates.propose(net.terek, person, "Опыт.", net.users.methodist, moment(OPEN_DAY))
    services.submit(submission, net.users.methodist, moment(OPEN_DAY, 13), OPEN_DAY)
    submission.refresh_from_db()
    assert (submission.campaign, submission.on_time, submission.first_submitted_on) == (None, None, OPEN_DAY)
    assert list(moves_of(submission).values_list("kind", "move")) == [("candidate", "create"), ("candidate", "submit")]
    assert str(submission) == f"кандидатура руководителя 2027: {net.terek}"
    client.force_login(net.users.reviewer)
    assert "Кандидатура руководителя 2027" in client.get(reverse("submissions:inbox")).content.decode()
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "Кандидатура руководителя 2027" in page and "с опозданием" not in page
    unit_page = client.get(reverse("orgunits:unit", args=[net.terek.pk])).content.decode()
    assert "Кандидатура руководителя 2027" in unit_page and "None" not in unit_page
    with pytest.raises(ValidationError, match="одно предложение в год"):
        candidates.propose(net.terek, person, "Ещё раз.", net.users.methodist, moment(OPEN_DAY, 14))


@pytest.mark.django_db(transaction=True)
def test_the_migration_takes_candidacies_off_their_made_up_campaigns(net):
    from django.db.migrations.executor import MigrationExecutor

    from submissions.models import Campaign

    target = [("submissions", "0006_candidacy_without_campaign")]
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    try:
        old = executor.loader.project_state(target).apps
        OldCampaign, OldSubmission = (
            old.get_model("submissions", "Campaign"),
            old.get_model("submissions", "Submission"),
        )
        made_up = OldCampaign.objects.create(
            region_id=net.region.pk,
            document_type="candidate",
            year=2026,
            opens_on=datetime.date(2026, 1, 1),
            due_on=datetime.date(2026, 12, 31),
            closes_on=datetime.date(2026, 12, 31),
            reminder_offsets=[],
        )
        OldSubmission.objects.create(campaign=made_up, unit_id=net.terek.pk, approver_id=net.rumo.pk, state="approved")
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
    finally:
        executor.migrate(executor.loader.graph.leaf_nodes())
    moved = Submission.objects.get(unit=net.terek)
    assert (moved.campaign_id, moved.own_kind, moved.own_year, moved.state) == (None, "candidate", 2026, "approved")
    assert not Campaign.objects.exists()
    # Reversed, the candidacy rides on a campaign of its year again.
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    old = executor.loader.project_state(target).apps
    back = old.get_model("submissions", "Submission").objects.select_related("campaign").get(unit_id=net.terek.pk)
    assert (back.campaign.document_type, back.campaign.year, back.own_kind) == ("candidate", 2026, "")
    executor.migrate(executor.loader.graph.leaf_nodes())
