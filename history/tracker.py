"""The change tracker: every save of a tracked record writes what changed, old → new, once.

`track(Model, ...)` (called from history/tracked.py) connects three signals:
- post_init keeps the values the instance was loaded with (no extra query: the row is already here);
- post_save compares them with the values saved and writes CREATE, or CHANGE with only the fields
  that changed (nothing when nothing changed), then takes the saved values as the new baseline;
- post_delete writes DELETE with what was removed.
Values are stored as the page shows them (dates ДД.ММ.ГГГГ, choices as labels, links as names), so an
entry reads the same after the choices, the linked record or the code have changed.

Not seen by signals: `QuerySet.update()`, `bulk_create()`, raw SQL. Where the portal edits a tracked
record that way, the code records it itself through `record_change()`.
"""

from __future__ import annotations

import datetime
import decimal
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save
from django.utils import timezone

MISSING = object()
MAX_VALUE = 1000  # characters of one stored value: a long text is cut, the entry stays readable
ORIGINAL = "_history_original"


@dataclass(frozen=True)
class Tracked:
    model: type
    fields: tuple  # model fields whose changes are recorded
    personal: frozenset = frozenset()  # names of fields shown only to who may see the person
    parent: Callable | None = None  # obj → the record whose «История» also shows this one (or None)
    person: Callable | None = None  # obj → pk of the person whose personal data the personal fields are
    visible: Callable | None = None  # (user, obj) → bool, when the model has no `restrict`
    labels: dict = field(default_factory=dict)  # field name → label

    def personal_labels(self) -> frozenset:
        return frozenset(self.labels[name] for name in self.personal if name in self.labels)


_registry: dict[type, Tracked] = {}
# Models whose history can be read but whose changes are written by others (the engine, a parent).
_viewable: dict[type, Callable | None] = {}


def _default_fields(model, exclude) -> list:
    chosen = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in exclude or not f.editable:
            continue  # not editable: version, search, tree bookkeeping — nobody edits them as such
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        chosen.append(f)
    return chosen


def track(model, *, fields=None, exclude=(), personal=(), parent=None, person=None, visible=None, many=()) -> Tracked:
    """Record every change of `model`'s `fields` (default: the editable ones, minus `exclude`) and of
    its many-to-many fields `many` (the list of names before → after)."""
    concrete = {f.name: f for f in model._meta.concrete_fields}
    chosen = [concrete[name] for name in fields] if fields is not None else _default_fields(model, set(exclude))
    entry = Tracked(
        model=model,
        fields=tuple(chosen),
        personal=frozenset(personal),
        parent=parent,
        person=person,
        visible=visible,
        labels={f.name: str(f.verbose_name) for f in chosen},
    )
    _registry[model] = entry
    uid = f"history-{model._meta.label_lower}"
    post_init.connect(_remember, sender=model, dispatch_uid=uid, weak=False)
    post_save.connect(_saved, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(_deleted, sender=model, dispatch_uid=uid, weak=False)
    for name in many:
        m2m = model._meta.get_field(name)
        entry.labels[name] = str(m2m.verbose_name)
        m2m_changed.connect(_many_changed(entry, m2m), sender=m2m.remote_field.through, weak=False, dispatch_uid=uid)
    return entry


def viewable(model, visible=None) -> None:
    """`model`'s history can be read (its own rule: `restrict`, or `visible(user, obj)`)."""
    _viewable[model] = visible


def tracked(model) -> Tracked | None:
    return _registry.get(model)


def model_for(app_label: str, model_name: str):
    # Every record the workflow engine moves has a history (its moves) even when none of its fields is
    # tracked: a development, a monitoring campaign, a survey… (read by its own restrict()).
    from workflow.engine import REGISTRY as MACHINES

    for model in (*_registry, *_viewable, *MACHINES):
        if model._meta.app_label == app_label and model._meta.model_name == model_name:
            return model
    return None


# -- reading values --------------------------------------------------------------------------------


def _raw(instance, tracked_fields) -> dict:
    """The instance's current values by attname; a deferred field is left out (it was never loaded)."""
    loaded = instance.__dict__
    return {f.attname: loaded[f.attname] for f in tracked_fields if f.attname in loaded}


def display(f, value, instance=None) -> str:
    """A value as the portal shows it."""
    if value is None or value == "":
        return ""
    if f.is_relation:
        if instance is not None and f.is_cached(instance):
            cached = f.get_cached_value(instance)
            if cached is not None and cached.pk == value:
                return str(cached)[:MAX_VALUE]
        related = f.related_model._base_manager.filter(pk=value).first()
        return str(related)[:MAX_VALUE] if related is not None else f"№ {value} (удалён)"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))[:MAX_VALUE]
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(f, models.FileField):
        return str(getattr(value, "name", value) or "")[:MAX_VALUE]
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)[:MAX_VALUE]
    return str(value)[:MAX_VALUE]


# -- signals ---------------------------------------------------------------------------------------


_ATTNAMES: dict[type, tuple] = {}


def _remember(sender, instance, **kwargs):
    # Runs for every instance loaded (a list of a thousand people): kept to one dict comprehension.
    attnames = _ATTNAMES.get(sender)
    if attnames is None:
        attnames = _ATTNAMES[sender] = tuple(f.attname for f in _registry[sender].fields)
    loaded = instance.__dict__
    instance.__dict__[ORIGINAL] = {a: loaded[a] for a in attnames if a in loaded}


def _owner_fields(entry: Tracked, instance) -> dict:
    extra = {}
    if entry.parent is not None and (owner := entry.parent(instance)) is not None:
        from django.contrib.contenttypes.models import ContentType

        extra["owner_type"] = ContentType.objects.get_for_model(owner, for_concrete_model=False)
        extra["owner_id"] = owner.pk
    if entry.person is not None:
        extra["personal_of"] = entry.person(instance)
    return extra


def _engine_state_field(model) -> str | None:
    """The state the workflow engine moves (it writes a TRANSITION for it): not recorded twice."""
    try:
        from workflow.engine import REGISTRY
    except ImportError:  # pragma: no cover - the engine is part of the portal
        return None
    machine = REGISTRY.get(model)
    return machine.state_field if machine is not None else None


def _saved(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return  # loaddata: fixtures, not somebody's change
    entry = _registry[sender]
    new = _raw(instance, entry.fields)
    old = getattr(instance, ORIGINAL, {})
    setattr(instance, ORIGINAL, new)  # a second save of the same instance compares with this one
    state = _engine_state_field(sender)
    if created:
        changes = {
            entry.labels[f.name]: ["", shown]
            for f in entry.fields
            if f.name != state and f.attname in new and (shown := display(f, new[f.attname], instance))
        }
        _write(entry, instance, "create", changes)
        return
    changes = {}
    for f in entry.fields:
        if f.name == state:
            continue
        if update_fields is not None and f.name not in update_fields and f.attname not in update_fields:
            continue
        before, after = old.get(f.attname, MISSING), new.get(f.attname, MISSING)
        if before is MISSING or after is MISSING or before == after:
            continue
        shown_before, shown_after = display(f, before), display(f, after, instance)
        if shown_before != shown_after:
            changes[entry.labels[f.name]] = [shown_before, shown_after]
    if changes:
        _write(entry, instance, "change", changes)


def _deleted(sender, instance, **kwargs):
    entry = _registry[sender]
    values = _raw(instance, entry.fields)
    changes = {
        entry.labels[f.name]: [shown, ""]
        for f in entry.fields
        if f.attname in values and (shown := display(f, values[f.attname], instance))
    }
    _write(entry, instance, "delete", changes)


def _many_changed(entry: Tracked, m2m):
    """A many-to-many field (a person's subjects): its list of names before → after each add/remove/clear."""
    stash = f"_history_many_{m2m.name}"

    def names(instance) -> str:
        return ", ".join(sorted(str(o) for o in getattr(instance, m2m.name).all()))

    def changed(sender, instance, action, reverse, **kwargs):
        if reverse or not isinstance(instance, entry.model):
            return  # changed from the other side (a subject's teachers): not one of ours
        if action in ("pre_add", "pre_remove", "pre_clear"):
            setattr(instance, stash, names(instance))
        elif action in ("post_add", "post_remove", "post_clear"):
            before, after = getattr(instance, stash, ""), names(instance)
            if before != after:
                _write(entry, instance, "change", {entry.labels[m2m.name]: [before, after]})

    return changed


def _write(entry: Tracked, instance, action: str, changes: dict):
    from .services import record

    record(instance, action, changes=changes, **_owner_fields(entry, instance))


def record_change(instance, data: dict, before: dict | None = None) -> None:
    """For a tracked record changed by `QuerySet.update(**data)` (no signal fires): write the CHANGE
    the save would have written. `before`: the values by field name (default: those it was loaded with)."""
    entry = _registry.get(type(instance))
    if entry is None:
        return
    original = getattr(instance, ORIGINAL, None)
    if original is None:
        original = {}
        setattr(instance, ORIGINAL, original)
    changes = {}
    for f in entry.fields:
        if f.name not in data and f.attname not in data:
            continue
        old = (before or {}).get(f.name, original.get(f.attname, MISSING))
        new = data.get(f.name, data.get(f.attname))
        if isinstance(new, models.Model):
            new = new.pk
        original[f.attname] = new  # the baseline of a later save of this instance
        if old is MISSING or old == new:
            continue
        shown_before, shown_after = display(f, old), display(f, new)
        if shown_before != shown_after:
            changes[entry.labels[f.name]] = [shown_before, shown_after]
    if changes:
        _write(entry, instance, "change", changes)


# -- who may read ----------------------------------------------------------------------------------


def can_view(user, obj) -> bool:
    """The object's own visibility rule: its model's `restrict` (the rule of its pages and lists), else
    the `visible` declared with it, else its parent's; nothing declared — the superuser only."""
    model = type(obj)
    restrict = getattr(model._default_manager, "restrict", None)
    if restrict is not None:
        return restrict(user, "view").filter(pk=obj.pk).exists()
    entry = _registry.get(model)
    rule = entry.visible if entry is not None else _viewable.get(model)
    if rule is not None:
        return bool(rule(user, obj))
    if entry is not None and entry.parent is not None and (owner := entry.parent(obj)) is not None:
        return can_view(user, owner)
    return bool(getattr(user, "is_superuser", False))  # no rule declared: closed to everyone else


def record_field(instance, label: str, before: str, after: str) -> None:
    """A change of something the record is made of but that is written in bulk (an order's points,
    replaced as a whole by bulk_create): one CHANGE on the record, `label`: old → new, if they differ."""
    if before == after:
        return
    entry = _registry.get(type(instance))
    fields = _owner_fields(entry, instance) if entry is not None else {}
    from .services import record

    record(instance, "change", changes={label: [before[: MAX_VALUE * 4], after[: MAX_VALUE * 4]]}, **fields)
