"""How a task reads on a page: its dates as words («срок 25.02.2027, осталось 3 дн.», «ждёт 5 дн.») and the
tasks grouped under their headings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .registry import Task


@dataclass
class Row:
    task: Task
    due_text: str = ""
    overdue: bool = False
    soon: bool = False
    waiting_days: int | None = None
    wait_text: str = ""


@dataclass
class Group:
    name: str
    order: int
    rows: list[Row] = field(default_factory=list)

    @property
    def count(self) -> int:
        """The tasks of the group, counting those behind «ещё N»."""
        return sum(row.task.more or 1 for row in self.rows)


def row(task: Task, today: date) -> Row:
    r = Row(task=task)
    left = task.days_left(today)
    if left is not None:
        due = f"срок {task.due_on:%d.%m.%Y}"
        if left > 0:
            r.due_text = f"{due}, осталось {left} дн."
            r.soon = left <= 7
        elif left == 0:
            r.due_text, r.soon = f"{due}, сегодня последний день", True
        else:
            r.due_text, r.overdue = f"{due}, просрочено на {-left} дн.", True
    waiting = task.waiting_days(today)
    if waiting is not None:
        r.waiting_days = waiting
        r.wait_text = "ждёт с сегодняшнего дня" if waiting == 0 else f"ждёт {waiting} дн."
    return r


def grouped(tasks: list[Task], today: date) -> list[Group]:
    """The tasks (already sorted by the registry) under their headings, in the registry's order."""
    groups: dict[str, Group] = {}
    for task in tasks:
        group = groups.get(task.group)
        if group is None:
            group = groups[task.group] = Group(task.group, task.order)
        group.rows.append(row(task, today))
    return list(groups.values())
