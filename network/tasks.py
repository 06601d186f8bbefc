import socket

from celery import shared_task

from . import jobs
from .models import RenderedDocument


@shared_task(name="network.ping")
def ping(payload: str = "") -> dict:
    """A no-op round trip: proves a worker is consuming the broker (healthz and CI use it)."""
    return {"pong": payload, "worker": socket.gethostname()}


@shared_task(name="network.render_document", acks_late=True, ignore_result=True)
def render_document(rendered_id: int) -> str:
    """Render a long PDF in the background. Claimed first: a message sent twice (network.jobs.requeue)
    renders once; a render whose worker died is sent again by the requeue."""
    from .pdf import render_and_store

    if not jobs.claim(PDF_JOB, rendered_id):
        return "nothing to do"
    rendered = RenderedDocument.objects.get(pk=rendered_id)
    render_and_store(rendered)
    return rendered.filename


PDF_JOB = jobs.register(
    jobs.JobKind(
        name="pdf",
        model=RenderedDocument,
        task="network.tasks.render_document",
        ready=RenderedDocument.Status.PENDING,
        running=RenderedDocument.Status.RUNNING,
        failed=RenderedDocument.Status.FAILED,
    )
)


@shared_task(name="network.requeue_jobs", ignore_result=True)
def requeue_jobs() -> dict:
    """Every two minutes (beat): send the jobs the broker did not take or lost (network/jobs.py)."""
    return jobs.requeue()


@shared_task(name="network.relay_mail", ignore_result=True)
def relay_mail() -> dict:
    """Mail the outbox (network.notify): queued on commit by notify() and run every minute by beat.

    Several may run at once; each claims its own letters, and a letter is never sent twice.
    ignore_result: a result a minute would only fill the result backend.
    """
    from dataclasses import asdict

    from .notify import relay_outbox

    return asdict(relay_outbox())


@shared_task(
    name="network.regional_sweep",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=300,
    max_retries=5,
    expires=3300,  # a run that could not start within its hour is replaced by the next one
)
def regional_sweep() -> list[str]:
    """Hourly (beat): the daily sweep of every region whose local morning (SWEEP_LOCAL_HOUR) has come, with
    that region's local date, once per region and date (network.models.SweepRun; issue 13). Safe to retry:
    every step records what it did once."""
    from submissions.deadlines import run_regional_sweeps

    return [report.summary() for report in run_regional_sweeps()]
