"""Programs and their roadmaps (issue 5, part 6; seeds 002 and 004): the rules.

* Overdue: an item of an active program, neither done nor cancelled, whose due date is before
  today (`overdue_q`; `is_overdue` is the same rule for an item already loaded). An item due
  today is not overdue yet.
* Who: whoever may view the owning unit sees its programs; who keeps the unit's records
  (`keep_records`: its filers and administrators) creates and edits programs and items; the
  responsible people of an item (its person's login, the filers of its unit) may change its
  status, and see the program to do so.
* Time is injected: every rule takes `today`.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404

from network.models import StaleVersionError
from orgunits.access import access_for

from .models import CLOSED_STATUSES, ItemStatus, Program, RoadmapItem, TermKind

NOT_ALLOWED = "Программы подразделения ведут его методисты, секретари и администраторы."
NOT_RESPONSIBLE = "Отметить выполнение может ответственный за пункт или тот, кто ведёт программы подразделения."
STALE = (
    "Пока вы редактировали, пункт изменил другой пользователь. "
    "Обновите страницу, проверьте изменения и внесите свои ещё раз."
)
FUTURE_DONE = "Дата выполнения не может быть позже сегодняшней."
BLOCK_PROGRAMS = 10
BLOCK_OVERDUE = 10


# -- the overdue rule -------------------------------------------------------------------------------


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """Items (or, with `prefix`, a relation to them) overdue on `today`."""
    return Q(**{f"{prefix}due_on__lt": today, f"{prefix}program__state": Program.State.ACTIVE}) & ~Q(
        **{f"{prefix}status__in": CLOSED_STATUSES}
    )


def is_overdue(item: RoadmapItem, today: datetime.date, program: Program | None = None) -> bool:
    """`overdue_q` for one loaded item."""
    program = program or item.program
    return program.state == Program.State.ACTIVE and item.status not in CLOSED_STATUSES and item.due_on < today


# -- permissions ------------------------------------------------------------------------------------


def can_edit(user, unit) -> bool:
    return access_for(user).can("keep_records", unit)


def responsible_q(user) -> Q | None:
    """Items this user answers for: as the responsible person, or as a filer of the responsible unit."""
    if not getattr(user, "is_authenticated", False):
        return None
    q = Q(responsible_person__user=user)
    units_q = access_for(user).q_for_units("file", prefix="responsible_unit__")
    if units_q is not None and units_q != Q():
        q |= units_q
    return q


def is_responsible(user, item: RoadmapItem) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if item.responsible_person_id and item.responsible_person.user_id == user.pk:
        return True
    return bool(item.responsible_unit_id) and access_for(user).can("file", item.responsible_unit)


def may_set_status(user, item: RoadmapItem) -> bool:
    """Who keeps the program's unit's records, or who answers for the item."""
    return can_edit(user, item.program.unit) or is_responsible(user, item)


def may_view_program(user, program: Program) -> bool:
    if access_for(user).can("view", program.unit):
        return True
    q = responsible_q(user)
    return q is not None and program.items.filter(q).exists()


def get_program(user, pk, edit: bool = False) -> Program:
    program = Program.objects.select_related("unit__kind", "unit__region", "approval_order").filter(pk=pk).first()
    if program is None or not may_view_program(user, program):
        raise Http404("Программа не найдена.")
    if edit and not can_edit(user, program.unit):
        raise PermissionDenied(NOT_ALLOWED)
    return program


def get_item(user, pk, edit: bool = False) -> RoadmapItem:
    item = (
        RoadmapItem.objects.select_related(
            "program__unit__kind", "program__unit__region", "responsible_unit", "responsible_person", "order"
        )
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("Пункт не найден.")
    program = item.program
    if not (access_for(user).can("view", program.unit) or is_responsible(user, item)):
        raise Http404("Пункт не найден.")
    if edit and not can_edit(user, program.unit):
        raise PermissionDenied(NOT_ALLOWED)
    return item


# -- terms ------------------------------------------------------------------------------------------


def first_cycle_year(program: Program, today: datetime.date) -> int:
    """The first year an «ежегодно» item added today is due: this year inside the period."""
    return min(max(program.start_year, today.year), program.end_year)


def refresh_due_dates(program: Program) -> int:
    """After the period changed: the due dates that depend on it (the whole period, «ежегодно»)."""
    changed = []
    for item in program.items.all():
        item.program = program
        if item.term_kind == TermKind.ANNUAL and item.term_year:
            item.term_year = min(max(item.term_year, program.start_year), program.end_year)
        due = item.compute_due_on()
        if due != item.due_on:
            item.due_on = due
            changed.append(item)
    RoadmapItem.objects.bulk_update(changed, ["due_on", "term_year"])
    return len(changed)


def items_outside(program: Program, start_year: int, end_year: int) -> list[RoadmapItem]:
    """Items whose fixed term would fall outside a new period."""
    items = program.items.filter(term_kind__in=[TermKind.DATE, TermKind.MONTH, TermKind.YEAR])
    return [
        i
        for i in items
        if not start_year <= (i.term_date.year if i.term_kind == TermKind.DATE else i.term_year) <= end_year
    ]


# -- changing ---------------------------------------------------------------------------------------


def save_item(item: RoadmapItem, expected_version: int | None = None) -> RoadmapItem:
    """Validate, compute the due date, save (versioned for an edit)."""
    item.full_clean(exclude=["due_on", "version"])
    item.due_on = item.compute_due_on()
    if item.pk is None:
        if not item.position:
            last = item.program.items.order_by("-position").values_list("position", flat=True).first()
            item.position = (last or 0) + 1
        item.save()
    else:
        try:
            item.save_versioned(expected_version)
        except StaleVersionError as exc:
            raise ValidationError(STALE) from exc
    return item


STATUS_BY_RESPONSIBLE = (ItemStatus.PLANNED, ItemStatus.IN_PROGRESS, ItemStatus.DONE)


@transaction.atomic
def set_status(item: RoadmapItem, status: str, user, expected_version: int, today: datetime.date, done_on=None) -> str:
    """Change an item's status; returns the message for the user.

    An «ежегодно» item marked done before the last year of its program is done for the year:
    its cycle moves to the next year and it is planned again.
    """
    if not may_set_status(user, item):
        raise PermissionDenied(NOT_RESPONSIBLE)
    if status not in ItemStatus.values:
        raise ValidationError({"status": "Неизвестное состояние пункта."})
    if status not in STATUS_BY_RESPONSIBLE and not can_edit(user, item.program.unit):
        raise ValidationError({"status": "Отменить пункт может только тот, кто ведёт программу."})
    done_on = done_on or today
    if status == ItemStatus.DONE and done_on > today:
        raise ValidationError({"done_on": FUTURE_DONE})
    program = item.program
    if (
        status == ItemStatus.DONE
        and item.term_kind == TermKind.ANNUAL
        and item.term_year
        and item.term_year < program.end_year
    ):
        year = item.term_year
        item.term_year = year + 1
        item.status = ItemStatus.PLANNED
        item.done_on = None
        message = f"Пункт выполнен за {year} год; следующий срок — {item.get_term_month_display()} {item.term_year}."
    else:
        item.status = status
        item.done_on = done_on if status == ItemStatus.DONE else None
        message = f"Состояние пункта: {item.get_status_display()}."
    save_item(item, expected_version)
    return message


@transaction.atomic
def delete_item(item: RoadmapItem, expected_version: int) -> None:
    try:
        item.delete_versioned(expected_version)
    except StaleVersionError:
        raise ValidationError(STALE) from None


# -- pages ------------------------------------------------------------------------------------------


def with_counts(programs, today: datetime.date):
    """Programs annotated with their items by status and the overdue ones (one query)."""
    return programs.annotate(
        item_count=Count("items", distinct=True),
        planned_count=Count("items", filter=Q(items__status=ItemStatus.PLANNED), distinct=True),
        in_progress_count=Count("items", filter=Q(items__status=ItemStatus.IN_PROGRESS), distinct=True),
        done_count=Count("items", filter=Q(items__status=ItemStatus.DONE), distinct=True),
        cancelled_count=Count("items", filter=Q(items__status=ItemStatus.CANCELLED), distinct=True),
        overdue_count=Count("items", filter=overdue_q(today, prefix="items__"), distinct=True),
    )


def unit_block(user, unit, today: datetime.date) -> dict:
    """The «Программы и дорожные карты» block of the unit page: two queries whatever the sizes."""
    programs = list(
        with_counts(Program.objects.filter(unit=unit), today).order_by("-start_year", "name", "pk")[
            : BLOCK_PROGRAMS + 1
        ]
    )
    overdue = list(
        RoadmapItem.objects.filter(overdue_q(today), program__unit=unit)
        .select_related("program")
        .order_by("due_on", "program_id", "position", "pk")[: BLOCK_OVERDUE + 1]
    )
    return {
        "programs": programs[:BLOCK_PROGRAMS],
        "more_programs": len(programs) > BLOCK_PROGRAMS,
        "overdue": overdue[:BLOCK_OVERDUE],
        "more_overdue": len(overdue) > BLOCK_OVERDUE,
        "can_create": can_edit(user, unit),
        "today": today,
    }


def roadmap_groups(items, program: Program, today: datetime.date) -> list[tuple[str, list[RoadmapItem]]]:
    """Items grouped by section in roadmap order; each marked `.overdue`."""
    groups: list[tuple[str, list[RoadmapItem]]] = []
    for item in items:
        item.program = program
        item.overdue = is_overdue(item, today, program)
        if not groups or groups[-1][0] != item.section:
            groups.append((item.section, []))
        groups[-1][1].append(item)
    return groups
