"""One history for the whole portal: every workflow move and every change of a tracked record.

One append-only table (not one per model): the engine writes a TRANSITION entry for each move,
the change tracker a CREATE / CHANGE / DELETE entry with the fields that changed (old → new).
The «История» tab of any object reads its entries from here, newest first.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from .context import Via


class LogEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", "создание"
        CHANGE = "change", "изменение"
        DELETE = "delete", "удаление"
        TRANSITION = "transition", "переход"

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField(db_index=False)
    object_repr = models.CharField("объект", max_length=300, blank=True)
    action = models.CharField("действие", max_length=12, choices=Action.choices)
    at = models.DateTimeField("когда", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="кто"
    )
    via = models.CharField("как", max_length=10, choices=Via.CHOICES, default=Via.SYSTEM)
    request_id = models.CharField("запрос", max_length=64, blank=True, db_index=True)
    detail = models.CharField("подробности", max_length=300, blank=True)
    # CHANGE / CREATE / DELETE: {"field": [old, new]} with display values, as JSON.
    changes = models.JSONField("изменения", default=dict, blank=True)
    # TRANSITION: the workflow kind, the move and the states (codes), and what the move required.
    kind = models.CharField("вид документа", max_length=40, blank=True)
    move = models.CharField("действие процесса", max_length=40, blank=True)
    from_state = models.CharField("из", max_length=30, blank=True)
    to_state = models.CharField("в", max_length=30, blank=True)
    reason = models.TextField("комментарий", blank=True)
    # The content as it stood at this step (what a resubmission is compared against).
    snapshot = models.JSONField(default=dict, blank=True)
    # A part of a larger record (an agenda item of a meeting, a point of an order, a membership of a
    # unit) is written about itself and also names its owner, so the owner's «История» shows it.
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Whose personal data the entry's personal fields are (a Person pk): shown only to those who may see them.
    personal_of = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "запись истории"
        verbose_name_plural = "история изменений"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="history_object_at"),
            models.Index(fields=["actor", "-at"], name="history_actor_at"),
            models.Index(fields=["owner_type", "owner_id", "-at"], name="history_owner_at"),
        ]

    def __str__(self):
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Запись истории изменить нельзя.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Запись истории удалить нельзя.")
