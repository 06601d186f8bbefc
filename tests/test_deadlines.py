"""The calendar of 001 replayed through the sweep: due 25 February, closing 1 March."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from network.models import Notification
from orgunits.models import DocumentType
from submissions import deadlines, services
from submissions.models import Campaign, DeadlineEvent

D = datetime.date


@pytest.fixture
def campaign(net):
    c = Campaign.objects.create(
        region=net.region, document_type=DocumentType.REPORT, year=2026, **Campaign.defaults_for("report", 2026)
    )
    c.filer_kinds.set([net.kinds["munumo"]])
    for u in vars(net.users).values():
        if hasattr(u, "username"):
            u.email = f"{u.username}@example.org"
            u.save()
    return c


def submit_on(net, campaign, day):
    now = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    submission = services.start(campaign, net.terek, net.users.secretary, now)
    return services.submit(submission, net.users.secretary, now, day)


def notes(user, needle):
    return Notification.objects.filter(user=user, text__contains=needle).count()


def test_defaults_follow_001(campaign):
    assert (campaign.due_on, campaign.closes_on) == (D(2027, 2, 25), D(2027, 3, 1))


def test_submitted_on_24_february_is_on_time(net, campaign):
    assert submit_on(net, campaign, D(2027, 2, 24)).on_time is True


def test_submitted_on_the_due_date_is_on_time(net, campaign):
    assert submit_on(net, campaign, D(2027, 2, 25)).on_time is True


def test_submitted_on_26_february_is_late(net, campaign):
    assert submit_on(net, campaign, D(2027, 2, 26)).on_time is False


def test_timeliness_never_changes_after_a_return(net, campaign):
    submission = submit_on(net, campaign, D(2027, 2, 24))
    later = timezone.make_aware(datetime.datetime(2027, 3, 10, 9))
    submission = services.return_for_revision(submission, net.users.reviewer, "Добавьте раздел о КПК", later)
    submission = services.submit(submission, net.users.secretary, later, later.date())
    assert submission.on_time is True and submission.first_submitted_on == D(2027, 2, 24)


def test_late_flag_after_the_due_date(net, campaign):
    report = deadlines.run_sweep(D(2027, 2, 26))
    assert report.late == 2  # Terek and Baksan МунУМО
    assert notes(net.users.secretary, "просрочен") == 1


def test_nothing_is_late_on_the_due_date_itself(net, campaign):
    assert deadlines.run_sweep(D(2027, 2, 25)).late == 0


def test_missing_after_closing_notifies_the_parent_once(net, campaign):
    # The parent of Terek МунУМО is ЦНППМ; give it a chair with a login to receive the note.
    from tests import factories as f

    chair_user = f.UserFactory(username="cnppm_chair")
    f.member(f.PersonFactory(region=net.region, user=chair_user), net.cnppm, "chair")
    first = deadlines.run_sweep(D(2027, 3, 2))
    second = deadlines.run_sweep(D(2027, 3, 2))
    assert first.missing == 2 and second.missing == 0
    assert notes(chair_user, "не представило") == 2  # one per missing municipality, once
    assert notes(net.users.secretary, "не представлен") == 1


def test_a_submitted_unit_is_never_flagged(net, campaign):
    submit_on(net, campaign, D(2027, 2, 24))
    deadlines.run_sweep(D(2027, 3, 2))
    assert not DeadlineEvent.objects.filter(unit=net.terek).exists()
    assert DeadlineEvent.objects.filter(unit=net.baksan, key="missing").exists()


@pytest.mark.parametrize(
    ("day", "key"), [(D(2027, 2, 11), "reminder-14"), (D(2027, 2, 18), "reminder-7"), (D(2027, 2, 24), "reminder-1")]
)
def test_reminder_at_each_offset(net, campaign, day, key):
    deadlines.run_sweep(day)
    assert DeadlineEvent.objects.filter(unit=net.terek, key=key).count() == 1
    assert notes(net.users.secretary, "Напоминание") == 1


def test_no_reminder_before_the_first_offset(net, campaign):
    deadlines.run_sweep(D(2027, 2, 10))
    assert not DeadlineEvent.objects.exists()


def test_every_day_of_the_calendar_sends_each_reminder_once(net, campaign):
    day = D(2027, 2, 1)
    while day <= D(2027, 3, 5):
        deadlines.run_sweep(day)
        deadlines.run_sweep(day)  # twice a day: nobody gets a second letter
        day += datetime.timedelta(days=1)
    keys = sorted(DeadlineEvent.objects.filter(unit=net.terek).values_list("key", flat=True))
    assert keys == ["late", "missing", "reminder-1", "reminder-14", "reminder-7"]
    assert notes(net.users.secretary, "Напоминание") == 3
    letters = [m for m in mail.outbox if "secretary@example.org" in m.to]
    # The governance checks of the same sweep (meetings.governance) write about meetings, once each.
    governance = [m for m in letters if "заседани" in m.body]
    assert len(letters) - len(governance) == 5
    assert len(governance) == len({m.body for m in governance}) == 2  # Terek's 4th quarter and its РМО's


def test_a_sweep_killed_midway_loses_nothing(net, campaign, monkeypatch):
    # A campaign's events and letters are written in one transaction: a crash after the first
    # unit leaves nothing half-done, and the next run does the whole campaign once.
    real_rows = deadlines.notification_rows
    calls = {"n": 0}

    def crash_on_second_unit(users, text, url="", **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_rows(users, text, url, **kwargs)

    monkeypatch.setattr(deadlines, "notification_rows", crash_on_second_unit)
    with pytest.raises(RuntimeError):
        deadlines.run_sweep(D(2027, 2, 26))
    # The other steps of the sweep still run (network.periodic); nothing of the campaign was written.
    assert not DeadlineEvent.objects.exists() and not Notification.objects.filter(text__contains="просрочен").exists()
    monkeypatch.setattr(deadlines, "notification_rows", real_rows)
    deadlines.run_sweep(D(2027, 2, 26))
    assert sorted(DeadlineEvent.objects.values_list("unit_id", flat=True)) == sorted([net.terek.pk, net.baksan.pk])
    assert notes(net.users.secretary, "просрочен") == 1
    assert notes(net.users.baksan_methodist, "просрочен") == 1


def test_mail_lost_in_a_crash_is_sent_by_the_next_sweep(net, campaign, monkeypatch):
    deadlines.run_sweep(D(2027, 2, 26), send_email=False)  # killed before mailing
    assert Notification.objects.filter(emailed_at__isnull=True).exists()
    deadlines.run_sweep(D(2027, 2, 26))
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert len(mail.outbox) == Notification.objects.count()


def test_the_command_replays_a_day_and_prints_what_it_did(net, campaign, capsys):
    call_command("run_deadline_sweep", "--date", "2027-03-02")
    out = capsys.readouterr().out
    assert "не представлен" in out and "02.03.2027" in out


def test_the_celery_task_runs_the_same_sweep(net, campaign):
    from submissions.tasks import deadline_sweep

    assert "просрочено 2" in deadline_sweep("2027-02-26")
    assert "просрочено 0" in deadline_sweep("2027-02-26")


def test_a_reminder_asks_for_action_and_the_parents_notice_informs(net, campaign):
    from tests import factories as f

    chair_user = f.UserFactory(username="cnppm_chair")
    f.member(f.PersonFactory(region=net.region, user=chair_user), net.cnppm, "chair")
    deadlines.run_sweep(D(2027, 2, 24))
    deadlines.run_sweep(D(2027, 3, 2))
    reminder = Notification.objects.get(user=net.users.secretary, text__contains="Напоминание")
    assert reminder.needs_action
    parents = Notification.objects.filter(user=chair_user, text__contains="не представило")
    assert parents.exists() and not parents.filter(needs_action=True).exists()
