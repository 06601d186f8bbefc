import socket

from celery import shared_task


@shared_task(name="network.ping")
def ping(payload: str = "") -> dict:
    """A no-op round trip: proves a worker is consuming the broker (healthz and CI use it)."""
    return {"pong": payload, "worker": socket.gethostname()}


@shared_task(name="network.render_document", acks_late=True)
def render_document(rendered_id: int) -> str:
    """Render a long PDF in the background; a retry after a crash renders it again."""
    from .models import RenderedDocument
    from .pdf import render_and_store

    rendered = RenderedDocument.objects.filter(pk=rendered_id).first()
    if rendered is None or rendered.status == RenderedDocument.Status.DONE:
        return "nothing to do"
    render_and_store(rendered)
    return rendered.filename


@shared_task(name="network.relay_mail", ignore_result=True)
def relay_mail() -> dict:
    """Mail the outbox (network.notify): queued on commit by notify() and run every minute by beat.

    Several may run at once; each claims its own letters, and a letter is never sent twice.
    ignore_result: a result a minute would only fill the result backend.
    """
    from dataclasses import asdict

    from .notify import relay_outbox

    return asdict(relay_outbox())
