import datetime

from celery import shared_task
from django.utils import timezone

from .deadlines import run_sweep


# A step that failed (network.periodic) is retried with the whole sweep: the steps that worked send nothing twice.
@shared_task(
    name="submissions.deadline_sweep",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=300,
    max_retries=5,
)
def deadline_sweep(day: str | None = None) -> str:
    """Beat runs this daily; safe to retry: every step is recorded once (DeadlineEvent)."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    return run_sweep(today).summary()
