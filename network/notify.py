"""Notifications: stored for the bell, e-mailed afterwards.

Storing and mailing are separate steps so that a crash between them loses nothing: a
notification whose `emailed_at` is empty is mailed by the next `send_pending_emails()`.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification

log = logging.getLogger(__name__)


def notification_rows(users, text: str, url: str = "") -> list[Notification]:
    """Unsaved notifications, one per user (a user listed twice gets one), for a bulk insert."""
    return [Notification(user=u, text=text[:500], url=url) for u in {u.pk: u for u in users}.values()]


def notify(users, text: str, url: str = "") -> list[Notification]:
    return Notification.objects.bulk_create(notification_rows(users, text, url))


def send_pending_emails(limit: int = 5000) -> int:
    """Mail notifications not mailed yet; each is marked as it goes, so a retry resumes."""
    sent = 0
    pending = Notification.objects.filter(emailed_at__isnull=True).select_related("user").order_by("pk")[:limit]
    for note in pending:
        with transaction.atomic():
            # Lock the row: two sweeps running at once must not both mail it.
            locked = Notification.objects.select_for_update().filter(pk=note.pk, emailed_at__isnull=True).first()
            if locked is None:
                continue
            if note.user.email:
                try:
                    send_mail(
                        "Методсеть: " + note.text[:80],
                        note.text + (f"\n\n{settings.PORTAL_URL.rstrip('/')}{note.url}" if note.url else ""),
                        None,
                        [note.user.email],
                    )
                except OSError:
                    log.exception("could not mail notification %s", note.pk)
                    continue
            locked.emailed_at = timezone.now()
            locked.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
