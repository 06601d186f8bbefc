"""The deadline day over real HTTP: a benchmark, not a test.

    .venv/bin/python scripts/bench_http.py [--database URL] [--users 200] [--duration 120]   (also run by make bench)
    .venv/bin/python scripts/bench_http.py --cleanup          # only remove what a run left (--keep)

gunicorn serves the portal on loopback with production settings (PRODUCTION=1, DEBUG off, manifest
static files; only the cookies are not marked Secure, since loopback is plain HTTP:
scripts/bench_http_settings.py) against PostgreSQL and, when it answers, Redis as the Celery broker.
locust (headless, gevent FastHttpUser: scripts/locustfile.py) plays the deadline-day mix:

* methodists (4 of 5 users), each the methodist of a different unit with a draft report in a report
  campaign due tomorrow: open the report editor, save a section, send the report (each report at most
  once, after two saves), open the sent document, the notifications and the home page;
* reviewers of the region's РУМО (1 of 5): «Входящие» (/inbox/), the documents to agree
  (/inbox/documents/), campaign dashboards, unit pages, a document with its history, notifications.

Every user logs in once (the login is reported apart from the rest: it is the password hash's cost,
see the login section) and then waits --think seconds between pages, as a person reading them does.
The users are made in the target database before each stage (logins «load-…», one known password; a
campaign «load-…» of the region with the most filing units) and removed after the run (--keep leaves
them). The national database built by scripts/bench.py is the default target.

Stages of --stages users, then --users users, then --saturation users without pauses (the ceiling);
each measures --duration seconds from its last login (and at most --max-requests requests):
throughput, p50/p95/p99 per request type and overall, errors. After each stage the database is
checked: every report the load sent is sent exactly once (one «submit» transition), every save is
there (one history entry per save, the last text of each section), no other report moved. Then
what one request costs: CPU of the gunicorn processes and of the
PostgreSQL backends of the database (from /proc) per request, beside the same pages in one process
through Django's test client (view + SQL + template, no HTTP).

The result goes to docs/benchmarks.md between <!-- http --> and <!-- /http -->.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import logging
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/metodset_bench"
REDIS_URL = "redis://127.0.0.1:6379/12"
START, END = "<!-- http -->", "<!-- /http -->"
TARGET_P95_MS = 1000

PREFIX = "load-"  # every login, and the campaign's title, of the load start with it
PASSWORD = "load-Nagruzka-2026"
METHODIST_SHARE = 0.8
INITIAL_TEXT = "Черновик раздела: будет дополнен до срока."
SAVES_BEFORE_SEND = 2
FILER_KINDS = ("munumo", "rmo", "shmo")  # the order in which units are given a load methodist

# Request names: the same in the load (locustfile), in the in-process measurement and in the report.
LOGIN_FORM, LOGIN = "Вход: форма", "Вход"
EDITOR, SAVE, SEND = "Редактор отчёта", "Сохранение раздела", "Отправка на согласование"
DOCUMENT, HOME, NOTIFICATIONS = "Документ с историей", "Главная", "Уведомления"
WORKLIST, INBOX, DASHBOARD, UNIT = "Входящие", "Входящие: документы", "Свод кампании", "Страница подразделения"
LOGIN_NAMES = (LOGIN_FORM, LOGIN)
ORDER = [EDITOR, SAVE, SEND, DOCUMENT, HOME, NOTIFICATIONS, WORKLIST, INBOX, DASHBOARD, UNIT]


# -- pieces the locustfile uses (no Django here) --------------------------------------------------

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(r'<input[^>]*name="expected_version"[^>]*>')
VALUE_RE = re.compile(r'value="(\d+)"')


def csrf_token(html: str) -> str | None:
    match = CSRF_RE.search(html)
    return match.group(1) if match else None


def expected_version(html: str) -> int | None:
    """The version of the document the editor was rendered from (its hidden field), or None."""
    tag = VERSION_RE.search(html)
    value = VALUE_RE.search(tag.group(0)) if tag else None
    return int(value.group(1)) if value else None


def editor_post(sections: dict[str, str], figures: list[str], version: int, token: str, action: str) -> dict:
    """What the report editor's form posts: every section's text, every figure (empty: the portal's own)."""
    return {
        "csrfmiddlewaretoken": token,
        "expected_version": str(version),
        **sections,
        **dict.fromkeys(figures, ""),
        "action": action,
    }


def save_text(username: str, number: int, field: str) -> str:
    """A text no other save writes: a lost or doubled save shows in the check."""
    return f"{username}: правка № {number} ({field}). Проведено заседание МО, обсуждены итоги олимпиады."


# -- /proc: CPU of processes ----------------------------------------------------------------------


def cpu_seconds(pids) -> dict[int, float]:
    """user + system CPU seconds of each live process of `pids`."""
    import psutil

    result = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        result[pid] = times.user + times.system
    return result


def gunicorn_pids(master: int) -> list[int]:
    import psutil

    try:
        process = psutil.Process(master)
        return [master, *(c.pid for c in process.children(recursive=True))]
    except psutil.NoSuchProcess:
        return []


def client_ports(pids, server_port: int) -> set[int]:
    """Local ports of the TCP connections `pids` hold to `server_port` on this machine."""
    import psutil

    ports = set()
    for pid in pids:
        try:
            connections = psutil.Process(pid).net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        ports |= {c.laddr.port for c in connections if c.raddr and c.raddr.port == server_port}
    return ports


def backend_pids(database: str, ports: set[int] | None = None) -> list[int]:
    """PostgreSQL backends connected to `database` (their title: «postgres: user database host(port) …»);
    with `ports`, only those serving a client at one of these ports: the load's, not another program's
    working on the same database at the same time."""
    import psutil

    pids = []
    for process in psutil.process_iter(["cmdline"]):
        title = " ".join(process.info["cmdline"] or [])
        if not (title.startswith("postgres: ") and f" {database} " in f"{title} "):
            continue
        client = re.search(r"\((\d+)\)", title)
        if ports is None or (client and int(client.group(1)) in ports):
            pids.append(process.pid)
    return pids


def database_port(url: str) -> int:
    from urllib.parse import urlsplit

    return urlsplit(url).port or 5432


class CpuMeter:
    """Sums the CPU time processes spend while it runs, sampling often enough that a backend which
    ends in between (a connection closed) loses at most one interval."""

    def __init__(self, find_pids):
        self.find_pids = find_pids
        self.last: dict[int, float] = {}
        self.total = 0.0
        self.first = True

    def sample(self) -> None:
        now = cpu_seconds(self.find_pids())
        for pid, seconds in now.items():
            if pid in self.last:
                self.total += seconds - self.last[pid]
            elif not self.first:
                self.total += seconds  # born during the window: all of its time is the window's
        self.last = now
        self.first = False


# -- Django: the users, the check, the cost in one process ----------------------------------------


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def prepare(users: int, region_code: str | None = None) -> dict:
    """Make the load's users and documents (after removing an earlier run's) and return the plan.

    4 of 5 users are methodists, each of a different filing unit (МунУМО first, then РМО, then ШМО)
    of the region with the most of them, with a draft report in a campaign «load-…» due tomorrow;
    the others are reviewers of the region's РУМО. One password for all (hashed once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count, Q
    from django.utils import timezone

    from orgunits.access import grant_role
    from orgunits.models import OrgUnit, Region
    from people.models import Membership, MembershipRole, Person
    from people.services import sync_person_access
    from reports.forms import ReportForm
    from reports.models import ReportFigure, ReportSection
    from submissions import services
    from submissions.models import Campaign

    cleanup()
    User = get_user_model()
    methodists = max(1, round(users * METHODIST_SHARE))
    reviewers = max(1, users - methodists)
    filing = Q(units__kind__code__in=FILER_KINDS, units__closed_on__isnull=True)
    regions = Region.objects.annotate(filers=Count("units", filter=filing))
    region = (
        regions.get(code=region_code) if region_code else regions.filter(filers__gt=0).order_by("-filers", "pk").first()
    )
    if region is None:
        raise SystemExit("В базе нет региона с подразделениями, которые представляют отчёты: сначала generate_network.")
    if region.filers < methodists:
        raise SystemExit(
            f"В регионе «{region}» {region.filers} подразделений, представляющих отчёты, а методистов нужно "
            f"{methodists} (у каждого своё подразделение): уменьшите --users или возьмите сеть больше."
        )
    rumo = OrgUnit.objects.filter(region=region, kind__code="rumo", closed_on__isnull=True).order_by("lft").first()
    if rumo is None:
        raise SystemExit(f"В регионе «{region}» нет РУМО: проверяющих назначить некуда.")
    units = []
    for code in FILER_KINDS:
        need = methodists - len(units)
        if need > 0:
            kind_units = OrgUnit.objects.filter(region=region, kind__code=code, closed_on__isnull=True)
            units += list(kind_units.select_related("kind").order_by("lft")[:need])

    now = timezone.now()
    today = timezone.localdate()
    taken = set(Campaign.objects.filter(region=region, document_type="report").values_list("year", flat=True))
    year = next(y for y in range(today.year, today.year + 100) if y not in taken)
    password = make_password(PASSWORD)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            region=region,
            document_type="report",
            year=year,
            title=f"{PREFIX}нагрузочный прогон: отчёт за {year} год",
            opens_on=today - datetime.timedelta(days=30),
            due_on=today + datetime.timedelta(days=1),
            closes_on=today + datetime.timedelta(days=10),
            reminder_offsets=[],
        )
        campaign.filer_kinds.set({u.kind for u in units})
        plan = {
            "region": region.code,
            "campaign": campaign.pk,
            "methodists": [],
            "reviewers": [],
            "password": PASSWORD,
        }
        for i, unit in enumerate(units):
            username = f"{PREFIX}m{i:03d}"
            user = User.objects.create(username=username, password=password, email=f"{username}@load.invalid")
            person = Person.objects.create(
                region=region,
                last_name="Нагрузочный",
                first_name=f"Методист {i:03d}",
                position="методист (нагрузочный прогон)",
                user=user,
            )
            starts = today - datetime.timedelta(days=30)
            Membership.objects.create(
                person=person,
                unit=unit,
                role=MembershipRole.METHODIST,
                starts_on=starts,
                ends_on=Membership.default_term_end(starts),
            )
            sync_person_access(person)
            submission = services.start(campaign, unit, by=None, now=now)
            ReportSection.objects.filter(submission=submission).update(text=INITIAL_TEXT)
            sections = [ReportForm.section_field(s) for s in ReportSection.objects.filter(submission=submission)]
            figures = [ReportForm.figure_field(f) for f in ReportFigure.objects.filter(submission=submission)]
            plan["methodists"].append(
                {
                    "username": username,
                    "unit": unit.pk,
                    "submission": submission.pk,
                    "sections": dict.fromkeys(sections, INITIAL_TEXT),
                    "figures": figures,
                }
            )
        for i in range(reviewers):
            username = f"{PREFIX}r{i:03d}"
            user = User.objects.create(username=username, password=password, email=f"{username}@load.invalid")
            grant_role(user, rumo, "reviewer")
            plan["reviewers"].append({"username": username})
    # What reviewers open: the load's campaign and the region's other report campaigns; the РУМО and the
    # units of the load; any of the load's documents.
    other = Campaign.objects.filter(region=region, document_type="report").exclude(pk=campaign.pk).order_by("-year")
    plan["campaigns"] = [f"/campaigns/{pk}/" for pk in [campaign.pk, *other.values_list("pk", flat=True)[:2]]]
    plan["campaigns"] += [f"/campaigns/{campaign.pk}/?unit={u.pk}" for u in units if u.kind.code == "munumo"][:5]
    plan["units"] = [f"/units/{rumo.pk}/"] + [f"/units/{u.pk}/" for u in units[:20]]
    plan["documents"] = [f"/submissions/{m['submission']}/" for m in plan["methodists"]]
    plan["size"] = network_size(region)
    return plan


def network_size(region) -> dict:
    from orgunits.models import OrgUnit
    from people.models import Person
    from submissions.models import Submission

    return {
        "units": OrgUnit.objects.count(),
        "people": Person.objects.count(),
        "submissions": Submission.objects.count(),
        "region": str(region),
        "region_units": OrgUnit.objects.filter(region=region).count(),
    }


def cleanup() -> dict:
    """Remove everything a load run made: its logins, their people and memberships, its campaign and
    documents, the history entries, notifications, login records and sessions about them. Idempotent."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.db.models import Q

    from history.models import LogEntry
    from network.models import Notification
    from people.models import Membership, Person
    from reports.models import ReportFigure, ReportSection
    from submissions.models import Campaign, Submission

    User = get_user_model()
    with transaction.atomic():
        users = list(User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True))
        campaigns = list(Campaign.objects.filter(title__startswith=PREFIX).values_list("pk", flat=True))
        submissions = list(Submission.objects.filter(campaign__in=campaigns).values_list("pk", flat=True))
        people = list(Person.objects.filter(user__in=users).values_list("pk", flat=True))
        memberships = list(Membership.objects.filter(person__in=people).values_list("pk", flat=True))
        sections = list(ReportSection.objects.filter(submission__in=submissions).values_list("pk", flat=True))
        figures = list(ReportFigure.objects.filter(submission__in=submissions).values_list("pk", flat=True))

        def about(model, pks):
            ct = ContentType.objects.get_for_model(model)
            return Q(content_type=ct, object_id__in=pks) | Q(owner_type=ct, owner_id__in=pks)

        entries = LogEntry.objects.filter(
            Q(actor__in=users)
            | Q(kind="grant", snapshot__grant__user__in=users)
            | about(Submission, submissions)
            | about(ReportSection, sections)
            | about(ReportFigure, figures)
            | about(Person, people)
            | about(Membership, memberships)
            | about(User, users)
            | Q(personal_of__in=people)
        )
        urls = [f"/submissions/{pk}/" for pk in submissions] + [f"/submissions/{pk}/report/" for pk in submissions]
        removed = {
            "notifications": Notification.objects.filter(Q(user__in=users) | Q(url__in=urls)).delete()[0],
            "history": entries.delete()[0],  # an entry's actor is protected: before the logins go
        }
        Submission.objects.filter(pk__in=submissions).delete()
        Campaign.objects.filter(pk__in=campaigns).delete()
        removed["campaigns"] = len(campaigns)
        Membership.objects.filter(pk__in=memberships).delete()
        Person.objects.filter(pk__in=people).delete()
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__startswith=PREFIX).delete()
        # Sessions name their user only inside the signed data; one signed with another key reads as empty
        # (Django logs it as suspicious: not worth a line per session here).
        logging.getLogger("django.security.SuspiciousSession").disabled = True
        sessions = [
            s.pk
            for s in Session.objects.filter(expire_date__gt=datetime.datetime.now(datetime.UTC))
            if str(s.get_decoded().get("_auth_user_id", "")) in {str(pk) for pk in users}
        ]
        Session.objects.filter(pk__in=sessions).delete()
        removed["history"] += entries.delete()[0]  # the deletions above are history of their own
        User.objects.filter(pk__in=users).delete()
        removed["history"] += entries.delete()[0]
        removed["users"] = len(users)
        removed["documents"] = len(submissions)
    return removed


def verify(plan: dict, done: dict) -> dict:
    """Compare the database with what the load did (`done`: the locustfile's record per methodist).

    A sent report is «submitted» with exactly one «submit» transition; an unsent one is a draft with
    none; each successful save left one history entry of its section and the last text saved stays;
    no notification was written twice."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count

    from history.models import LogEntry
    from network.models import Notification
    from reports.forms import ReportForm
    from reports.models import ReportSection
    from submissions.models import State, Submission

    pks = [m["submission"] for m in plan["methodists"]]
    states = dict(Submission.objects.filter(pk__in=pks).values_list("pk", "state"))
    submits = dict(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Submission),
            object_id__in=pks,
            action=LogEntry.Action.TRANSITION,
            move="submit",
        )
        .values_list("object_id")
        .annotate(n=Count("pk"))
    )
    section_of, texts = {}, {}
    for pk, submission, key, text in ReportSection.objects.filter(submission__in=pks).values_list(
        "pk", "submission_id", "key", "text"
    ):
        section_of[pk] = submission
        texts[(submission, ReportForm.section_field(ReportSection(key=key)))] = text
    changes: dict[int, int] = {}
    for object_id, n in (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(ReportSection),
            object_id__in=list(section_of),
            action=LogEntry.Action.CHANGE,
        )
        .values_list("object_id")
        .annotate(n=Count("pk"))
    ):
        changes[section_of[object_id]] = changes.get(section_of[object_id], 0) + n

    problems = []
    sent = saves = 0
    for m in plan["methodists"]:
        pk, record = m["submission"], done.get(m["username"], {"saves": [], "sent": False})
        saved = [tuple(s) for s in record["saves"]]
        saves += len(saved)
        sent += bool(record["sent"])
        want_state, want_submits = (State.SUBMITTED, 1) if record["sent"] else (State.DRAFT, 0)
        if states.get(pk) != want_state:
            problems.append(f"документ {pk}: состояние «{states.get(pk)}», ожидалось «{want_state}»")
        if submits.get(pk, 0) != want_submits:
            problems.append(f"документ {pk}: переходов «submit» {submits.get(pk, 0)}, ожидалось {want_submits}")
        if changes.get(pk, 0) != len(saved):
            problems.append(f"документ {pk}: записей истории о разделах {changes.get(pk, 0)}, сохранений {len(saved)}")
        last = dict(m["sections"]) | dict(saved)
        for field, text in last.items():
            if texts.get((pk, field)) != text:
                problems.append(f"документ {pk}: в разделе {field} не последний сохранённый текст")
    urls = [f"/submissions/{pk}/" for pk in pks]
    doubled = (
        Notification.objects.filter(url__in=urls)
        .values("user", "url", "text")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    if doubled:
        problems.append(f"уведомлений, записанных дважды: {doubled}")
    return {
        "sent": sent,
        "submit_entries": sum(submits.values()),
        "saves": saves,
        "change_entries": sum(changes.values()),
        "untouched": sum(1 for m in plan["methodists"] if m["username"] not in done),
        "problems": problems,
    }


def in_process(plan: dict, runs: int) -> dict[str, dict]:
    """The same pages through Django's test client in this process: the view, its SQL and its template
    without HTTP, gunicorn or other users. Median ms of `runs` requests after a warm-up, and queries."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from submissions.models import Submission

    User = get_user_model()
    methodist, spare = plan["methodists"][0], plan["methodists"][-1]
    m_client, r_client = Client(), Client()
    m_client.force_login(User.objects.get(username=methodist["username"]))
    r_client.force_login(User.objects.get(username=plan["reviewers"][0]["username"]))
    editor = f"/submissions/{methodist['submission']}/report/"
    sections = dict(methodist["sections"])

    def save():
        version = Submission.objects.get(pk=methodist["submission"]).version
        field = next(iter(sections))
        sections[field] = save_text("in-process", time.perf_counter_ns(), field)
        return m_client.post(editor, editor_post(sections, methodist["figures"], version, "-", "save"))

    pages = [
        (EDITOR, lambda: m_client.get(editor), 200),
        (SAVE, save, 302),
        (DOCUMENT, lambda: r_client.get(plan["documents"][0]), 200),
        (HOME, lambda: m_client.get("/"), 200),
        (NOTIFICATIONS, lambda: r_client.get("/notifications/"), 200),
        (WORKLIST, lambda: r_client.get("/inbox/"), 200),
        (INBOX, lambda: r_client.get("/inbox/documents/"), 200),
        (DASHBOARD, lambda: r_client.get(plan["campaigns"][0]), 200),
        (UNIT, lambda: r_client.get(plan["units"][0]), 200),
    ]
    result = {}
    for name, fetch, status in pages:
        for _ in range(2):
            fetch()
        times, cpu = [], []
        for _ in range(runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = fetch()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            if response.status_code != status:
                raise SystemExit(f"{name}: ответ {response.status_code} вместо {status} в одном процессе.")
        with CaptureQueriesContext(connection) as queries:
            fetch()
        result[name] = {"ms": statistics.median(times), "cpu": statistics.median(cpu), "queries": len(queries)}
    # Sending happens once a document: one request, on the last methodist's report.
    s_client = Client()
    s_client.force_login(User.objects.get(username=spare["username"]))
    version = Submission.objects.get(pk=spare["submission"]).version
    data = editor_post(dict(spare["sections"]), spare["figures"], version, "-", "send")
    with CaptureQueriesContext(connection) as queries:
        started, started_cpu = time.perf_counter(), time.process_time()
        response = s_client.post(f"/submissions/{spare['submission']}/report/", data)
        ms, cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
    if response.status_code != 302 or response["Location"] != f"/submissions/{spare['submission']}/":
        raise SystemExit(f"{SEND}: ответ {response.status_code} в одном процессе, документ не отправлен.")
    result[SEND] = {"ms": ms, "cpu": cpu_ms, "queries": len(queries)}
    return result


# -- the processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def environment(url: str, workdir: Path) -> dict:
    """The environment of the portal for this run: production settings, this database, no Secure cookies."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench_http_settings",
        "PYTHONPATH": os.pathsep.join([str(SCRIPTS), str(ROOT)]),
        "PRODUCTION": "1",
        # The same key for every run on this database, so that a later run (or --cleanup) can read the
        # sessions an earlier one left and remove them; the server listens on loopback only, for the run.
        "SECRET_KEY": "bench-http-" + hashlib.sha256(f"{url} {ROOT}".encode()).hexdigest(),
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": url,
        # Each gunicorn thread keeps its connection for the whole run (3 workers × 4 threads = 12 backends,
        # well under PostgreSQL's 100): no connect per request, and the pool cannot outgrow the server.
        "DB_CONN_MAX_AGE": "600",
        "METODSET_VAR_DIR": str(workdir / "var"),
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "CELERY_BROKER_URL": REDIS_URL if redis_answers() else "memory://",
    }


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path[:0] = [str(SCRIPTS), str(ROOT)]
    import django

    django.setup()


class Gunicorn:
    """gunicorn on a free loopback port; stop() ends it (and its workers) whatever happened."""

    def __init__(self, env: dict, args, log: Path):
        self.port = free_port()
        self.log = log.open("w")
        command = [str(BIN / "gunicorn"), "network.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--worker-class", args.worker_class, "--workers", str(args.workers)]
        if args.worker_class == "gthread":
            command += ["--threads", str(args.threads), "--worker-connections", str(args.worker_connections)]
        command += ["--timeout", "30", "--graceful-timeout", "5", "--chdir", str(ROOT)]
        self.process = subprocess.Popen(
            command, env=os.environ | env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn не запустился (код {self.process.returncode}), см. {log}.")
            try:
                with urllib.request.urlopen(f"{self.url}/accounts/login/", timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise SystemExit("gunicorn не ответил за 60 с.")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def run_locust(plan: dict, users: int, think, args, gunicorn: Gunicorn, workdir: Path) -> dict:
    tag = f"{users}-{think[1]:g}"
    plan_file, out_file = workdir / f"plan-{tag}.json", workdir / f"done-{tag}.json"
    plan = plan | {
        "think": think,
        "duration": args.duration,
        "max_requests": args.max_requests,
        "gunicorn": gunicorn.process.pid,
        "database": database_name(args.database),
        "database_port": database_port(args.database),
    }
    plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    command = [str(BIN / "locust"), "-f", str(SCRIPTS / "locustfile.py"), "--headless", "--only-summary"]
    # The locustfile ends the stage --duration seconds after the last login; -t is only the safety net.
    limit = args.duration + 600
    command += ["-u", str(users), "-r", str(args.spawn_rate), "-t", f"{limit}s", "-H", gunicorn.url]
    command += ["--stop-timeout", "10", "--loglevel", "WARNING"]
    env = os.environ | {"BENCH_HTTP_PLAN": str(plan_file), "BENCH_HTTP_OUT": str(out_file)}
    log = workdir / f"locust-{tag}.log"
    with log.open("w") as stream:
        code = subprocess.run(command, env=env, stdout=stream, stderr=subprocess.STDOUT, timeout=limit + 60)
    if not out_file.exists():
        raise SystemExit(f"locust не записал результат (код {code.returncode}):\n{log.read_text()[-3000:]}")
    return json.loads(out_file.read_text(encoding="utf-8")) | {"think": list(think)}


# -- the report -----------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        db = "PostgreSQL " + cur.fetchone()[0].split()[0]
    from importlib.metadata import version  # importing locust would monkey-patch this process for gevent

    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; {db}; gunicorn {version('gunicorn')}; "
        f"locust {version('locust')} in one process on the same cores"
    )


def n(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ")


def ms(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}".replace(",", " ")


def stage_row(result: dict, check: dict) -> str:
    total = result["all"]
    cpu = result["cpu"]
    per = cpu["requests"] or 1
    good = (total["p95"] or 0) < TARGET_P95_MS and not result["failures"] and not check["problems"]
    verdict = ("✓" if good else "✗") if result["think"][1] else ("no errors" if good else "✗")
    think = "{:g}–{:g} s".format(*result["think"]) if result["think"][1] else "none"
    busy = cpu["busy"] / cpu["wall"] / (os.cpu_count() or 1) * 100
    return (
        f"| {result['users']} | {think} | {n(total['requests'])} | {cpu['requests'] / cpu['wall']:.1f} | "
        f"{ms(total['p50'])} | "
        f"{ms(total['p95'])} | {ms(total['p99'])} | {result['failures']} | {cpu['web'] / per * 1000:.0f} | "
        f"{cpu['pg'] / per * 1000:.0f} | {busy:.0f} % | {ms(result['login']['p95'])} | "
        f"{check['sent']} / {check['saves']} | {len(check['problems'])} | {result['load']:.1f} | {verdict} |"
    )


def main_stage(stages, args) -> dict:
    return next(r for r, _ in stages if r["users"] == args.users and r["think"] == list(args.think))


def section(args, info: str, size: dict, stages: list[tuple[dict, dict]], local: dict) -> str:
    main = main_stage(stages, args)
    lines = [
        START,
        "## The deadline day over HTTP",
        "",
        f"Run {datetime.datetime.now():%d.%m.%Y %H:%M} by `make bench` (scripts/bench_http.py) against "
        f"`{database_name(args.database)}`: {n(size['units'])} units, {n(size['people'])} people, "
        f"{n(size['submissions'])} documents; the load's region «{size['region']}» has "
        f"{n(size['region_units'])} units. {info}.",
        "",
        f"gunicorn with production settings on loopback: {args.workers} {args.worker_class} workers × "
        f"{args.threads if args.worker_class == 'gthread' else 1} threads. "
        "A worker is a process, so the workers use both cores despite the GIL; one more worker than cores keeps a "
        "core busy while another worker waits for PostgreSQL, and the threads of a worker overlap those waits "
        f"without the memory of more processes. Each thread keeps its database connection for the run "
        f"(CONN_MAX_AGE 600): at most {args.workers * args.threads} backends. Celery's broker is Redis.",
        "",
        f"Users: 4 of 5 methodists, each of another unit with a draft report due tomorrow (open the editor, save a "
        f"section, send the report once after {SAVES_BEFORE_SEND} saves, open the sent document, notifications, home "
        "page); 1 of 5 reviewers of the РУМО («Входящие», documents to agree, campaign dashboards, unit pages, a "
        f"document with its history, notifications). Each user logs in once, then waits {args.think[0]:g}–"
        f"{args.think[1]:g} s between pages (reading them). A stage measures {args.duration} s from the moment "
        "every user has logged in (the logins are counted apart: the password hash, see the login section). "
        "Target: p95 under 1 s for every request but the login, no error, nothing lost or doubled.",
        "",
        "| users | pause | requests | req/s | p50, ms | p95, ms | p99, ms | errors | web CPU / req, ms "
        "| PostgreSQL CPU / req, ms | CPU of the machine busy | login p95, ms | sent / saves checked | problems in the "
        "database | load average at start | target |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    lines += [stage_row(result, check) for result, check in stages]
    lines += [
        "",
        f"{main['users']} users, per request type (in one process: the same page through Django's test client, "
        "median; the sending once):",
        "",
        "| request | count | p50, ms | p95, ms | p99, ms | errors | in one process, ms | of it CPU, ms | SQL queries "
        "| target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    by_name = {e["name"]: e for e in main["entries"]}
    for name in ORDER + [x for x in by_name if x not in ORDER and x not in LOGIN_NAMES]:
        if name not in by_name:
            continue
        e, own = by_name[name], local.get(name, {})
        ok = "✓" if e["p95"] < TARGET_P95_MS and not e["failures"] else "✗"
        lines.append(
            f"| {name} | {n(e['requests'])} | {ms(e['p50'])} | {ms(e['p95'])} | {ms(e['p99'])} | {e['failures']} | "
            f"{ms(own.get('ms'))} | {ms(own.get('cpu'))} | {own.get('queries', '—')} | {ok} |"
        )
    login = main["login"]
    lines.append(
        f"| {LOGIN} (apart from the target) | {n(login['requests'])} | {ms(login['p50'])} | {ms(login['p95'])} | "
        f"{ms(login['p99'])} | {login['failures']} | — | — | — | |"
    )
    cpu = main["cpu"]
    per = cpu["requests"] or 1
    counts = {e["name"]: e["requests"] for e in main["entries"]}
    measured = max(1, sum(c for k, c in counts.items() if k in local))
    weighted = sum(local[k]["ms"] * c for k, c in counts.items() if k in local) / measured
    weighted_cpu = sum(local[k]["cpu"] * c for k, c in counts.items() if k in local) / measured
    web, pg = cpu["web"] / per * 1000, cpu["pg"] / per * 1000
    lines += [
        "",
        f"What one request costs at {main['users']} users (the window's CPU time ÷ its {n(cpu['requests'])} "
        f"requests): {web:.0f} ms of gunicorn CPU and {pg:.0f} ms of PostgreSQL backend CPU (both from /proc: "
        "the server does not preload pg_stat_statements); the same mix in "
        f"one process through the test client takes {weighted:.0f} ms (its SQL round trips included), of which "
        f"{weighted_cpu:.0f} ms of this process's CPU (middleware, view, ORM, template; the rest waits for "
        f"PostgreSQL). So HTTP and gunicorn add {max(0.0, web - weighted_cpu):.0f} ms of CPU at most; what a request "
        "waits beyond its own cost is the queue for a core. locust "
        f"itself used {cpu['locust'] / per * 1000:.0f} ms of CPU per request on the same cores.",
    ]
    lines += conclusions(stages, args)
    errors = [e for result, _ in stages for e in result["errors"]]
    problems = [p for _, check in stages for p in check["problems"]]
    if errors:
        lines += ["", "Errors: " + "; ".join(f"{e['name']}: {e['error']} ×{e['occurrences']}" for e in errors[:10])]
    if problems:
        lines += ["", "Problems in the database: " + "; ".join(problems[:10])]
    lines.append(END)
    return "\n".join(lines)


def conclusions(stages, args) -> list[str]:
    """Where it saturates: the stage without pauses measures the ceiling; the CPU per request explains it."""
    main = main_stage(stages, args)
    cpu = main["cpu"]
    per = cpu["requests"] or 1
    cost = (cpu["web"] + cpu["pg"] + cpu["locust"]) / per  # CPU seconds one request takes on this machine
    estimate = (os.cpu_count() or 1) / cost if cost else 0
    think = sum(args.think) / 2
    paced = [r for r, _ in stages if r["think"][1]]
    rates = ", ".join(f"{r['users']} → {r['cpu']['requests'] / r['cpu']['wall']:.1f}" for r in paced)
    lines = [
        "",
        f"With pauses, throughput follows the users ({rates} req/s): each asks for a page every {think:g} s or so. "
        f"Web, database and load generator together spend {cost * 1000:.0f} ms of CPU per request at "
        f"{main['users']} users, so two cores cannot serve more than about {estimate:.0f} req/s.",
    ]
    rate = cpu["requests"] / cpu["wall"]
    lines[-1] += f" At {main['users']} users the load needs about {rate * cost:.1f} of the two cores ({rate:.1f} req/s)"
    if (main["all"]["p95"] or 0) < TARGET_P95_MS:
        lines[-1] += ", and p95 stays under 1 s."
    else:
        lines[-1] += (
            f"; p95 was {ms(main['all']['p95'])} ms with a load average of {main['load']:.1f} at the start: other "
            "work held the cores, and the requests queued for them."
        )
    for r, _ in stages:
        if not r["think"][1]:
            rate = r["cpu"]["requests"] / r["cpu"]["wall"]
            lines[-1] += (
                f" Measured: {r['users']} users without pauses keep every gunicorn thread busy and get "
                f"{rate:.1f} req/s at p95 {ms(r['all']['p95'])} ms — the ceiling of this machine (shared with "
                f"whatever else ran, see the load average). At {think:g} s between pages that is about "
                f"{rate * think:.0f} users at once; past it, requests queue for a core and p95 grows with the users."
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--users", type=int, default=200, help="users of the main (last) stage")
    parser.add_argument("--stages", type=int, nargs="*", default=[10, 50, 100], help="smaller stages before it")
    parser.add_argument("--duration", type=int, default=120, help="seconds per stage")
    parser.add_argument("--think", type=float, nargs=2, default=[5.0, 15.0], metavar=("MIN", "MAX"))
    parser.add_argument(
        "--saturation", type=int, default=24, help="users of a last stage without pauses: the ceiling (0: none)"
    )
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second")
    parser.add_argument("--max-requests", type=int, default=100_000, help="a stage stops after this many")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", default="gthread", choices=["gthread", "sync"])
    parser.add_argument(
        "--worker-connections", type=int, default=1000, help="connections a gthread worker takes (gunicorn: 1000)"
    )
    parser.add_argument("--region", help="code of the region to load (default: the one with most filing units)")
    parser.add_argument("--runs", type=int, default=10, help="requests per page in the in-process measurement")
    parser.add_argument("--keep", action="store_true", help="leave the load's users and documents in the database")
    parser.add_argument("--cleanup", action="store_true", help="only remove what an earlier run left, and stop")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/benchmarks.md alone")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    stages = [(s, tuple(args.think)) for s in sorted({s for s in args.stages if 0 < s < args.users})]
    stages.append((args.users, tuple(args.think)))
    if args.saturation:
        stages.append((args.saturation, (0.0, 0.0)))

    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        workdir = Path(tmp)
        env = environment(args.database, workdir)
        setup_django(env)
        from django.core.management import call_command
        from django.db import connection

        try:
            connection.ensure_connection()
        except Exception as exc:  # noqa: BLE001 - any failure means there is nothing to load
            raise SystemExit(
                f"База {database_name(args.database)} не отвечает ({exc}): сначала scripts/bench.py."
            ) from None
        call_command("migrate", interactive=False, verbosity=0)  # a database built by an older checkout
        if args.cleanup:
            print(f"Удалено: {cleanup()}")
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        info = machine()
        gunicorn = None
        rows = []
        try:
            print("Подготовка пользователей и замер страниц в одном процессе…", flush=True)
            plan = prepare(args.users, args.region)
            local = in_process(plan, args.runs)
            for name, value in local.items():
                print(f"  {name}: {value['ms']:.0f} мс, запросов SQL {value['queries']}", flush=True)
            gunicorn = Gunicorn(env, args, workdir / "gunicorn.log")
            for users, think in stages:
                plan = prepare(args.users, args.region)
                connection.close()  # the backend of this process is not the load's
                load = os.getloadavg()[0]
                print(f"{users} пользователей, паузы {think[0]:g}–{think[1]:g} с, {args.duration} с…", flush=True)
                result = run_locust(plan, users, think, args, gunicorn, workdir) | {"load": load}
                check = verify(plan, result["methodists"])
                rows.append((result, check))
                print(stage_row(result, check), flush=True)
                for problem in check["problems"][:10]:
                    print(f"  ! {problem}", flush=True)
                for error in result["errors"][:10]:
                    print(f"  ! {error['name']}: {error['error']} ×{error['occurrences']}", flush=True)
        finally:
            if gunicorn is not None:
                gunicorn.stop()
            if not args.keep:
                cleanup()
            if env["CELERY_BROKER_URL"] == REDIS_URL:
                import redis

                redis.Redis.from_url(REDIS_URL).flushdb()  # the relay tasks the sends queued: no worker ran
    text = section(args, info, plan["size"], rows, local)
    if not args.no_doc:
        from benchdoc import write_section

        write_section(Path(args.output), text, START, END)
    print()
    print(text)
    if any(r["failures"] for r, _ in rows) or any(c["problems"] for _, c in rows):
        raise SystemExit("Есть ошибки или расхождения в базе: см. таблицу.")


if __name__ == "__main__":
    main()
