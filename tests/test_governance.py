"""Governance checks of the daily sweep: a quarter without a meeting, a term about to end. Sent once."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from meetings.governance import previous_quarter
from meetings.models import GovernanceEvent
from network.models import Notification
from people.models import Membership
from submissions import deadlines

from . import factories as f
from .meetings_helpers import add_chair, new_meeting

D = datetime.date


@pytest.fixture
def world(net):
    add_chair(net)
    # The ЦНППМ above the МунУМО gets a chair with a login: the parent's filers hear of a quarter lost.
    cnppm_chair = f.UserFactory(username="cnppm_chair")
    f.member(f.PersonFactory(region=net.region, user=cnppm_chair), net.cnppm, "chair")
    net.users.cnppm_chair = cnppm_chair
    for u in vars(net.users).values():
        if hasattr(u, "username"):
            u.email = f"{u.username}@example.org"
            u.save()
    return net


def sweep(day: str, capsys=None) -> str:
    call_command("run_deadline_sweep", "--date", day)
    return capsys.readouterr().out if capsys else ""


def notes(user, needle):
    return Notification.objects.filter(user=user, text__contains=needle).count()


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2027, 1, 10), (2026, 4, D(2026, 10, 1), D(2026, 12, 31))),
        (D(2027, 3, 31), (2026, 4, D(2026, 10, 1), D(2026, 12, 31))),
        (D(2027, 4, 1), (2027, 1, D(2027, 1, 1), D(2027, 3, 31))),
        (D(2026, 11, 25), (2026, 3, D(2026, 7, 1), D(2026, 9, 30))),
    ],
)
def test_previous_quarter(today, expected):
    assert previous_quarter(today) == expected


def test_a_quarter_without_a_meeting_is_flagged_once(world, capsys):
    out = sweep("2027-01-11", capsys)
    assert "без заседаний за квартал" in out and "нет заседаний в 4 квартале 2026 г." in out
    text = "«Терское МунУМО»: в 4 квартале 2026 г. не проведено ни одного заседания"
    # The unit's filers: chair, secretary, methodist (the plain members are not written to).
    for user in (world.users.chair, world.users.secretary, world.users.methodist):
        assert notes(user, text) == 1
    assert notes(world.users.teacher, "не проведено") == 0
    # And the filers of the parent.
    assert notes(world.users.cnppm_chair, "Нижестоящее подразделение «Терское МунУМО» не провело") == 1
    assert GovernanceEvent.objects.filter(unit=world.terek, key="no-meeting-2026-Q4").count() == 1

    sent = Notification.objects.count()
    letters = len(mail.outbox)
    out = sweep("2027-01-11", capsys)  # the same day again
    assert "без заседаний за квартал 0" in out
    sweep("2027-02-15")  # and another day of the same quarter
    assert Notification.objects.count() == sent and len(mail.outbox) == letters


def test_the_quarter_is_checked_after_a_grace_for_late_protocols(world):
    assert deadlines.run_sweep(D(2027, 1, 10)).no_meetings == 0  # ten days to record December's meeting
    assert deadlines.run_sweep(D(2027, 1, 11)).no_meetings > 0


def test_a_meeting_in_the_quarter_clears_the_unit(world):
    new_meeting(world, day=D(2026, 12, 20))
    deadlines.run_sweep(D(2027, 1, 11))
    assert not GovernanceEvent.objects.filter(unit=world.terek).exists()
    assert notes(world.users.secretary, "«Терское МунУМО»: в 4 квартале") == 0
    # Baksan held none: flagged.
    assert GovernanceEvent.objects.filter(unit=world.baksan, key="no-meeting-2026-Q4").exists()


def test_a_unit_formed_during_the_quarter_is_not_flagged_for_it(world):
    # The members' terms start on 01.09.2026: the third quarter began before they sat.
    report = deadlines.run_sweep(D(2026, 10, 20))
    assert report.no_meetings == 0
    assert not GovernanceEvent.objects.exists()


def test_a_unit_without_members_is_not_flagged(world):
    empty = f.unit(world.region, world.kinds["rmo"], world.baksan, name="РМО без состава")
    deadlines.run_sweep(D(2027, 1, 11))
    assert not GovernanceEvent.objects.filter(unit=empty).exists()


def test_a_term_ending_within_30_days_is_flagged_once(world, capsys):
    # The terms of the fixture run 01.09.2026 — 31.08.2027; on 01.08.2027 thirty days remain.
    out = sweep("2027-07-31", capsys)
    assert "истекает сроков 0" in out
    out = sweep("2027-08-01", capsys)
    terek_terms = Membership.objects.active().filter(unit=world.terek).count()
    assert terek_terms == 3
    assert f"Терское МунУМО: истекает срок полномочий — {terek_terms} чел." in out
    note = Notification.objects.get(user=world.users.secretary, text__contains="заканчивается срок полномочий")
    assert "до 31.08.2027" in note.text and world.users.secretary_person.short_name in note.text
    assert notes(world.users.teacher, "заканчивается срок полномочий") == 0  # members are not filers
    keys = set(GovernanceEvent.objects.filter(unit=world.terek, key__startswith="term-").values_list("key", flat=True))
    assert len(keys) == terek_terms

    sent = Notification.objects.count()
    out = sweep("2027-08-01", capsys)
    assert "истекает сроков 0" in out
    sweep("2027-08-20")
    assert Notification.objects.count() == sent


def test_a_renewed_term_is_flagged_again_before_its_new_end(world):
    deadlines.run_sweep(D(2027, 8, 1))
    expiring = "заканчивается срок полномочий"
    before = notes(world.users.secretary, expiring)
    membership = Membership.objects.get(person=world.users.secretary_person, unit=world.terek)
    membership.ends_on = D(2028, 8, 31)
    membership.save()
    deadlines.run_sweep(D(2027, 8, 2))
    assert notes(world.users.secretary, expiring) == before
    deadlines.run_sweep(D(2028, 8, 5))
    assert notes(world.users.secretary, expiring) == before + 1
    note = Notification.objects.filter(user=world.users.secretary, text__contains=expiring).latest("pk")
    assert "до 31.08.2028" in note.text and world.users.secretary_person.short_name in note.text


def test_a_term_already_over_but_never_closed_is_flagged(world):
    person = f.PersonFactory(region=world.region, last_name="Забытая")
    Membership.objects.create(
        person=person, unit=world.terek, role="member", starts_on=D(2025, 9, 1), ends_on=D(2026, 8, 31)
    )
    deadlines.run_sweep(D(2026, 11, 25))
    note = Notification.objects.get(user=world.users.secretary, text__contains="Забытая")
    assert "истёк 31.08.2026" in note.text


def test_the_report_counts_the_governance_flags(world):
    report = deadlines.run_sweep(D(2027, 8, 1))
    # Q2 2027: Terek, Baksan, both РМО, the ШМО and the ЦНППМ had members and no meeting.
    assert report.no_meetings == GovernanceEvent.objects.filter(key="no-meeting-2027-Q2").count()
    assert report.no_meetings >= 4
    assert report.terms_ending == GovernanceEvent.objects.filter(key__startswith="term-").count()
    assert report.terms_ending > 0


def test_a_quarter_without_a_meeting_asks_the_unit_to_act_and_informs_the_parent(world):
    sweep("2027-01-11")
    own = Notification.objects.get(
        user=world.users.secretary, text__contains="«Терское МунУМО»: в 4 квартале 2026 г. не проведено"
    )
    parent = Notification.objects.get(
        user=world.users.cnppm_chair, text__contains="Нижестоящее подразделение «Терское МунУМО»"
    )
    assert own.needs_action and not parent.needs_action
