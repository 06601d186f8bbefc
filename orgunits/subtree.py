"""«Within this unit's subtree» and «this unit or above», written once (django-mptt's nested sets).

A unit's subtree is the nodes of its tree whose `lft` lies between its own `lft` and `rght`; its
ancestors are those whose range contains its own. Filters across a relation pass `prefix`
("unit__" for a record's unit). Checks of a single pair in Python use mptt's
`OrgUnit.is_ancestor_of` / `is_descendant_of` instead.
"""

from django.db.models import Q


def subtree_q(unit, prefix: str = "", *, include_self: bool = True) -> Q:
    """Rows whose unit (reached through `prefix`) is `unit` or below it."""
    if include_self:
        bounds = {f"{prefix}lft__gte": unit.lft, f"{prefix}lft__lte": unit.rght}
    else:
        bounds = {f"{prefix}lft__gt": unit.lft, f"{prefix}lft__lt": unit.rght}
    return Q(**{f"{prefix}tree_id": unit.tree_id}, **bounds)


def ancestors_q(unit, prefix: str = "", *, include_self: bool = True) -> Q:
    """Rows whose unit (reached through `prefix`) is `unit` or above it."""
    if include_self:
        bounds = {f"{prefix}lft__lte": unit.lft, f"{prefix}rght__gte": unit.rght}
    else:
        bounds = {f"{prefix}lft__lt": unit.lft, f"{prefix}rght__gt": unit.rght}
    return Q(**{f"{prefix}tree_id": unit.tree_id}, **bounds)
