"""A worker for the tests that follow a user through a background job (issue 14: imports and monitoring
computations always run in Celery).

`worker(django_capture_on_commit_callbacks)` runs the jobs a request queues once its transaction has
committed, in the test process, as a worker consuming every queue would: Celery's eager mode (exceptions
propagate) and pytest-django's capture of on_commit callbacks. Tests of the job pages themselves (progress,
retries) call the tasks directly instead."""

import contextlib

import pytest

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


@pytest.fixture
def eager_worker():
    """For a whole module (`pytestmark = pytest.mark.usefixtures("eager_worker")`, the fixture imported): every job
    a request queues runs at once, in the request (network.jobs.enqueue does not wait for the commit then)."""
    with eager():
        yield


def run_waiting_jobs() -> int:
    """What a worker consuming the queues would do now, for the journeys against the live server: run every
    import check or load and every monitoring computation waiting for the queue (each task claims its job,
    as on a worker). Returns how many ran."""
    from monitoring.models import Computation
    from monitoring.tasks import compute_campaign
    from registers.models import Import
    from registers.tasks import run_confirm, run_preview

    ran = 0
    for upload in Import.objects.filter(status__in=[Import.Status.CHECK, Import.Status.LOAD]).order_by("pk"):
        task = run_preview if upload.status == Import.Status.CHECK else run_confirm
        ran += task(upload.pk) != "nothing to do"
    for job in Computation.objects.filter(status=Computation.Status.PENDING).order_by("pk"):
        ran += compute_campaign(job.campaign_id, job.day.isoformat()) != "nothing to do"
    return ran
