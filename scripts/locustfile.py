"""The deadline-day mix for scripts/bench_http.py (locust, gevent FastHttpUser); not meant to run alone.

The plan (logins, their documents, what reviewers open, think time, CPU meters) comes from the JSON file
named by BENCH_HTTP_PLAN; what the users did (each methodist's saves and whether the report went) and
the figures go to BENCH_HTTP_OUT when the run ends, for the database check.
"""

import json
import os
import random
import sys
import time
from pathlib import Path

import gevent
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.stats import StatsEntry

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_http as b  # noqa: E402

PLAN = json.loads(Path(os.environ["BENCH_HTTP_PLAN"]).read_text(encoding="utf-8"))
OUT = Path(os.environ["BENCH_HTTP_OUT"])
METHODISTS = list(reversed(PLAN["methodists"]))
REVIEWERS = list(reversed(PLAN["reviewers"]))
DONE: dict[str, dict] = {}  # username → {"submission", "saves": [[field, text]], "sent": bool}
STATE = {"logged_in": 0, "window": None, "login": None, "errors": [], "requests": 0}
METERS = {
    "web": b.CpuMeter(lambda: b.gunicorn_pids(PLAN["gunicorn"])),
    # Only the backends serving gunicorn: another program may work on the same database meanwhile.
    "pg": b.CpuMeter(
        lambda: b.backend_pids(
            PLAN["database"], b.client_ports(b.gunicorn_pids(PLAN["gunicorn"]), PLAN["database_port"])
        )
    ),
    "locust": b.CpuMeter(lambda: [os.getpid()]),
}


class Portal(FastHttpUser):
    abstract = True
    wait_time = between(*PLAN["think"])
    pool: list = []

    def on_start(self):
        try:
            self.account = self.pool.pop()
        except IndexError:
            self.account = None
            STATE["logged_in"] += 1
            raise RuntimeError("Учётных записей нагрузки меньше, чем пользователей.") from None
        try:
            self.login()
        finally:
            STATE["logged_in"] += 1

    def login(self):
        page = self.client.get("/accounts/login/", name=b.LOGIN_FORM)
        data = {
            "csrfmiddlewaretoken": b.csrf_token(page.text or ""),
            "username": self.account["username"],
            "password": PLAN["password"],
        }
        with self.client.post(
            "/accounts/login/", data=data, name=b.LOGIN, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"вход не удался: ответ {response.status_code}")

    def page(self, url, name):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"ответ {response.status_code}")
                return None
            return response.text


class Methodist(Portal):
    weight = 4
    pool = METHODISTS

    def on_start(self):
        super().on_start()
        account = self.account
        self.editor = f"/submissions/{account['submission']}/report/"
        self.document = f"/submissions/{account['submission']}/"
        self.sections = dict(account["sections"])
        self.record = DONE[account["username"]] = {"submission": account["submission"], "saves": [], "sent": False}
        self.sent = False  # tried: a report is sent at most once, whatever the answer

    def post_editor(self, action: str, name: str):
        html = self.page(self.editor, b.EDITOR)
        if html is None:
            return None
        version, token = b.expected_version(html), b.csrf_token(html)
        if version is None or token is None:
            return None  # already sent: the editor shows the report read-only
        data = b.editor_post(self.sections, self.account["figures"], version, token, action)
        return self.client.post(self.editor, data=data, name=name, allow_redirects=False, catch_response=True)

    @task(4)
    def open_editor(self):
        self.page(self.editor, b.EDITOR)

    @task(3)
    def save(self):
        if self.sent:
            return self.page(self.document, b.DOCUMENT)
        field = list(self.sections)[len(self.record["saves"]) % len(self.sections)]
        text = b.save_text(self.account["username"], len(self.record["saves"]) + 1, field)
        before = self.sections[field]
        self.sections[field] = text
        response = self.post_editor("save", b.SAVE)
        if response is None:
            self.sections[field] = before
            return
        with response:
            if response.status_code == 302 and response.headers.get("Location") == self.editor:
                self.record["saves"].append([field, text])
            else:
                self.sections[field] = before
                response.failure(f"не сохранено: ответ {response.status_code}")

    @task(1)
    def send(self):
        if self.sent or len(self.record["saves"]) < b.SAVES_BEFORE_SEND:
            return self.page(self.editor, b.EDITOR)
        self.sent = True
        response = self.post_editor("send", b.SEND)
        if response is None:
            return
        with response:
            if response.status_code == 302 and response.headers.get("Location") == self.document:
                self.record["sent"] = True
            else:
                response.failure(f"не отправлено: ответ {response.status_code}")

    @task(1)
    def open_document(self):
        self.page(self.document, b.DOCUMENT)

    @task(1)
    def notifications(self):
        self.page("/notifications/", b.NOTIFICATIONS)

    @task(1)
    def home(self):
        self.page("/", b.HOME)


class Reviewer(Portal):
    weight = 1
    pool = REVIEWERS

    @task(2)
    def worklist(self):
        self.page("/inbox/", b.WORKLIST)

    @task(3)
    def inbox(self):
        self.page("/inbox/documents/", b.INBOX)

    @task(2)
    def dashboard(self):
        self.page(random.choice(PLAN["campaigns"]), b.DASHBOARD)

    @task(1)
    def unit(self):
        self.page(random.choice(PLAN["units"]), b.UNIT)

    @task(1)
    def document(self):
        self.page(random.choice(PLAN["documents"]), b.DOCUMENT)

    @task(1)
    def notifications(self):
        self.page("/notifications/", b.NOTIFICATIONS)


# -- the measured window: from the last login to the stop -----------------------------------------


def entry(stats_entry) -> dict:
    def pct(p):
        return stats_entry.get_response_time_percentile(p) if stats_entry.num_requests else None

    return {
        "name": stats_entry.name,
        "method": stats_entry.method,
        "requests": stats_entry.num_requests,
        "failures": stats_entry.num_failures,
        "p50": pct(0.5),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": stats_entry.max_response_time if stats_entry.num_requests else None,
    }


def merged(stats, name, entries) -> dict:
    total = StatsEntry(stats, name, "")
    for e in entries:
        total.extend(e)
    return entry(total)


def errors(stats) -> list[dict]:
    return [{"name": e.name, "error": str(e.error), "occurrences": e.occurrences} for e in stats.errors.values()]


@events.init.add_listener
def on_init(environment, **_):
    @events.request.add_listener
    def count(**_):
        STATE["requests"] += 1
        if STATE["requests"] >= PLAN["max_requests"] and environment.runner is not None:
            gevent.spawn(environment.runner.quit)

    @events.spawning_complete.add_listener
    def spawned(user_count, **_):
        STATE["users"] = user_count
        gevent.spawn(open_window, environment, user_count)


def open_window(environment, users):
    """When every user has logged in: keep the logins' figures, start the window afresh, meter CPU."""
    while STATE["logged_in"] < users:
        gevent.sleep(0.1)
    stats = environment.stats
    logins = [e for (name, _), e in stats.entries.items() if name in b.LOGIN_NAMES]
    STATE["login"] = merged(stats, b.LOGIN, [e for e in logins if e.name == b.LOGIN])
    STATE["errors"] = errors(stats)
    stats.reset_all()
    for meter in METERS.values():
        meter.sample()
    STATE["window"] = {"started": time.time(), "cpu_busy": busy()}
    # The stage lasts its duration from here: the logins before it may take long on a busy machine.
    gevent.spawn_later(PLAN["duration"], environment.runner.quit)
    while True:
        gevent.sleep(1)
        for meter in METERS.values():
            meter.sample()


def busy() -> float:
    import psutil

    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq


@events.test_stop.add_listener
def on_stop(environment, **_):
    window = STATE["window"]
    if window is None or "stopped" in window:
        return
    for meter in METERS.values():
        meter.sample()
    window["stopped"] = time.time()
    window["cpu_busy"] = busy() - window["cpu_busy"]
    window["requests"] = environment.stats.total.num_requests


@events.quitting.add_listener
def write(environment, **_):
    stats = environment.stats
    window = STATE["window"] or {"started": time.time(), "stopped": time.time(), "cpu_busy": 0.0, "requests": 0}
    window.setdefault("stopped", time.time())
    entries = [entry(e) for (name, _), e in stats.entries.items() if name not in b.LOGIN_NAMES]
    result = {
        "users": STATE.get("users", 0),
        "entries": sorted(entries, key=lambda e: -e["requests"]),
        "all": merged(stats, "Все, кроме входа", [e for (n, _), e in stats.entries.items() if n not in b.LOGIN_NAMES]),
        "login": STATE["login"] or {"requests": 0, "failures": 0, "p50": None, "p95": None, "p99": None},
        "errors": STATE["errors"] + errors(stats),
        "methodists": DONE,
        "cpu": {
            "wall": max(0.001, window["stopped"] - window["started"]),
            "requests": window.get("requests", stats.total.num_requests),
            "web": METERS["web"].total,
            "pg": METERS["pg"].total,
            "locust": METERS["locust"].total,
            "busy": window["cpu_busy"] if "requests" in window else 0.0,
        },
        "window_complete": STATE["window"] is not None,
    }
    result["failures"] = sum(e["occurrences"] for e in result["errors"])
    OUT.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
