"""Exports and imports of registers: each one is also the audit record of who took or changed
what, and when (152-ФЗ for the registers of personal data)."""

import uuid

from django.conf import settings
from django.db import models


def export_path(instance, filename):
    # An unguessable name: the file is served only through the owner's download view anyway.
    return f"registers/exports/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}/{filename}"


def import_path(instance, filename):
    return f"registers/imports/{uuid.uuid4().hex}/{filename}"


class Format(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV (.csv)"


class Export(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "в очереди"
        RUNNING = "running", "формируется"
        DONE = "done", "готова"
        FAILED = "failed", "ошибка"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="кто")
    register = models.CharField("реестр", max_length=40)
    format = models.CharField("формат", max_length=10, choices=Format.choices, default=Format.XLSX)
    params = models.JSONField("фильтры", default=dict, blank=True)
    status = models.CharField("состояние", max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField("строк всего", default=0)
    rows_done = models.PositiveIntegerField("строк готово", default=0)
    background = models.BooleanField("в фоне", default=False)
    file = models.FileField(upload_to=export_path, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # A background job (network/jobs.py): queued_at empty while the broker has not taken it,
    # touched_at the last sign of life (queued, started, progress), attempts how many runs started.
    queued_at = models.DateTimeField("в очереди с", null=True, blank=True)
    touched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField("готова", null=True, blank=True)

    class Meta:
        verbose_name = "выгрузка реестра"
        verbose_name_plural = "выгрузки реестров"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.register} ({self.get_format_display()}) — {self.user}, {self.created_at:%d.%m.%Y %H:%M}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0


class Import(models.Model):
    """An uploaded file: checked and previewed (dry run), then written in one transaction or not at all.

    Every file is checked, and then loaded, by a Celery worker (queue «exports», network/jobs.py; issue 14):
    CHECK → CHECKING → PREVIEW | INVALID | FAILED, and on confirmation LOAD → LOADING → DONE | INVALID | FAILED.
    Only PREVIEW can be confirmed. Before issue 14 a small file was checked in its request (background False)."""

    class Status(models.TextChoices):
        CHECK = "check", "ждёт проверки"
        CHECKING = "checking", "проверяется"
        PREVIEW = "preview", "проверен, ждёт подтверждения"
        INVALID = "invalid", "есть ошибки"
        LOAD = "load", "ждёт загрузки"
        LOADING = "loading", "загружается"
        DONE = "done", "загружен"
        FAILED = "failed", "ошибка"
        CANCELLED = "cancelled", "отменён"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="кто")
    register = models.CharField("реестр", max_length=40)
    file = models.FileField(upload_to=import_path)
    original_name = models.CharField("файл", max_length=255)
    status = models.CharField("состояние", max_length=10, choices=Status.choices, default=Status.PREVIEW)
    # Row outcomes of the last run: [{"row": 2, "outcome": "new|update|skip|error", "errors": [...], "values": {...}}]
    rows = models.JSONField(default=list, blank=True)
    totals = models.JSONField(default=dict, blank=True)
    # The file's columns the import does not use (skipped, not an error), as the preview names them.
    ignored_columns = models.TextField("пропущенные столбцы", blank=True)
    rows_total = models.PositiveIntegerField("строк в файле", default=0)
    # Progress of the running step, written by the worker as it goes: rows checked (CHECKING) or written (LOADING).
    rows_done = models.PositiveIntegerField("обработано строк", default=0)
    background = models.BooleanField("в фоне", default=False)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField("в очереди с", null=True, blank=True)
    touched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField("загружен", null=True, blank=True)

    class Meta:
        verbose_name = "загрузка реестра"
        verbose_name_plural = "загрузки реестров"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.register}: {self.original_name} — {self.user}"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.CHECK, self.Status.CHECKING, self.Status.LOAD, self.Status.LOADING)
