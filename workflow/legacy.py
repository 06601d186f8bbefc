"""Moving the old per-app transition tables into history.LogEntry (used by data migrations).

Each app kept its own append-only `Transition` table (submission or development, from, to, by,
at, comment[, snapshot]). The engine writes history.LogEntry instead; these functions copy every
old row there (and back, when a migration is reversed), keeping who, when, the states, the
comment and the snapshot. Historical models only: they run inside migrations.
"""

from __future__ import annotations

BATCH = 2000


def move_name(moves: dict, from_state: str, to_state: str) -> str:
    """The move an old row stands for (the engine's names); «create» for the first row of a document."""
    if not from_state:
        return "create"
    return moves.get((from_state, to_state), f"{from_state}-{to_state}")[:40]


def copy_to_history(apps, *, app_label, model, transition, owner_field, moves, kind_of, repr_of, related=()):
    """Copy every row of `app_label.transition` to LogEntry entries about `app_label.model`."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("history", "LogEntry")
    Transition = apps.get_model(app_label, transition)
    ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model.lower())
    fields = {f.name for f in Transition._meta.get_fields()}
    rows = (
        Transition.objects.select_related(*[f"{owner_field}__{r}" for r in related], owner_field)
        .order_by("pk")
        .iterator(chunk_size=BATCH)
    )
    batch = []
    for t in rows:
        owner = getattr(t, owner_field)
        batch.append(
            LogEntry(
                content_type=ct,
                object_id=owner.pk,
                object_repr=repr_of(owner)[:300],
                action="transition",
                at=t.at,
                actor_id=t.by_id,
                via="system",
                detail="",
                kind=kind_of(owner)[:40],
                move=move_name(moves, t.from_state, t.to_state),
                from_state=t.from_state,
                to_state=t.to_state,
                reason=t.comment,
                snapshot=t.snapshot if "snapshot" in fields else {},
            )
        )
        if len(batch) >= BATCH:
            LogEntry.objects.bulk_create(batch)
            batch = []
    LogEntry.objects.bulk_create(batch)


def copy_back(apps, *, app_label, model, transition, owner_field):
    """The reverse: the transition entries about `app_label.model` back into the old table."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("history", "LogEntry")
    Transition = apps.get_model(app_label, transition)
    ct = ContentType.objects.filter(app_label=app_label, model=model.lower()).first()
    if ct is None:
        return
    fields = {f.name for f in Transition._meta.get_fields()}
    entries = LogEntry.objects.filter(content_type=ct, action="transition").order_by("at", "pk")
    batch = []
    for e in entries.iterator(chunk_size=BATCH):
        row = Transition(
            **{f"{owner_field}_id": e.object_id},
            from_state=e.from_state,
            to_state=e.to_state,
            by_id=e.actor_id,
            at=e.at,
            comment=e.reason,
        )
        if "snapshot" in fields:
            row.snapshot = e.snapshot
        batch.append(row)
        if len(batch) >= BATCH:
            Transition.objects.bulk_create(batch)
            batch = []
    Transition.objects.bulk_create(batch)
    # Historical models have no append-only guard: the copies leave the shared table again.
    entries._raw_delete(entries.db)
