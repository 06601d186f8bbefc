"""A real task through the real broker to a real worker process, and back."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from network.tasks import ping

pytestmark = pytest.mark.celery_worker

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker_queue():
    queue = f"ci-{uuid.uuid4().hex[:8]}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "network",
            "worker",
            "-Q",
            queue,
            "--pool=solo",
            "--loglevel=WARNING",
            f"--hostname={queue}@%h",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "network.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_task_runs_on_a_worker_and_returns(worker_queue):
    if os.environ.get("REQUIRE_REAL_SERVICES"):
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI must push this task through Redis"
    payload = uuid.uuid4().hex
    result = ping.apply_async(args=[payload], queue=worker_queue)
    assert result.get(timeout=90)["pong"] == payload
