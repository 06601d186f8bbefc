"""The national-scale benchmark (issue 6): a script, not a test.

    make bench                  # national size on the local PostgreSQL (about 10 minutes the first time)
    .venv/bin/python scripts/bench.py --size region --runs 10

On a PostgreSQL database of its own (BENCH_DATABASE_URL, by default metodset_bench on
127.0.0.1:5432; created when missing) it builds the synthetic network once
(manage.py generate_network), then measures:

* pages, through Django's test client in this process (view + ORM + template; no HTTP server or
  network in the figure): p50 / p95 latency over --runs requests after a warm-up, and the SQL
  queries of one request;
* the export of the people register to .xlsx (rows per second, peak memory of a child process),
  beside django-import-export's plain Resource.export() on the same rows, tried on growing slices
  until one takes longer than --plain-seconds;
* one PDF render (a work plan) and the daily sweep over the whole network (twice: the second run
  of a day must do nothing).

It prints a table and writes it to docs/benchmarks.md with the machine it ran on.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/metodset_bench"
SIZES = {
    "national": [],  # the generator's defaults
    "region": ["--regions", "1", "--municipalities", "34", "--schools", "600", "--teachers", "25000"],
    "small": ["--regions", "3", "--municipalities", "30", "--schools", "300", "--teachers", "10000"],
}
TARGET_P95_MS = 300


def setup_django(url: str, workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "network.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["METODSET_VAR_DIR"] = str(workdir / "var")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["DEBUG"] = "0"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "postgres": pg,
        "os": platform.platform(terse=True),
    }


# -- data and users ------------------------------------------------------------------------------


def build(size: str) -> float | None:
    from django.core.management import call_command

    from orgunits.models import Region

    if Region.objects.filter(code__startswith="gen").exists():
        return None
    started = time.perf_counter()
    call_command("generate_network", *SIZES[size])
    return time.perf_counter() - started


def users():
    from django.contrib.auth import get_user_model

    from orgunits.access import grant_role
    from orgunits.models import OrgUnit

    User = get_user_model()
    root, _ = User.objects.get_or_create(username="bench-root", defaults={"is_superuser": True, "is_staff": True})
    reviewer, created = User.objects.get_or_create(username="bench-reviewer")
    rumo = OrgUnit.objects.get(region__code="gen01", parent__isnull=True)
    if created:
        grant_role(reviewer, rumo, "reviewer")
    return root, reviewer, rumo


# -- measuring -----------------------------------------------------------------------------------


class QueryCounter:
    """Counts the SQL statements run inside it (Django's query log keeps only the last 9 000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        from django.db import connection

        self._cm = connection.execute_wrapper(self)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def measure(client, url: str, runs: int) -> dict:
    response = client.get(url)  # warm-up (and the status check)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: HTTP {response.status_code}")
    with QueryCounter() as counter:
        client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"p50": statistics.median(times), "p95": p95, "queries": counter.count}


def pages(runs: int) -> list[tuple[str, dict]]:
    from django.test import Client
    from django.urls import reverse

    from orgunits.models import OrgUnit
    from submissions.models import Campaign

    root, reviewer, rumo = users()
    as_root, as_reviewer = Client(), Client()
    as_root.force_login(root)
    as_reviewer.force_login(reviewer)
    cnppm = OrgUnit.objects.get(parent=rumo)
    municipality = OrgUnit.objects.filter(parent=cnppm).order_by("lft").first()
    report = Campaign.objects.get(region=rumo.region, document_type="report")
    cases = [
        ("Дерево сети (вся страна, суперпользователь)", as_root, reverse("orgunits:tree")),
        ("Дерево: дети ЦНППМ региона (htmx)", as_reviewer, reverse("orgunits:tree_children", args=[cnppm.pk])),
        ("Поиск по дереву (вся страна)", as_root, reverse("orgunits:tree") + "?q=района 7"),
        ("Страница МунУМО", as_reviewer, reverse("orgunits:unit", args=[municipality.pk])),
        ("Педагоги региона (РУМО)", as_reviewer, reverse("people:list")),
        ("Педагоги всей страны", as_root, reverse("people:list")),
        ("Поиск педагога по фамилии (вся страна)", as_root, reverse("people:list") + "?q=Иванова"),
        ("Свод кампании на уровне РУМО", as_reviewer, reverse("submissions:campaign", args=[report.pk])),
        (
            "Свод кампании РУМО, фильтр «на согласовании»",
            as_reviewer,
            reverse("submissions:campaign", args=[report.pk]) + "?state=submitted",
        ),
        ("Кампании всей страны (национальный корень)", as_root, reverse("submissions:campaigns")),
        ("Входящие проверяющего РУМО", as_reviewer, reverse("submissions:inbox")),
        ("Реестр приказов (вся страна)", as_root, reverse("orders:register")),
        ("Мероприятия (вся страна)", as_root, reverse("events:list")),
    ]
    results = []
    for title, client, url in cases:
        results.append((title, measure(client, url, runs)))
        print(f"  {title}: p95 {results[-1][1]['p95']:.0f} ms, запросов {results[-1][1]['queries']}", flush=True)
    return results


def child_command(kind: str, rows: int, workdir: Path) -> list[str]:
    """One export in a fresh process, so that its peak memory is its own."""
    database = os.environ["DATABASE_URL"]
    return [sys.executable, __file__, "--child", kind, "--rows", str(rows), "--workdir", str(workdir)] + [
        "--database",
        database,
    ]


def child(kind: str, rows: int, workdir: Path, timeout=None) -> dict:
    result = subprocess.run(
        child_command(kind, rows, workdir), capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_child(kind: str, rows: int) -> None:
    """In the child: export `rows` people as the national superuser, print JSON."""
    from django.contrib.auth import get_user_model

    from registers import export as writer
    from registers.base import get_register

    register = get_register("people")
    user = get_user_model().objects.get(username="bench-root")
    queryset = register.queryset(user)[:rows]
    started = time.perf_counter()
    if kind == "stream":
        with tempfile.TemporaryFile() as tmp:
            count = writer.write_xlsx(register, register.resource(), queryset, tmp)
            size = tmp.tell()
    else:
        dataset = register.resource().export(queryset)
        data = dataset.export("xlsx")
        count, size = len(dataset), len(data)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux → MiB
    print(json.dumps({"rows": count, "seconds": seconds, "peak_mib": peak, "bytes": size}))


def exports(rows: int, plain_seconds: float, workdir: Path) -> dict:
    """Both ways on the same growing slices until the plain one overruns its time bound, then
    the streamed one on all the rows."""
    from people.models import Person

    total = min(rows, Person.objects.count())
    ladder = []
    size = 10000
    while size <= total:
        print(f"  {size} строк: потоком и обычным Resource.export()…", flush=True)
        streamed = child("stream", size, workdir)
        try:
            plain = child("plain", size, workdir, timeout=plain_seconds)
        except subprocess.TimeoutExpired:
            plain = {"timeout": plain_seconds}
        ladder.append((size, streamed, plain))
        if "timeout" in plain:
            break
        size *= 3
    print(f"  {total} строк потоком…", flush=True)
    return {"ladder": ladder, "stream": child("stream", total, workdir)}


def pdf_render() -> dict:
    from network import pdf
    from plans.models import PlanItem

    submission = PlanItem.objects.select_related("submission").first().submission
    document = pdf.REGISTRY["plan"]
    template_name, context, _ = document.build(submission)
    pdf.render_pdf(template_name, context)  # warm-up: fonts
    started = time.perf_counter()
    data = pdf.render_pdf(template_name, context)
    return {"seconds": time.perf_counter() - started, "kib": len(data) / 1024}


def sweep() -> dict:
    from submissions.deadlines import run_sweep
    from submissions.models import Campaign, DeadlineEvent

    # A day when the report campaign is past its closing date: every missing unit is flagged.
    day = Campaign.objects.filter(document_type="report").order_by("closes_on").first().closes_on
    day += datetime.timedelta(days=1)
    from django.db import transaction

    timings = []
    # In a transaction rolled back at the end: the next benchmark run finds the same work to do.
    with transaction.atomic():
        # What earlier runs recorded is cleared first (inside the same rolled-back transaction).
        DeadlineEvent.objects.all().delete()
        for _ in range(2):
            with QueryCounter() as counter:
                started = time.perf_counter()
                report = run_sweep(day, send_email=False)
                seconds = time.perf_counter() - started
            timings.append((seconds, counter.count, report))
        transaction.set_rollback(True)
    return {"day": day, "first": timings[0], "second": timings[1]}


# -- the report ----------------------------------------------------------------------------------


def num(n) -> str:
    """12 345 (a space between thousands, as Russian texts write numbers)."""
    return f"{round(n):,}".replace(",", " ")


def counts() -> dict:
    from events.models import Event
    from orgunits.models import OrgUnit, Region, School
    from people.models import Membership, Person
    from submissions.models import Submission

    return {
        "регионов": Region.objects.filter(code__startswith="gen").count(),
        "подразделений": OrgUnit.objects.count(),
        "школ": School.objects.count(),
        "педагогов": Person.objects.count(),
        "членств": Membership.objects.count(),
        "планов и отчётов": Submission.objects.count(),
        "мероприятий": Event.objects.count(),
    }


def report(info, data_counts, generated, page_results, export_results, pdf_result, sweep_result) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Run {datetime.datetime.now():%d.%m.%Y %H:%M} by `make bench` (scripts/bench.py).",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} RAM; {info['os']}; "
        f"Python {info['python']}; PostgreSQL {info['postgres']}.",
        "",
        "Network: " + ", ".join(f"{k} {v:,}".replace(",", " ") for k, v in data_counts.items()) + ".",
    ]
    if generated is not None:
        lines.append(f"Generated by `manage.py generate_network` in {generated:.0f} s.")
    lines += [
        "",
        "## Pages",
        "",
        f"Django test client in one process (view + ORM + templates, no HTTP); target p95 < {TARGET_P95_MS} ms.",
        "",
        "| page | p50, ms | p95, ms | SQL queries | target |",
        "|---|---:|---:|---:|---|",
    ]
    for title, m in page_results:
        ok = "✓" if m["p95"] < TARGET_P95_MS else "✗"
        lines.append(f"| {title} | {m['p50']:.0f} | {m['p95']:.0f} | {m['queries']} | {ok} |")
    stream = export_results["stream"]
    lines += [
        "",
        "## Export of the people register to .xlsx",
        "",
        "Each run in a fresh process (peak memory is that process's). The plain way is django-import-export's",
        '`Resource.export()` (a whole tablib.Dataset, then `.export("xlsx")`) on the same queryset.',
        "",
        "| rows | streamed, s | plain, s | streamed is faster by | peak, MiB: streamed / plain |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size, streamed, plain in export_results["ladder"]:
        if "timeout" in plain:
            lines.append(
                f"| {size:,} | {streamed['seconds']:.1f} | stopped after {plain['timeout']:.0f} | "
                f"> {plain['timeout'] / streamed['seconds']:.0f}× | {streamed['peak_mib']:.0f} / — |".replace(",", " ")
            )
        else:
            speedup = plain["seconds"] / streamed["seconds"]
            row = (
                f"| {size:,} | {streamed['seconds']:.1f} | {plain['seconds']:.1f} | {speedup:.1f}× | "
                f"{streamed['peak_mib']:.0f} / {plain['peak_mib']:.0f} |"
            )
            lines.append(row.replace(",", " "))
    lines += [
        "",
        "The plain export reads a queryset with prefetches page by page with OFFSET (import-export's",
        "`iter_queryset`), so its time grows with the square of the rows, and it holds the whole dataset",
        "in memory; the streamed one reads one server-side cursor and writes each row as it comes.",
        "",
        f"All {num(stream['rows'])} rows streamed: {stream['seconds']:.0f} s, "
        f"{num(stream['rows'] / stream['seconds'])} rows/s, peak {stream['peak_mib']:.0f} MiB.",
    ]
    first_s, first_q, first = sweep_result["first"]
    second_s, second_q, second = sweep_result["second"]
    lines += [
        "",
        "## PDF and the daily sweep",
        "",
        f"* One work-plan PDF (WeasyPrint, fonts warm): {pdf_result['seconds'] * 1000:.0f} ms, "
        f"{pdf_result['kib']:.0f} KiB.",
        f"* Sweep for {sweep_result['day']:%d.%m.%Y} over the whole network: {first_s:.1f} s, {first_q} queries "
        f"({first.summary()}); the second run of the day: {second_s:.1f} s, {second_q} queries ({second.summary()}).",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--size", choices=sorted(SIZES), default="national")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--plain-seconds", type=float, default=180)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--child", choices=["stream", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        setup_django(args.database, Path(args.workdir))
        run_child(args.child, args.rows)
        return
    if not args.database.startswith("postgres"):
        sys.exit("Бенчмарк меряет PostgreSQL: укажите --database postgres://…")
    ensure_database(args.database)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        setup_django(args.database, workdir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        print("Сеть…", flush=True)
        generated = build(args.size)
        info, data_counts = machine(), counts()
        print(data_counts, flush=True)
        print("Страницы…", flush=True)
        page_results = pages(args.runs)
        print("Выгрузка…", flush=True)
        export_results = exports(args.export_rows, args.plain_seconds, workdir)
        print("PDF и ежедневный обход…", flush=True)
        pdf_result = pdf_render()
        sweep_result = sweep()
    text = report(info, data_counts, generated, page_results, export_results, pdf_result, sweep_result)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text, encoding="utf-8")
    print()
    print(text)


if __name__ == "__main__":
    main()
