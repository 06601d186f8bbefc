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


# -- what a move changes (the confirmation page of «Перенести») -------------------------------------

ROLE_CHANGES_SHOWN = 30  # names per side on the confirmation page; the rest are counted


def approver_under(document_type: str, parent: OrgUnit | None) -> OrgUnit | None:
    """The unit that would approve `document_type` for a unit placed under `parent`: the nearest of
    `parent` and its ancestors whose kind approves it (workflow.kinds.DocumentKind.approver for a unit
    as if it already sat there — computed without moving anything)."""
    from workflow.kinds import KINDS

    document_kind = KINDS.get(document_type)
    if parent is None or (document_kind is not None and not document_kind.routed):
        return None
    chain = [parent, *parent.get_ancestors(ascending=True).select_related("kind")]
    return next((unit for unit in chain if unit.kind.approves(document_type)), None)


def _inherited_holders(unit_ids) -> list[tuple]:
    """(user, Role, unit) for the roles held at `unit_ids` that reach the units below (a *_subtree right)."""
    from django.contrib.auth import get_user_model
    from django.db.models import F

    from .access import ROLES, parse_role_group_name, role_group_name

    codes = [code for code, role in ROLES.items() if any(p.endswith("_subtree") for p in role.perms)]
    names = [role_group_name(pk, code) for pk in unit_ids for code in codes]
    units = OrgUnit.objects.in_bulk(list(unit_ids))
    users = (
        get_user_model()
        .objects.filter(groups__name__in=names, is_active=True)
        .annotate(group_name=F("groups__name"))
        .order_by("last_name", "first_name", "username")
    )
    rows = []
    for user in users:
        unit_id, code = parse_role_group_name(user.group_name)
        rows.append((user, ROLES[code], units[unit_id]))
    return rows


def move_preview(unit: OrgUnit, new_parent: OrgUnit) -> dict:
    """What moving `unit` under `new_parent` would change, without changing anything: the new path,
    who approves each document the unit files (before → after), and the roles inherited from above
    that the unit loses and gains (held at an old ancestor that is not a new one, and the reverse)."""
    from workflow.kinds import KINDS

    old_chain = list(unit.get_ancestors().select_related("kind"))
    new_chain = [*new_parent.get_ancestors().select_related("kind"), new_parent]
    old_ids = {a.pk for a in old_chain}
    new_ids = {a.pk for a in new_chain}
    approvers = []
    for code in unit.kind.files_documents:
        label = KINDS[code].label if code in KINDS else code
        before = approver_under(code, unit.parent)
        after = approver_under(code, new_parent)
        approvers.append({"label": label, "before": before, "after": after, "changes": before != after})
    # A document already on approval stays with its approver; a resubmission goes the new way
    # (submissions.machines.routed computes the approver at each submit).
    pending = list(
        unit.submissions.filter(state="submitted").select_related("approver", "campaign").order_by("pk")[:20]
    )
    for submission in pending:
        submission.after = approver_under(submission.document_type, new_parent)
    lost = _inherited_holders(old_ids - new_ids)
    gained = _inherited_holders(new_ids - old_ids)
    return {
        "new_parent": new_parent,
        "old_path": old_chain,
        "new_path": new_chain,
        "approvers": approvers,
        "pending": pending,
        "lost": lost[:ROLE_CHANGES_SHOWN],
        "lost_more": max(0, len(lost) - ROLE_CHANGES_SHOWN),
        "gained": gained[:ROLE_CHANGES_SHOWN],
        "gained_more": max(0, len(gained) - ROLE_CHANGES_SHOWN),
        "descendants": unit.get_descendant_count(),
    }
