"""How entries are shown: one row per entry, personal fields masked for whoever may not see the person.

A fixed number of queries per page whatever its length: the actors come with the entries, the
content types from Django's cache, and the people whose personal data is on the page in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from .context import Via
from .models import LogEntry
from .tracker import tracked

HIDDEN = "скрыто"
VIA_LABELS = dict(Via.CHOICES)


@dataclass
class Row:
    entry: LogEntry
    at: str
    actor: str
    via: str
    action: str
    part: str = ""  # «вопрос повестки «…»» when the entry is about a part of the object
    changes: list = field(default_factory=list)  # (label, old, new)
    transition: tuple | None = None  # (from label, to label)
    move: str = ""  # the move's label («согласовать»)
    model_label: str = ""
    history_url: str = ""


def _state_label(model, code: str) -> str:
    if not code:
        return "—"
    try:
        from workflow.engine import machine_for

        return machine_for(model).state_label(code)
    except Exception:  # noqa: BLE001 - no machine for this model: show the code as it was written
        return code


def _move_label(model, name: str) -> str:
    if name in ("", "create"):
        return ""
    try:
        from workflow.engine import machine_for

        return str(machine_for(model).move(name).label)
    except Exception:  # noqa: BLE001 - a move no longer in the machine: show its name as written
        return name


def _visible_people(user, entries) -> set:
    ids = {e.personal_of for e in entries if e.personal_of is not None}
    if not ids:
        return set()
    from people.models import Person

    return set(Person.objects.restrict(user, "view").filter(pk__in=ids).values_list("pk", flat=True))


def present(entries, user, *, main_type=None) -> list[Row]:
    """`entries`: one page of LogEntry (with `actor` selected). `main_type`: the content type of the
    object whose tab this is — entries about its parts are named as such."""
    entries = list(entries)
    people = _visible_people(user, entries)
    rows = []
    for e in entries:
        ct = ContentType.objects.get_for_id(e.content_type_id)
        model = ct.model_class()
        spec = tracked(model) if model is not None else None
        hidden = frozenset()
        if spec is not None and e.personal_of is not None and e.personal_of not in people:
            hidden = spec.personal_labels()
        actor = e.actor.get_full_name() or e.actor.username if e.actor is not None else "система"
        row = Row(
            entry=e,
            at=timezone.localtime(e.at).strftime("%d.%m.%Y %H:%M"),
            actor=actor,
            via=VIA_LABELS.get(e.via, e.via),
            action=e.get_action_display(),
            model_label=str(model._meta.verbose_name) if model is not None else ct.model,
        )
        if model is not None and (main_type is None or e.content_type_id != main_type.pk):
            # A person's name is personal too: hidden with the rest when the person is not visible.
            row.part = f"{model._meta.verbose_name} «{HIDDEN if hidden else e.object_repr}»"
            if main_type is None:
                row.history_url = history_url_for(model, e.object_id)
        if e.action == LogEntry.Action.TRANSITION:
            row.transition = (_state_label(model, e.from_state), _state_label(model, e.to_state))
            row.move = _move_label(model, e.move)
        for label, pair in (e.changes or {}).items():
            old, new = (pair + ["", ""])[:2] if isinstance(pair, list) else ("", str(pair))
            if label in hidden:
                old, new = (HIDDEN if old else "", HIDDEN if new else "")
            row.changes.append((label, old or "—", new or "—"))
        rows.append(row)
    return rows


def history_url_for(model, pk) -> str:
    from django.urls import reverse

    return reverse("history:object", args=[f"{model._meta.app_label}.{model._meta.model_name}", pk])
