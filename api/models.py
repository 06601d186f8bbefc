"""Per-user API tokens. Only a hash of the key is stored: the key is shown once, when it is made."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

TOKEN_PREFIX = "mts_"


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A user's key to the read-only API: one per user; a new one replaces the old, revoking deletes it.

    The key is random (256 bits), so a plain SHA-256 of it is enough to store: nothing to guess, and a
    copy of the database does not give anyone the keys."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token", verbose_name="пользователь"
    )
    digest = models.CharField("SHA-256 ключа", max_length=64, unique=True, editable=False)
    # The first characters of the key, to tell one's tokens apart on the page (not enough to use it).
    hint = models.CharField("начало ключа", max_length=12, editable=False)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    last_used_at = models.DateTimeField("последнее обращение", null=True, blank=True)

    class Meta:
        verbose_name = "токен API"
        verbose_name_plural = "токены API"

    def __str__(self):
        return f"{self.hint}… ({self.user})"

    @classmethod
    def issue(cls, user) -> tuple["ApiToken", str]:
        """A new key for `user` (the old one stops working): (token, the key — shown once, never stored)."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        cls.objects.filter(user=user).delete()
        token = cls.objects.create(user=user, digest=digest_of(key), hint=key[: len(TOKEN_PREFIX) + 4])
        return token, key
