"""Login throttling on top of django-axes: limits, the Russian lockout page, the list of locks and unlocking.

A login is locked when either the username or the client address has too many recent failures:
guessing one person's password from many addresses and trying many logins from one address are both
stopped. The address limit is higher than the username one because a whole school often reaches the
portal through one address (NAT): a few teachers' typos there must not lock their colleagues out.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone

from .models import Unlock

log = logging.getLogger("accounts.security")


def client_ip(request) -> str | None:
    """The client's address; behind TRUSTED_PROXY_COUNT reverse proxies, taken from X-Forwarded-For.

    Only the entries the trusted proxies appended are believed: a client can write anything at the left.
    Without this, behind nginx every request would come from the proxy and one address lock would lock all.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def address_limit() -> int:
    return settings.ACCOUNTS_ADDRESS_FAILURE_LIMIT


class PortalAxesHandler(AxesDatabaseHandler):
    """Axes's database handler with a separate failure limit for the address and a safe reset on success."""

    def get_failures(self, request, credentials=None) -> int:
        # Axes compares one number with AXES_FAILURE_LIMIT. The address count is scaled so that it reaches
        # that limit exactly when the address reaches its own, higher limit (floor(n·L/A) ≥ L ⇔ n ≥ A).
        limit = get_failure_limit(request, credentials)
        worst = 0
        parameters = get_lockout_parameters(request, credentials)
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            if parameter == "ip_address":
                failures = failures * limit // address_limit()
            worst = max(worst, failures)
        return worst

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        # Forget the person's own typos once they get in. Not AXES_RESET_ON_SUCCESS: with the address among
        # the lockout parameters it would also wipe the address's count, so an attacker holding one valid
        # account could reset it between guesses at other people's passwords.
        AccessAttempt.objects.filter(username=user.get_username()).delete()


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs):
    # A new lock is the request that reached the limit (axes counted it); later refusals only repeat it.
    if getattr(request, "axes_failures_since_start", None) is not None:
        log.warning("Вход заблокирован: логин %r, адрес %s (слишком много неудачных попыток)", username, ip_address)
    else:
        log.info("Отказ во входе во время блокировки: логин %r, адрес %s", username, ip_address)


# -- what a locked-out person sees ---------------------------------------------------------------------


def locked_until(username: str | None, ip_address: str | None) -> datetime | None:
    """When the lock on this username or address ends (the later of the two), or None if neither is locked."""
    ends = [lock.until for lock in current_lockouts(Q(username=username) | Q(ip_address=ip_address))]
    return max(ends, default=None)


def wait_text(until: datetime | None) -> str:
    if until is None:
        return "Слишком много неудачных попыток входа. Повторите попытку позже."
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return (
        f"Слишком много неудачных попыток входа. Вход временно заблокирован: повторите попытку через "
        f"{minutes} мин. (после {timezone.localtime(until):%H:%M}). Если забыли пароль, восстановите его по "
        f"ссылке ниже или попросите администратора региона снять блокировку."
    )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page itself, with the reason and the time to wait, status 429."""
    username = get_client_username(request, credentials)
    form = AuthenticationForm(request, initial={"username": username or ""})
    context = {
        "form": form,
        "lockout_message": wait_text(locked_until(username, getattr(request, "axes_ip_address", None))),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


# -- the lockouts page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lockout:
    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    until: datetime

    @property
    def label(self) -> str:
        return "логин" if self.kind == "username" else "адрес"


def current_lockouts(within: Q | None = None) -> list[Lockout]:
    """Usernames and addresses locked right now, by the same counts and window axes uses."""
    cool_off: timedelta = get_cool_off()
    recent = AccessAttempt.objects.filter(within or Q(), attempt_time__gte=timezone.now() - cool_off)
    lockouts = []
    for kind, limit in (("username", settings.AXES_FAILURE_LIMIT), ("ip_address", address_limit())):
        rows = (
            recent.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
            .order_by("-last")
        )
        lockouts += [Lockout(kind, row[kind], row["failures"], row["last"] + cool_off) for row in rows]
    return lockouts


def visible_lockouts(user, access) -> list[Lockout]:
    """A superuser sees every lock; a regional administrator the usernames of people of their regions."""
    if access.superuser:
        return current_lockouts()
    regions = access.regions("manage")
    if not regions:
        return []
    usernames = get_user_model().objects.filter(person__region__in=regions).values("username")
    return current_lockouts(Q(username__in=usernames))


@transaction.atomic
def unlock(by, lockout: Lockout) -> Unlock:
    """Lift one lock: drop the attempts that make it up and record who did it."""
    removed, _ = AccessAttempt.objects.filter(**{lockout.kind: lockout.value}).delete()
    record = Unlock.objects.create(
        by=by,
        username=lockout.value if lockout.kind == "username" else "",
        ip_address=lockout.value if lockout.kind == "ip_address" else None,
        attempts_removed=removed,
    )
    log.warning("Блокировка входа снята: %s %r, снял %s", lockout.label, lockout.value, by.get_username())
    return record
