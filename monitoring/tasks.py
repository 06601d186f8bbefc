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
    """Compute a campaign in the background (queue «monitoring»); safe to retry (compute is idempotent, a
    closed campaign is refused inside the compute's own writing transaction). The waiting Computation that
    request_computation wrote is claimed first, so a message sent twice computes once; the compute's
    progress (steps done of total, the current step) is written on it as it goes, with a sign of life."""
    from django.core.exceptions import ValidationError

    from .services import compute

    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    waiting = Computation.objects.filter(campaign_id=campaign_id, day=today, status=Computation.Status.PENDING)
    job = waiting.order_by("pk").first()
    if job is None or not jobs.claim(COMPUTE_JOB, job.pk):  # done already, or another worker has it
        return "nothing to do"
    ran = Computation.objects.filter(pk=job.pk)

    def progress(done: int, total: int, stage: str) -> None:
        ran.update(steps_done=done, steps_total=total, stage=stage[:300], touched_at=timezone.now())

    try:
        summary = str(compute(campaign_id, today, progress=progress))
    except ValidationError as exc:
        summary = " ".join(exc.messages)
    except Exception as exc:  # recorded for the campaign page, then Celery logs it
        ran.update(status=Computation.Status.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000], stage="")
        raise
    ran.update(status=Computation.Status.DONE, summary=summary[:500], stage="", finished_at=timezone.now())
    return summary


ACTIVE = (Computation.Status.PENDING, Computation.Status.RUNNING)


def request_computation(campaign, today: datetime.date, user) -> tuple[Computation, bool]:
    """Record the computation a reviewer asked for and send it to a worker after the commit. A computation
    already waiting or running for the campaign is not asked twice: returns it and False. While the broker
    is down the new row keeps `queued_at` empty and says so (network.jobs), and the requeue sends it later."""
    active = Computation.objects.filter(campaign=campaign, status__in=ACTIVE).order_by("-pk").first()
    if active is not None:
        return active, False
    job = Computation.objects.create(campaign=campaign, day=today, requested_by=user, touched_at=timezone.now())
    jobs.enqueue(compute_campaign, campaign.pk, today.isoformat(), job=job)
    return job, True
