"""Notifications: stored for the bell, then relayed to e-mail from the outbox.

The Notification rows are the outbox. `notify()` stores them and, once the transaction
commits, queues the `network.relay_mail` task; Celery beat runs the same relay every minute
(so a letter whose queueing failed, say with the broker down, still leaves within a minute
or two), and the daily sweep calls it as well. There is no daily cap: the relay drains the
outbox in batches, one SMTP connection per batch.

No text a user typed can stop the mail: subjects are made single-line, and any failure of
one letter is written on its notification (attempts, last error) and retried with backoff
while the other letters go on.
"""

import datetime
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Notification

log = logging.getLogger(__name__)

Status = Notification.EmailStatus

SUBJECT_PREFIX = "Методсеть: "
SUBJECT_TEXT_LENGTH = 80
BATCH_SIZE = 500
MAX_ATTEMPTS = 5
# The wait after failed attempt 1, 2, 3, 4; the fifth failure gives up (status FAILED).
BACKOFF = [datetime.timedelta(minutes=m) for m in (1, 5, 30, 120)]
# A mail server that does not answer must not hold a worker for ever.
SMTP_TIMEOUT = 30
# With the server unreachable the letters wait this long; the attempt is not counted against them.
SERVER_DOWN_RETRY = datetime.timedelta(minutes=1)
# A claim older than this belongs to a relay that was killed (a batch takes seconds).
STALE_CLAIM = datetime.timedelta(minutes=15)
# A queued relay not started within this time is dropped: the every-minute beat has run since.
RELAY_EXPIRES = 300

# C0/C1 control characters and the Unicode line/paragraph separators: in a header they would
# start a new header line (BadHeaderError at best, an injected "Bcc:" at worst).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def notification_rows(users, text: str, url: str = "", *, needs_action: bool = False) -> list[Notification]:
    """Unsaved notifications, one per user (a user listed twice gets one), for a bulk insert.
    `needs_action`: the text asks the user to do something (the bell lists it under «Требуют действия»).

    Whoever bulk-creates them should call `queue_relay()` so that they are mailed at once
    rather than at the next minute.
    """
    return [
        Notification(user=u, text=text[:500], url=url, needs_action=needs_action)
        for u in {u.pk: u for u in users}.values()
    ]


def notify(users, text: str, url: str = "", *, needs_action: bool = False) -> list[Notification]:
    notes = Notification.objects.bulk_create(notification_rows(users, text, url, needs_action=needs_action))
    if notes:
        queue_relay()
    return notes


def queue_relay() -> None:
    """Relay the outbox as soon as the current transaction commits (at once outside one)."""
    transaction.on_commit(_publish_relay)


def _publish_relay() -> None:
    from .tasks import relay_mail

    try:
        # retry=False: with the broker down the request answers at once instead of waiting on it.
        relay_mail.apply_async(retry=False, expires=RELAY_EXPIRES)
    except Exception:
        log.warning("could not queue the mail relay; the every-minute beat will send the letters", exc_info=True)


def one_line(text: str, limit: int) -> str:
    """`text` as one header-safe line of at most `limit` characters."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def subject_for(note: Notification) -> str:
    return SUBJECT_PREFIX + one_line(note.text, SUBJECT_TEXT_LENGTH)


def letter_for(note: Notification, connection) -> EmailMessage:
    link = f"\n\n{settings.PORTAL_URL.rstrip('/')}{note.url}" if note.url else ""
    return EmailMessage(subject_for(note), note.text + link, None, [note.user.email], connection=connection)


@dataclass
class RelayReport:
    sent: int = 0
    failed: int = 0  # letters that failed in this run (retried later unless given up)
    gave_up: int = 0  # of those, letters that reached MAX_ATTEMPTS
    no_address: int = 0
    interrupted: int = 0  # claims of a killed relay found in this run: reported, never re-sent
    batches: int = 0
    server_down: bool = False


def relay_outbox(
    *,
    batch_size: int = BATCH_SIZE,
    clock: Callable[[], datetime.datetime] = timezone.now,
    max_batches: int | None = None,
) -> RelayReport:
    """Mail the outbox, batch after batch, until nothing is due (or `max_batches`).

    At most once: a batch is claimed (status SENDING) and the claim committed BEFORE any
    letter goes to the mail server; letters are marked SENT after. A relay killed between
    the two leaves its rows SENDING. Nobody knows whether those letters left, so they are
    not sent again: a claim older than STALE_CLAIM is reported (status INTERRUPTED, an
    error logged) instead. Several relays may run at once: each claims different rows.
    """
    report = RelayReport(interrupted=settle_interrupted(clock()))
    while max_batches is None or report.batches < max_batches:
        batch = claim_batch(batch_size, clock())
        if not batch:
            break
        report.batches += 1
        _send_batch(batch, clock, report)
        if report.server_down:
            break  # the rest waits for the next run
    if report.sent or report.failed:
        log.info("mail relay: %s", report)
    return report


def settle_interrupted(now: datetime.datetime) -> int:
    stale = Notification.objects.filter(email_status=Status.SENDING, email_claimed_at__lt=now - STALE_CLAIM)
    count = stale.update(
        email_status=Status.INTERRUPTED,
        email_error=(
            "Отправка прервана: процесс остановился после того, как письмо было взято на отправку. "
            "Письмо могло уйти, поэтому повторно оно не отправляется."
        ),
    )
    if count:
        log.error("mail relay: %s letters were claimed by a relay that stopped; they are not re-sent", count)
    return count


def claim_batch(size: int, now: datetime.datetime) -> list[Notification]:
    """Take up to `size` due letters for this relay; the claim is committed when this returns."""
    due = Q(email_next_try_at__isnull=True) | Q(email_next_try_at__lte=now)
    with transaction.atomic():
        candidates = Notification.objects.filter(due, email_status=Status.PENDING).order_by("pk")
        if db_connection.features.has_select_for_update_skip_locked:
            # Concurrent relays (beat, on-commit tasks, the sweep) take different rows, none waits.
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:size])
        if not ids:
            return []
        Notification.objects.filter(pk__in=ids, email_status=Status.PENDING).update(
            email_status=Status.SENDING, email_claimed_at=now, email_attempts=F("email_attempts") + 1
        )
        return list(
            Notification.objects.filter(pk__in=ids, email_status=Status.SENDING, email_claimed_at=now)
            .select_related("user")
            .only("pk", "text", "url", "email_attempts", "user__email")
            .order_by("pk")
        )


def _send_batch(batch: list[Notification], clock, report: RelayReport) -> None:
    no_address = [n.pk for n in batch if not n.user.email]
    letters = [n for n in batch if n.user.email]
    sent: list[int] = []
    failures: list[tuple[Notification, Exception]] = []
    waiting = letters  # never handed to the server: safe to give back to the outbox
    stopped_by: BaseException | None = None
    connection = get_connection(timeout=SMTP_TIMEOUT)
    try:
        if letters:
            connection.open()
        for i, note in enumerate(letters):
            waiting = letters[i + 1 :]
            try:
                if not connection.send_messages([letter_for(note, connection)]):
                    raise ValueError("почтовый сервер не принял письмо")
                sent.append(note.pk)
            except Exception as exc:  # one letter's failure, whatever it is, never stops the others
                failures.append((note, exc))
                log.warning("could not mail notification %s: %r", note.pk, exc)
                # The session may be broken after an error: the rest go through a fresh one.
                _close(connection)
                connection.open()
        waiting = []
    except Exception as exc:  # the server itself cannot be reached
        report.server_down = True
        stopped_by = exc
        log.warning("mail server unavailable, %s letters wait for the next run: %r", len(waiting), exc)
    finally:
        # Whatever stopped the batch (even a worker shutting down), record what is known: the
        # letter in flight at that moment stays SENDING and is reported later, never re-sent.
        _close(connection)
        now = clock()
        if sent:
            Notification.objects.filter(pk__in=sent).update(email_status=Status.SENT, emailed_at=now)
        if no_address:
            Notification.objects.filter(pk__in=no_address).update(
                email_status=Status.NO_ADDRESS, email_error="У пользователя не указан адрес электронной почты."
            )
        _record_failures(failures, now, report)
        _hand_back(waiting, stopped_by, now)
    report.sent += len(sent)
    report.no_address += len(no_address)


def _record_failures(failures: list[tuple[Notification, Exception]], now, report: RelayReport) -> None:
    for note, exc in failures:
        attempt = note.email_attempts
        error = f"Попытка {attempt} из {MAX_ATTEMPTS}: {type(exc).__name__}: {exc}"[:2000]
        if attempt >= MAX_ATTEMPTS:
            status, next_try = Status.FAILED, None
            report.gave_up += 1
        else:
            status, next_try = Status.PENDING, now + BACKOFF[attempt - 1]
        Notification.objects.filter(pk=note.pk).update(
            email_status=status, email_error=error, email_next_try_at=next_try
        )
    report.failed += len(failures)


def _hand_back(notes: list[Notification], exc: BaseException | None, now) -> None:
    """Letters never handed to the server: back to the outbox, the attempt not counted against them."""
    if not notes:
        return
    reason = (
        f"Почтовый сервер недоступен: {type(exc).__name__}: {exc}"
        if exc
        else "Отправка остановлена раньше, чем дошла до этого письма; оно уйдёт при следующем запуске."
    )
    Notification.objects.filter(pk__in=[n.pk for n in notes], email_status=Status.SENDING).update(
        email_status=Status.PENDING,
        email_attempts=F("email_attempts") - 1,
        email_claimed_at=None,
        # A server that is down gets a minute; letters a stopped worker never reached go at once.
        email_next_try_at=now + SERVER_DOWN_RETRY if exc else None,
        email_error=reason[:2000],
    )


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # closing a dead session must not hide what happened before
        log.debug("closing the mail connection failed", exc_info=True)


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
