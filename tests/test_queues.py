"""Named Celery queues (issue 14): a big export never delays a letter.

Every task the app registers is routed to a queue the settings declare (a new task cannot be routed
to a queue no worker consumes), the long jobs go where their workers are, and the queue lists of the
Makefile and docker-compose.yml cover every declared queue.
"""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from network.celery import app

ROOT = Path(__file__).resolve().parent.parent

EXPECTED = {
    "network.relay_mail": "mail",
    "network.render_document": "pdf",
    "registers.run_export": "exports",
    "registers.run_preview": "exports",
    "registers.run_confirm": "exports",
    "monitoring.compute_campaign": "monitoring",
    "network.regional_sweep": "sweep",
    "network.requeue_jobs": "sweep",
    "submissions.deadline_sweep": "sweep",
    "network.ping": "celery",
}


def declared() -> set[str]:
    return {q.name for q in app.conf.task_queues}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def app_tasks() -> list[str]:
    app.loader.import_default_modules()  # every app's tasks.py, as a worker imports them
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def test_the_declared_queues_are_the_settings_names():
    assert declared() == set(settings.CELERY_QUEUE_NAMES)
    assert {"celery", "mail", "pdf", "exports", "monitoring", "sweep"} <= declared()
    assert app.conf.task_default_queue in declared()


def test_every_registered_task_goes_to_a_declared_queue():
    names = app_tasks()
    assert set(EXPECTED) <= set(names), "a task these tests route is no longer registered"
    nowhere = {name: queue_of(name) for name in names if queue_of(name) not in declared()}
    assert nowhere == {}


@pytest.mark.parametrize("task_name,queue", sorted(EXPECTED.items()))
def test_each_long_job_has_its_queue(task_name, queue):
    assert queue_of(task_name) == queue


def test_a_letter_never_shares_a_queue_with_an_export_or_a_computation():
    assert len({queue_of("network.relay_mail"), queue_of("registers.run_export")}) == 2
    assert len({queue_of("network.relay_mail"), queue_of("monitoring.compute_campaign")}) == 2


def test_an_unrouted_task_goes_to_the_default_queue():
    assert queue_of("somewhere.new_task") == "celery"


def test_the_beat_schedule_routes_to_declared_queues():
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_of(entry["task"]) in declared()
    assert queue_of(settings.CELERY_BEAT_SCHEDULE["mail-relay"]["task"]) == "mail"


def test_make_run_and_make_worker_consume_every_queue():
    makefile = (ROOT / "Makefile").read_text()
    listed = re.search(r"^QUEUES := (.+)$", makefile, re.M).group(1).split(",")
    assert set(listed) == declared()
    worker_lines = [line for line in makefile.splitlines() if "celery -A network worker" in line]
    assert len(worker_lines) >= 2 and all("-Q $(QUEUES)" in line for line in worker_lines)


def test_docker_compose_workers_together_consume_every_queue_and_mail_alone():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    consumed = {}
    for name, service in services.items():
        command = service.get("command", "")
        if "celery -A network worker" in command:
            queues = re.search(r"-Q (\S+)", command)
            assert queues, f"{name}: a worker without -Q would consume only the default queue"
            consumed[name] = set(queues.group(1).split(","))
    assert set().union(*consumed.values()) == declared()
    mail = [name for name, queues in consumed.items() if "mail" in queues]
    assert len(mail) == 1 and consumed[mail[0]] == {"mail"}  # letters have a worker of their own


# -- a real worker on every queue ------------------------------------------------------------------

BROKER_KEYS = ("broker_url", "broker_transport_options", "result_backend")


def reset_connections() -> None:
    """Celery keeps its broker pools and its result backend once made: make them again from app.conf."""
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.backend = None


def isolated_env(tmp_path) -> dict:
    """The environment of a worker whose broker no other test uses: its own folders for the filesystem
    transport, another Redis database for Redis (CI: the suite's database + 1)."""
    env = {"METODSET_VAR_DIR": str(tmp_path)}
    url = settings.CELERY_BROKER_URL
    if url.startswith("redis://"):
        base, _, db = url.rpartition("/")
        isolated = f"{base}/{(int(db or 0) + 1) % 16}"
        env |= {"CELERY_BROKER_URL": isolated, "CELERY_RESULT_BACKEND": isolated}
    return env


@pytest.mark.celery_worker
def test_a_worker_started_with_the_queue_list_takes_a_task_from_every_queue(tmp_path):
    """`celery worker -Q <every queue>` as `make worker` starts it, on the real transport: a task sent to
    each declared queue comes back from that worker."""
    import os
    import runpy
    import subprocess
    import sys
    import uuid
    from unittest import mock

    from network.tasks import ping

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "network.settings", **isolated_env(tmp_path)}
    with mock.patch.dict(os.environ, env):
        computed = runpy.run_path(str(settings.BASE_DIR / "network" / "settings.py"))
    name = f"queues-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "network", "worker", "-Q", ",".join(settings.CELERY_QUEUE_NAMES)]
        + ["--pool=solo", "--loglevel=WARNING", f"--hostname={name}@%h", "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    saved = {key: app.conf[key] for key in BROKER_KEYS}
    try:
        app.conf.update({key: computed[f"CELERY_{key.upper()}"] for key in BROKER_KEYS})
        reset_connections()
        with mock.patch.dict(os.environ, isolated_env(tmp_path)):
            for queue in settings.CELERY_QUEUE_NAMES:
                payload = f"{queue}-{uuid.uuid4().hex[:6]}"
                assert ping.apply_async(args=[payload], queue=queue).get(timeout=90)["pong"] == payload
    finally:
        app.conf.update(saved)
        reset_connections()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
