import datetime

from celery import shared_task

from .deadlines import run_regional_sweeps, run_sweep


# A step that failed (network.periodic) is retried with the whole sweep: the steps that worked send nothing twice.
@shared_task(
    name="submissions.deadline_sweep",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=300,
    max_retries=5,
)
def deadline_sweep(day: str | None = None) -> str:
    """A replay of one date for every region (as `run_deadline_sweep --date`); without a date, the regions
    whose local morning has come (the hourly network.regional_sweep does this). Safe to retry: every step
    is recorded once (DeadlineEvent…)."""
    if day:
        return run_sweep(datetime.date.fromisoformat(day)).summary()
    return "; ".join(r.summary() for r in run_regional_sweeps())
