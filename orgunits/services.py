"""Rules of the tree: where a unit may sit and how it moves. Views, commands and the
admin all call these, so the rules live in one place."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import OrgUnit, placement_errors


def _lock_trees(*tree_ids: int) -> None:
    """Serialise writers of a tree: lock its root row (in tree order, against deadlocks).

    MPTT rewrites lft/rght of many rows on a move; two concurrent moves in one tree would
    interleave those updates and corrupt it. On SQLite the write transaction is already
    exclusive (IMMEDIATE mode), so the lock is a no-op there.
    """
    for tree_id in sorted(set(tree_ids)):
        list(OrgUnit._base_manager.select_for_update().filter(tree_id=tree_id, parent__isnull=True).values("pk"))


@transaction.atomic
def create_unit(*, region, kind, parent, name, short_name="", school=None, description="", opened_on=None):
    unit = OrgUnit(
        region=region,
        kind=kind,
        parent=parent,
        name=name.strip(),
        short_name=short_name.strip(),
        school=school,
        description=description,
        # Campaigns expect a unit only from the day it exists (submissions.Campaign.expected_units).
        opened_on=opened_on or timezone.localdate(),
    )
    unit.full_clean()
    if parent is not None:
        _lock_trees(parent.tree_id)
        parent.refresh_from_db()
        unit.parent = parent
    unit.save()
    return unit


@transaction.atomic
def move_unit(unit: OrgUnit, new_parent: OrgUnit | None) -> OrgUnit:
    """Move `unit` (with its subtree) under `new_parent`, or refuse with a clear reason."""
    if new_parent is None:
        raise ValidationError({"parent": "Подразделение можно перенести только внутрь другого подразделения."})
    _lock_trees(unit.tree_id, new_parent.tree_id)
    # Re-read bounds under the lock: another move may have shifted them.
    unit.refresh_from_db()
    new_parent.refresh_from_db()
    if new_parent.pk == unit.pk or (
        new_parent.tree_id == unit.tree_id and unit.lft <= new_parent.lft and new_parent.rght <= unit.rght
    ):
        raise ValidationError({"parent": "Нельзя перенести подразделение внутрь самого себя или своего потомка."})
    if new_parent.region_id != unit.region_id:
        raise ValidationError({"parent": "Перенос между регионами невозможен."})
    errors = placement_errors(unit.kind, new_parent, unit.region_id)
    if errors:
        raise ValidationError(errors)
    if unit.parent_id == new_parent.pk:
        return unit
    OrgUnit.objects.move_node(unit, new_parent, position="last-child")
    unit.refresh_from_db()
    return unit


def grant_log_for(viewer, user, limit: int = 20):
    """The latest grants and revocations of `user`'s roles at the units `viewer` may see (GrantRows, lazily)."""
    from django.utils.functional import SimpleLazyObject

    from . import grant_log

    def latest():
        entries = grant_log.for_user(getattr(user, "pk", user)).filter(
            object_id__in=OrgUnit.objects.restrict(viewer, "view").values("pk")
        )
        return grant_log.rows(entries.select_related("actor")[:limit])

    # Lazy: evaluated only when the card shows it (to those who may edit the card).
    return SimpleLazyObject(latest)
