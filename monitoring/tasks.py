import datetime

from celery import shared_task
from django.utils import timezone

from network import jobs

from .models import Computation

COMPUTE_JOB = jobs.register(
    jobs.JobKind(
        name="monitoring-compute",
        model=Computation,
        task="monitoring.tasks.compute_campaign",
        ready=Computation.Status.PENDING,
        running=Computation.Status.RUNNING,
        failed=Computation.Status.FAILED,
        args=lambda job: (job.campaign_id, job.day.isoformat()),
    )
)


@shared_task(name="monitoring.compute_campaign", acks_late=True, ignore_result=True)
def compute_campaign(campaign_id: int, day: str | None = None) -> str:
    """Compute a big campaign in the background; safe to retry (compute is idempotent, a closed
    campaign is refused inside the compute's own transaction). The waiting Computation that
    start_compute wrote is claimed first, so a message sent twice computes once."""
    from django.core.exceptions import ValidationError

    from .services import compute

    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    waiting = Computation.objects.filter(campaign_id=campaign_id, day=today, status=Computation.Status.PENDING)
    job = waiting.order_by("pk").first()
    if job is not None and not jobs.claim(COMPUTE_JOB, job.pk):
        return "nothing to do"
    ran = Computation.objects.filter(pk=job.pk) if job is not None else Computation.objects.none()
    try:
        summary = str(compute(campaign_id, today))
    except ValidationError as exc:
        summary = " ".join(exc.messages)
    except Exception as exc:  # recorded for the campaign page, then Celery logs it
        ran.update(status=Computation.Status.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000])
        raise
    ran.update(status=Computation.Status.DONE, summary=summary[:500], finished_at=timezone.now())
    return summary


def request_computation(campaign, today: datetime.date, user) -> bool | None:
    """Record the computation a reviewer asked for and send it to a worker. A computation already
    waiting or running for that day is not asked twice. Returns what network.jobs.enqueue says
    (False: the broker is down, the computation waits and is sent later)."""
    active = [Computation.Status.PENDING, Computation.Status.RUNNING]
    if Computation.objects.filter(campaign=campaign, day=today, status__in=active).exists():
        return None
    job = Computation.objects.create(campaign=campaign, day=today, requested_by=user, touched_at=timezone.now())
    return jobs.enqueue(compute_campaign, campaign.pk, today.isoformat(), job=job)
