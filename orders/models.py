"""Orders (приказы) of the units: a register numbered per unit and calendar year.

An order follows ГОСТ Р 7.0.97-2025 (DESIGN.md, "Documents rendered with WeasyPrint"):
a heading (mandatory since the 2025 edition), the purpose «В целях …», «ПРИКАЗЫВАЮ:» and
numbered points, each with its executor and term, the last one assigning control. A
signed order is frozen. Every change goes through orders.services.
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from network.models import VersionedModel, normalize_search
from orgunits.access import RestrictedQuerySet

CONTROL_SELF = "Контроль за исполнением настоящего приказа оставляю за собой."
CONTROL_OTHER = "Контроль за исполнением настоящего приказа возложить на "
HEADING_REQUIRED = "Укажите заголовок приказа: по ГОСТ Р 7.0.97-2025 он обязателен."
PURPOSE_LEAD = "В целях"
PURPOSE_HELP = "Например: обеспечения методического сопровождения педагогических работников района."
_PURPOSE_LEAD = re.compile(r"^\s*в\s+целях(?![а-яё])[\s,:]*", re.IGNORECASE)


def purpose_rest(text: str) -> str:
    """What follows «В целях» (the portal prints those words itself): a typed «В целях» and the
    punctuation at the end are dropped, so the preamble never reads «В целях В целях …» or ends in «,»."""
    return _PURPOSE_LEAD.sub("", text or "").strip().rstrip(",.;:").rstrip()


def preamble(purpose: str) -> str:
    """«В целях …» as printed before «ПРИКАЗЫВАЮ:»; nothing at all for an empty purpose."""
    rest = purpose_rest(purpose)
    return f"{PURPOSE_LEAD} {rest}" if rest else ""


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "проект"
    # 001 §2.2: the composition of a МунУМО is approved «по согласованию» with the municipal education
    # authority — the order goes there before it is signed (orders/machines.py).
    AGREEMENT = "agreement", "на согласовании с органом управления образованием"
    AGREED = "agreed", "согласован"
    SIGNED = "signed", "подписан"


class OrderTemplate(models.TextChoices):
    APPOINT_CHAIR = "appoint_chair", "О назначении председателя"
    APPROVE_COMPOSITION = "approve_composition", "Об утверждении состава"
    APPROVE_PLAN = "approve_plan", "Об утверждении плана работы"
    APPROVE_PROGRAM = "approve_program", "Об утверждении программы и «дорожной карты»"
    FREE = "free", "Произвольный приказ"


class OrderQuerySet(RestrictedQuerySet):
    actions = frozenset({"view", "keep_records"})

    def _restrict_q(self, access, action):
        # Whoever sees the issuing unit sees its orders ("view"); preparing them is
        # orders.services.may_issue (the "keep_records" action at the unit), checked per unit.
        return access.q_for_units(action, prefix="unit__")


class Order(VersionedModel):
    unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="orders", verbose_name="издающее подразделение"
    )
    year = models.PositiveSmallIntegerField("год регистрации", editable=False)
    number = models.PositiveIntegerField("номер", editable=False)
    date = models.DateField("дата")
    place = models.CharField("место издания", max_length=200, blank=True)
    heading = models.CharField(
        "заголовок", max_length=500, help_text="Обязателен (ГОСТ Р 7.0.97-2025): «Об утверждении …», «О назначении …»."
    )
    purpose = models.TextField(
        "в целях",
        blank=True,
        help_text="Продолжение преамбулы: слова «В целях» портал печатает сам (seed 004).",
    )
    signatory = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_orders",
        verbose_name="подписывает",
    )
    signatory_position = models.CharField("должность подписывающего", max_length=300, blank=True)
    executor = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="executed_orders",
        verbose_name="исполнитель",
    )
    executor_phone = models.CharField("телефон исполнителя", max_length=30, blank=True)
    status = models.CharField(
        "статус", max_length=10, choices=OrderStatus.choices, default=OrderStatus.DRAFT, db_index=True
    )
    template = models.CharField("вид", max_length=30, choices=OrderTemplate.choices, default=OrderTemplate.FREE)
    # What the order decides: a plan, a unit (its chair, its composition), or a free subject.
    submission = models.ForeignKey(
        "submissions.Submission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name="план работы",
    )
    subject_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders_about",
        verbose_name="о подразделении",
    )
    subject = models.CharField("предмет приказа", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="создал"
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)
    signed_at = models.DateTimeField("подписан", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="отметил подписание",
    )
    search = models.CharField(max_length=700, editable=False, default="")

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = "приказ"
        verbose_name_plural = "приказы"
        ordering = ["-date", "-number", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "number"], name="order_number_once_per_unit_year"),
            models.CheckConstraint(
                condition=~Q(heading=""),
                name="order_heading_required",
                violation_error_message=HEADING_REQUIRED,
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "-date"], name="order_unit_date"),
            models.Index(fields=["year", "status"], name="order_year_status"),
            # The register's order (orders.views.RegisterMixin): a page of a national register is read
            # from this index instead of sorting every visible order.
            models.Index(fields=["-date", "-number", "-id"], name="order_register"),
        ]

    def __str__(self):
        return f"Приказ от {self.date:%d.%m.%Y} № {self.number} «{self.heading}»"

    def get_absolute_url(self):
        return reverse("orders:order", args=[self.pk])

    @property
    def preamble(self) -> str:
        return preamble(self.purpose)

    @property
    def is_signed(self):
        return self.status == OrderStatus.SIGNED

    @property
    def is_editable(self):
        return self.status == OrderStatus.DRAFT

    def save(self, *args, **kwargs):
        self.purpose = purpose_rest(self.purpose)
        self.search = normalize_search(self.heading, self.subject)
        super().save(*args, **kwargs)


class OrderPoint(models.Model):
    """One numbered point of «ПРИКАЗЫВАЮ:»: what, who, by when."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="points", verbose_name="приказ")
    position = models.PositiveSmallIntegerField("№")
    text = models.TextField("текст пункта")
    executor = models.CharField("исполнитель", max_length=300, blank=True)
    term = models.CharField("срок", max_length=100, blank=True, help_text="«до 01.10.2026», «в течение года».")

    class Meta:
        verbose_name = "пункт приказа"
        verbose_name_plural = "пункты приказа"
        ordering = ["order", "position"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="order_point_position_once")]

    def __str__(self):
        return f"{self.position}. {self.text[:80]}"

    @property
    def assigns_control(self):
        return is_control_text(self.text)


class OrderCounter(models.Model):
    """The last number issued by a unit in a calendar year; its row is the numbering lock."""

    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "счётчик номеров приказов"
        verbose_name_plural = "счётчики номеров приказов"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="order_counter_once")]

    def __str__(self):
        return f"{self.unit_id}/{self.year}: {self.last_number}"


def agreement_scan_path(instance, filename):
    return f"orders/agreements/{instance.order_id}/{filename}"


class OrderAgreement(models.Model):
    """The agreement of an order with the municipal education authority (001 §2.2: the composition of a
    МунУМО is approved «по согласованию»): who agreed and by which letter, as the secretary or the chair who
    received the letter entered it. An agreement withdrawn (the order went back to a draft) stays in the
    record with the reason; the order's current agreement is the one not withdrawn."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="agreements", verbose_name="приказ")
    authority = models.CharField(
        "орган управления образованием", max_length=300, help_text="Например: Управление образования Терского района."
    )
    official_name = models.CharField("кто согласовал (Ф. И. О.)", max_length=200)
    official_position = models.CharField("должность", max_length=300)
    letter_number = models.CharField("номер письма", max_length=50)
    letter_date = models.DateField("дата письма")
    scan = models.FileField("скан письма", upload_to=agreement_scan_path, blank=True)
    scan_name = models.CharField(max_length=255, blank=True)
    order_version = models.PositiveIntegerField("версия приказа", default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="внёс"
    )
    recorded_at = models.DateTimeField("внесено")
    withdrawn_at = models.DateTimeField("отозвано", null=True, blank=True)
    withdrawn_reason = models.TextField("причина", blank=True)

    class Meta:
        verbose_name = "согласование приказа"
        verbose_name_plural = "согласования приказов"
        ordering = ["order", "-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(withdrawn_at__isnull=True), name="order_one_current_agreement"
            )
        ]

    def __str__(self):
        return self.stamp

    @property
    def stamp(self) -> str:
        """The words of the agreement mark: «<authority>, письмо № N от DD.MM.YYYY»."""
        return f"{self.authority}, письмо № {self.letter_number} от {self.letter_date:%d.%m.%Y}"


def is_control_text(text: str) -> bool:
    return text.strip().lower().startswith("контроль")
