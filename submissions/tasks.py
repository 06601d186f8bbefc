import datetime

from celery import shared_task
from django.utils import timezone

from .deadlines import run_sweep


@shared_task(name="submissions.deadline_sweep", acks_late=True)
def deadline_sweep(day: str | None = None) -> str:
    """Beat runs this daily; safe to retry: every step is recorded once (DeadlineEvent)."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return run_sweep(today).summary()
