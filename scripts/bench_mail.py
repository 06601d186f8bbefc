"""How fast the mail outbox drains: a benchmark, not a test.

    .venv/bin/python scripts/bench_mail.py [--letters 20000] [--workers 1 2]    (also run by make bench)

A deadline day at national scale leaves tens of thousands of letters in the outbox at once.
This script starts a local SMTP sink (aiosmtpd, in a process of its own, on 127.0.0.1 at a
free port), points Django's SMTP backend at it, stores N pending notifications in a throw-away
database and times network.notify.relay_outbox until the outbox is empty: with one relay, and
with several relays at once (separate processes, as Celery workers would run them; PostgreSQL
only). The sink counts the letters it received and any it received twice.

The database is PostgreSQL (BENCH_MAIL_DATABASE_URL, by default metodset_bench_mail on
127.0.0.1:5432, created when missing) when it answers, else a temporary SQLite file.
The result goes to docs/benchmarks.md between the markers <!-- mail --> and <!-- /mail -->
(the section is appended when they are absent).
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/metodset_bench_mail"
USERNAME_PREFIX = "bench-mail-"
START, END = "<!-- mail -->", "<!-- /mail -->"


# -- the SMTP sink (a child process) --------------------------------------------------------------


def run_sink(port: int) -> None:
    """Accept every letter, count it; on SIGTERM print {"received", "duplicates", "sessions"}."""
    from aiosmtpd.controller import Controller

    class Counter:
        received = duplicates = sessions = 0
        seen: set[bytes] = set()

        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            Counter.sessions += 1
            session.host_name = hostname
            return responses

        async def handle_DATA(self, server, session, envelope):
            body = envelope.original_content or envelope.content
            # The subject and body carry the notification's number: a letter sent twice shows up here.
            key = hashlib.blake2b(re.sub(rb"(?im)^(Message-ID|Date):.*$", b"", body), digest_size=16).digest()
            if key in Counter.seen:
                Counter.duplicates += 1
            Counter.seen.add(key)
            Counter.received += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)

    def stop(*_):
        controller.stop()
        print(
            json.dumps({"received": Counter.received, "duplicates": Counter.duplicates, "sessions": Counter.sessions}),
            flush=True,
        )
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    while True:
        time.sleep(3600)


class Sink:
    def __init__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--sink", str(self.port)], stdout=subprocess.PIPE, text=True
        )
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("Не удалось запустить SMTP-приёмник aiosmtpd.")

    def stop(self) -> dict:
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=30)
        return json.loads(out.strip().splitlines()[-1])


# -- Django ---------------------------------------------------------------------------------------


def setup_django(url: str, workdir: Path, smtp_port: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "network.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["METODSET_VAR_DIR"] = str(workdir / "var")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["DEBUG"] = "0"  # DEBUG keeps every query in memory
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(smtp_port)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def postgres_answers(url: str) -> bool:
    """Create the bench database when the server answers; False when there is no server."""
    try:
        import psycopg2
        from psycopg2 import sql

        name = url.rsplit("/", 1)[1].split("?")[0]
        admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3)
    except Exception:  # no driver or no server: the SQLite fallback
        return False
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    return True


def fill_outbox(letters: int, recipients: int) -> None:
    """`letters` pending notifications for `recipients` users, as the deadline sweep writes them."""
    from django.contrib.auth import get_user_model

    from network.models import Notification

    User = get_user_model()
    Notification.objects.filter(user__username__startswith=USERNAME_PREFIX).delete()
    have = User.objects.filter(username__startswith=USERNAME_PREFIX).count()
    User.objects.bulk_create(
        (
            User(username=f"{USERNAME_PREFIX}{i}", email=f"secretary{i}@school{i % 997}.example.ru")
            for i in range(have, recipients)
        ),
        batch_size=5000,
    )
    users = list(User.objects.filter(username__startswith=USERNAME_PREFIX).order_by("pk")[:recipients])
    Notification.objects.bulk_create(
        (
            Notification(
                user=users[i % len(users)],
                text=(
                    f"Напоминание № {i}: до срока представления «Отчёт о деятельности за 2026 год» "
                    f"(МунУМО № {i % 2300}) осталось 1 дн., срок 25.02.2027."
                ),
                url=f"/campaigns/{1 + i % 40}/",
            )
            for i in range(letters)
        ),
        batch_size=5000,
    )


def relay_child(batch: int) -> None:
    """One relay process: set up, say so, wait for the word, relay, print its report."""
    from dataclasses import asdict

    from network.notify import relay_outbox

    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(asdict(relay_outbox(batch_size=batch))), flush=True)


def drain(workers: int, args, workdir: Path, port: int) -> dict:
    """Relay until the outbox is empty with `workers` relays at once; seconds and their reports."""
    from network.models import Notification

    load = os.getloadavg()[0]  # other work on the machine shows in the figure: say how much there was
    if workers == 1:
        from dataclasses import asdict

        from network.notify import relay_outbox

        started = time.perf_counter()
        reports = [asdict(relay_outbox(batch_size=args.batch))]
    else:
        command = [sys.executable, __file__, "--relay-child", "--database", args.database]
        command += ["--workdir", str(workdir), "--port", str(port), "--batch", str(args.batch)]
        children = [
            subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(workers)
        ]
        for child in children:  # Django's start-up is not part of the figure
            if child.stdout.readline().strip() != "ready":
                raise SystemExit("Процесс отправки не запустился.")
        started = time.perf_counter()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        reports = [json.loads(c.communicate()[0].strip().splitlines()[-1]) for c in children]
    seconds = time.perf_counter() - started
    left = Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).count()
    return {"seconds": seconds, "reports": reports, "left": left, "load": load}


# -- the report -----------------------------------------------------------------------------------


def machine(database: str) -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            db = "PostgreSQL " + cur.fetchone()[0].split()[0]
    else:
        import sqlite3

        db = f"SQLite {sqlite3.sqlite_version} (PostgreSQL did not answer)"
    import aiosmtpd

    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; {db}; "
        f"aiosmtpd {aiosmtpd.__version__} as the mail server, in its own process on the same machine"
    )


def section(args, info: str, rows: list[tuple[int, dict, dict]]) -> str:
    def n(x: float) -> str:
        return f"{x:,.0f}".replace(",", " ")

    lines = [
        START,
        "## Mail outbox",
        "",
        f"Run {datetime.datetime.now():%d.%m.%Y %H:%M} by `make bench` (scripts/bench_mail.py): {n(args.letters)} "
        f"letters pending for {n(args.recipients)} addresses, relayed by `network.notify.relay_outbox` "
        f"over SMTP in batches of {args.batch}, one SMTP connection per batch. {info}.",
        "",
        "| relays at once | letters | drained in, s | letters/s | SMTP sessions | received by the sink | twice "
        "| load average at start |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for workers, result, sink in rows:
        sent = sum(r["sent"] for r in result["reports"])
        lines.append(
            f"| {workers} | {n(sent)} | {result['seconds']:.1f} | {n(sent / result['seconds'])} | "
            f"{n(sink['sessions'])} | {n(sink['received'])} | {sink['duplicates']} | {result['load']:.1f} |"
        )
    best = max(sum(r["sent"] for r in res["reports"]) / res["seconds"] for _, res, _ in rows)
    lines += [
        "",
        f"At {n(best)} letters a second a deadline day of 50 000 letters leaves in about "
        f"{50_000 / best / 60:.0f} min. A single letter (say «возвращён на доработку») is relayed by the task "
        "queued when its notification is committed, or at the latest by the every-minute beat. "
        "The sink is a Python asyncio server sharing the same cores (and a load average above the number "
        "of cores means other work shared them too): a real mail relay on its own host takes letters faster.",
        END,
    ]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if START in old and END in old:
        new = old[: old.index(START)] + text + old[old.index(END) + len(END) :]
    else:
        new = old.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=20_000)
    parser.add_argument("--recipients", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="relays at once, one run each")
    parser.add_argument("--database", default=os.environ.get("BENCH_MAIL_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--sink", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--relay-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.sink:
        run_sink(args.sink)
        return
    if args.relay_child:
        setup_django(args.database, Path(args.workdir), args.port)
        relay_child(args.batch)
        return

    with tempfile.TemporaryDirectory(prefix="bench-mail-") as tmp:
        workdir = Path(tmp)
        if not args.database.startswith("postgres") or not postgres_answers(args.database):
            args.database = f"sqlite:///{workdir / 'bench_mail.sqlite3'}"
            # SQLite serialises writers: relays at once would only wait on each other.
            args.workers = [1]
        rows = []
        setup_django(args.database, workdir, smtp_port=25)  # the port is set per run below
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        info = machine(args.database)
        for workers in args.workers:
            sink = Sink()
            try:
                os.environ["EMAIL_PORT"] = str(sink.port)
                from django.conf import settings

                settings.EMAIL_PORT = sink.port
                print(f"{args.letters} писем в очереди, отправителей одновременно: {workers}…", flush=True)
                fill_outbox(args.letters, args.recipients)
                result = drain(workers, args, workdir, sink.port)
            finally:
                received = sink.stop()
            sent = sum(r["sent"] for r in result["reports"])
            print(
                f"  {sent} писем за {result['seconds']:.1f} с ({sent / result['seconds']:.0f} в секунду); "
                f"приёмник получил {received['received']}, дважды {received['duplicates']}, "
                f"SMTP-сессий {received['sessions']}; осталось в очереди {result['left']}",
                flush=True,
            )
            if result["left"] or received["received"] != sent or received["duplicates"]:
                raise SystemExit("Очередь не опустела или письма потерялись/задвоились: результат не записан.")
            rows.append((workers, result, received))
    text = section(args, info, rows)
    write_section(Path(args.output), text)
    print()
    print(text)


if __name__ == "__main__":
    main()
