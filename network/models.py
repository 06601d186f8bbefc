"""Shared model pieces: optimistic versioning and search normalisation."""

from django.conf import settings
from django.db import models, transaction


def normalize_search(*parts: str) -> str:
    """Lower-case, ё→е text for substring search.

    SQLite's LIKE folds case for ASCII only, so a Cyrillic `icontains` silently misses
    «Терский» for «терский»; searching a pre-folded column works on every database.
    """
    text = " ".join(p for p in parts if p)
    return " ".join(text.lower().replace("ё", "е").split())


class StaleVersionError(Exception):
    """Somebody saved the row after this editor loaded it."""


class VersionedModel(models.Model):
    """Optimistic locking: an edit carries the version it was made on.

    `save_versioned()` writes only if nobody has saved since, so two people editing one
    record never silently overwrite each other.
    """

    version = models.PositiveIntegerField("версия", default=1, editable=False)

    class Meta:
        abstract = True

    def claim_version(self, expected_version: int) -> None:
        """Move the row from `expected_version` to the next one; StaleVersionError if it has moved.

        For edits that write other rows (a protocol's items) and not this one's fields; call inside
        the edit's transaction, so that a failure later undoes the claim."""
        # The conditional UPDATE takes the row lock, so of two concurrent editors
        # exactly one sees its version still current.
        bumped = (
            type(self)
            ._base_manager.filter(pk=self.pk, version=expected_version)
            .update(version=models.F("version") + 1)
        )
        if not bumped:
            raise StaleVersionError
        self.version = expected_version + 1

    def save_versioned(self, expected_version: int):
        """Save if the row is still at `expected_version`; raise StaleVersionError otherwise."""
        with transaction.atomic():
            self.claim_version(expected_version)
            self.save()

    def delete_versioned(self, expected_version: int):
        """Delete if the row is still at `expected_version`; raise StaleVersionError otherwise
        (nobody loses an edit made after the page with the «Удалить» button was opened)."""
        with transaction.atomic():
            # The row lock keeps a concurrent edit from slipping in between the check and the delete.
            locked = type(self)._base_manager.select_for_update().filter(pk=self.pk, version=expected_version).first()
            if locked is None:
                raise StaleVersionError
            # Through the instance, so that cascades and delete signals run as for any delete.
            return locked.delete()

    def bump_version(self) -> None:
        """A change saved without a version check (a status set in one click) still moves the
        version, so that an editor who loaded the record before it is warned."""
        type(self)._base_manager.filter(pk=self.pk).update(version=models.F("version") + 1)
        self.version += 1


class Notification(models.Model):
    """A message in the portal (the bell) and, until mailed, a letter in the outbox.

    `network.notify.relay_outbox` mails it at most once: it claims the row (SENDING) and
    commits the claim before talking to the mail server, then marks it SENT. A failure is
    written on the row (attempts, last error) and retried later; see the relay for the rules.
    """

    class EmailStatus(models.TextChoices):
        PENDING = "pending", "ждёт отправки"
        SENDING = "sending", "отправляется"
        SENT = "sent", "отправлено"
        NO_ADDRESS = "no_address", "нет адреса"
        FAILED = "failed", "не удалось отправить"
        INTERRUPTED = "interrupted", "отправка прервана"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField("текст", max_length=500)
    url = models.CharField("ссылка", max_length=300, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)
    # Asks the user to act (a document to agree, a return to fix, a signature) rather than informs:
    # the bell lists these apart («Требуют действия» / «Для сведения»).
    needs_action = models.BooleanField("требует действия", default=False)
    emailed_at = models.DateTimeField("отправлено по почте", null=True, blank=True)
    email_status = models.CharField(
        "письмо", max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING, editable=False
    )
    email_attempts = models.PositiveSmallIntegerField("попыток отправки", default=0, editable=False)
    email_error = models.TextField("последняя ошибка отправки", blank=True, editable=False)
    # A failed letter waits until then (backoff); empty: as soon as a relay runs.
    email_next_try_at = models.DateTimeField("следующая попытка", null=True, blank=True, editable=False)
    email_claimed_at = models.DateTimeField("взято на отправку", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            # The outbox, oldest first: only the rows still to mail are indexed, however long the history.
            models.Index(
                fields=["id"],
                name="notification_outbox",
                condition=models.Q(email_status="pending"),
            ),
            # Claims left behind by a killed relay are found without scanning the history.
            models.Index(
                fields=["email_claimed_at"],
                name="notification_sending",
                condition=models.Q(email_status="sending"),
            ),
        ]

    def __str__(self):
        return self.text


def rendered_path(instance, filename):
    return f"pdf/{instance.kind}/{instance.object_id}/{filename}"


class RenderedDocument(models.Model):
    """A PDF rendered once for one version of its document, then served from storage."""

    class Status(models.TextChoices):
        PENDING = "pending", "в очереди"
        RUNNING = "running", "формируется"
        DONE = "done", "готов"
        FAILED = "failed", "ошибка"

    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=rendered_path, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A background render (network/jobs.py): empty queued_at while the broker has not taken it;
    # touched_at is the last sign of life, attempts how many runs started.
    queued_at = models.DateTimeField(null=True, blank=True)
    touched_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    rendered_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = "сформированный PDF"
        verbose_name_plural = "сформированные PDF"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "version"], name="rendered_once_per_version")
        ]

    def __str__(self):
        return f"{self.kind} #{self.object_id} v{self.version}: {self.get_status_display()}"


class SweepRun(models.Model):
    """One daily sweep of one region for one of its local dates (issue 13: time is the region's).

    The hourly task (network.tasks.regional_sweep) sweeps a region once its local clock passes
    SWEEP_LOCAL_HOUR; this row, unique per (region, day), is how it knows the day is done. A run that
    failed or was killed stays unfinished and is taken again by the next hour (the steps are idempotent).
    """

    region = models.ForeignKey(
        "orgunits.Region", on_delete=models.CASCADE, related_name="sweep_runs", verbose_name="регион"
    )
    day = models.DateField("день (местная дата региона)")
    started_at = models.DateTimeField("начат", null=True, blank=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)
    summary = models.TextField("итог", blank=True)

    class Meta:
        verbose_name = "ежедневный проход региона"
        verbose_name_plural = "ежедневные проходы регионов"
        constraints = [models.UniqueConstraint(fields=["region", "day"], name="sweep_run_once_per_region_day")]

    def __str__(self):
        return f"{self.region_id}: {self.day:%d.%m.%Y}"
