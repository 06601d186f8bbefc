"""The workflow engine: a table of allowed moves per kind and ONE function that makes a move.

Every state machine of the portal (plans and reports, developments, orders, protocols, …)
declares a `Machine`: its model, its state field and its moves (from which states, to which,
who may, what is required). `perform` is the only way a state changes: it locks the row,
checks the move, applies it (with the kind's hook: timestamps, freezing), writes one
append-only history entry (history.LogEntry, action "transition") and queues the
notifications for after the commit. Forms never carry a state field.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from history.models import LogEntry
from history.services import record
from network.clock import today_of


class MoveRefused(ValidationError):
    """The move does not apply to the document as it stands (a stale page, a wrong state)."""


@dataclass
class Step:
    """What a hook sees: the locked object, the move, who, when, why."""

    obj: models.Model
    move: Move
    user: object
    now: datetime.datetime
    today: datetime.date
    reason: str
    from_state: str
    params: dict = field(default_factory=dict)


def _anyone(user, obj) -> bool:
    return True


def _nobody(obj, step) -> list:
    return []


@dataclass(frozen=True)
class Move:
    name: str
    from_states: tuple[str, ...]
    # The state it leads to, or callable(step) -> state, read after `apply` (a protocol is
    # confirmed only once its second signer confirms).
    to_state: str | Callable[[Step], str]
    label: str
    allowed: Callable[[object, models.Model], bool] = _anyone
    # A user who may not make the move gets 403 with this text.
    denied: str = "Это действие вам недоступно."
    requires_reason: bool = False
    reason_message: str = "Укажите причину: без неё это действие выполнить нельзя."
    # Further requirements (a signature, a filled field…): callables(step) that raise ValidationError.
    requires: tuple[Callable[[Step], None], ...] = ()
    # Sets what the move changes besides the state (timestamps, the approver…), on the locked row.
    apply: Callable[[Step], None] | None = None
    # Who is told and what: notify(obj, step) -> users, message(obj, step) -> text.
    notify: Callable[[models.Model, Step], Iterable] = _nobody
    message: Callable[[models.Model, Step], str] | None = None
    # Whether the notification asks its readers to act (submit → the reviewers decide, return → the
    # filers fix) or only informs them (approve); the bell lists the two apart.
    notify_action: bool = False
    # The link in the notification (the object's page unless told).
    url: Callable[[models.Model], str] | None = None
    # The text of a refusal when the object is not in from_states: {state} is its current state,
    # {to} the state the move leads to, {label} the move.
    stale: str = "Документ уже «{state}»: действие «{label}» недоступно. Обновите страницу."

    def __post_init__(self):
        if isinstance(self.from_states, str):
            object.__setattr__(self, "from_states", (self.from_states,))


@dataclass
class Machine:
    kind: str
    model: type[models.Model]
    state_field: str
    moves: list[Move]
    # The kind written in the history when one model carries several document kinds (plan, report…).
    kind_of: Callable[[models.Model], str] | None = None
    # The content as it stands, kept with each move (what a resubmission is compared against).
    snapshot: Callable[[models.Model], dict] | None = None
    # Narrows the locked query (select_related of what the checks read).
    related: tuple[str, ...] = ()
    # Run first on the locked row, before any other check (e.g. the version the page was loaded on).
    precheck: Callable[[Step], None] | None = None
    # Run after every move's own hook (e.g. bumping the version of a versioned record).
    apply: Callable[[Step], None] | None = None

    def __post_init__(self):
        self.by_name = {m.name: m for m in self.moves}
        if len(self.by_name) != len(self.moves):
            raise ImproperlyConfigured(f"Machine {self.kind}: two moves share a name.")

    def move(self, name: str) -> Move:
        try:
            return self.by_name[name]
        except KeyError:
            raise ImproperlyConfigured(f"Machine {self.kind} has no move {name!r}.") from None

    def state_label(self, code: str) -> str:
        choices = dict(self.model._meta.get_field(self.state_field).choices or ())
        return str(choices.get(code, code))

    def kind_for(self, obj) -> str:
        return self.kind_of(obj) if self.kind_of else self.kind

    def available(self, obj, user) -> list[Move]:
        """The moves `user` may make on `obj` as it stands (for the buttons of a page)."""
        state = getattr(obj, self.state_field)
        return [m for m in self.moves if state in m.from_states and m.allowed(user, obj)]


REGISTRY: dict[type[models.Model], Machine] = {}


def register(machine: Machine) -> Machine:
    if machine.model in REGISTRY and REGISTRY[machine.model].kind != machine.kind:
        raise ImproperlyConfigured(f"{machine.model.__name__} already has the machine {REGISTRY[machine.model].kind}.")
    REGISTRY[machine.model] = machine
    return machine


def machine_for(model_or_obj) -> Machine:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    try:
        return REGISTRY[model._meta.concrete_model]
    except KeyError:
        raise ImproperlyConfigured(f"No workflow machine for {model.__name__}.") from None


def perform(
    obj_or_pk,
    move_name: str,
    user,
    *,
    reason: str = "",
    now: datetime.datetime | None = None,
    today: datetime.date | None = None,
    snapshot: dict | None = None,
    model: type[models.Model] | None = None,
    **params,
):
    """Make the move `move_name` on the object and return it, locked, changed and saved.

    `user` is the login acting (None: the system — a command or a task — which no rule of who may
    binds). Raises PermissionDenied (→ 403) if `user` may not make it, MoveRefused if the object is
    no longer in a state the move starts from (someone was quicker), ValidationError if a
    requirement (a reason…) is missing. Nothing changes then. The clock is read once.
    """
    model = model or (type(obj_or_pk) if isinstance(obj_or_pk, models.Model) else None)
    if model is None:
        raise ImproperlyConfigured("perform() with a primary key needs model=.")
    machine = machine_for(model)
    move = machine.move(move_name)
    pk = obj_or_pk.pk if isinstance(obj_or_pk, models.Model) else obj_or_pk
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        qs = machine.model._default_manager.select_for_update(of=("self",))
        obj = qs.select_related(*machine.related).get(pk=pk) if machine.related else qs.get(pk=pk)
        from_state = getattr(obj, machine.state_field)
        # Time is the region's (issue 13): «today» is the date at `now` where the object's region is.
        today = today or today_of(obj, now)
        step = Step(obj, move, user, now, today, reason, from_state, params)
        if machine.precheck is not None:
            machine.precheck(step)
        # Who may comes first: a user who may not act learns nothing about where the document stands.
        # `user=None` is the system itself (a command, a task, the demo loader): it acts for no login.
        if user is not None and not move.allowed(user, obj):
            raise PermissionDenied(move.denied)
        if from_state not in move.from_states:
            raise MoveRefused(
                move.stale.format(
                    state=machine.state_label(from_state),
                    label=move.label,
                    to="" if callable(move.to_state) else machine.state_label(move.to_state),
                )
            )
        if move.requires_reason and not reason:
            raise ValidationError({"comment": move.reason_message})
        for requirement in move.requires:
            requirement(step)
        if not callable(move.to_state):
            setattr(obj, machine.state_field, move.to_state)
        if move.apply is not None:
            move.apply(step)
        if machine.apply is not None:
            machine.apply(step)
        to_state = move.to_state(step) if callable(move.to_state) else move.to_state
        setattr(obj, machine.state_field, to_state)
        obj.save()
        if snapshot is None and machine.snapshot is not None:
            snapshot = machine.snapshot(obj)
        record(
            obj,
            LogEntry.Action.TRANSITION,
            at=now,
            actor=user,
            kind=machine.kind_for(obj),
            move=move.name,
            from_state=from_state,
            to_state=to_state,
            # A hook may word the entry itself («назначены эксперты: …»).
            reason=step.reason,
            snapshot=snapshot or {},
        )
        users = list(move.notify(obj, step) or [])
        if users and move.message is not None:
            from network.notify import notify

            # notify() stores the rows now and relays the mail once the transaction commits.
            notify(
                users,
                move.message(obj, step),
                move.url(obj) if move.url else obj.get_absolute_url(),
                needs_action=move.notify_action,
            )
    return obj


def record_start(obj, user, *, now=None, reason: str = "", to_state: str | None = None, snapshot=None) -> LogEntry:
    """The first entry of a new object's workflow: «» → its initial state (creation is not a move)."""
    machine = machine_for(obj)
    return record(
        obj,
        LogEntry.Action.TRANSITION,
        at=now or timezone.now(),
        actor=user,
        kind=machine.kind_for(obj),
        move="create",
        from_state="",
        to_state=to_state or getattr(obj, machine.state_field),
        reason=reason,
        snapshot=snapshot or {},
    )


def moves_of(obj_or_model, object_id=None):
    """The workflow entries of an object, oldest first (a queryset of history.LogEntry)."""
    ct = ContentType.objects.get_for_model(obj_or_model, for_concrete_model=False)
    if object_id is None:
        object_id = obj_or_model.pk
    return (
        LogEntry.objects.filter(content_type=ct, object_id=object_id, action=LogEntry.Action.TRANSITION)
        .select_related("actor")
        .order_by("at", "pk")
    )


def steps_of(obj) -> list:
    """The workflow entries of an object, oldest first, each with `from_label` and `to_label`
    (the names of its states) for the history table of its page."""
    machine = machine_for(obj)
    steps = list(moves_of(obj))
    for step in steps:
        step.from_label = machine.state_label(step.from_state) if step.from_state else ""
        step.to_label = machine.state_label(step.to_state)
    return steps


def last_move_q(model, **filters):
    """A subquery of the newest transition entry of each row of `model` (for Subquery/OuterRef)."""
    from django.db.models import OuterRef

    ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return LogEntry.objects.filter(
        content_type=ct, object_id=OuterRef("pk"), action=LogEntry.Action.TRANSITION, **filters
    ).order_by("-at", "-pk")
