import datetime

from celery import shared_task
from django.utils import timezone


@shared_task(name="monitoring.compute_campaign", acks_late=True)
def compute_campaign(campaign_id: int, day: str | None = None) -> str:
    """Compute a big campaign in the background; safe to retry (compute is idempotent, a closed
    campaign is refused inside the compute's own transaction)."""
    from django.core.exceptions import ValidationError

    from .services import compute

    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    try:
        return str(compute(campaign_id, today))
    except ValidationError as exc:
        return " ".join(exc.messages)
