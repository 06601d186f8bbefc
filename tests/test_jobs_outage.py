"""Background jobs survive a broker outage (network/jobs.py).

The broker is really down here: Celery publishes to a Redis URL on a closed local port, with the
connection settings network/settings.py computes for Redis. A request that starts a background
export, a long PDF, a monitoring computation or a large import answers at once, says the queue is
unavailable and keeps the job; when the broker is back the periodic network.requeue_jobs sends it
(eager mode stands in for the worker) and the job completes. Nothing the user asked for is lost.
"""

import contextlib
import datetime
import os
import runpy
import time
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Computation, MonitoringCampaign
from network import jobs
from network.celery import app
from network.models import RenderedDocument
from network.pdf import REGISTRY
from network.tasks import render_document, requeue_jobs
from registers.models import Export, Import
from registers.tasks import run_export
from submissions import pdf as submission_pdf

from . import documents as d
from .test_monitoring_rules import make_set
from .test_pdf import many_items
from .test_registers import SCHOOL_HEADERS, school_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1
UNAVAILABLE = "Очередь задач сейчас недоступна; задача сохранена и будет запущена автоматически"
BROKER_KEYS = (
    "broker_url",
    "broker_transport_options",
    "broker_connection_timeout",
    "task_publish_retry_policy",
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def redis_conf(url: str) -> dict:
    """The Celery settings network/settings.py computes when CELERY_BROKER_URL is `url`."""
    with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": url}):
        computed = runpy.run_path(str(django_settings.BASE_DIR / "network" / "settings.py"))
    return {key: computed[f"CELERY_{key.upper()}"] for key in BROKER_KEYS}


def _reset_pools():
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_down():
    saved = {key: app.conf[key] for key in BROKER_KEYS}
    app.conf.update(redis_conf(DOWN))
    _reset_pools()
    try:
        # Celery reads CELERY_BROKER_URL from the environment before its own settings (CI sets it to
        # the real Redis), so the environment must point at the closed port too.
        with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": DOWN}):
            yield
    finally:
        app.conf.update(saved)
        _reset_pools()


@contextlib.contextmanager
def broker_back():
    """A working broker: eager mode runs each sent task at once, as a worker would."""
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def timed(fn):
    started = time.monotonic()
    result = fn()
    return result, time.monotonic() - started


def test_the_shipped_redis_settings_fail_fast():
    conf = redis_conf("redis://redis.example:6379/0")
    assert conf["broker_connection_timeout"] <= 2
    assert conf["broker_transport_options"]["socket_connect_timeout"] <= 2
    assert conf["task_publish_retry_policy"]["max_retries"] <= 1


def test_a_background_export_waits_for_the_broker_and_then_completes(
    net, login, settings, django_capture_on_commit_callbacks
):
    settings.REGISTER_SYNC_ROWS = 2
    client = login(net.users.admin)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response, seconds = timed(lambda: client.get(reverse("registers:export", args=["units"])))
    assert seconds < 5 and response.status_code == 302
    export = Export.objects.get()
    assert export.status == Export.Status.PENDING and export.queued_at is None
    page = client.get(response.url).content.decode()
    assert UNAVAILABLE in page and "hx-get" in page  # the page keeps polling

    # Beat while the broker is still down: nothing sent, nothing lost, and quickly.
    with broker_down():
        counts, seconds = timed(requeue_jobs)
    assert seconds < 5 and counts["export"] == 0
    export.refresh_from_db()
    assert export.status == Export.Status.PENDING and export.queued_at is None

    with broker_back():
        assert requeue_jobs()["export"] == 1
    export.refresh_from_db()
    assert export.status == Export.Status.DONE and export.file and export.queued_at is not None
    assert client.get(reverse("registers:export_download", args=[export.pk])).status_code == 200
    with broker_back():
        assert requeue_jobs()["export"] == 0  # a finished job is not sent again


def test_a_long_pdf_waits_for_the_broker_and_then_renders(net, login, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("network.pdf.render_pdf", lambda template, context: b"%PDF-1.7 test")
    plan = d.plan(net)
    many_items(plan, submission_pdf.BACKGROUND_ITEMS + 1)
    client = login(net.users.secretary)
    url = reverse("submissions:pdf", args=[plan.pk])
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response, seconds = timed(lambda: client.get(url))
    assert seconds < 5 and response.status_code == 200
    rendered = RenderedDocument.objects.get(kind="plan", object_id=plan.pk)
    assert rendered.status == RenderedDocument.Status.PENDING and rendered.queued_at is None
    assert UNAVAILABLE in client.get(url).content.decode()  # asking again queues nothing, says the same

    with broker_back():
        assert requeue_jobs()["pdf"] == 1
    rendered.refresh_from_db()
    assert rendered.status == RenderedDocument.Status.DONE
    assert b"".join(client.get(url).streaming_content).startswith(b"%PDF")


def test_a_monitoring_computation_waits_for_the_broker_and_then_runs(net, login, django_capture_on_commit_callbacks):
    indicator_set = make_set(net.region, ("routes", "routes", {}))
    campaign = MonitoringCampaign.objects.create(
        region=net.region, indicator_set=indicator_set, year=timezone.localdate().year, root=net.baksan
    )
    client = login(net.users.reviewer)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response, seconds = timed(lambda: client.post(reverse("monitoring:compute", args=[campaign.pk])))
    assert seconds < 5 and response.status_code == 302
    assert UNAVAILABLE in client.get(response.url).content.decode()  # on the campaign's page, until it runs
    job = Computation.objects.get()
    assert job.status == Computation.Status.PENDING and job.queued_at is None
    campaign.refresh_from_db()
    assert campaign.computed_at is None

    with broker_back():
        assert requeue_jobs()["monitoring-compute"] == 1
    job.refresh_from_db()
    campaign.refresh_from_db()
    assert job.status == Computation.Status.DONE and "оценивается" in job.summary
    assert campaign.computed_at is not None


def test_an_import_waits_for_the_broker_and_is_then_checked(net, login, django_capture_on_commit_callbacks):
    client = login(net.users.admin)
    content = xlsx_bytes([SCHOOL_HEADERS, school_row(9101), school_row(9102)])  # INNs no fixture school has
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response, seconds = timed(lambda: upload(client, "schools", content))
    assert seconds < 5 and response.status_code == 302
    imp = Import.objects.get()
    assert imp.status == Import.Status.CHECK and imp.queued_at is None
    assert UNAVAILABLE in client.get(response.url).content.decode()

    with broker_back():
        assert requeue_jobs()["import-preview"] == 1
    imp.refresh_from_db()
    assert imp.status == Import.Status.PREVIEW and imp.totals["new"] == 2


# -- stale jobs, duplicates, give-up -------------------------------------------------------------


def background_export(user) -> Export:
    return Export.objects.create(
        user=user, register="units", background=True, rows_total=1, filename="units.xlsx", status="pending"
    )


def test_a_job_queued_long_ago_is_sent_again_and_a_duplicate_runs_once(net, monkeypatch):
    """Redis restarted without its data: the message is gone, the row says «в очереди» for ever."""
    export = background_export(net.users.admin)
    long_ago = timezone.now() - datetime.timedelta(minutes=django_settings.JOBS_STALE_MINUTES + 1)
    Export.objects.filter(pk=export.pk).update(queued_at=long_ago, touched_at=long_ago)
    fresh = background_export(net.users.admin)
    Export.objects.filter(pk=fresh.pk).update(queued_at=timezone.now(), touched_at=timezone.now())

    sent = []
    monkeypatch.setattr(run_export, "delay", lambda pk: sent.append(pk))
    assert jobs.requeue()["export"] == 1 and sent == [export.pk]  # the fresh one is left to its worker
    assert jobs.requeue()["export"] == 0  # sent again just now: not stale any more

    assert run_export(export.pk) == "done"
    assert run_export(export.pk) == "nothing to do"  # the old message turns up after all


def test_a_job_whose_worker_died_is_sent_again_then_given_up(net, monkeypatch, settings):
    export = background_export(net.users.admin)
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.JOBS_STALE_MINUTES + 1)
    sent = []
    monkeypatch.setattr(run_export, "delay", lambda pk: sent.append(pk))

    Export.objects.filter(pk=export.pk).update(status="running", queued_at=long_ago, touched_at=long_ago, attempts=1)
    assert jobs.requeue()["export"] == 1 and sent == [export.pk]
    export.refresh_from_db()
    assert export.status == Export.Status.PENDING

    Export.objects.filter(pk=export.pk).update(
        status="running", touched_at=long_ago, attempts=settings.JOBS_MAX_ATTEMPTS
    )
    assert jobs.requeue()["export"] == 0 and sent == [export.pk]
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and export.error == jobs.GAVE_UP


def test_a_running_job_with_progress_is_left_alone(net, monkeypatch):
    export = background_export(net.users.admin)
    Export.objects.filter(pk=export.pk).update(status="running", queued_at=timezone.now(), touched_at=timezone.now())
    sent = []
    monkeypatch.setattr(run_export, "delay", lambda pk: sent.append(pk))
    assert jobs.requeue()["export"] == 0 and sent == []
    assert run_export(export.pk) == "nothing to do"  # a second message for a running export waits


def test_a_failed_pdf_retry_during_an_outage_waits_too(net, login, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("network.pdf.render_pdf", lambda template, context: b"%PDF-1.7 test")
    plan = d.plan(net)
    many_items(plan, submission_pdf.BACKGROUND_ITEMS + 1)
    client = login(net.users.secretary)
    url = reverse("submissions:pdf", args=[plan.pk])
    version = REGISTRY["plan"].version(plan)
    rendered = RenderedDocument.objects.create(kind="plan", object_id=plan.pk, version=version, status="failed")
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        response, seconds = timed(lambda: client.post(url))
    assert seconds < 5 and response.status_code == 200
    assert UNAVAILABLE in client.get(url).content.decode()
    with broker_back():
        requeue_jobs()
    rendered.refresh_from_db()
    assert rendered.status == RenderedDocument.Status.DONE
    assert render_document(rendered.pk) == "nothing to do"
