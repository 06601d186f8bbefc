"""Registers of people and memberships (personal data: every export is logged, 152-ФЗ)."""

from django.db.models import Prefetch
from django.db.models.functions import Lower
from import_export import fields, widgets

from orgunits.access import access_for
from orgunits.grant_log import GrantVia
from orgunits.models import Region
from registers.base import Register, register
from registers.resources import (
    KeyLoader,
    SchoolInnWidget,
    UnitPathWidget,
    UserResource,
    UserWidget,
    managed_region_ids,
    refuse,
)

from .models import Membership, MembershipRole, Person, QualificationCategory, Subject
from .services import sync_person_access


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as its Russian label; read back from the label or the code."""

    def __init__(self, choices, required_message=None, default=None):
        super().__init__()
        self.choices = choices
        self.default = default
        self.required_message = required_message

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            if self.default is not None:
                return self.default
            raise ValueError(self.required_message or "Значение не указано.")
        for code, label in self.choices:
            if value.lower() in (code, str(label).lower()):
                return code
        allowed = ", ".join(str(label) for _, label in self.choices)
        raise ValueError(f"«{value}» — нет такого значения. Допустимо: {allowed}.")

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value or "")


class RegionCodeWidget(UserWidget):
    """A region by its code, among the regions where the user administers something."""

    def __init__(self):
        super().__init__(Region, "code")

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        cache = self.__dict__.setdefault("found", {})  # one query per code of the file, not per row
        if value not in cache:
            regions = Region.objects.filter(code=value)
            if (allowed := managed_region_ids(self.access)) is not None:
                regions = regions.filter(pk__in=sorted(allowed))
            cache[value] = regions.first() if value else None
        region = cache[value]
        if region is None:
            raise ValueError(f"Регион «{value}» не найден среди ваших: укажите код своего региона (например, kbr).")
        return region


class PersonResource(UserResource):
    last_name = fields.Field(attribute="last_name", column_name="Фамилия")
    first_name = fields.Field(attribute="first_name", column_name="Имя")
    middle_name = fields.Field(attribute="middle_name", column_name="Отчество")
    email = fields.Field(attribute="email", column_name="E-mail")
    phone = fields.Field(attribute="phone", column_name="Телефон")
    position = fields.Field(attribute="position", column_name="Должность")
    region = fields.Field(attribute="region", column_name="Регион (код)", widget=RegionCodeWidget())
    school = fields.Field(attribute="school", column_name="ИНН школы", widget=SchoolInnWidget())
    qualification_category = fields.Field(
        attribute="qualification_category",
        column_name="Квалификационная категория",
        widget=ChoiceLabelWidget(QualificationCategory.choices, default=QualificationCategory.NONE),
    )
    teaching_since = fields.Field(
        attribute="teaching_since", column_name="Год начала педагогической работы", widget=widgets.IntegerWidget()
    )

    class Meta:
        model = Person
        fields = [
            "last_name",
            "first_name",
            "middle_name",
            "email",
            "phone",
            "position",
            "region",
            "school",
            "qualification_category",
            "teaching_since",
        ]
        import_id_fields = ["email"]
        instance_loader_class = KeyLoader  # the people the file names, in a few queries (issue 14)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def get_queryset(self):
        # A row updates only a person the user keeps; any other e-mail is a new person.
        return Person.objects.restrict(self.user, "manage").select_related("region", "school__municipality")

    def before_import(self, dataset, **kwargs):
        """The file's e-mails that some person anywhere holds, in a few queries: a new row's address is checked
        against them (check_row), not with a query a row."""
        super().before_import(dataset, **kwargs)
        emails = sorted({str(e or "").strip().lower() for e in dataset["E-mail"]} - {""}) if dataset.headers else []
        self.taken_emails = set()
        for start in range(0, len(emails), KeyLoader.CHUNK):
            chunk = emails[start : start + KeyLoader.CHUNK]
            found = Person.objects.annotate(lower=Lower("email")).filter(lower__in=chunk)
            self.taken_emails.update(found.values_list("lower", flat=True))

    def email_taken(self, email: str) -> bool:
        taken = getattr(self, "taken_emails", None)
        if taken is None:  # a row checked outside import_data
            return Person.objects.filter(email__iexact=email).exists()
        return email.lower() in taken

    def before_import_row(self, row, **kwargs):
        email = str(row.get("E-mail") or "").strip().lower()
        if not email:
            refuse({"email": "Укажите e-mail: по нему педагог узнаётся при следующих загрузках."})
        row["E-mail"] = email

    def check_row(self, instance, original):
        # A person the KeyLoader gave was read through get_queryset (restricted to «manage») or written by this
        # import: kept by the user, no need to ask again.
        kept = self.key_loader is not None
        if (
            instance.pk
            and not kept
            and not Person.objects.restrict(self.user, "manage").filter(pk=instance.pk).exists()
        ):
            refuse("Нет прав изменять данные этого педагога.")
        if instance.pk is None and instance.email and self.email_taken(instance.email):
            # The e-mail is unique in the whole country, so a person out of the user's reach keeps
            # it. The answer names no one and no region: it is the same whoever holds the address.
            refuse(
                {
                    "email": f"Педагог с e-mail «{instance.email}» не найден среди доступных вам, а новую карточку "
                    "с этим адресом создать нельзя. Проверьте адрес; если педагог перешёл к вам, попросите "
                    "администратора региона передать его карточку."
                }
            )
        if instance.school_id:
            if not self.access.can("manage", instance.school.municipality):
                refuse("Нет прав вести педагогов этой школы.")
            if instance.region_id and instance.school.municipality.region_id != instance.region_id:
                refuse({"school": "Школа находится в другом регионе."})
        elif instance.region_id and not self.access.is_regional("manage", instance.region_id):
            refuse("Без школы педагога может внести только администратор региона.")


class PersonExportResource(PersonResource):
    school_name = fields.Field(attribute="school__short_name", column_name="Школа")
    subjects = fields.Field(column_name="Предметы")

    class Meta(PersonResource.Meta):
        fields = [*PersonResource.Meta.fields, "school_name", "subjects"]

    def dehydrate_region(self, person):
        return person.region.code

    def dehydrate_school(self, person):
        return person.school.inn if person.school else ""

    def dehydrate_subjects(self, person):
        return ", ".join(s.name for s in person.subjects.all())


class PersonByEmailWidget(UserWidget):
    """A person by e-mail among the people the user keeps: adding someone to a unit opens their
    card to the unit's managers, so a person out of reach is never found."""

    def __init__(self):
        super().__init__(Person, "email")

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip().lower()
        person = Person.objects.restrict(self.user, "manage").filter(email=value).first() if value else None
        if person is None:
            raise ValueError(
                f"Педагог с e-mail «{value}» не найден среди доступных вам: проверьте адрес "
                "или сначала загрузите реестр педагогов."
            )
        return person


class MembershipResource(UserResource):
    person = fields.Field(attribute="person", column_name="E-mail педагога", widget=PersonByEmailWidget())
    unit = fields.Field(
        attribute="unit", column_name="Подразделение (путь)", widget=UnitPathWidget(action="manage_members")
    )
    role = fields.Field(
        attribute="role",
        column_name="Роль",
        widget=ChoiceLabelWidget(MembershipRole.choices, default=MembershipRole.MEMBER),
    )
    starts_on = fields.Field(attribute="starts_on", column_name="Срок с", widget=widgets.DateWidget("%d.%m.%Y"))
    ends_on = fields.Field(attribute="ends_on", column_name="Срок по", widget=widgets.DateWidget("%d.%m.%Y"))
    left_on = fields.Field(attribute="left_on", column_name="Выбыл", widget=widgets.DateWidget("%d.%m.%Y"))

    class Meta:
        model = Membership
        fields = ["person", "unit", "role", "starts_on", "ends_on", "left_on"]
        import_id_fields = ["person", "unit", "starts_on"]
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        if not row.get("Срок по") and row.get("Срок с"):
            try:
                starts = widgets.DateWidget("%d.%m.%Y").clean(row.get("Срок с"))
            except ValueError:
                return
            row["Срок по"] = Membership.default_term_end(starts)

    def get_queryset(self):
        # Terms are matched only in units whose composition the user keeps.
        q = self.access.q_for_units("manage_members", prefix="unit__")
        return Membership.objects.filter(q) if q is not None else Membership.objects.none()

    def check_row(self, instance, original):
        # A unit or person not found has its own message (the lookups search only what is in reach).
        if instance.unit_id and not self.access.can("manage_members", instance.unit):
            refuse("Нет прав вести состав этого подразделения.")
        if instance.unit_id and instance.person_id and instance.person.region_id != instance.unit.region_id:
            # As on the unit's «add a member» page: members come from the unit's region.
            refuse({"person": "Педагог из другого региона не может войти в состав этого подразделения."})

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        # A login's grants follow the person's memberships.
        sync_person_access(instance.person, by=self.user, via=GrantVia.IMPORT)


class MembershipExportResource(MembershipResource):
    full_name = fields.Field(attribute="person__full_name", column_name="ФИО")

    class Meta(MembershipResource.Meta):
        fields = ["full_name", *MembershipResource.Meta.fields]

    def dehydrate_person(self, membership):
        return membership.person.email

    def dehydrate_unit(self, membership):
        return str(membership.unit)


@register
class PeopleRegister(Register):
    code = "people"
    title = "Педагоги"
    personal_data = True
    person_field = "pk"
    resource_class = PersonExportResource
    import_resource_class = PersonResource
    widths = {"Фамилия": 18, "Имя": 14, "Отчество": 18, "E-mail": 28, "Должность": 28, "Школа": 35, "Предметы": 35}
    page_url_name = "people:list"

    def queryset(self, user):
        return (
            Person.objects.restrict(user, "view")
            .select_related("school", "region")
            .prefetch_related(Prefetch("subjects", queryset=Subject.objects.order_by("name")))
            .order_by("last_name", "first_name", "middle_name", "pk")
        )

    def filter(self, queryset, params, user):
        from .filters import PersonFilter

        # The same filters as the people page: a unit or school the user may not choose is invalid.
        filterset = PersonFilter(params, queryset=queryset, user=user)
        return filterset.qs if filterset.is_valid() else queryset.none()


@register
class MembershipsRegister(Register):
    code = "memberships"
    title = "Составы подразделений (членство)"
    personal_data = True
    person_field = "person_id"
    resource_class = MembershipExportResource
    import_resource_class = MembershipResource
    widths = {"ФИО": 35, "E-mail педагога": 28, "Подразделение (путь)": 60}

    def queryset(self, user):
        q = access_for(user).q_for_units("view_people", prefix="unit__")
        memberships = Membership.objects.filter(q) if q is not None else Membership.objects.none()
        return memberships.select_related("person", "unit").order_by(
            "unit__tree_id", "unit__lft", "person__last_name", "pk"
        )

    def filter(self, queryset, params, user):
        if unit := params.get("unit"):
            try:
                queryset = queryset.filter(unit_id=int(unit))
            except (TypeError, ValueError):
                return queryset.none()
        if params.get("active"):
            queryset = queryset.filter(left_on__isnull=True)
        return queryset
