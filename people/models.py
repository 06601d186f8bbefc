import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from network.models import VersionedModel, normalize_search
from orgunits.access import ROLES, RestrictedQuerySet

from .access import PERSON_ACTIONS, q_for_people, q_for_person_records


class Subject(models.Model):
    name = models.CharField("предмет", max_length=200, unique=True)

    class Meta:
        verbose_name = "предмет"
        verbose_name_plural = "предметы"
        ordering = ["name"]

    def __str__(self):
        return self.name


class QualificationCategory(models.TextChoices):
    NONE = "none", "без категории"
    CONFORMITY = "conformity", "соответствие занимаемой должности"
    FIRST = "first", "первая"
    HIGHEST = "highest", "высшая"
    METHODIST = "methodist", "педагог-методист"
    MENTOR = "mentor", "педагог-наставник"


phone_validator = RegexValidator(
    r"^\+?[\d\s()\-]{6,20}$", "Телефон: цифры, пробелы, скобки и дефисы, например +7 (866) 312-34-56."
)


class PersonQuerySet(RestrictedQuerySet):
    actions = PERSON_ACTIONS

    def _restrict_q(self, access, action):
        return q_for_people(access, action)


class Person(VersionedModel):
    """A teacher or another participant of the network: personal data under 152-ФЗ."""

    region = models.ForeignKey(
        "orgunits.Region", on_delete=models.PROTECT, related_name="people", verbose_name="регион"
    )
    last_name = models.CharField("фамилия", max_length=100)
    first_name = models.CharField("имя", max_length=100)
    middle_name = models.CharField("отчество", max_length=100, blank=True)
    position = models.CharField("должность", max_length=200, blank=True)
    school = models.ForeignKey(
        "orgunits.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="место работы (ОО)",
    )
    subjects = models.ManyToManyField(Subject, blank=True, related_name="teachers", verbose_name="предметы")
    qualification_category = models.CharField(
        "квалификационная категория",
        max_length=20,
        choices=QualificationCategory.choices,
        default=QualificationCategory.NONE,
    )
    teaching_since = models.PositiveSmallIntegerField(
        "год начала педагогической деятельности",
        null=True,
        blank=True,
        validators=[MinValueValidator(1940), MaxValueValidator(2100)],
    )
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("телефон", max_length=30, blank=True, validators=[phone_validator])
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name="учётная запись",
    )
    search = models.CharField(max_length=500, editable=False, default="")

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = "педагог"
        verbose_name_plural = "педагоги"
        ordering = ["last_name", "first_name", "middle_name", "pk"]
        indexes = [
            models.Index(fields=["region", "last_name", "first_name"], name="person_region_name"),
            # The list order: a national list's first page is read from this index, not sorted.
            models.Index(fields=["last_name", "first_name", "middle_name", "id"], name="person_name_order"),
        ]
        constraints = [
            # The e-mail is the natural key of a person (imports match on it).
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="person_email_unique"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self):
        """И.О. Фамилия, as a signature block writes it."""
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{initials} {self.last_name}".strip()

    def teaching_years(self, today: datetime.date) -> int | None:
        return None if self.teaching_since is None else max(0, today.year - self.teaching_since)

    def clean(self):
        if self.email:
            self.email = self.email.strip().lower()
        if self.teaching_since and self.teaching_since > datetime.date.today().year:
            raise ValidationError({"teaching_since": "Год начала работы не может быть в будущем."})
        if self.school_id and self.region_id and self.school.municipality.region_id != self.region_id:
            raise ValidationError({"school": "Школа находится в другом регионе."})

    def save(self, *args, **kwargs):
        self.search = normalize_search(self.last_name, self.first_name, self.middle_name, self.email)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("people:person", args=[self.pk])


class MembershipRole(models.TextChoices):
    CHAIR = "chair", ROLES["chair"].label
    DEPUTY = "deputy", ROLES["deputy"].label
    SECRETARY = "secretary", ROLES["secretary"].label
    MEMBER = "member", ROLES["member"].label
    METHODIST = "methodist", ROLES["methodist"].label


# How a composition reads: the chair first, plain members last.
ROLE_ORDER = ["chair", "deputy", "secretary", "methodist", "member"]

# Roles a unit may have only one active holder of (001 §2.1, §2.3).
SINGLE_HOLDER_ROLES = (MembershipRole.CHAIR, MembershipRole.SECRETARY)


class MembershipQuerySet(RestrictedQuerySet):
    # Whoever sees a unit sees its members (the unit's card lists them); changing them is «manage_members».
    actions = frozenset({"view", "manage_members"})

    def _restrict_q(self, access, action):
        return access.q_for_units(action, prefix="unit__")

    def in_role_order(self):
        rank = models.Case(
            *[models.When(role=code, then=models.Value(i)) for i, code in enumerate(ROLE_ORDER)],
            output_field=models.IntegerField(),
        )
        return self.alias(role_rank=rank).order_by("role_rank", "person__last_name", "person__first_name")

    def active(self):
        return self.filter(left_on__isnull=True)

    def in_force_on(self, day: datetime.date):
        """Memberships counting on `day` (the composition, the quorum base): started by then, their term
        not over (001 §2.7: `ends_on` is the last day) and not left (`left_on` is the first day out)."""
        return self.filter(starts_on__lte=day, ends_on__gte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))

    def former(self):
        return self.filter(left_on__isnull=False)


class Membership(models.Model):
    """A person in a unit with a role and a term. Former members stay on record."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships", verbose_name="педагог")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="memberships", verbose_name="подразделение"
    )
    role = models.CharField("роль", max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    starts_on = models.DateField("срок с")
    ends_on = models.DateField("срок по", help_text="По умолчанию — один год (001 §2.7).")
    left_on = models.DateField("выбыл", null=True, blank=True, help_text="Пусто — состоит в подразделении.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "членство"
        verbose_name_plural = "членство в подразделениях"
        ordering = ["unit", "role", "starts_on"]
        indexes = [
            models.Index(fields=["unit", "left_on"], name="membership_unit_active"),
            models.Index(fields=["person", "left_on"], name="membership_person_active"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "role"],
                condition=Q(left_on__isnull=True, role__in=SINGLE_HOLDER_ROLES),
                name="membership_one_active_chair_secretary",
                violation_error_message=(
                    "В подразделении уже есть действующий председатель или ответственный секретарь "
                    "(одна такая роль на подразделение)."
                ),
            ),
            models.UniqueConstraint(
                fields=["unit", "person"],
                condition=Q(left_on__isnull=True),
                name="membership_one_active_per_person",
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="membership_term_order"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("starts_on")),
                name="membership_left_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_role_display()}, {self.unit}"

    @property
    def is_active(self):
        return self.left_on is None

    def clean(self):
        # 001 §2.7: a term no longer than the region allows (the import of memberships, the admin).
        if self.unit_id and self.starts_on and self.ends_on:
            from .terms import term_error

            if self.ends_on < self.starts_on:
                raise ValidationError({"ends_on": "Окончание срока раньше его начала."})
            error = term_error(self.unit, self.starts_on, self.ends_on)
            if error:
                raise ValidationError({"ends_on": error})

    @staticmethod
    def default_term_end(starts_on: datetime.date) -> datetime.date:
        """One year (001 §2.7): from 01.09.2026 to 31.08.2027."""
        try:
            anniversary = starts_on.replace(year=starts_on.year + 1)
        except ValueError:  # 29 February
            anniversary = starts_on.replace(year=starts_on.year + 1, day=28) + datetime.timedelta(days=1)
        return anniversary - datetime.timedelta(days=1)


class PersonalDataAccess(models.Model):
    """Log of reads, changes and exports of personal data (152-ФЗ)."""

    class Action(models.TextChoices):
        VIEW = "view", "просмотр"
        CHANGE = "change", "изменение"
        CREATE = "create", "создание"
        EXPORT = "export", "выгрузка"

    at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="кто")
    action = models.CharField("действие", max_length=10, choices=Action.choices)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="access_log", verbose_name="чьи данные"
    )
    details = models.CharField("что именно", max_length=500, blank=True)
    # The register export that took the person's data out of the portal. The log is append-only:
    # removing an export record must not rewrite (SET_NULL) a million log rows, so the number stays
    # and `details` still names the register, format and filters.
    export = models.ForeignKey(
        "registers.Export",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="выгрузка",
        db_index=False,  # the (export, person) index below serves lookups by export
    )

    class Meta:
        verbose_name = "доступ к персональным данным"
        verbose_name_plural = "журнал доступа к персональным данным"
        ordering = ["-at"]
        indexes = [
            # A person's log page, newest first, even with thousands of entries.
            models.Index(fields=["person", "-at"], name="pd_access_person_at"),
            # One entry per person per export: the writer checks it batch by batch.
            models.Index(fields=["export", "person"], name="pd_access_export_person"),
        ]

    def __str__(self):
        return f"{self.at:%d.%m.%Y %H:%M} {self.user} {self.get_action_display()} {self.person or ''}"


class Candidacy(models.Model):
    """A proposed chair (or deputy) of a unit, or a municipality's delegate to the РУМО (000 а):
    the content of a «candidate» submission (issue 4)."""

    class Role(models.TextChoices):
        CHAIR = "chair", ROLES["chair"].label
        DEPUTY = "deputy", ROLES["deputy"].label
        # 000 а: «кандидатур руководителей МунМО и членов РУМО от муниципалитета». Once agreed, the
        # delegate becomes a member of the approving РУМО (people.candidates.enroll_delegate).
        DELEGATE = "delegate", "делегат в РУМО"

    submission = models.OneToOneField(
        "submissions.Submission", on_delete=models.CASCADE, related_name="candidacy", verbose_name="документ"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="candidacies", verbose_name="кандидат")
    role = models.CharField("роль", max_length=20, choices=Role.choices, default=Role.CHAIR)
    justification = models.TextField("обоснование")
    proposed_from = models.DateField("с какой даты", null=True, blank=True)

    class Meta:
        verbose_name = "кандидатура"
        verbose_name_plural = "кандидатуры"

    def __str__(self):
        return f"{self.person} — {self.get_role_display()}"


class RenewalCheck(models.Model):
    """The renewal of a composition by a third (001 §2.8), judged once when a new composition year
    started (people.terms): what the sweep found, kept so the unit's pages can show it."""

    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.CASCADE, related_name="renewal_checks", verbose_name="подразделение"
    )
    starts_on = models.DateField("начало нового состава")
    on = models.DateField("состав на дату")
    total = models.PositiveIntegerField("членов")
    renewed = models.PositiveIntegerField("новых")
    previous = models.PositiveIntegerField("в прежнем составе")
    required = models.PositiveIntegerField("нужно новых")
    under_third = models.BooleanField("обновлён меньше чем на треть")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "проверка обновления состава"
        verbose_name_plural = "проверки обновления состава"
        ordering = ["unit", "-starts_on"]
        constraints = [models.UniqueConstraint(fields=["unit", "starts_on"], name="renewal_check_once")]

    def __str__(self):
        return f"{self.unit}: состав на {self.on:%d.%m.%Y}, новых {self.renewed} из {self.total}"


def consent_path(instance, filename):
    return f"people/consents/{instance.person_id}/{uuid.uuid4().hex}/{filename}"


class ConsentQuerySet(RestrictedQuerySet):
    # A consent is part of the teacher's card: seen and kept with it.
    actions = PERSON_ACTIONS

    def _restrict_q(self, access, action):
        return q_for_person_records(access, action, "person")


class Consent(models.Model):
    """A signed consent to the processing of personal data (152-ФЗ, ст. 9), kept per person: the
    scan of the paper, what it covers, its term and, if it comes to that, its withdrawal."""

    class Purpose(models.TextChoices):
        PROCESSING = "processing", "обработка персональных данных"
        PUBLICATION = "publication", "распространение персональных данных (публикация)"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents", verbose_name="педагог")
    purpose = models.CharField("на что", max_length=20, choices=Purpose.choices, default=Purpose.PROCESSING)
    signed_on = models.DateField("подписано")
    valid_until = models.DateField("действует по", null=True, blank=True, help_text="Пусто — до отзыва.")
    file = models.FileField("скан согласия", upload_to=consent_path)
    file_name = models.CharField(max_length=255, blank=True)
    revoked_on = models.DateField("отозвано", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = "согласие на обработку персональных данных"
        verbose_name_plural = "согласия на обработку персональных данных"
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("signed_on")), name="consent_term"
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=F("signed_on")), name="consent_revoked"
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()}, {self.signed_on:%d.%m.%Y}"

    def is_active(self, today: datetime.date) -> bool:
        if self.signed_on > today or (self.revoked_on and self.revoked_on <= today):
            return False
        return self.valid_until is None or self.valid_until >= today
