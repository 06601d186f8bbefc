"""«Мои задачи» of the expertise of developments: what the expertise unit's reviewers owe (assign experts,
decide, publish), the conclusions an expert owes, and the developments returned to their authors.

The queues are practices.services.inbox — the same the expertise page lists, by the machine's rules:
may_review («review» at the expertise unit) and the expert's own open assignment (conclusion_valid)."""

from __future__ import annotations

from django.db.models import Subquery
from django.urls import reverse

from workflow.engine import last_move_q
from worklist.registry import Task, limited, provider

from . import services
from .models import Development, State

ASSIGN = "Назначить экспертов"
CONCLUDE = "Написать заключение эксперта"
DECIDE = "Принять решение по разработке"
PUBLISH = "Опубликовать в банке практик"
REVISE = "Доработать разработку"

RELATED = ("unit",)


def _queue_url(tab: str) -> str:
    return reverse("practices:inbox") + f"?tab={tab}"


def _task(group, order, decision, since_field, label):
    def make(dev):
        return Task(
            group=group,
            title=f"«{dev.title}»",
            url=dev.get_absolute_url(),
            order=order,
            decision=decision,
            unit=str(dev.unit),
            since=getattr(dev, since_field),
            resubmitted=dev.state == State.RESUBMITTED or dev.round > 1,
            kind="Разработка",
            action_label=label,
        )

    return make


# The expertise queues of services.inbox, each a group: (queue, heading, order, a decision owed, since, button).
QUEUES = (
    ("mine", CONCLUDE, 45, True, "submitted_at", "Написать заключение"),
    ("assign", ASSIGN, 46, True, "submitted_at", "Назначить"),
    ("decide", DECIDE, 47, True, "submitted_at", "Принять решение"),
    ("publish", PUBLISH, 48, False, "decided_at", "Опубликовать"),
)


@provider
def expertise(user, access, today):
    queues = services.inbox(user)
    tasks = []
    for queue, *task in QUEUES:
        tasks += limited(queues[queue].select_related(*RELATED), _task(*task), more_url=_queue_url(queue))
    return tasks


@provider
def developments_to_revise(user, access, today):
    """Developments returned for revision that the user may send again (the machine's may_file: the author
    or who files for the sending unit), with the reviewer's reason."""
    file_q = access.q_for_units("file", prefix="unit__")
    from django.db.models import Q

    q = Q(author__user=user)
    if file_q is not None and not access.superuser:
        q |= file_q
    last_return = last_move_q(Development, to_state=State.TO_REVISE)
    devs = (
        Development.objects.filter(q, state=State.TO_REVISE)
        .annotate(returned_at=Subquery(last_return.values("at")[:1]), reason=Subquery(last_return.values("reason")[:1]))
        .select_related(*RELATED)
        .order_by("decided_at", "pk")
    )

    def make(dev):
        return Task(
            group=REVISE,
            title=f"«{dev.title}»",
            url=dev.get_absolute_url(),
            order=6,
            unit=str(dev.unit),
            since=dev.returned_at,
            note=f"Что доработать: {dev.reason}" if dev.reason else "",
            action_label="Доработать",
            kind="Разработка",
        )

    return limited(devs, make, more_url=reverse("practices:mine"))
