"""Methodological developments sent for expertise to РУМО (000 г) and the bank of successful
practices (002, направление 4).

    черновик → на экспертизе → у экспертов → рекомендована → в банке практик
                                          ↘ на доработку → представлена повторно → у экспертов …
                                          ↘ отклонена

The rules of the workflow live in practices/machines.py (a machine of workflow.engine); every
change of state is one history.LogEntry.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from network.models import VersionedModel, normalize_search
from orgunits.access import RestrictedQuerySet


class EducationLevel(models.TextChoices):
    """Levels of education a development is meant for (the sections НОО, ООО–СОО of the seeds)."""

    DO = "do", "ДО — дошкольное образование"
    NOO = "noo", "НОО — начальное общее образование"
    OOO = "ooo", "ООО — основное общее образование"
    SOO = "soo", "СОО — среднее общее образование"
    SPO = "spo", "СПО — среднее профессиональное образование"
    DPO = "dpo", "ДПО — дополнительное профессиональное образование"


class MaterialKind(models.TextChoices):
    DEVELOPMENT = "development", "методическая разработка"
    PROGRAM = "program", "рабочая программа"
    LESSON = "lesson", "разработка урока"
    EXTRACURRICULAR = "extracurricular", "занятие внеурочной деятельности"
    DIDACTIC = "didactic", "дидактические материалы"
    RECOMMENDATIONS = "recommendations", "методические рекомендации"
    OTHER = "other", "другое"


class State(models.TextChoices):
    DRAFT = "draft", "черновик"
    SUBMITTED = "submitted", "направлена на экспертизу"
    IN_EXPERTISE = "in_expertise", "у экспертов"
    TO_REVISE = "to_revise", "на доработке"
    RESUBMITTED = "resubmitted", "представлена повторно"
    RECOMMENDED = "recommended", "рекомендована"
    REJECTED = "rejected", "отклонена"
    PUBLISHED = "published", "в банке практик"


class Verdict(models.TextChoices):
    RECOMMEND = "recommend", "рекомендовать"
    REVISE = "revise", "вернуть на доработку"
    REJECT = "reject", "отклонить"


# The badge colours of static/css/metodset.css, shared with the submissions' workflow.
STATE_CSS = {
    State.DRAFT: "draft",
    State.SUBMITTED: "submitted",
    State.IN_EXPERTISE: "submitted",
    State.RESUBMITTED: "submitted",
    State.TO_REVISE: "returned",
    State.RECOMMENDED: "approved",
    State.PUBLISHED: "approved",
    State.REJECTED: "missing",
}

# The most severe verdict first: the decision the reviewer is offered by default.
SEVERITY = [Verdict.REJECT, Verdict.REVISE, Verdict.RECOMMEND]


class DevelopmentQuerySet(RestrictedQuerySet):
    # Only «view»: what one may do with a development is decided by its workflow, step by step.
    actions = frozenset({"view"})

    def _restrict_q(self, access, action):
        """Seen by its author, whoever views the sending unit, the reviewers of the expertise unit
        and the experts assigned to it."""
        user = access.user
        if access.superuser:
            return Q()
        if not getattr(user, "is_authenticated", False):
            return None
        assigned = ExpertAssignment.objects.filter(expert=user).values("development_id")
        q = Q(author__user=user) | Q(created_by=user) | Q(pk__in=assigned)
        units = access.q_for_units("view", prefix="unit__")
        if units is not None:
            q |= units
        expertise = access.q_for_units("review", prefix="expertise_unit__")
        if expertise is not None:
            q |= expertise
        return q

    def published(self):
        return self.filter(state=State.PUBLISHED)


class Development(VersionedModel):
    author = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="developments", verbose_name="автор"
    )
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        related_name="developments",
        verbose_name="направившее подразделение",
    )
    expertise_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expertise_developments",
        verbose_name="проводит экспертизу",
    )
    title = models.CharField("название", max_length=300)
    annotation = models.TextField("аннотация")
    subject = models.ForeignKey(
        "people.Subject", on_delete=models.PROTECT, related_name="developments", verbose_name="предмет"
    )
    level = models.CharField("уровень образования", max_length=10, choices=EducationLevel.choices)
    material = models.CharField(
        "вид материала", max_length=20, choices=MaterialKind.choices, default=MaterialKind.DEVELOPMENT
    )
    topic = models.CharField(
        "тема и ключевые слова", max_length=300, help_text="Например: функциональная грамотность, дроби, 5 класс."
    )
    state = models.CharField("состояние", max_length=20, choices=State.choices, default=State.DRAFT)
    round = models.PositiveSmallIntegerField("тур экспертизы", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="создал"
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    submitted_at = models.DateTimeField("направлена", null=True, blank=True)
    decided_at = models.DateTimeField("решение", null=True, blank=True)
    published_at = models.DateTimeField("опубликована", null=True, blank=True)
    # Case-folded title, topic and annotation for the bank's search (network.models.normalize_search).
    search = models.CharField(max_length=1000, editable=False, default="")

    objects = DevelopmentQuerySet.as_manager()

    class Meta:
        verbose_name = "методическая разработка"
        verbose_name_plural = "методические разработки"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "-published_at"], name="development_bank"),
            models.Index(fields=["unit", "state"], name="development_unit_state"),
            models.Index(fields=["expertise_unit", "state"], name="development_expertise"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.search = normalize_search(self.title, self.topic, self.annotation)[:1000]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("practices:development", args=[self.pk])

    @property
    def is_editable(self):
        return self.state in (State.DRAFT, State.TO_REVISE)

    @property
    def state_css(self):
        return STATE_CSS[State(self.state)]

    @property
    def current_file(self):
        files = getattr(self, "_prefetched_objects_cache", {}).get("files")
        if files is not None:
            return max(files, key=lambda f: f.number, default=None)
        return self.files.order_by("-number").first()


def development_file_path(instance, filename):
    return f"practices/{instance.development_id}/{instance.number}/{filename}"


class DevelopmentFile(models.Model):
    """Every version of the development's file is kept: the experts see what they judged."""

    development = models.ForeignKey(Development, on_delete=models.CASCADE, related_name="files")
    number = models.PositiveSmallIntegerField("версия")
    round = models.PositiveSmallIntegerField("тур экспертизы", default=0)
    file = models.FileField("файл", upload_to=development_file_path)
    name = models.CharField("имя файла", max_length=255)
    size = models.PositiveIntegerField("размер, байт")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("загружен")

    class Meta:
        verbose_name = "файл разработки"
        verbose_name_plural = "файлы разработок"
        ordering = ["development", "number"]
        constraints = [models.UniqueConstraint(fields=["development", "number"], name="development_file_number")]

    def __str__(self):
        return f"{self.name} (версия {self.number})"


class ExpertAssignment(models.Model):
    """An expert assigned for one round of expertise, and their conclusion once written."""

    development = models.ForeignKey(Development, on_delete=models.CASCADE, related_name="assignments")
    round = models.PositiveSmallIntegerField("тур экспертизы")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_assignments", verbose_name="эксперт"
    )
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("назначен")
    verdict = models.CharField("заключение", max_length=10, choices=Verdict.choices, blank=True)
    comment = models.TextField("комментарий эксперта", blank=True)
    concluded_at = models.DateTimeField("заключение написано", null=True, blank=True)

    class Meta:
        verbose_name = "назначение эксперта"
        verbose_name_plural = "назначения экспертов"
        ordering = ["round", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["development", "round", "expert"], name="expert_once_per_round"),
            models.CheckConstraint(
                condition=Q(verdict="", concluded_at__isnull=True) | (~Q(verdict="") & Q(concluded_at__isnull=False)),
                name="conclusion_complete",
            ),
        ]

    def __str__(self):
        return f"{self.expert} — {self.development}"

    @property
    def is_concluded(self):
        return bool(self.verdict)
