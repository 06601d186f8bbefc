"""The roadmap check of the daily sweep (called by submissions.deadlines.run_sweep).

Every item overdue on `today` (programs.services.overdue_q) and not reported yet for its due date
is reported once: to the responsible person's login, else to the filers of the responsible
unit, else to the filers of the program's unit — one notification per person and program,
listing the items. Each report is a RoadmapEvent with a unique (item, due date), created in the
same transaction as the notifications: a second sweep on the same day sends nothing, a sweep
killed midway loses nothing. Work goes program by program in batches, so the number of queries
grows with the programs flagged today, not with the network.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from network.notify import notify
from submissions.services import unit_filers

from .models import Program, RoadmapEvent, RoadmapItem
from .services import overdue_q

BATCH = 200  # programs per batch
NAMES_IN_NOTE = 5


def _recipients(item, filers) -> list:
    person = item.responsible_person
    if person is not None and person.user_id and person.user.is_active:
        return [person.user]
    if item.responsible_unit_id and filers.get(item.responsible_unit_id):
        return filers[item.responsible_unit_id]
    return filers.get(item.program.unit_id, [])


def _line(item) -> str:
    number = f"{item.number} " if item.number else ""
    return f"{number}«{item.activity[:80]}» (срок {item.due_on:%d.%m.%Y})"


def check_overdue_roadmaps(today: datetime.date, report, region=None) -> None:
    """The programs of `region` (whose local date `today` is), or of every region."""
    reported = RoadmapEvent.objects.filter(item=OuterRef("pk"), due_on=OuterRef("due_on"))
    items = RoadmapItem.objects.all() if region is None else RoadmapItem.objects.filter(program__unit__region=region)
    program_ids = list(
        items.filter(overdue_q(today))
        .exclude(Exists(reported))
        .order_by("program_id")
        .values_list("program_id", flat=True)
        .distinct()
    )
    for start in range(0, len(program_ids), BATCH):
        batch = program_ids[start : start + BATCH]
        programs = Program.objects.select_related("unit").in_bulk(batch)
        items = list(
            RoadmapItem.objects.filter(overdue_q(today), program_id__in=batch)
            .exclude(Exists(reported))
            .select_related("responsible_person__user")
            .order_by("program_id", "position", "pk")
        )
        for item in items:
            item.program = programs[item.program_id]
        units = {i.responsible_unit_id for i in items if i.responsible_unit_id} | {p.unit_id for p in programs.values()}
        filers = unit_filers(units)
        by_program: dict[int, list[RoadmapItem]] = {}
        for item in items:
            by_program.setdefault(item.program_id, []).append(item)
        for program_id, rows in by_program.items():
            _report_program(programs[program_id], rows, filers, today, report)


def _report_program(program, rows, filers, today, report) -> None:
    by_user: dict[int, tuple[object, list[RoadmapItem]]] = {}
    for item in rows:
        for user in _recipients(item, filers):
            by_user.setdefault(user.pk, (user, []))[1].append(item)
    url = program.get_absolute_url() + "?overdue=1"
    try:
        with transaction.atomic():
            RoadmapEvent.objects.bulk_create([RoadmapEvent(item=i, due_on=i.due_on, on=today) for i in rows])
            for user, items in by_user.values():
                listed = "; ".join(_line(i) for i in items[:NAMES_IN_NOTE])
                more = f" и ещё {len(items) - NAMES_IN_NOTE}" if len(items) > NAMES_IN_NOTE else ""
                notify([user], f"Просрочены пункты дорожной карты «{program}»: {listed}{more}.", url, needs_action=True)
    except IntegrityError:
        return  # another sweep recorded them first
    report.roadmap_overdue += len(rows)
    report.lines.append(f"{program.unit}: «{program}» — просрочено пунктов дорожной карты: {len(rows)}")
