"""GET /healthz: is the database answering, is the broker reachable (details for staff only)."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return f"error: {exc.__class__.__name__}"
    return "ok"


def check_broker() -> str:
    from network.celery import app

    try:
        # The URL is read per call (not from the app's cached pool) so the check sees what is configured now.
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """Anyone (a load balancer, a container's healthcheck) learns only "ok" or "fail".

    Which part failed, with which exception, and the broker's transport help an attacker map the
    installation, so only staff see them (logged in to the portal; 200 or 503 either way).
    """
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if healthy else "fail"}
    user = request.user
    if user.is_authenticated and (user.is_staff or user.is_superuser):
        body |= checks
        body["broker_transport"] = settings.CELERY_BROKER_URL.split("://", 1)[0]
    return JsonResponse(body, status=200 if healthy else 503)
