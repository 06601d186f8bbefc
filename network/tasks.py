import socket

from celery import shared_task


@shared_task(name="network.ping")
def ping(payload: str = "") -> dict:
    """A no-op round trip: proves a worker is consuming the broker (healthz and CI use it)."""
    return {"pong": payload, "worker": socket.gethostname()}
