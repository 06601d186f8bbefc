"""What the import resources share: natural keys (the unit's path, the school's INN, the person's
e-mail), the user whose rights are checked row by row, and Russian messages."""

from django.core.exceptions import ValidationError
from import_export import resources, widgets

from orgunits.access import access_for
from orgunits.models import OrgUnit

PATH_SEPARATOR = " / "


def unit_label(unit) -> str:
    return unit.short_name or unit.name


def unit_path(unit, ancestors) -> str:
    return PATH_SEPARATOR.join([*(unit_label(a) for a in ancestors), unit_label(unit)])


class PathTracker:
    """Paths of units read in tree order (tree_id, lft) without a query per row: a stack of the
    open ancestors is all the walk needs."""

    def __init__(self):
        self.stack: list = []

    def path(self, unit) -> str:
        while self.stack and (self.stack[-1].tree_id != unit.tree_id or self.stack[-1].rght < unit.lft):
            self.stack.pop()
        if unit.parent_id is not None and (not self.stack or self.stack[-1].pk != unit.parent_id):
            # The top of a visible subtree: its ancestors are not among the rows (one query per
            # such top, not per row).
            self.stack = list(unit.get_ancestors())
        path = unit_path(unit, self.stack)
        self.stack.append(unit)
        return path


def resolve_path(path: str, cache: dict) -> OrgUnit | None:
    """The unit at `path` («РУМО КБР / ЦНППМ КБР / МунУМО Терского района»), or None."""
    path = PATH_SEPARATOR.join(p.strip() for p in (path or "").split("/") if p.strip())
    if not path:
        return None
    if path in cache:
        return cache[path]
    parts = path.split(PATH_SEPARATOR)
    parent = resolve_path(PATH_SEPARATOR.join(parts[:-1]), cache) if len(parts) > 1 else None
    unit = None
    if len(parts) == 1 or parent is not None:
        candidates = OrgUnit.objects.filter(parent=parent).select_related("kind", "region")
        for candidate in candidates.filter(short_name=parts[-1]) or candidates.filter(name=parts[-1], short_name=""):
            unit = candidate
            break
    cache[path] = unit
    return unit


class UnitPathWidget(widgets.ForeignKeyWidget):
    def __init__(self, **kwargs):
        super().__init__(OrgUnit, **kwargs)
        self.cache: dict = {}

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        unit = resolve_path(str(value), self.cache)
        if unit is None:
            raise ValueError(f"Подразделение «{value}» не найдено: проверьте путь (названия через « / »).")
        return unit

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return unit_path(value, value.get_ancestors())


class SchoolInnWidget(widgets.ForeignKeyWidget):
    """A school by its INN (the natural key of the school register)."""

    def __init__(self):
        from orgunits.models import School

        super().__init__(School, "inn")

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        school = self.model.objects.filter(inn=value).select_related("municipality").first()
        if school is None:
            raise ValueError(f"Школа с ИНН {value} не найдена в реестре школ.")
        return school


class UserResource(resources.ModelResource):
    """A resource that knows whose rights each row is checked against."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    @property
    def access(self):
        return access_for(self.user)

    def check_row(self, instance, original) -> None:
        """Raise ValidationError when the user may not write this row."""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Checked before «unchanged»: a row for a record the user may not touch is refused, not
        # reported as unchanged (which would tell them it exists).
        if self.user is not None:
            self.check_row(instance, original)
        return super().skip_row(instance, original, row, import_validation_errors)


def refuse(message):
    raise ValidationError(message)
