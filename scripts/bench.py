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
import re
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
    # One region of its own (the first national region has ~80 000 teachers): the query counts of its
    # pages must be the national ones (they must not grow with the network).
    "region": [
        "--regions",
        "1",
        "--municipalities",
        "34",
        "--schools",
        "600",
        "--teachers",
        "25000",
        "--orders",
        "10000",
    ],
    "small": [
        "--regions",
        "3",
        "--municipalities",
        "30",
        "--schools",
        "300",
        "--teachers",
        "10000",
        "--orders",
        "4000",
    ],
}
TARGET_P95_MS = 300
LOAD = {"start": 0.0, "end": 0.0}  # the machine's load average around the pages
QUERIES_DIR = ROOT / "var" / "bench"  # the query counts of each size's last run, compared between sizes


def default_url(size: str) -> str:
    """metodset_bench for the national size, metodset_bench_<size> beside it for the others."""
    base = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    return base if size == "national" else f"{base}_{size}"


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
    """generate_network at this size: a region already built is skipped, so an interrupted build goes on;
    the seconds it took when it built anything."""
    from django.core.management import call_command

    from orgunits.models import Region

    before = Region.objects.filter(code__startswith="gen").count()
    started = time.perf_counter()
    call_command("generate_network", *SIZES[size])
    built = Region.objects.filter(code__startswith="gen").count() > before
    return time.perf_counter() - started if built else None


def users() -> dict:
    """The superuser of the benchmark, and the first region's people the generator made: the РУМО's
    reviewer (thousands of notifications, the expertise queue), the first МунУМО's methodist (who
    returned documents), the administrator whose 5 000-row import waits in preview, the chair of the
    МунУМО whose 100-item plan and report are measured."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    root, _ = User.objects.get_or_create(username="bench-root", defaults={"is_superuser": True, "is_staff": True})
    keys = {"reviewer": "gen01-reviewer", "methodist": "gen01-m1", "admin": "gen01-admin", "chair": "gen01-chair"}
    named = {u.username: u for u in User.objects.filter(username__in=keys.values())}
    return {"root": root, **{key: named[name] for key, name in keys.items()}}


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


def cases() -> list[tuple[str, str, str]]:
    """(title, who, url) of every page measured; `who` is a key of users()."""
    from django.db.models import Count
    from django.urls import reverse

    from monitoring.models import MonitoringCampaign, Result
    from orgunits.models import OrgUnit
    from people.models import Membership, Person
    from plans.models import PlanItem
    from registers.models import Import
    from reports.models import ReportSection
    from submissions.models import Campaign, State, Submission

    rumo = OrgUnit.objects.get(region__code="gen01", parent__isnull=True)
    cnppm = OrgUnit.objects.get(parent=rumo)
    municipality = OrgUnit.objects.filter(parent=cnppm).order_by("lft").first()
    # The generator's report campaign is the region's first (a load test may have added its own since).
    report = Campaign.objects.filter(region=rumo.region, document_type="report").order_by("pk").first()
    monitoring = MonitoringCampaign.objects.filter(region=rumo.region, computed_at__isnull=False).first()
    cell = Result.objects.filter(row__campaign=monitoring, numerator__gt=0).order_by("-denominator").first()
    returned = (
        Submission.objects.filter(campaign__region=rumo.region, state=State.RETURNED, approver=municipality)
        .order_by("pk")
        .first()
    )
    chaired = Membership.objects.filter(
        person__user__username="gen01-chair", role="chair", unit__kind__code="munumo"
    ).values("unit_id")
    plan = (
        PlanItem.objects.filter(submission__campaign__region=rumo.region, submission__unit__in=chaired)
        .values("submission")
        .annotate(n=Count("pk"))
        .filter(n__gte=100)
        .order_by("submission")
        .values_list("submission", flat=True)
        .first()
    )
    report_doc = (
        ReportSection.objects.filter(
            submission__campaign__region=rumo.region, submission__unit__in=chaired, submission__campaign__isnull=False
        )
        .values("submission")
        .annotate(n=Count("pk"))
        .order_by("-n", "submission")
        .values_list("submission", flat=True)
        .first()
    )
    person = Person.objects.get(region=rumo.region, phone="+7 900 000-00-01")
    upload = Import.objects.get(original_name="gen01-people-5000.csv")
    orders = reverse("orders:register")
    people = reverse("people:list")
    return [
        ("Дерево сети (вся страна, суперпользователь)", "root", reverse("orgunits:tree")),
        ("Дерево: дети ЦНППМ региона (htmx)", "reviewer", reverse("orgunits:tree_children", args=[cnppm.pk])),
        ("Поиск по дереву (вся страна)", "root", reverse("orgunits:tree") + "?q=района 7"),
        ("Страница МунУМО", "reviewer", reverse("orgunits:unit", args=[municipality.pk])),
        ("Педагоги крупнейшего региона (РУМО)", "reviewer", people),
        ("Педагоги всей страны", "root", people),
        ("Поиск педагога по фамилии (вся страна)", "root", people + "?q=Иванова"),
        ("Поиск педагога по фамилии (регион)", "reviewer", people + "?q=Иванова"),
        ("Карточка педагога", "reviewer", reverse("people:person", args=[person.pk])),
        ("Портфолио педагога", "reviewer", reverse("growth:portfolio", args=[person.pk])),
        ("Свод кампании на уровне РУМО", "reviewer", reverse("submissions:campaign", args=[report.pk])),
        (
            "Свод кампании РУМО, фильтр «на согласовании»",
            "reviewer",
            reverse("submissions:campaign", args=[report.pk]) + "?state=submitted",
        ),
        ("Кампании всей страны (национальный корень)", "root", reverse("submissions:campaigns")),
        ("Документы на согласовании: проверяющий РУМО", "reviewer", reverse("submissions:inbox")),
        ("Документы: методист МунУМО, «возвращены мной»", "methodist", reverse("submissions:inbox")),
        ("Входящие методиста МунУМО (все решения)", "methodist", reverse("worklist:inbox")),
        ("Документ с историей (возвращённый)", "methodist", reverse("submissions:submission", args=[returned.pk])),
        ("Редактор плана из 100 пунктов", "chair", reverse("plans:edit", args=[plan])),
        ("Редактор отчёта с содержанием", "chair", reverse("reports:edit", args=[report_doc])),
        ("Реестр приказов (вся страна)", "root", orders),
        ("Реестр приказов (вся страна), поиск", "root", orders + "?q=конкурса"),
        ("Реестр приказов (регион)", "reviewer", orders),
        ("Реестр приказов (регион), поиск", "reviewer", orders + "?q=конкурса"),
        ("Реестры (страница выгрузок и загрузок)", "admin", reverse("registers:list")),
        ("Загрузка 5 000 педагогов: предпросмотр", "admin", reverse("registers:import_preview", args=[upload.pk])),
        ("Мероприятия (вся страна)", "root", reverse("events:list")),
        ("Банк практик (вся страна)", "root", reverse("practices:bank")),
        ("Банк практик, поиск", "reviewer", reverse("practices:bank") + "?q=грамотность"),
        ("Экспертиза РУМО: входящие", "reviewer", reverse("practices:inbox")),
        ("Уведомления (тысячи у пользователя)", "reviewer", reverse("notifications")),
        ("Мониторинг: кампании (вся страна)", "root", reverse("monitoring:campaigns")),
        ("Мониторинг: итоги всего региона", "reviewer", reverse("monitoring:campaign", args=[monitoring.pk])),
        (
            "Мониторинг: итоги региона (суперпользователь)",
            "root",
            reverse("monitoring:campaign", args=[monitoring.pk]),
        ),
        ("Мониторинг: клетка (записи расчёта)", "reviewer", reverse("monitoring:result", args=[cell.pk])),
    ]


def pages(runs: int) -> list[tuple[str, dict]]:
    from django.test import Client

    clients = {}
    for key, user in users().items():
        clients[key] = Client()
        clients[key].force_login(user)
    results = []
    LOAD["start"] = os.getloadavg()[0]
    for title, who, url in cases():
        try:
            m = measure(clients[who], url, runs)
        except Exception as exc:  # one broken page must not lose the rest of the table
            print(f"  ✗ {title}: {exc}", flush=True)
            continue
        results.append((title, m))
        print(f"  {title}: p50 {m['p50']:.0f} ms, p95 {m['p95']:.0f} ms, запросов {m['queries']}", flush=True)
    LOAD["end"] = os.getloadavg()[0]
    return results


def save_queries(size: str, page_results) -> dict[str, dict[str, int]]:
    """Record this size's query counts; return every other size's last counts ({size: {title: n}})."""
    QUERIES_DIR.mkdir(parents=True, exist_ok=True)
    mine = {title: m["queries"] for title, m in page_results}
    (QUERIES_DIR / f"queries-{size}.json").write_text(json.dumps(mine, ensure_ascii=False, indent=1), "utf-8")
    others = {}
    for other in SIZES:
        path = QUERIES_DIR / f"queries-{other}.json"
        if other != size and path.exists():
            others[other] = json.loads(path.read_text("utf-8"))
    return others


def compare_queries(size: str, page_results, others) -> list[str]:
    """✗ for each page whose query count differs between sizes: a count must not grow with the network."""
    problems = []
    for other, counts in others.items():
        for title, m in page_results:
            if title in counts and counts[title] != m["queries"]:
                problems.append(f"✗ {title}: {m['queries']} запросов ({size}) против {counts[title]} ({other})")
    return problems


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
    from django.db import connection

    from orgunits.models import Region

    # Exact counts of the small tables, the planner's estimate (reltuples, after ANALYZE) of the big ones.
    tables = {
        "подразделений": "orgunits_orgunit",
        "школ": "orgunits_school",
        "педагогов": "people_person",
        "членств": "people_membership",
        "планов и отчётов": "submissions_submission",
        "записей истории": "history_logentry",
        "приказов": "orders_order",
        "заседаний": "meetings_meeting",
        "отметок явки": "meetings_attendance",
        "мероприятий": "events_event",
        "участий": "events_participation",
        "курсов": "growth_course",
        "разработок": "practices_development",
        "уведомлений": "network_notification",
        "результатов мониторинга": "monitoring_result",
    }
    out = {"регионов": Region.objects.filter(code__startswith="gen").count()}
    with connection.cursor() as cur:
        for label, table in tables.items():
            cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cur.fetchone()
            estimate = row[0] if row else -1
            if estimate < 0 or estimate < 2_000_000:
                cur.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 — a table name of our own
                estimate = cur.fetchone()[0]
            out[label] = estimate
    return out


def pages_section(size: str, page_results, others) -> str:
    """The pages table between its markers (a `--pages-only` run replaces just this part)."""
    other = next(iter(others), None)
    lines = [
        "<!-- pages -->",
        "## Pages",
        "",
        f"Django test client in one process (view + ORM + templates, no HTTP); target p95 < {TARGET_P95_MS} ms. "
        f"Size: {size}; load average {LOAD['start']:.1f} when the pages began, {LOAD['end']:.1f} when they ended "
        "(above the number of cores, other work shared them and the times grow with it).",
    ]
    if other:
        lines.append(
            f"«SQL, {other}» is the same page's query count on the {other}-size network "
            "(its own database): a count that differs grows with the network (✗)."
        )
    lines += [
        "",
        "| page | p50, ms | p95, ms | SQL queries |" + (f" SQL, {other} |" if other else "") + " target |",
        "|---|---:|---:|---:|" + ("---:|" if other else "") + "---|",
    ]
    for title, m in page_results:
        ok = m["p95"] < TARGET_P95_MS
        cell = ""
        if other:
            theirs = others[other].get(title)
            same = theirs is None or theirs == m["queries"]
            ok = ok and same
            cell = f" {'—' if theirs is None else theirs}{'' if same else ' ✗'} |"
        lines.append(f"| {title} | {m['p50']:.0f} | {m['p95']:.0f} | {m['queries']} |{cell} {'✓' if ok else '✗'} |")
    lines.append("<!-- /pages -->")
    return "\n".join(lines)


def kept_sections(path: Path) -> str:
    """The sections other scripts write between their own markers (mail, login, http…): kept as they are."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    found = re.findall(r"(<!-- ([a-z_-]+) -->.*?<!-- /\2 -->)", text, flags=re.S)
    return "\n\n".join(block for block, name in found if name != "pages")


def report(info, data_counts, generated, pages_text, export_results, pdf_result, sweep_result) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Run {datetime.datetime.now():%d.%m.%Y %H:%M} by `make bench` (scripts/bench.py). The sections between",
        "markers are written by the other bench scripts (login, mail, HTTP load) and kept by this one.",
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} RAM; {info['os']}; "
        f"Python {info['python']}; PostgreSQL {info['postgres']}.",
        "",
        "Network: " + ", ".join(f"{k} {v:,}".replace(",", " ") for k, v in data_counts.items()) + " "
        "(tables of more than 2 million rows: PostgreSQL's estimate).",
    ]
    if generated is not None:
        lines.append(f"Generated by `manage.py generate_network` in {generated:.0f} s.")
    lines += ["", pages_text]
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
    parser.add_argument("--database", default=None, help="по умолчанию BENCH_DATABASE_URL (с _<size> не для national)")
    parser.add_argument("--size", choices=sorted(SIZES), default="national")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--plain-seconds", type=float, default=180)
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="только страницы: заменить таблицу страниц в отчёте, остальное оставить",
    )
    parser.add_argument("--no-write", action="store_true", help="не писать отчёт (например, прогон размера region)")
    parser.add_argument("--child", choices=["stream", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    database = args.database or default_url(args.size)

    if args.child:
        setup_django(database, Path(args.workdir))
        run_child(args.child, args.rows)
        return
    if not database.startswith("postgres"):
        sys.exit("Бенчмарк меряет PostgreSQL: укажите --database postgres://…")
    ensure_database(database)
    output = Path(args.output)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        setup_django(database, workdir)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        print("Сеть…", flush=True)
        generated = build(args.size)
        # Fresh statistics before measuring: the network may have grown since the last ANALYZE (a computed
        # campaign, a load test), and a server without autovacuum would plan on stale row counts.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        info, data_counts = machine(), counts()
        print(data_counts, flush=True)
        print("Страницы…", flush=True)
        page_results = pages(args.runs)
        others = save_queries(args.size, page_results)
        problems = compare_queries(args.size, page_results, others)
        for line in problems:
            print(line, flush=True)
        pages_text = pages_section(args.size, page_results, others)
        if args.pages_only or args.no_write:
            if not args.no_write:
                sys.path.insert(0, str(ROOT / "scripts"))
                from benchdoc import write_section

                write_section(output, pages_text, "<!-- pages -->", "<!-- /pages -->")
            print()
            print(pages_text)
            return
        print("Выгрузка…", flush=True)
        export_results = exports(args.export_rows, args.plain_seconds, workdir)
        print("PDF и ежедневный обход…", flush=True)
        pdf_result = pdf_render()
        sweep_result = sweep()
    text = report(info, data_counts, generated, pages_text, export_results, pdf_result, sweep_result)
    kept = kept_sections(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text.rstrip("\n") + ("\n\n" + kept if kept else "") + "\n", encoding="utf-8")
    print()
    print(text)


if __name__ == "__main__":
    main()
