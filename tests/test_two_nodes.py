"""Two web nodes and a worker share one database, one Redis and one object store (issue 14).

Two `gunicorn network.wsgi` processes on two loopback ports and one `celery -A network worker` on every
queue the settings declare, all on a database of their own (metodset_twonodes…, migrated and seeded by
subprocesses), Redis db 10 and a bucket of the S3 server (tests/s3server.py). Through real HTTP with
one cookie jar, as behind a load balancer: a file uploaded through node 1 is downloaded through node 2;
a long plan's PDF asked for on node 1 is rendered by the worker and served by both nodes; a background
register export likewise. Each process has its own empty MEDIA_ROOT, and it stays empty.

Runs in CI's PostgreSQL + Redis step (REQUIRE_REAL_SERVICES=1); skipped elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from .conftest import PASSWORD
from .s3server import empty_and_remove, free_port, stop

pytestmark = [
    pytest.mark.s3,
    pytest.mark.skipif(
        not os.environ.get("REQUIRE_REAL_SERVICES"),
        reason="needs PostgreSQL and Redis: runs in CI's PostgreSQL + Redis step (REQUIRE_REAL_SERVICES=1)",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
REDIS_DB = 10
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
START_SECONDS = 60
WORK_SECONDS = 180


def worker_queues() -> list[str]:
    """Every queue the settings name (declared queues, routes, the default): one worker takes them all."""
    from django.conf import settings

    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None) or "celery"}
    names |= {getattr(q, "name", q) for q in getattr(settings, "CELERY_TASK_QUEUES", None) or ()}
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    if isinstance(routes, dict):
        names |= {route["queue"] for route in routes.values() if isinstance(route, dict) and route.get("queue")}
    return sorted(names)


def with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=path))


@contextlib.contextmanager
def dedicated_database(base_url: str, name: str):
    import psycopg2

    parts = urlsplit(base_url)
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield with_path(base_url, f"/{name}")
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def wait_for(check, seconds: float, what: str, procs=()):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is not None:
                raise AssertionError(f"{what}: a process exited with {proc.returncode} (see its log)")
        try:
            last = check()
            if last:
                return last
        except OSError as exc:  # connection refused while it starts
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {seconds} s (last: {last!r})")


def logs_of(folder: Path) -> str:
    return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(folder.glob("*.log")))


def media_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture(scope="module")
def cluster(s3_endpoint, tmp_path_factory):
    import redis

    database_url = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    assert database_url.startswith("postgres"), "the two-node test needs PostgreSQL (DATABASE_URL)"
    assert broker.startswith("redis://"), "the two-node test needs Redis (CELERY_BROKER_URL)"
    broker = with_path(broker, f"/{REDIS_DB}")
    redis.Redis.from_url(broker).flushdb()

    home = tmp_path_factory.mktemp("twonodes")
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "main")
    bucket = f"metodset-twonodes-{worker_id}-{os.getpid()}".lower()
    s3 = s3_endpoint.client()
    s3.create_bucket(Bucket=bucket)
    procs: list[subprocess.Popen] = []
    with dedicated_database(database_url, f"metodset_twonodes_{worker_id}") as db_url:
        base_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_"))},
            "DJANGO_SETTINGS_MODULE": "network.settings",
            "DATABASE_URL": db_url,
            "CELERY_BROKER_URL": broker,
            "CELERY_RESULT_BACKEND": broker,
            "STORAGE_URL": s3_endpoint.storage_url(bucket),
            "REGISTER_SYNC_ROWS": "1",  # every export goes to the worker
            "DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
        }

        def env_for(name: str) -> dict:
            var = home / name
            (var / "media").mkdir(parents=True)
            return {**base_env, "METODSET_VAR_DIR": str(var), "MEDIA_ROOT": str(var / "media")}

        def run(args, name):
            done = subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env_for(name),
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, f"manage.py {args[0]}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            return done.stdout

        def spawn(args, name):
            log = open(home / f"{name}.log", "wb")  # noqa: SIM115 - closed after the process ends
            proc = subprocess.Popen(args, cwd=ROOT, env=env_for(name), stdout=log, stderr=subprocess.STDOUT)
            proc.log = log
            procs.append(proc)
            return proc

        try:
            run(["migrate", "--noinput"], "migrate")
            seeded = run(["shell", "-c", "from tests.two_nodes_seed import main; main()"], "seed")
            ids = json.loads(seeded.strip().splitlines()[-1])

            spawn(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "network",
                    "worker",
                    "-Q",
                    ",".join(worker_queues()),
                    "--pool=solo",
                    "--loglevel=INFO",
                    f"--hostname=twonodes-{worker_id}@%h",
                    "--without-gossip",
                    "--without-mingle",
                ],
                "worker",
            )
            nodes = []
            for n in (1, 2):
                port = free_port()
                spawn(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "network.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        "1",
                        "--threads",
                        "2",
                        "--timeout",
                        "120",
                    ],
                    f"node{n}",
                )
                nodes.append(f"http://127.0.0.1:{port}")
            for url in nodes:
                wait_for(
                    lambda url=url: requests.get(f"{url}/healthz", timeout=5).status_code == 200,
                    START_SECONDS,
                    f"{url} answers",
                    procs,
                )
            yield SimpleNamespace(
                nodes=nodes, ids=ids, s3=s3, bucket=bucket, home=home, procs=procs, logs=lambda: logs_of(home)
            )
        finally:
            for proc in reversed(procs):
                stop(proc)
                proc.log.close()
            empty_and_remove(s3, bucket)
            with contextlib.suppress(Exception):
                redis.Redis.from_url(broker).flushdb()


def logged_in(node: str, username: str):
    session = requests.Session()
    session.get(f"{node}/accounts/login/", timeout=30).raise_for_status()
    answer = session.post(
        f"{node}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:2000]
    return session


def bucket_keys(cluster) -> list[str]:
    found = cluster.s3.list_objects_v2(Bucket=cluster.bucket).get("Contents", [])
    return [item["Key"] for item in found]


def test_an_attachment_uploaded_on_one_node_is_downloaded_on_the_other(cluster):
    node1, node2 = cluster.nodes
    session = logged_in(node1, "secretary")
    report = cluster.ids["report"]
    answer = session.post(
        f"{node1}/submissions/{report}/attachments/",
        data={"expected_version": cluster.ids["report_version"], "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        files={"file": ("Положение о конкурсе.pdf", PDF, "application/pdf")},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, answer.text[:2000]

    page = session.get(f"{node2}/submissions/{report}/", timeout=60)
    assert page.status_code == 200
    links = re.findall(r'href="(/attachments/\d+/)"', page.text)
    assert len(links) == 1, "node 2 lists the file node 1 received"
    download = session.get(f"{node2}{links[0]}", timeout=60)
    assert download.status_code == 200 and download.content == PDF
    assert [key for key in bucket_keys(cluster) if key.startswith(f"submissions/{report}/")]

    stranger = requests.get(f"{node2}{links[0]}", allow_redirects=False, timeout=30)
    assert stranger.status_code == 302 and "/accounts/login/" in stranger.headers["Location"]


def test_a_pdf_rendered_by_the_worker_is_served_by_both_nodes(cluster):
    node1, node2 = cluster.nodes
    session = logged_in(node1, "secretary")
    url = f"/submissions/{cluster.ids['plan']}/pdf/"
    first = session.get(f"{node1}{url}", timeout=60)
    assert first.status_code == 200 and first.headers["Content-Type"].startswith("text/html"), (
        "a long plan is queued for the worker, the page shows its progress"
    )

    def rendered():
        answer = session.get(f"{node2}{url}", timeout=60)
        return answer if answer.headers["Content-Type"] == "application/pdf" else None

    try:
        on_node2 = wait_for(rendered, WORK_SECONDS, "the worker renders the PDF", cluster.procs)
    except AssertionError:
        pytest.fail(f"no PDF from the worker\n{cluster.logs()}")
    on_node1 = session.get(f"{node1}{url}", timeout=60)
    assert on_node2.content.startswith(b"%PDF") and on_node1.content == on_node2.content
    assert [key for key in bucket_keys(cluster) if key.startswith("pdf/")]


def test_a_background_export_written_by_the_worker_is_downloaded_on_both_nodes(cluster):
    node1, node2 = cluster.nodes
    session = logged_in(node2, "admin")
    started = session.get(f"{node1}/registers/units/export/", allow_redirects=False, timeout=60)
    assert started.status_code == 302, started.text[:2000]
    pk = re.search(r"/registers/exports/(\d+)/", started.headers["Location"]).group(1)
    download = f"/registers/exports/{pk}/download/"

    def written():
        answer = session.get(f"{node2}{download}", timeout=60)
        return answer if answer.status_code == 200 else None

    try:
        on_node2 = wait_for(written, WORK_SECONDS, "the worker writes the export", cluster.procs)
    except AssertionError:
        pytest.fail(f"no export from the worker\n{cluster.logs()}")
    on_node1 = session.get(f"{node1}{download}", timeout=60)
    assert on_node2.content[:2] == b"PK" and on_node1.content == on_node2.content  # an .xlsx is a zip
    assert [key for key in bucket_keys(cluster) if key.startswith("registers/exports/")]


def test_no_node_keeps_a_file_on_its_disk(cluster):
    # Last in the module: after the uploads, the PDF and the export above.
    assert bucket_keys(cluster), "the tests above stored their files in the bucket"
    for name in ("node1", "node2", "worker"):
        media = cluster.home / name / "media"
        assert media.is_dir() and media_files(media) == [], f"{name} wrote under its MEDIA_ROOT"
