"""«Мои задачи»: what is waiting for a user, gathered from every app.

Each app declares what it waits for in `<app>/worklist.py` with the `@provider` decorator; a provider is
`func(user, access, today) -> Iterable[Task]` (`access` is `orgunits.access.access_for(user)`, `today` the
one date of the request, never read again). The home page lists every task grouped; «Входящие» lists the
tasks with `decision=True` (a decision or a signature the user owes). The modules are discovered the first
time tasks are asked for, as network.periodic does for periodic.py, so this module imports no app.

A provider computes its tasks from states with the same permission functions the app's machine uses, and
runs a bounded number of queries whatever the amount of data (restrict(), select_related, a limit per
group).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.module_loading import autodiscover_modules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Task:
    group: str  # the heading it is listed under, e.g. «Представить документы»
    title: str  # e.g. «План работы на 2026/27 уч. год — РМО учителей математики»
    url: str  # the page of the object
    order: int = 100  # groups sort by order (lower first), then tasks by `since`/`due_on`
    decision: bool = False  # a decision or signature the user owes → also in «Входящие»
    unit: str = ""  # the unit's name, shown under the title
    due_on: date | None = None  # shows «срок 25.02.2027, осталось 3 дн.» / «просрочено на 2 дн.»
    since: datetime | date | None = None  # waiting since (for «ждёт N дн.», oldest first)
    note: str = ""  # e.g. the return reason
    resubmitted: bool = False  # «повторно» mark
    action_url: str = ""  # a POST that starts the work (e.g. «Начать» creates the draft)
    action_label: str = ""
    kind: str = ""  # what it is, for «Входящие» (e.g. «План», «Протокол», «Приказ»); the group if empty
    more: int = 0  # not a task but «ещё N» of its group: `url` is the full list (see `limited`)

    @property
    def since_date(self) -> date | None:
        if isinstance(self.since, datetime):
            return self.since.date()
        return self.since

    def waiting_days(self, today: date) -> int | None:
        since = self.since_date
        return None if since is None else max((today - since).days, 0)

    def days_left(self, today: date) -> int | None:
        """Days until `due_on` (negative: overdue by that many days)."""
        return None if self.due_on is None else (self.due_on - today).days

    @property
    def kind_label(self) -> str:
        return self.kind or self.group


Provider = Callable[[object, object, date], Iterable[Task]]

_PROVIDERS: dict[str, Provider] = {}
_discovered = False


def provider(func: Provider) -> Provider:
    """Register `func(user, access, today) -> Iterable[Task]` (re-importing a module replaces it)."""
    _PROVIDERS[f"{func.__module__}.{func.__qualname__}"] = func
    return func


def providers() -> list[Provider]:
    global _discovered
    if not _discovered:
        autodiscover_modules("worklist")
        import worklist.providers_growth  # noqa: F401  (overdue roadmap items and ИОМ steps)

        _discovered = True
    return [_PROVIDERS[name] for name in sorted(_PROVIDERS)]


LIMIT = 50  # tasks of one group on a page; the rest are «ещё N» with a link to the full list


def limited(queryset, make: Callable[[object], Task], *, more_url: str = "", limit: int = LIMIT) -> list[Task]:
    """The tasks of the first `limit` rows of `queryset` (ordered: the most urgent first) and, when there
    are more rows, one «ещё N» row linking to `more_url`. Two queries at most, whatever the rows."""
    rows = list(queryset[: limit + 1])
    tasks = [make(row) for row in rows[:limit]]
    if len(rows) > limit and tasks:
        extra = queryset.count() - limit
        first = tasks[0]
        tasks.append(
            Task(
                group=first.group,
                title=f"и ещё {extra}",
                url=more_url or first.url,
                order=first.order,
                decision=first.decision,
                kind=first.kind,
                more=extra,
            )
        )
    return tasks


def _sort_key(task: Task):
    since = task.since_date
    return (
        task.order,
        task.group,
        bool(task.more),
        task.due_on is None,
        task.due_on or date.max,
        since is None,
        since or date.max,
        task.title,
    )


def tasks_for(user, today: date) -> list[Task]:
    """Every task of every provider for `user` on `today`: groups by `order`, then the earliest due date,
    then the oldest waiting first."""
    if user is None or not user.is_authenticated:
        return []
    from orgunits.access import access_for

    access = access_for(user)
    tasks: list[Task] = []
    for func in providers():
        tasks.extend(func(user, access, today))
    return sorted(tasks, key=_sort_key)


def decisions_for(user, today: date) -> list[Task]:
    """The tasks of «Входящие»: decisions and signatures the user owes, oldest first."""
    return [task for task in tasks_for(user, today) if task.decision]
