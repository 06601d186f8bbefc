"""What the import resources share: natural keys (the unit's path, the school's INN, the person's
e-mail), the user whose rights are checked row by row, and Russian messages.

Every lookup an import makes searches only what the importing user may act on: a record of another
region (or one out of their reach) is «not found among yours», word for word the answer for a record
that does not exist, so an import neither reaches nor reveals it."""

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from import_export import resources, widgets
from import_export.results import RowResult

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


class UserWidget(widgets.ForeignKeyWidget):
    """A lookup done for one user (UserResource binds it): only records they may act on are found."""

    user = None

    def bind(self, user) -> None:
        self.user = user

    @property
    def access(self):
        return access_for(self.user)


class UnitPathWidget(UserWidget):
    """A unit by its path, among the units the user may `action` (manage, manage_members…)."""

    def __init__(self, action="manage", **kwargs):
        super().__init__(OrgUnit, **kwargs)
        self.action = action
        self.cache: dict = {}

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        unit = self.find(str(value))
        if unit is None:
            raise ValueError(
                f"Подразделение «{value}» не найдено среди подразделений, которые вы ведёте: "
                "проверьте путь (названия через « / »)."
            )
        return unit

    def find(self, path: str) -> OrgUnit | None:
        unit = resolve_path(path, self.cache)
        # A unit out of reach is not found, like one that does not exist.
        return unit if unit is not None and self.access.can(self.action, unit) else None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return unit_path(value, value.get_ancestors())


class SchoolInnWidget(UserWidget):
    """A school by its INN (the natural key of the school register), among the schools the user may
    `action`: «manage» to keep its staff, «view» to point a unit at it (the unit form's choice)."""

    def __init__(self, action="manage"):
        from orgunits.models import School

        super().__init__(School, "inn")
        self.action = action

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        school = (
            self.model.objects.restrict(self.user, self.action).filter(inn=value).select_related("municipality").first()
        )
        if school is None:
            raise ValueError(
                f"Школа с ИНН {value} не найдена среди школ, доступных вам: проверьте ИНН "
                "или сначала загрузите реестр школ."
            )
        return school


def managed_region_ids(access) -> set[int] | None:
    """Regions where the user administers some unit (None: every region, for a superuser)."""
    if access.superuser:
        return None
    return {span.region_id for span in access.grants.get("manage_subtree", ())}


class UserResource(resources.ModelResource):
    """A resource that knows whose rights each row is checked against; its lookups (UserWidget)
    search only what that user may act on."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        # self.fields is this instance's deep copy: binding its widgets touches no other import.
        for field in self.fields.values():
            if isinstance(field.widget, UserWidget):
                field.widget.bind(user)

    @property
    def access(self):
        return access_for(self.user)

    def check_row(self, instance, original) -> None:
        """Raise ValidationError when the user may not write this row."""

    def import_row(self, row, instance_loader, **kwargs):
        # NUL (shown as NUL_SIGN by the reader) cannot be stored: the row is refused, the rest go on.
        from .imports import NUL_SIGN

        columns = [str(column) for column, value in row.items() if isinstance(value, str) and NUL_SIGN in value]
        if not columns:
            return super().import_row(row, instance_loader, **kwargs)
        row_result = self.get_row_result_class()()
        row_result.import_type = RowResult.IMPORT_TYPE_INVALID
        row_result.validation_error = ValidationError(
            "Недопустимый нулевой символ (NUL, показан как «␀») в столбце "
            + ", ".join(f"«{c}»" for c in columns)
            + ": удалите его из ячейки и загрузите файл снова."
        )
        return row_result

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Checked before «unchanged»: a row for a record the user may not touch is refused, not
        # reported as unchanged (which would tell them it exists). Checked even when a cell is
        # invalid, and reported together with it: full_clean's unique checks must never be the
        # ones to answer (they would say a record of another region exists).
        try:
            self.check_row(instance, original)
        except ValidationError as exc:
            errors = {
                field: (error.messages if isinstance(error, ValidationError) else list(error))
                for field, error in (import_validation_errors or {}).items()
            }
            raise ValidationError(self.by_column(exc.update_error_dict(errors))) from None
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as exc:
            raise ValidationError(self.by_column(exc.update_error_dict({}))) from None

    def by_column(self, errors: dict) -> dict:
        """Errors keyed by the file's column (or the model field's Russian name), not by attribute."""
        columns = {field.attribute: field.column_name for field in self.get_import_fields() if field.attribute}
        named = {}
        for key, messages in errors.items():
            if key == NON_FIELD_ERRORS:
                name = key
            elif key in columns:
                name = columns[key]
            else:
                try:
                    name = str(self._meta.model._meta.get_field(key).verbose_name)
                except FieldDoesNotExist:
                    name = key
            named.setdefault(name, []).extend(
                messages.messages if isinstance(messages, ValidationError) else list(messages)
            )
        return named


def refuse(message):
    raise ValidationError(message)
