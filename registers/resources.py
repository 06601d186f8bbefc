"""What the import resources share: natural keys (the unit's path, the school's INN, the person's
e-mail), the user whose rights are checked row by row, and Russian messages.

Every lookup an import makes searches only what the importing user may act on: a record of another
region (or one out of their reach) is «not found among yours», word for word the answer for a record
that does not exist, so an import neither reaches nor reveals it."""

import copy
import datetime

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from import_export import resources, widgets
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import RowResult

from orgunits.access import access_for
from orgunits.models import OrgUnit

PATH_SEPARATOR = " / "
# An empty cell leaves the value as it is («не менять»); this word in a cell clears it.
CLEAR_MARKER = "(очистить)"
# How a changed value that is empty is shown in the preview («Отчество: Ивановна → пусто»).
EMPTY_SHOWN = "пусто"


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


class TreePaths:
    """Paths of any units, one query per tree (a region's network) whatever the number of rows:
    an export writes a unit column the way the import reads it back, as its path."""

    def __init__(self):
        self.trees: dict[int, dict] = {}

    def load(self, units) -> None:
        """Read the whole trees of `units` (a queryset of units) in one query."""
        rows = OrgUnit.objects.filter(tree_id__in=units.order_by().values("tree_id")).values_list(
            "tree_id", "pk", "parent_id", "short_name", "name"
        )
        for tree, pk, parent, short, name in rows:
            self.trees.setdefault(tree, {})[pk] = (parent, short or name)

    def path(self, unit) -> str:
        nodes = self.trees.get(unit.tree_id)
        if nodes is None:
            self.load(OrgUnit.objects.filter(pk=unit.pk))
            nodes = self.trees.setdefault(unit.tree_id, {})
        labels, pk = [], unit.pk
        while pk is not None and pk in nodes:
            pk, label = nodes[pk]
            labels.append(label)
        return PATH_SEPARATOR.join(reversed(labels))


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
        self.paths = TreePaths()

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
        return self.paths.path(value)


class KeyLoader(ModelInstanceLoader):
    """The records a file names by its one key column, loaded in a few queries before the first row, not one
    query a row (issue 14: the people preview made ~11 queries a row). Keys are compared as the resource's
    `import_key` writes them (an e-mail in lower case). A record a row creates or changes takes its place in the
    cache, so a later row with the same key finds it, as the row-by-row lookup did; each row gets its own copy."""

    CHUNK = 2000

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.pk_field = resource.fields[resource.get_import_id_fields()[0]]
        self.instances = {}
        keys = set()
        if dataset is not None and dataset.headers and self.pk_field.column_name in dataset.headers:
            for row in dataset.dict:
                if (key := self.key_of_row(row)) not in (None, ""):
                    keys.add(key)
        keys = sorted(keys)
        lookup = f"{self.pk_field.attribute}__in"
        queryset = self.get_queryset()
        for start in range(0, len(keys), self.CHUNK):
            for instance in queryset.filter(**{lookup: keys[start : start + self.CHUNK]}):
                self.instances[resource.import_key(self.pk_field.get_value(instance))] = instance
        resource.key_loader = self

    def key_of_row(self, row):
        try:
            return self.resource.import_key(self.pk_field.clean(row))
        except (ValueError, ArithmeticError):
            return None

    def get_instance(self, row):
        instance = self.instances.get(self.key_of_row(row))
        return copy.deepcopy(instance) if instance is not None else None

    def remember(self, instance) -> None:
        self.instances[self.resource.import_key(self.pk_field.get_value(instance))] = copy.deepcopy(instance)


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
        cache = self.__dict__.setdefault("found", {})  # one query per INN of the file, not per row
        if value not in cache:
            cache[value] = (
                self.model.objects.restrict(self.user, self.action)
                .filter(inn=value)
                .select_related("municipality")
                .first()
            )
        school = cache[value]
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

    # The loader of the records the rows name (KeyLoader, when the resource's Meta sets it) registers itself here.
    key_loader = None

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        # self.fields is this instance's deep copy: binding its widgets touches no other import.
        for field in self.fields.values():
            if isinstance(field.widget, UserWidget):
                field.widget.bind(user)
        # What the row being imported has told so far: refusals of before_import_row (reported
        # with the row's other errors, not instead of them) and the fields it changes.
        self.early_errors: dict = {}
        self.changes: list = []
        before = self.before_import_row

        def deferred(row, **kwargs):
            try:
                before(row, **kwargs)
            except ValidationError as exc:
                self.early_errors = exc.update_error_dict({})

        self.before_import_row = deferred

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
            self.early_errors, self.changes = {}, []
            row_result = super().import_row(row, instance_loader, **kwargs)
            row_result.changes = self.changes if row_result.import_type == RowResult.IMPORT_TYPE_UPDATE else []
            return row_result
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
        if not import_validation_errors and original is not None and original.pk is not None:
            self.changes = self.changed_fields(instance, original)
        return super().skip_row(instance, original, row, import_validation_errors)

    def changed_fields(self, instance, original) -> list[list[str]]:
        """[column, old, new] for each field the row changes, as the file writes them."""
        changes = []
        for field in self.get_import_fields():
            if field.attribute and field.get_value(instance) != field.get_value(original):
                changes.append([field.column_name, self.shown(field, original), self.shown(field, instance)])
        return changes

    @staticmethod
    def shown(field, obj) -> str:
        value = field.get_value(obj)
        if value is None or value == "":
            return EMPTY_SHOWN
        return str(field.widget.render(value)) or EMPTY_SHOWN

    def get_instance(self, instance_loader, row):
        # A key cell that cannot be read («1 сентября» for a date) finds no record: the row is then
        # read as a new one, and the cell is reported with the row's other errors (import_field).
        try:
            return super().get_instance(instance_loader, row)
        except (ValueError, ArithmeticError):
            return None

    def import_instance(self, instance, row, **kwargs):
        """Every field of the row is read, and every error reported at once: the refusals of
        before_import_row together with each cell that cannot be read."""
        errors = dict(self.early_errors)
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        """An empty cell leaves a record's value as it is; CLEAR_MARKER clears it. A cell that
        cannot be read is reported in words (not the library's English)."""
        if not field.attribute or field.column_name not in row:
            return super().import_field(field, instance, row, is_m2m, **kwargs)
        value = row[field.column_name]
        if is_blank(value):
            if instance.pk is not None:
                return None  # «не менять»
        elif isinstance(value, str) and value.strip().lower() == CLEAR_MARKER:
            row = {**row, field.column_name: ""}
        elif isinstance(value, datetime.datetime) and type(field.widget) is widgets.DateWidget:
            row = {**row, field.column_name: value.date()}  # an Excel date cell reads back as midnight
        try:
            return super().import_field(field, instance, row, is_m2m, **kwargs)
        except (ValueError, ArithmeticError) as exc:  # decimal.InvalidOperation is an ArithmeticError
            raise ValueError(cell_error(field.widget, value, exc)) from None

    @staticmethod
    def import_key(value):
        """A key cell as KeyLoader compares it."""
        return str(value).strip().lower() if value is not None else None

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        if self.key_loader is not None:
            self.key_loader.remember(instance)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """full_clean, with every error by its column. A foreign key a lookup of this import has just found
        (UserWidget) is not looked up again by the field's validation; unique checks and constraints still
        see every field."""
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            found = {
                f.attribute
                for f in self.get_import_fields()
                if isinstance(f.widget, UserWidget) and f.attribute and instance._state.fields_cache.get(f.attribute)
            }
            errors = full_clean(instance, errors, found, validate_unique)
        if errors:
            raise ValidationError(self.by_column(errors))

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


def full_clean(instance, errors: dict, found: set, validate_unique: bool) -> dict:
    """Model.full_clean (Django 5.2) added to the cells' `errors` (their fields are not validated again), with
    `found` left out of the fields' own validation only."""
    errors = dict(errors)
    exclude = set(errors)
    steps = [lambda: instance.clean_fields(exclude=exclude | found), instance.clean]
    for step in steps:
        try:
            step()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    exclude = exclude | {name for name in errors if name != NON_FIELD_ERRORS}
    checks = [instance.validate_unique] if validate_unique else []
    checks.append(instance.validate_constraints)  # as import-export calls it: constraints always
    for check in checks:
        try:
            check(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    return errors


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_error(widget, value, exc) -> str:
    """What is wrong with a cell, in words for the user."""
    if isinstance(widget, widgets.DateTimeWidget):
        return f"«{value}» — не дата и время: укажите их в виде ДД.ММ.ГГГГ ЧЧ:ММ (например, 01.09.2026 10:00)."
    if isinstance(widget, widgets.DateWidget):
        return f"«{value}» — не дата: укажите дату в виде ДД.ММ.ГГГГ (например, 01.09.2026)."
    if isinstance(widget, widgets.IntegerWidget):
        return f"«{value}» — не целое число: укажите число цифрами (например, 2015)."
    if isinstance(widget, widgets.NumberWidget):
        return f"«{value}» — не число: укажите число цифрами."
    return str(exc)


def refuse(message):
    raise ValidationError(message)
