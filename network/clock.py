"""Time is the region's (issue 13): every «today» that decides a rule is the date in the time zone of the
region the object belongs to, not the server's.

A region keeps its IANA time zone (orgunits.Region.timezone: Buryatia is Asia/Irkutsk, Kuzbass
Asia/Novokuznetsk). A plan due on 25.02 and sent at 00:30 on 26.02 Irkutsk time is late, although it is still
25.02 in Moscow. The clock is read once per rule: callers pass `now` (one reading of timezone.now()) and get the
local date of that same moment.

    region_of(obj)             the object's region (a Region, obj.region, obj.unit.region, a campaign's…), or None
    zone(region)               its ZoneInfo; settings.TIME_ZONE when there is no region or its zone is unknown
    local_now(region, now)     the moment in the region's zone
    local_today(region, now)   the region's date at that moment
    today_of(obj, now)         local_today(region_of(obj), now)
"""

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ObjectDoesNotExist
from django.dispatch import receiver
from django.utils import timezone

# Where an object's region may be found, in order: its own, then through what it belongs to.
_THROUGH = ("unit", "campaign", "submission", "meeting", "program", "survey", "order", "person")


def _related(obj, name):
    try:
        return getattr(obj, name, None)
    except ObjectDoesNotExist:
        return None


def region_of(obj):
    """The Region an object belongs to, or None (an object of no region, or None itself)."""
    from orgunits.models import Region

    for _ in range(4):  # a meeting's unit's region at most; never loops on odd objects
        if obj is None or isinstance(obj, Region):
            return obj
        if getattr(obj, "region_id", None) is not None:
            return _related(obj, "region")
        for name in _THROUGH:
            nxt = _related(obj, name)
            if nxt is not None and not callable(nxt):
                obj = nxt
                break
        else:
            return None
    return None


def zone(region) -> ZoneInfo:
    """The region's time zone (a Region, or an IANA name); the portal's TIME_ZONE as a fallback."""
    name = region if isinstance(region, str) else getattr(region, "timezone", None)
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo(settings.TIME_ZONE)


def local_now(region, now: datetime.datetime | None = None) -> datetime.datetime:
    return timezone.localtime(now or timezone.now(), zone(region))


def local_today(region, now: datetime.datetime | None = None) -> datetime.date:
    return local_now(region, now).date()


def today_of(obj, now: datetime.datetime | None = None) -> datetime.date:
    """The date, in the object's region, at `now` (one reading of the clock)."""
    return local_today(region_of(obj), now)


# -- the viewer's zone: pages show times in the viewer's region (network.middleware) ----------------------

SESSION_KEY = "_metodset_time_zone"


def viewer_zone_name(user) -> str:
    """The time zone of the viewer's region: of their person card, else of their first grant; a superuser
    (and anyone of no region) sees the portal's TIME_ZONE."""
    from orgunits.access import Access
    from orgunits.models import Region
    from people.models import Person

    if user.is_superuser:
        return settings.TIME_ZONE
    name = Person.objects.filter(user=user).values_list("region__timezone", flat=True).first()
    if not name:  # loaded, not access_for(): a login must not leave grants cached on the user object
        spans = sorted((s for spans in Access.load(user).grants.values() for s in spans), key=lambda s: s.unit_id)
        if spans:
            name = Region.objects.filter(pk=spans[0].region_id).values_list("timezone", flat=True).first()
    return name or settings.TIME_ZONE


def viewer_zone(request) -> ZoneInfo:
    """The zone of the request's user, cached in the session (written at login, see below)."""
    user = request.user
    session = getattr(request, "session", None)
    cached = session.get(SESSION_KEY) if session is not None else None
    if not cached or cached[0] != user.pk:
        cached = [user.pk, viewer_zone_name(user)]
        if session is not None:
            session[SESSION_KEY] = cached
    return zone(cached[1])


@receiver(user_logged_in, dispatch_uid="network.clock.remember_viewer_zone")
def remember_viewer_zone(sender, request, user, **kwargs):
    # Written with the login's own session save, so the pages after a login look nothing up.
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = [user.pk, viewer_zone_name(user)]
