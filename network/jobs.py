"""The one way to hand a user's job to Celery, and to make sure it is never lost.

A job is a row (an export, a PDF, a monitoring computation, an import) with `status`, `queued_at`,
`touched_at`, `attempts` and `error`. The row is written first; `enqueue` publishes the task after
the commit and records `queued_at`. When the broker is down the publish fails fast (settings:
CELERY_BROKER_CONNECTION_TIMEOUT, CELERY_TASK_PUBLISH_RETRY_POLICY), nothing is raised to the user:
the row stays with `queued_at` empty and `error` = UNAVAILABLE, which its page shows. Every two minutes beat
runs `requeue` (task network.requeue_jobs): it sends every waiting job again, and every job queued
or running for longer than JOBS_STALE_MINUTES without a sign of life (a message lost when Redis
restarted, a worker killed). Tasks start by `claim`: one atomic UPDATE from the kind's ready status
to its running status, so a job sent twice runs once.

Apps declare their kinds of job with `register(JobKind(...))` in their tasks.py.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules, import_string

log = logging.getLogger(__name__)

UNAVAILABLE = "Очередь задач сейчас недоступна; задача сохранена и будет запущена автоматически."
GAVE_UP = (
    "Задача несколько раз прервалась, не завершившись. Запустите её заново; если не поможет, сообщите администратору."
)


@dataclass(frozen=True)
class JobKind:
    name: str
    model: type
    task: str  # dotted path of the Celery task, imported when sent
    ready: str  # the status of a job asked for and not yet started
    running: str  # the status while a worker runs it
    failed: str  # the status of a job given up
    args: Callable[[object], tuple] = lambda job: (job.pk,)
    # Rows of the model that are jobs of this kind at all (e.g. only background exports).
    scope: Q = field(default_factory=Q)


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


def stale_after() -> timedelta:
    return timedelta(minutes=getattr(settings, "JOBS_STALE_MINUTES", 30))


def publish(task, *args, job=None) -> bool:
    """Send the task now; on success record `queued_at` on the job. False when the broker refused."""
    rows = type(job)._default_manager.filter(pk=job.pk) if job is not None else None
    try:
        task.delay(*args)
    except Exception:  # kombu OperationalError, redis errors, the result backend's RuntimeError…
        log.warning("the broker did not take %s%r; the job waits for network.requeue_jobs", task.name, args)
        if rows is not None:  # what the job's page says while it waits
            rows.filter(queued_at__isnull=True).update(error=UNAVAILABLE)
            job.error = UNAVAILABLE
        return False
    if rows is not None:
        now = timezone.now()
        rows.update(queued_at=now, touched_at=now, error="")
        job.queued_at, job.touched_at, job.error = now, now, ""
    return True


def enqueue(task, *args, job=None, on_commit: bool = True) -> bool | None:
    """Publish `task(*args)` after the current transaction commits (the worker must find the row).

    Returns whether the broker took it, or None when the publish waits for the commit. A failure
    never raises: the job keeps `queued_at` empty and is sent again by `requeue`.
    """
    if not on_commit or task.app.conf.task_always_eager:
        # Eager (tests, a development run without a worker): the task runs here, in this transaction, so it
        # sees the row without waiting for the commit.
        return publish(task, *args, job=job)
    outcome = []
    transaction.on_commit(lambda: outcome.append(publish(task, *args, job=job)))
    return outcome[0] if outcome else None


def claim(kind: JobKind, pk) -> bool:
    """Mark the job running if it is ready; False when another run has it or it is finished."""
    now = timezone.now()
    return bool(
        kind.model._default_manager.filter(kind.scope, pk=pk, status=kind.ready).update(
            status=kind.running, touched_at=now, attempts=F("attempts") + 1, error=""
        )
    )


def touch(model, pk) -> None:
    """A sign of life of a long job (progress): it is not stale."""
    model._default_manager.filter(pk=pk).update(touched_at=timezone.now())


def report(model, pk, **fields) -> None:
    """Write a job's progress (and a sign of life) where its page can read it while the job goes on.

    A job that works inside one long transaction (an import's check is a dry run rolled back at its end,
    the load is all rows or none) would hide its progress until the end, or roll it back with the dry run.
    On PostgreSQL the progress is then written through a second, autocommitting connection; SQLite has one
    writer at a time, so there it is written in the job's own transaction (seen when the step ends)."""
    fields.setdefault("touched_at", timezone.now())
    rows = model._default_manager.filter(pk=pk)
    if not (connection.in_atomic_block and connection.vendor == "postgresql"):
        if not connection.needs_rollback:  # a statement of the job's transaction failed: report nothing now
            rows.update(**fields)
        return
    query = rows.query.chain(UpdateQuery)
    query.add_update_values(fields)
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        sql, params = query.get_compiler(connection=side).as_sql()
        with side.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        side.close()


class Progress:
    """Counts a job's units of work and reports them (`report`) about fifty times over the job, not per row."""

    def __init__(self, model, pk, total: int, field: str = "rows_done", times: int = 50):
        self.model, self.pk, self.total, self.field = model, pk, total, field
        self.step = max(1, -(-total // times))  # at most `times` reports, and the last
        self.done = 0
        self.reported = -1

    def start(self) -> None:
        self.done = 0
        self.write()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.done - self.reported >= self.step or self.done >= self.total:
            self.write()

    def write(self) -> None:
        self.reported = self.done
        report(self.model, self.pk, **{self.field: min(self.done, self.total)})


def requeue(now=None) -> dict:
    """Send again every job that waits for the queue or has gone stale; returns counts per kind."""
    autodiscover_modules("tasks")  # every app's kinds (the beat worker may not have imported them yet)
    now = now or timezone.now()
    cutoff = now - stale_after()
    max_attempts = getattr(settings, "JOBS_MAX_ATTEMPTS", 3)
    counts = {}
    for kind in KINDS.values():
        manager = kind.model._default_manager
        # Running without a sign of life: the worker died. Back to ready (or failed after too many tries).
        dead = manager.filter(kind.scope, status=kind.running, touched_at__lt=cutoff)
        dead.filter(attempts__gte=max_attempts).update(status=kind.failed, error=GAVE_UP)
        dead.filter(attempts__lt=max_attempts).update(status=kind.ready, queued_at=None)
        due = manager.filter(kind.scope, status=kind.ready).filter(
            Q(queued_at__isnull=True) | Q(touched_at__lt=cutoff) | Q(touched_at__isnull=True)
        )
        task = import_string(kind.task)
        sent = failed = 0
        for job in due.order_by("pk").iterator():
            if publish(task, *kind.args(job), job=job):
                sent += 1
            else:
                failed += 1
                break  # the broker is down: the next run tries again
        if sent or failed:
            log.info("requeue %s: %s sent, broker down: %s", kind.name, sent, bool(failed))
        counts[kind.name] = sent
    return counts
