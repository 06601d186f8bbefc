"""The mail outbox (network.notify): no typed text stops it, nothing is sent twice, letters leave in minutes."""

import datetime
import smtplib
import threading

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, connections  # noqa: F401 - `connection` is read by a skipif below
from django.urls import reverse
from django.utils import timezone

from network import notify as notify_module
from network import tasks
from network.models import Notification
from network.notify import notify, relay_outbox
from submissions import deadlines

from . import factories as f
from .workflow import OPEN_DAY, report_campaign, submitted

Status = Notification.EmailStatus
SWEEP_DAY = datetime.date(2027, 7, 1)


class PickyBackend(LocmemBackend):
    """The mail server refuses one address; a second address "kills the worker" mid-send."""

    refused = "refused@example.org"
    fatal = "fatal@example.org"
    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()

    def send_messages(self, messages):
        for message in messages:
            if self.refused in message.to:
                raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"mailbox unavailable")})
            if self.fatal in message.to:
                raise SystemExit("worker killed")
        return super().send_messages(messages)


class DownBackend(LocmemBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def picky(settings):
    settings.EMAIL_BACKEND = "tests.test_mail_relay.PickyBackend"
    PickyBackend.opened = 0


def person(username, email=None):
    return f.UserFactory(username=username, email=email if email is not None else f"{username}@example.org")


def pending(*users, text="Уведомление"):
    """Notifications stored the way the sweep stores them: in bulk, not mailed yet."""
    return Notification.objects.bulk_create(Notification(user=u, text=text) for u in users)


def letters_to(address):
    return [m for m in mail.outbox if address in m.to]


def row(note):
    return Notification.objects.get(pk=note.pk)


# --- no text a user types breaks mail ---------------------------------------------------------


def test_a_title_with_a_newline_is_mailed_on_one_line_and_the_sweep_goes_on(db):
    typed, other = person("typed"), person("other")
    pending(typed, text="Разработка «Дроби\nBcc: spy@example.org\r\nX: y» возвращена на доработку")
    pending(other, text="Срок представления отчёта прошёл.")
    deadlines.run_sweep(SWEEP_DAY)
    [letter] = letters_to("typed@example.org")
    assert "\n" not in letter.subject and "\r" not in letter.subject
    assert letter.subject.startswith("Методсеть: Разработка «Дроби Bcc: spy@example.org X: y»")
    headers = letter.message().as_string().split("\n\n", 1)[0]
    assert "\nBcc:" not in headers and "spy@example.org" not in letter.recipients()
    assert letters_to("other@example.org")  # the letters after it are not held up
    assert not Notification.objects.filter(email_status=Status.PENDING).exists()


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1c", "\x85", "\u2028", "\u2029", "\t"])
def test_every_control_character_becomes_a_space(char):
    assert notify_module.one_line(f"Раз{char}два", 80) == "Раз два"


def test_a_long_text_is_trimmed_in_the_subject_but_whole_in_the_body(db, picky):
    user = person("reader")
    [note] = pending(user, text="Очень длинный текст " * 20)
    relay_outbox()
    [letter] = mail.outbox
    assert len(letter.subject) <= len(notify_module.SUBJECT_PREFIX) + notify_module.SUBJECT_TEXT_LENGTH
    assert letter.subject.endswith("…") and note.text in letter.body


# --- one failing letter is recorded and never blocks the others -------------------------------


def test_a_refused_letter_is_recorded_and_the_others_go(db, picky):
    before = pending(person("first"))
    [refused] = pending(person("refused"))
    after = pending(person("second"), person("third"))
    moment = timezone.now()
    report = relay_outbox(clock=lambda: moment)
    assert sorted(a for m in mail.outbox for a in m.to) == [
        "first@example.org",
        "second@example.org",
        "third@example.org",
    ]
    assert all(row(n).email_status == Status.SENT and row(n).emailed_at for n in before + after)
    refused = row(refused)
    assert refused.email_status == Status.PENDING and refused.emailed_at is None
    assert refused.email_attempts == 1
    assert "SMTPRecipientsRefused" in refused.email_error and "Попытка 1 из 5" in refused.email_error
    assert refused.email_next_try_at == moment + notify_module.BACKOFF[0]
    assert (report.sent, report.failed, report.gave_up) == (3, 1, 0)
    assert PickyBackend.opened <= 2  # one connection for the batch (and a fresh one after the error)


def test_a_failed_letter_waits_for_its_backoff_then_gives_up_after_the_last_attempt(db, picky):
    [refused] = pending(person("refused"))
    moment = timezone.now()
    relay_outbox(clock=lambda: moment)
    # Not again before the backoff is over.
    assert relay_outbox(clock=lambda: moment + datetime.timedelta(seconds=30)).failed == 0
    assert row(refused).email_attempts == 1
    for _ in notify_module.BACKOFF:
        moment = row(refused).email_next_try_at
        assert relay_outbox(clock=lambda at=moment: at).failed == 1
    refused = row(refused)
    assert refused.email_status == Status.FAILED and refused.email_attempts == notify_module.MAX_ATTEMPTS
    assert "Попытка 5 из 5" in refused.email_error
    assert relay_outbox(clock=lambda: moment + datetime.timedelta(days=1)).failed == 0
    assert row(refused).email_attempts == notify_module.MAX_ATTEMPTS


def test_a_user_without_an_address_is_marked_and_not_tried_again(db, picky):
    [silent] = pending(person("silent", email=""))
    [loud] = pending(person("loud"))
    report = relay_outbox()
    assert row(silent).email_status == Status.NO_ADDRESS and "адрес" in row(silent).email_error
    assert row(loud).email_status == Status.SENT and report.no_address == 1
    assert relay_outbox().no_address == 0


def test_with_the_server_down_letters_wait_without_losing_an_attempt(db, settings):
    settings.EMAIL_BACKEND = "tests.test_mail_relay.DownBackend"
    [note] = pending(person("patient"))
    moment = timezone.now()
    report = relay_outbox(clock=lambda: moment)
    note = row(note)
    assert report.server_down and report.sent == 0
    assert note.email_status == Status.PENDING and note.email_attempts == 0
    assert "Почтовый сервер недоступен" in note.email_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert relay_outbox(clock=lambda: moment + notify_module.SERVER_DOWN_RETRY).sent == 1
    assert letters_to("patient@example.org")


# --- a relay killed while mailing never sends a letter twice ----------------------------------


def test_a_sweep_killed_while_mailing_does_not_resend_on_the_next_run(db, picky):
    done, killed, rest = person("done"), person("fatal"), person("rest")
    pending(done)
    [in_flight] = pending(killed)
    pending(rest)
    with pytest.raises(SystemExit):
        deadlines.run_sweep(SWEEP_DAY)  # the worker dies while handing the second letter over
    assert [m.to for m in mail.outbox] == [["done@example.org"]]
    PickyBackend.fatal = "nobody@example.org"  # the next run would succeed with it: it must not try
    try:
        deadlines.run_sweep(SWEEP_DAY)
        deadlines.run_sweep(SWEEP_DAY)
    finally:
        PickyBackend.fatal = "fatal@example.org"
    assert len(letters_to("done@example.org")) == 1
    assert letters_to("rest@example.org")  # not tried when the worker died: it goes now
    assert not letters_to("fatal@example.org")  # in flight: maybe sent, so never again
    assert row(in_flight).email_status == Status.SENDING


def test_a_claim_left_by_a_killed_relay_is_reported_not_resent(db):
    [note] = pending(person("claimed"))
    moment = timezone.now()
    assert notify_module.claim_batch(10, moment)  # claimed and committed, then the process dies
    assert relay_outbox(clock=lambda: moment + datetime.timedelta(minutes=1)).sent == 0
    report = relay_outbox(clock=lambda: moment + notify_module.STALE_CLAIM + datetime.timedelta(seconds=1))
    assert report.interrupted == 1 and report.sent == 0
    note = row(note)
    assert note.email_status == Status.INTERRUPTED and "повторно оно не отправляется" in note.email_error
    assert mail.outbox == []


# --- no daily cap; letters leave within minutes -----------------------------------------------


def test_more_than_five_thousand_letters_all_go_in_one_sweep(db):
    users = [person(f"many{i}") for i in range(3)]
    Notification.objects.bulk_create(
        (Notification(user=users[i % 3], text=f"Напоминание {i}") for i in range(5003)), batch_size=2000
    )
    report = deadlines.run_sweep(SWEEP_DAY)
    assert report.emails >= 5003
    assert not Notification.objects.filter(email_status=Status.PENDING).exists()
    assert sum(len(letters_to(f"many{i}@example.org")) for i in range(3)) == 5003


def test_creating_a_notification_queues_the_relay_on_commit(db, monkeypatch, django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(tasks.relay_mail, "apply_async", lambda *a, **k: queued.append(k))
    with django_capture_on_commit_callbacks() as callbacks:
        notify([person("soon")], "Возвращён на доработку")
        assert queued == []  # not before the commit: the worker would not see the row yet
    for callback in callbacks:
        callback()
    assert len(queued) == 1 and queued[0]["retry"] is False


def test_a_broker_outage_does_not_break_the_request(db, monkeypatch, django_capture_on_commit_callbacks, caplog):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(tasks.relay_mail, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notes = notify([person("later")], "Согласован")
    assert row(notes[0]).email_status == Status.PENDING  # the every-minute beat sends it
    assert "could not queue the mail relay" in caplog.text
    tasks.relay_mail.apply()  # what beat runs
    assert letters_to("later@example.org")


def test_a_returned_document_is_mailed_right_after_the_request(
    net, client, monkeypatch, django_capture_on_commit_callbacks
):
    net.users.secretary.email = "secretary@example.org"
    net.users.secretary.save()
    submission = submitted(report_campaign(net), net.terek, net.users.secretary, day=OPEN_DAY)
    # The queued task runs at once here, as a worker would take it off the queue.
    monkeypatch.setattr(tasks.relay_mail, "apply_async", lambda *a, **k: tasks.relay_mail.apply())
    mail.outbox.clear()
    client.force_login(net.users.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("submissions:return", args=[submission.pk]), {"comment": "Дополните раздел 2."})
    assert response.status_code == 302
    [letter] = letters_to("secretary@example.org")
    assert letter.subject.startswith("Методсеть: Возвращён на доработку") and "Дополните раздел 2." in letter.body


def test_beat_relays_the_outbox_every_minute():
    entries = [e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.relay_mail.name]
    assert len(entries) == 1
    assert float(entries[0]["schedule"]) <= 60
    assert tasks.relay_mail.name == "network.relay_mail"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="skip-locked claims need PostgreSQL")
def test_relays_running_at_once_send_each_letter_once():
    # The beat's relay, an on-commit relay and the sweep may all run at the same minute.
    users = [person(f"crowd{i}") for i in range(5)]
    Notification.objects.bulk_create(Notification(user=users[i % 5], text=f"Письмо {i}") for i in range(600))
    barrier = threading.Barrier(3)
    reports, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            reports.append(relay_outbox(batch_size=40))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    bodies = [m.body for m in mail.outbox]
    assert len(bodies) == len(set(bodies)) == 600
    assert sum(r.sent for r in reports) == 600
    assert Notification.objects.filter(email_status=Status.SENT).count() == 600


def test_the_superuser_finds_failed_letters_in_the_admin(net, client):
    failed = notify([net.users.teacher], "Письмо, которое не ушло")[0]
    Notification.objects.filter(pk=failed.pk).update(
        email_status=Notification.EmailStatus.FAILED, email_attempts=5, email_error="SMTP 550"
    )
    client.force_login(net.users.superuser)
    page = client.get("/admin/network/notification/?email_status=failed").content.decode()
    assert "Письмо, которое не ушло" in page
    assert client.get("/admin/network/notification/", follow=False).status_code == 200
    client.force_login(net.users.admin)
    assert client.get("/admin/network/notification/").status_code == 302  # the admin's login page
