"""A worker for the tests that follow a user through a background job (issue 14: imports and monitoring
computations always run in Celery).

`worker(django_capture_on_commit_callbacks)` runs the jobs a request queues once its transaction has
committed, in the test process, as a worker consuming every queue would: Celery's eager mode (exceptions
propagate) and pytest-django's capture of on_commit callbacks. Tests of the job pages themselves (progress,
retries) call the tasks directly instead."""

import contextlib

from network.celery import app


@contextlib.contextmanager
def eager():
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@contextlib.contextmanager
def worker(capture):
    """`with worker(django_capture_on_commit_callbacks): client.post(...)` — the jobs the request queued
    have run when the block ends."""
    with eager(), capture(execute=True):
        yield
