"""How long WeasyPrint takes to print a work plan: a benchmark, not a test.

    .venv/bin/python scripts/bench_pdf.py [--items 100] [--runs 5]    (or: make bench-pdf)

Sets Django up on a throw-away SQLite database and var/ directory (nothing of the
developer's is touched), migrates it, files a plan of N items through the real workflow,
then times network.pdf.render_pdf over R runs after one warm-up (the first render of a
process also loads the fonts: it is shown apart). Prints a table of min / median / max.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(workdir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "network.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["METODSET_VAR_DIR"] = str(workdir / "var")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    sys.path.insert(0, str(ROOT))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def build_plan(items: int):
    """A МунУМО under a РУМО with a chair and a secretary, and its plan of `items` items."""
    from django.contrib.auth import get_user_model

    from orgunits.models import Level, OrgUnit, Region, UnitKind
    from people.models import Membership, Person
    from plans.models import MONTHS, Direction, EventForm, PlanItem, Timing
    from submissions import services
    from submissions.models import Campaign

    region = Region.objects.create(code="bench", name="Кабардино-Балкарская Республика")
    rumo_kind, _ = UnitKind.objects.update_or_create(
        code="bench-rumo",
        defaults={"name": "РУМО", "short_name": "РУМО", "level": Level.REGIONAL, "approves_documents": ["plan"]},
    )
    mun_kind, _ = UnitKind.objects.update_or_create(
        code="bench-munumo",
        defaults={"name": "МунУМО", "short_name": "МунУМО", "level": Level.MUNICIPAL, "files_documents": ["plan"]},
    )
    rumo = OrgUnit.objects.create(region=region, kind=rumo_kind, name="Региональное учебно-методическое объединение")
    unit = OrgUnit.objects.create(
        region=region, kind=mun_kind, parent=rumo, name="Муниципальное УМО Терского муниципального района"
    )
    user = get_user_model().objects.create(username="bench-secretary")
    start = datetime.date(2026, 9, 1)
    for role, last, first, middle in [
        ("chair", "Шогенов", "Аслан", "Мухамедович"),
        ("secretary", "Кудаева", "Залина", "Хасановна"),
    ]:
        person = Person.objects.create(region=region, last_name=last, first_name=first, middle_name=middle)
        Membership.objects.create(
            person=person, unit=unit, role=role, starts_on=start, ends_on=Membership.default_term_end(start)
        )

    year = 2026
    campaign = Campaign.objects.create(
        region=region, document_type="plan", year=year, **Campaign.defaults_for("plan", year)
    )
    campaign.filer_kinds.set([mun_kind])
    opened = datetime.datetime.combine(campaign.opens_on, datetime.time(10), tzinfo=datetime.UTC)
    submission = services.start(campaign, unit, user, opened)

    directions, forms, months = Direction.values, EventForm.values, [m for m, _ in MONTHS]
    PlanItem.objects.bulk_create(
        PlanItem(
            submission=submission,
            direction=directions[i % len(directions)],
            activity=(
                f"Мероприятие {i + 1}: методическое сопровождение педагогов по вопросам реализации "
                "обновлённых ФГОС, обобщение и распространение опыта работы"
            ),
            form=forms[i % len(forms)],
            timing=Timing.MONTH,
            month=months[i % len(months)],
            responsible="Иванова М. И., руководитель РМО; Петров П. П., методист",
            expected_result="Методические рекомендации, приказ об итогах, публикация на сайте",
            position=i,
        )
        for i in range(items)
    )
    return submission


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100, help="plan items (default 100)")
    parser.add_argument("--runs", type=int, default=5, help="timed renders (default 5)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        started = time.perf_counter()
        setup_django(Path(tmp))
        setup_seconds = time.perf_counter() - started

        import io

        import weasyprint
        from pypdf import PdfReader

        from network import pdf

        submission = build_plan(args.items)
        document = pdf.REGISTRY["plan"]

        started = time.perf_counter()
        template_name, context, _ = document.build(submission)
        build_seconds = time.perf_counter() - started

        started = time.perf_counter()
        data = pdf.render_pdf(template_name, context)  # warm-up: loads the fonts
        cold = time.perf_counter() - started

        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            data = pdf.render_pdf(template_name, context)
            times.append(time.perf_counter() - started)
        pages = len(PdfReader(io.BytesIO(data)).pages)

    print(f"WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}")
    print(f"plan of {args.items} items: {pages} pages, {len(data) / 1024:.0f} KiB")
    print(f"set-up (migrate on SQLite) {setup_seconds:.1f} s; building the context {build_seconds * 1000:.0f} ms")
    print()
    rows = [
        ("first render (cold)", cold, cold, cold),
        (f"render_pdf × {args.runs}", min(times), statistics.median(times), max(times)),
    ]
    print(f"{'':<22}{'min, s':>10}{'median, s':>12}{'max, s':>10}")
    for label, low, mid, high in rows:
        print(f"{label:<22}{low:>10.3f}{mid:>12.3f}{high:>10.3f}")
    print(f"{'per page (median)':<22}{'':>10}{statistics.median(times) / pages:>12.3f}")


if __name__ == "__main__":
    main()
