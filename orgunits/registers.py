"""Registers of the network: units (with the chain of parents) and schools."""

from import_export import fields, resources, widgets

from registers.base import Register, register
from registers.resources import (
    PathTracker,
    SchoolInnWidget,
    UnitPathWidget,
    UserResource,
    refuse,
    unit_path,
)

from .models import OrgUnit, School, UnitKind


class UnitExportResource(resources.ModelResource):
    path = fields.Field(column_name="Путь")
    kind = fields.Field(attribute="kind__short_name", column_name="Вид")
    level = fields.Field(column_name="Уровень")
    region = fields.Field(attribute="region__name", column_name="Регион")
    name = fields.Field(attribute="name", column_name="Наименование")
    short_name = fields.Field(attribute="short_name", column_name="Краткое наименование")
    school = fields.Field(attribute="school__inn", column_name="ИНН школы")
    opened_on = fields.Field(attribute="opened_on", column_name="Действует с", widget=widgets.DateWidget())
    closed_on = fields.Field(attribute="closed_on", column_name="Прекратило работу", widget=widgets.DateWidget())

    class Meta:
        model = OrgUnit
        fields = ["path", "kind", "level", "region", "name", "short_name", "school", "opened_on", "closed_on"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.paths = PathTracker()

    def dehydrate_path(self, unit):
        return self.paths.path(unit)

    def dehydrate_level(self, unit):
        return unit.kind.get_level_display()


class KindWidget(widgets.ForeignKeyWidget):
    def __init__(self):
        super().__init__(UnitKind, "code")

    def clean(self, value, row=None, **kwargs):
        value = str(value).strip() if value is not None else ""
        if not value:
            raise ValueError("Укажите вид подразделения (код или краткое название).")
        kind = UnitKind.objects.filter(code=value).first() or UnitKind.objects.filter(short_name=value).first()
        if kind is None:
            raise ValueError(f"Вид подразделения «{value}» не найден.")
        return kind


class UnitImportResource(UserResource):
    """Units are matched by their path; a new unit is created under the unit its path names."""

    path = fields.Field(column_name="Путь")
    kind = fields.Field(attribute="kind", column_name="Вид", widget=KindWidget())
    name = fields.Field(attribute="name", column_name="Наименование")
    short_name = fields.Field(attribute="short_name", column_name="Краткое наименование")
    # The unit form offers the schools the user can see: a unit points at a school, it does not keep it.
    school = fields.Field(attribute="school", column_name="ИНН школы", widget=SchoolInnWidget(action="view"))
    opened_on = fields.Field(attribute="opened_on", column_name="Действует с", widget=widgets.DateWidget("%d.%m.%Y"))
    closed_on = fields.Field(
        attribute="closed_on", column_name="Прекратило работу", widget=widgets.DateWidget("%d.%m.%Y")
    )

    class Meta:
        model = OrgUnit
        fields = ["path", "kind", "name", "short_name", "school", "opened_on", "closed_on"]
        import_id_fields = []
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.parents = UnitPathWidget(action="manage")
        self.parents.bind(user)

    def get_instance(self, instance_loader, row):
        # Only a unit the user manages is updated; any other path is a new unit, whose parent must
        # then be theirs too ("manage" reaches down the subtree, so a unit out of reach always has
        # a parent out of reach): a unit of another region is «not found», as a missing one is.
        return self.parents.find(str(row.get("Путь") or ""))

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if instance.pk is None:
            parts = [p.strip() for p in str(row.get("Путь") or "").split("/") if p.strip()]
            if len(parts) < 2:
                refuse({"parent": "В пути нового подразделения укажите вышестоящее: «… / Вышестоящее / Новое»."})
            parent = self.parents.clean(" / ".join(parts[:-1]))
            instance.parent = parent
            instance.region = parent.region
            if not instance.short_name:
                instance.short_name = parts[-1]
            elif instance.short_name != parts[-1]:
                refuse({"short_name": "Краткое наименование должно совпадать с последней частью пути."})

    def check_row(self, instance, original):
        target = instance.parent if instance.pk is None else instance
        if target is not None and not self.access.can("manage", target):
            refuse("Нет прав изменять это подразделение сети (нужна роль администратора вышестоящего).")

    def save_instance(self, instance, is_create, row, **kwargs):
        if is_create:
            from .services import create_unit

            created = create_unit(
                region=instance.region,
                kind=instance.kind,
                parent=instance.parent,
                name=instance.name,
                short_name=instance.short_name,
                school=instance.school,
                opened_on=instance.opened_on,
            )
            instance.pk = created.pk
            # Later rows may name this unit in their paths.
            self.parents.cache.clear()
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def dehydrate_path(self, unit):
        return unit_path(unit, unit.get_ancestors())


class SchoolResource(UserResource):
    inn = fields.Field(attribute="inn", column_name="ИНН")
    name = fields.Field(attribute="name", column_name="Полное наименование")
    short_name = fields.Field(attribute="short_name", column_name="Краткое наименование")
    municipality = fields.Field(
        attribute="municipality", column_name="Муниципалитет", widget=UnitPathWidget(action="manage")
    )
    address = fields.Field(attribute="address", column_name="Адрес")

    class Meta:
        model = School
        fields = ["inn", "name", "short_name", "municipality", "address"]
        import_id_fields = ["inn"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        # A row updates only a school the user keeps.
        return School.objects.restrict(self.user, "manage")

    def check_row(self, instance, original):
        municipality = instance.municipality if instance.municipality_id else None
        if municipality is not None and not self.access.can("manage", municipality):
            refuse("Нет прав вести реестр школ этого муниципалитета.")
        if original is not None and original.pk and not self.access.can("manage", original.municipality):
            refuse("Нет прав изменять эту школу: она относится к другому муниципалитету.")
        if instance.pk is None and instance.inn and School.objects.filter(inn=instance.inn).exists():
            # The INN is unique in the whole country: a school out of the user's reach keeps it. The
            # answer names no school and no region.
            refuse(
                {
                    "inn": f"Школа с ИНН {instance.inn} не найдена среди школ, которые вы ведёте, а новую с этим "
                    "ИНН внести нельзя. Проверьте ИНН; если школа должна перейти к вам, обратитесь к "
                    "администратору региона."
                }
            )


class SchoolExportResource(SchoolResource):
    def dehydrate_municipality(self, school):
        return str(school.municipality)


@register
class UnitsRegister(Register):
    code = "units"
    title = "Подразделения сети"
    resource_class = UnitExportResource
    import_resource_class = UnitImportResource
    widths = {"Путь": 70, "Наименование": 60, "Краткое наименование": 40, "Регион": 30}
    page_url_name = "orgunits:tree"

    def queryset(self, user):
        return (
            OrgUnit.objects.restrict(user, "view").select_related("kind", "region", "school").order_by("tree_id", "lft")
        )

    def filter(self, queryset, params, user):
        from network.models import normalize_search

        if query := str(params.get("q", "")).strip():
            queryset = queryset.filter(search__contains=normalize_search(query))
        return queryset


@register
class SchoolsRegister(Register):
    code = "schools"
    title = "Образовательные организации"
    resource_class = SchoolExportResource
    import_resource_class = SchoolResource
    widths = {"Полное наименование": 60, "Краткое наименование": 35, "Муниципалитет": 40, "Адрес": 50, "ИНН": 14}
    page_url_name = "orgunits:schools"

    def queryset(self, user):
        return School.objects.restrict(user, "view").select_related("municipality").order_by("short_name", "pk")

    def filter(self, queryset, params, user):
        from network.models import normalize_search

        if query := str(params.get("q", "")).strip():
            queryset = queryset.filter(search__contains=normalize_search(query))
        return queryset
