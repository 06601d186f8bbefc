from django.conf import settings
from django.db import models


class Unlock(models.Model):
    """Who lifted which login lockout and when: axes deletes the attempts, this keeps the trace."""

    at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="кто снял"
    )
    username = models.CharField("логин", max_length=255, blank=True)
    ip_address = models.GenericIPAddressField("адрес", null=True, blank=True)
    attempts_removed = models.PositiveIntegerField("удалено записей о попытках", default=0)

    class Meta:
        verbose_name = "снятие блокировки входа"
        verbose_name_plural = "снятия блокировок входа"
        ordering = ["-at"]

    def __str__(self):
        target = self.username or self.ip_address
        return f"{self.at:%d.%m.%Y %H:%M} {self.by} снял блокировку {target}"


class PasswordResetRequest(models.Model):
    """One request of a reset link: the counter behind the rate limit.

    A table rather than the cache: the project configures no shared cache, and Django's default
    LocMemCache counts per gunicorn worker, so three workers would triple the limit. The e-mail is kept
    only as a keyed hash: requests for addresses nobody has are not personal data worth keeping.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    email_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["ip_address", "at"], name="reset_request_ip_at"),
            models.Index(fields=["email_hash", "at"], name="reset_request_email_at"),
        ]

    def __str__(self):
        return f"{self.at:%d.%m.%Y %H:%M} {self.ip_address}"
