"""Logins: throttling (django-axes), the lockouts page, password reset limits, Argon2id, idle sessions."""

import logging
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordResetRequest, Unlock
from network import settings as project_settings
from tests import factories as f
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
LOCKOUTS = "/accounts/lockouts/"


def attempt(client, username, password="wrong-password", address="127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# -- throttling ---------------------------------------------------------------------------------------


def test_username_is_locked_after_the_limit_and_the_right_password_is_refused(client, net, settings):
    settings.AXES_FAILURE_LIMIT = 4
    for n in range(3):
        # from different addresses: the username alone is what gets locked
        response = attempt(client, "teacher", address=f"10.0.0.{n + 1}")
        assert response.status_code == 200 and "Неверный логин или пароль" in response.content.decode()
    response = attempt(client, "teacher", address="10.0.0.9")
    assert response.status_code == 429

    response = attempt(client, "teacher", PASSWORD, address="10.0.0.10")
    assert response.status_code == 429 and not logged_in(client)
    # another person is not affected
    assert attempt(client, "methodist", PASSWORD, address="10.0.0.10").status_code == 302


def test_lockout_page_is_russian_and_says_how_long_to_wait(client, net, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=37)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, "teacher")
    page = response.content.decode()
    assert response.status_code == 429
    assert "Слишком много неудачных попыток входа" in page and "через 37 мин." in page
    assert 'name="username"' in page  # the login form itself, not a bare error
    # a refusal during the lock does not extend it: the wait shown is the real one
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=20))
    assert "через 17 мин." in attempt(client, "teacher", PASSWORD).content.decode()


def test_address_is_locked_after_its_own_higher_limit(client, net, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.ACCOUNTS_ADDRESS_FAILURE_LIMIT = 6
    # five different (made-up) logins from one school's address: below the address limit
    for n in range(5):
        response = attempt(client, f"guess{n}", address="10.1.1.1")
        assert response.status_code == 200
    assert attempt(client, "guess5", address="10.1.1.1").status_code == 429

    assert attempt(client, "methodist", PASSWORD, address="10.1.1.1").status_code == 429
    assert not logged_in(client)
    assert attempt(client, "methodist", PASSWORD, address="10.1.1.2").status_code == 302


def test_lock_ends_after_the_cool_off(client, net):
    for _ in range(5):
        attempt(client, "teacher")
    assert attempt(client, "teacher", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(client, "teacher", PASSWORD).status_code == 302 and logged_in(client)


def test_a_successful_login_forgets_own_typos_but_not_the_address_count(client, net, settings):
    settings.ACCOUNTS_ADDRESS_FAILURE_LIMIT = 12
    for _ in range(4):
        attempt(client, "teacher")
    assert attempt(client, "teacher", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert attempt(client, "teacher").status_code == 200  # 8 in all, yet not locked
    # someone else's failures from the same address stay counted
    assert AccessAttempt.objects.filter(username="teacher").get().failures_since_start == 4
    for n in range(4):
        attempt(client, f"other{n}")
    attempt(client, "methodist", PASSWORD)  # a success does not wipe the others' failures from the address
    assert sum(a.failures_since_start for a in AccessAttempt.objects.all()) == 8


def test_every_lock_is_logged_and_kept(client, net, caplog):
    with caplog.at_level(logging.INFO, logger="accounts.security"):
        for _ in range(5):
            attempt(client, "teacher", address="10.2.2.2")
        attempt(client, "teacher", PASSWORD, address="10.2.2.2")
    locks = [r for r in caplog.records if r.name == "accounts.security" and r.levelno == logging.WARNING]
    assert len(locks) == 1 and "teacher" in locks[0].getMessage() and "10.2.2.2" in locks[0].getMessage()
    assert any("во время блокировки" in r.getMessage() for r in caplog.records if r.name == "accounts.security")
    assert AccessFailureLog.objects.filter(username="teacher", locked_out=True).exists()
    assert AccessAttempt.objects.get(username="teacher").failures_since_start == 5


# -- the lockouts page --------------------------------------------------------------------------------


@pytest.fixture
def locks(client, net, settings):
    """teacher locked by username, a stranger's address locked, a person of another region locked."""
    settings.ACCOUNTS_ADDRESS_FAILURE_LIMIT = 6
    other_region = f.RegionFactory(code="other", name="Другой регион")
    stranger = f.UserFactory(username="stranger")
    f.PersonFactory(region=other_region, user=stranger)
    for _ in range(5):
        attempt(client, "teacher", address="10.3.0.1")
        attempt(client, "stranger", address="10.3.0.2")
    for n in range(6):
        attempt(client, f"nobody{n}", address="10.9.9.9")
    return net


def lock_values(response):
    return {(lock.kind, lock.value) for lock in response.context["lockouts"]}


@pytest.mark.parametrize("role", ["teacher", "methodist", "secretary", "reviewer", "outsider"])
def test_lockouts_page_is_for_administrators_only(client, locks, role):
    client.force_login(getattr(locks.users, role))
    assert client.get(LOCKOUTS).status_code == 403
    response = client.post(LOCKOUTS, {"kind": "username", "value": "stranger"})
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="stranger").exists() and not Unlock.objects.exists()


def test_lockouts_page_needs_a_login(client, locks):
    response = client.get(LOCKOUTS)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_regional_administrator_sees_and_unlocks_people_of_their_region(client, locks):
    client.force_login(locks.users.admin)
    response = client.get(LOCKOUTS)
    assert response.status_code == 200
    assert lock_values(response) == {("username", "teacher")}  # not another region's person, not addresses

    for forged in ({"kind": "username", "value": "stranger"}, {"kind": "ip_address", "value": "10.9.9.9"}):
        assert client.post(LOCKOUTS, forged).status_code == 404
    assert Unlock.objects.count() == 0

    response = client.post(LOCKOUTS, {"kind": "username", "value": "teacher"}, follow=True)
    assert "Блокировка снята" in response.content.decode()
    record = Unlock.objects.get()
    assert (record.by, record.username, record.attempts_removed) == (locks.users.admin, "teacher", 1)
    assert lock_values(response) == set()

    client.logout()
    assert attempt(client, "teacher", PASSWORD, address="10.3.0.1").status_code == 302


def test_superuser_sees_every_lock_including_addresses(client, locks):
    client.force_login(locks.users.superuser)
    response = client.get(LOCKOUTS)
    assert lock_values(response) == {("username", "teacher"), ("username", "stranger"), ("ip_address", "10.9.9.9")}
    client.post(LOCKOUTS, {"kind": "ip_address", "value": "10.9.9.9"})
    assert Unlock.objects.get().ip_address == "10.9.9.9"
    client.logout()
    assert attempt(client, "methodist", PASSWORD, address="10.9.9.9").status_code == 302


# -- password reset -------------------------------------------------------------------------------------


@pytest.fixture
def reset(settings, net):
    settings.PASSWORD_RESET_MIN_SECONDS = 0
    net.users.teacher.email = "teacher@example.org"
    net.users.teacher.save()
    return net


def ask_reset(client, email, address="127.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_is_limited_per_email(client, reset, settings):
    settings.PASSWORD_RESET_PER_EMAIL = 2
    for n in range(2):
        assert ask_reset(client, "teacher@example.org", address=f"10.4.0.{n}").status_code == 302
    response = ask_reset(client, "Teacher@Example.org", address="10.4.0.9")
    assert response.status_code == 429
    assert "Слишком много запросов на восстановление пароля" in response.content.decode()
    assert len(mail.outbox) == 2 and PasswordResetRequest.objects.count() == 2
    # an unknown address is counted the same way, so the limit reveals nothing
    for _ in range(2):
        ask_reset(client, "nobody@example.org")
    assert ask_reset(client, "nobody@example.org").status_code == 429


def test_password_reset_is_limited_per_address(client, reset, settings):
    settings.PASSWORD_RESET_PER_ADDRESS = 3
    for n in range(3):
        assert ask_reset(client, f"someone{n}@example.org", address="10.5.0.1").status_code == 302
    assert ask_reset(client, "teacher@example.org", address="10.5.0.1").status_code == 429
    assert len(mail.outbox) == 0
    assert ask_reset(client, "teacher@example.org", address="10.5.0.2").status_code == 302
    assert len(mail.outbox) == 1


def test_known_and_unknown_email_do_the_same_work(client, reset):
    def measure(email):
        with CaptureQueriesContext(connection) as queries:
            response = ask_reset(client, email, address=f"10.6.0.{len(email)}")
        assert response.status_code == 302
        return len(queries), sorted(t.name for t in response.templates if t.name)

    known = measure("teacher@example.org")
    unknown = measure("nobody-at-all@example.org")
    assert known == unknown
    assert "registration/password_reset_email.html" in known[1]
    assert len(mail.outbox) == 1  # and still only the real person gets a letter


class SlowEmailBackend(EmailBackend):
    """A mail server that takes a while to answer, as a real SMTP round trip does."""

    def send_messages(self, messages):
        time.sleep(0.4)
        return super().send_messages(messages)


def test_known_and_unknown_email_take_the_same_time(client, reset, settings):
    settings.EMAIL_BACKEND = "tests.test_login_security.SlowEmailBackend"
    settings.PASSWORD_RESET_MIN_SECONDS = 0.6

    def timed(email, address):
        started = time.monotonic()
        assert ask_reset(client, email, address=address).status_code == 302
        return time.monotonic() - started

    timed("warm-up@example.org", "10.7.0.9")  # the first request of a process loads templates and code
    # interleaved, and the fastest of each: a busy machine only ever adds time
    known, unknown = [], []
    for n in range(2):
        known.append(timed("teacher@example.org", f"10.7.1.{n}"))
        unknown.append(timed("nobody@example.org", f"10.7.2.{n}"))
    assert abs(min(known) - min(unknown)) < 0.2, (known, unknown)
    assert len(mail.outbox) == 2


# -- Argon2id ---------------------------------------------------------------------------------------------


def test_an_old_pbkdf2_hash_is_upgraded_to_argon2id_at_login(client, net, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    user = get_user_model().objects.get(username="teacher")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    assert attempt(client, "teacher", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=24576,t=3,p=1$")
    client.post(reverse("logout"))
    assert attempt(client, "teacher", PASSWORD).status_code == 302


# -- idle sessions ----------------------------------------------------------------------------------------


def set_last_activity(client, seconds_ago):
    session = client.session
    session["last_activity"] = int(time.time()) - seconds_ago
    session.save()


def test_an_idle_session_is_ended(client, net, settings):
    settings.SESSION_IDLE_TIMEOUT = 8 * 3600
    client.force_login(net.users.teacher)
    assert client.get("/").status_code == 200
    set_last_activity(client, 8 * 3600 + 5)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "Сеанс завершён" in response.content.decode() and "8 ч." in response.content.decode()
    assert not logged_in(client)


def test_the_idle_timeout_is_a_setting_and_activity_keeps_the_session(client, net, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(net.users.teacher)
    set_last_activity(client, 590)
    assert client.get("/").status_code == 200
    # the activity was recorded: ten more minutes from now
    assert int(time.time()) - client.session["last_activity"] < 5
    set_last_activity(client, 30)
    before = client.session["last_activity"]
    client.get("/")
    assert client.session["last_activity"] == before  # written at most once a minute
    set_last_activity(client, 601)
    assert client.get("/").status_code == 302 and not logged_in(client)
