from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from network.models import VersionedModel, normalize_search
from orgunits.access import ACTIONS, RestrictedQuerySet


class Level(models.TextChoices):
    REGIONAL = "regional", "региональный"
    MUNICIPAL = "municipal", "муниципальный"
    SCHOOL = "school", "школьный"


class DocumentType(models.TextChoices):
    """Documents that travel upward for approval (the workflow of the next issues)."""

    PLAN = "plan", "план работы"
    REPORT = "report", "годовой отчёт"
    CANDIDATE = "candidate", "кандидатура руководителя"
    # Teachers' developments go to РУМО for expertise (000 г); routed like the others, by kind.
    DEVELOPMENT = "development", "методическая разработка"


def document_type_list_validator(value):
    allowed = set(DocumentType.values)
    if not isinstance(value, list) or any(item not in allowed for item in value):
        raise ValidationError(
            "Укажите список типов документов из: %(allowed)s.",
            params={"allowed": ", ".join(DocumentType.values)},
        )


class Publication(models.TextChoices):
    """What a region may publish on the open pages of its network (001 §1.3): each is a region's choice."""

    STRUCTURE = "structure", "структура сети с руководителями"
    PLANS = "plans", "согласованные планы работы"
    REPORTS = "reports", "согласованные отчёты"
    PROTOCOLS = "protocols", "подтверждённые протоколы заседаний"
    ORDERS = "orders", "подписанные приказы"
    CALENDAR = "calendar", "календарь заседаний и мероприятий"
    PRACTICES = "practices", "банк успешных практик"


class Region(models.Model):
    """A subject of the Russian Federation: one network tree and its own settings."""

    code = models.SlugField("код", max_length=20, unique=True)
    name = models.CharField("название", max_length=200, unique=True)
    timezone = models.CharField("часовой пояс", max_length=64, default="Europe/Moscow")
    # The rules a region's own regulation may set differently (issue 13); the defaults are the seeds'.
    allow_escalation = models.BooleanField(
        "вышестоящие могут согласовывать вместо адресата",
        default=False,
        help_text="По положению (000) документ согласует подразделение, которому он адресован. Если включено, "
        "вышестоящее подразделение тоже может принять решение; в истории отмечается, что решение принято "
        "выше адресата, и адресат получает уведомление.",
    )
    max_term_months = models.PositiveSmallIntegerField(
        "наибольший срок полномочий члена объединения, месяцев",
        default=12,
        validators=[
            MinValueValidator(1, "Срок полномочий — не меньше 1 месяца."),
            MaxValueValidator(60, "Срок полномочий — не больше 60 месяцев."),
        ],
        help_text="001 §2.7: член объединения избирается на один год (12 месяцев). Больший срок — только если "
        "его допускает положение региона.",
    )
    published = models.JSONField(
        "открыто публикуются",
        default=list,
        blank=True,
        help_text="Что сеть региона показывает на открытых страницах без входа (001 §1.3, гласность). "
        "Пусто — регион ничего не публикует.",
    )

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def publishes(self, what: str) -> bool:
        return what in (self.published or ())


class UnitKind(models.Model):
    """A kind of unit is data, not code: regions name and nest their units differently."""

    code = models.SlugField("код", max_length=40, unique=True)
    name = models.CharField("название", max_length=200)
    short_name = models.CharField("сокращение", max_length=40, blank=True)
    level = models.CharField("уровень", max_length=20, choices=Level.choices)
    allowed_parents = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="allowed_children",
        verbose_name="может входить в",
        help_text="Пусто — только корень дерева региона.",
    )
    requires_school = models.BooleanField(
        "относится к школе",
        default=False,
        help_text="ШМО и методический совет ОО указывают свою образовательную организацию.",
    )
    files_documents = models.JSONField(
        "представляет документы",
        default=list,
        blank=True,
        validators=[document_type_list_validator],
    )
    approves_documents = models.JSONField(
        "согласует документы нижестоящих",
        default=list,
        blank=True,
        validators=[document_type_list_validator],
    )

    class Meta:
        verbose_name = "вид подразделения"
        verbose_name_plural = "виды подразделений"
        ordering = ["level", "name"]

    def __str__(self):
        return self.short_name or self.name

    def files(self, document_type: str) -> bool:
        return document_type in self.files_documents

    def approves(self, document_type: str) -> bool:
        return document_type in self.approves_documents


inn_validator = RegexValidator(r"^\d{10}$", "ИНН организации — 10 цифр.")


def validate_inn_checksum(value: str):
    """Legal entity INN: the 10th digit is a weighted checksum of the first nine."""
    if not value or len(value) != 10 or not value.isdigit():
        return
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(value[:9], weights, strict=True)) % 11 % 10
    if check != int(value[9]):
        raise ValidationError("ИНН %(inn)s не проходит проверку контрольной цифры.", params={"inn": value})


class SchoolQuerySet(RestrictedQuerySet):
    actions = frozenset({"view", "manage"})

    def _restrict_q(self, access, action):
        return access.q_for_schools(action)


class School(VersionedModel):
    """Образовательная организация (ОО): a register of its own, not a node of the tree."""

    name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    inn = models.CharField("ИНН", max_length=10, unique=True, validators=[inn_validator, validate_inn_checksum])
    municipality = models.ForeignKey(
        "OrgUnit",
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name="муниципалитет",
        limit_choices_to={"kind__level": Level.MUNICIPAL},
    )
    address = models.CharField("адрес", max_length=500, blank=True)
    search = models.CharField(max_length=800, editable=False, db_index=True, default="")

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = "образовательная организация"
        verbose_name_plural = "образовательные организации"
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name

    def clean(self):
        if self.municipality_id and self.municipality.kind.level != Level.MUNICIPAL:
            raise ValidationError({"municipality": "Школа относится к подразделению муниципального уровня."})

    def save(self, *args, **kwargs):
        self.search = normalize_search(self.name, self.short_name, self.inn)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("orgunits:school", args=[self.pk])


class OrgUnitQuerySet(RestrictedQuerySet, TreeQuerySet):
    actions = frozenset(ACTIONS)

    def _restrict_q(self, access, action):
        return access.q_for_units(action)

    def active(self):
        return self.filter(closed_on__isnull=True)


class OrgUnit(MPTTModel, VersionedModel):
    """A unit of the methodological network: РУМО, ЦНППМ, МунУМО, РМО, ШМО and the rest."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="units", verbose_name="регион")
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="units", verbose_name="вид")
    parent = TreeForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="вышестоящее подразделение",
    )
    name = models.CharField("наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200, blank=True)
    # Official texts decline the name by a dictionary (network/russian.py); a name it gets wrong is
    # written here once, as the protocols and orders should print it.
    name_genitive = models.CharField(
        "наименование в родительном падеже",
        max_length=500,
        blank=True,
        help_text="Заполните, только если портал склоняет наименование неверно: "
        "«Муниципального учебно-методического объединения …».",
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name="образовательная организация",
    )
    description = models.TextField("описание", blank=True)
    opened_on = models.DateField("действует с", null=True, blank=True)
    closed_on = models.DateField("прекратило работу", null=True, blank=True)
    search = models.CharField(max_length=800, editable=False, default="")

    objects = TreeManager.from_queryset(OrgUnitQuerySet)()

    class Meta:
        verbose_name = "подразделение"
        verbose_name_plural = "подразделения"
        indexes = [
            # Every subtree question is a range scan on (tree_id, lft).
            models.Index(fields=["tree_id", "lft"], name="orgunit_tree_lft"),
            models.Index(fields=["region", "search"], name="orgunit_region_search"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="orgunit_closed_after_opened",
            ),
        ]
        permissions = [
            ("view_subtree", "Просмотр подразделения и всех нижестоящих"),
            ("manage_members", "Ведение состава подразделения"),
            ("manage_members_subtree", "Ведение составов подразделения и нижестоящих"),
            ("manage_subtree", "Администрирование подразделения и нижестоящих"),
            ("review_subtree", "Согласование документов нижестоящих"),
            ("file_documents", "Представление документов подразделения"),
        ]

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("orgunits:unit", args=[self.pk])

    @property
    def is_active(self):
        return self.closed_on is None

    @property
    def descendant_total(self):
        return (self.rght - self.lft - 1) // 2

    def clean(self):
        errors = {}
        if self.kind_id:
            errors.update(placement_errors(self.kind, self.parent, self.region_id))
            if self.kind.requires_school and not self.school_id:
                errors["school"] = f"Для вида «{self.kind.name}» укажите образовательную организацию."
            if not self.kind.requires_school and self.school_id:
                errors["school"] = f"Вид «{self.kind.name}» не относится к школе: оставьте поле пустым."
        if self.school_id and self.region_id and self.school.municipality.region_id != self.region_id:
            errors["school"] = "Школа находится в другом регионе."
        if self.opened_on and self.closed_on and self.closed_on < self.opened_on:
            errors["closed_on"] = "Дата прекращения работы раньше даты начала."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.search = normalize_search(self.name, self.short_name)
        super().save(*args, **kwargs)


def placement_errors(kind: UnitKind, parent: "OrgUnit | None", region_id) -> dict:
    """Why a unit of `kind` may not sit under `parent` (empty when it may)."""
    allowed = list(kind.allowed_parents.all())
    if parent is None:
        if allowed:
            names = ", ".join(sorted(str(k) for k in allowed))
            return {"parent": f"«{kind.name}» не может быть корнем: укажите вышестоящее ({names})."}
        return {}
    if parent.kind_id not in {k.pk for k in allowed}:
        if not allowed:
            return {"parent": f"«{kind.name}» может быть только корнем дерева региона."}
        names = ", ".join(sorted(str(k) for k in allowed))
        return {"parent": f"«{kind.name}» не может входить в «{parent.kind.name}». Допустимо: {names}."}
    if region_id and parent.region_id != region_id:
        return {"parent": "Вышестоящее подразделение находится в другом регионе."}
    if parent.closed_on:
        return {"parent": f"«{parent}» прекратило работу: в него нельзя добавлять подразделения."}
    return {}
