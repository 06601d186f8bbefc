"""«Мои задачи»: overdue roadmap items the user answers for, and overdue steps of the user's own ИОМ.

Kept here rather than in programs/ and growth/ (growth/worklist.py is the course confirmations of another
provider). The rules are those of the apps: programs.services.overdue_q and responsible_q (the responsible
person, or who files for the responsible unit — whom the daily sweep tells); an ИОМ step is overdue when its
date has passed and it is not done.
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from worklist.registry import Task, limited, provider

ROADMAP = "Просроченные пункты дорожных карт"
ROUTE = "Просроченные шаги ИОМ"


@provider
def overdue_roadmap_items(user, access, today):
    from programs.models import RoadmapItem
    from programs.services import overdue_q, responsible_q

    mine = responsible_q(user)
    if mine is None or access.superuser:
        return []
    # An item with no one responsible falls to those who file for the program's unit (as in the sweep).
    nobody = Q(responsible_person__isnull=True, responsible_unit__isnull=True)
    program_file_q = access.q_for_units("file", prefix="program__unit__")
    if program_file_q is not None:
        mine |= nobody & program_file_q
    items = (
        RoadmapItem.objects.filter(overdue_q(today))
        .filter(mine)
        .select_related("program__unit")
        .order_by("due_on", "pk")
    )
    return limited(
        items,
        lambda item: Task(
            group=ROADMAP,
            title=f"{item} — «{item.program}»",
            url=item.get_absolute_url(),
            order=60,
            unit=str(item.program.unit),
            due_on=item.due_on,
            kind="Пункт дорожной карты",
            action_label="Отметить выполнение",
        ),
    )


@provider
def overdue_route_steps(user, access, today):
    from growth.models import RouteStep

    steps = (
        RouteStep.objects.filter(route__person__user=user, due_on__lt=today)
        .exclude(status=RouteStep.Status.DONE)
        .select_related("route__person", "route__unit")
        .order_by("due_on", "pk")
    )
    return limited(
        steps,
        lambda step: Task(
            group=ROUTE,
            title=f"{step.text} ({step.route})",
            url=reverse("growth:portfolio", args=[step.route.person_id]),
            order=65,
            unit=str(step.route.unit) if step.route.unit_id else "",
            due_on=step.due_on,
            kind="Шаг ИОМ",
            action_label="Отметить выполнение",
        ),
    )
