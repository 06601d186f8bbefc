import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

LAST_ACTIVITY = "last_activity"
# Last activity is rewritten at most this often: a session save on every request would cost a write
# per page view for nothing, the timeout is counted in hours.
RESOLUTION_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="accounts.start_idle_clock")
def start_idle_clock(sender, request, user, **kwargs):
    # Written with the login's own session save, so the first page after a login saves nothing more.
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


class IdleTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT seconds without a request.

    SESSION_COOKIE_AGE stays the absolute limit from the login; this one catches the computer in the
    staff room left logged in. Goes after the auth and messages middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            timeout = settings.SESSION_IDLE_TIMEOUT
            if last is not None and now - last > timeout:
                logout(request)
                hours = timeout / 3600
                span = f"{hours:g} ч." if hours >= 1 else f"{max(1, timeout // 60)} мин."
                messages.info(request, f"Сеанс завершён: вы не работали с порталом больше {span} Войдите снова.")
            elif last is None or now - last >= RESOLUTION_SECONDS:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)
