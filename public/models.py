"""The secret address of a user's private calendar feed: calendar apps cannot log in."""

import secrets

from django.conf import settings
from django.db import models


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """One per user; a reset replaces it, so an old address stops answering at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token", verbose_name="пользователь"
    )
    token = models.CharField("ключ", max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField("создан", auto_now=True)

    class Meta:
        verbose_name = "ключ календаря"
        verbose_name_plural = "ключи календарей"

    def __str__(self):
        return f"календарь {self.user}"

    def reset(self):
        self.token = new_token()
        self.save(update_fields=["token", "created_at"])
