"""iCalendar (RFC 5545) written by hand: a unit's meetings, events and deadlines.

What a calendar app needs and this module does: CRLF line endings (§3.1), lines folded at 75 octets
without splitting a UTF-8 character, TEXT values with backslashes, commas, semicolons and newlines
escaped (§3.3.11), DTSTAMP and timed starts in UTC (the time of a meeting is the local time of its
unit's region, converted), all-day entries as DATE values with an exclusive end, and stable UIDs (the
same meeting keeps its UID, so a phone updates it instead of adding a copy).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

CRLF = "\r\n"
PRODID = "-//Методсеть//Календарь подразделений//RU"
UID_DOMAIN = "metodset"
# How far back a feed looks: a calendar app keeps what it has already shown.
PAST_DAYS = 180
# The most entries of one kind a feed carries (the nearest first).
LIMIT = 500


@dataclass(frozen=True)
class Entry:
    uid: str
    summary: str
    start: datetime.date | datetime.datetime  # a date: all day; an aware datetime: at that moment
    end: datetime.date | None = None  # the last day of an all-day entry (inclusive)
    location: str = ""
    description: str = ""
    url: str = ""


def escape(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newline escaped."""
    text = str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded at 75 octets (§3.1): CRLF and a space, never inside a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # a continuation line starts with the space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return (CRLF + " ").join(out)


def utc_stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def date_value(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def render(name: str, entries: list[Entry], *, now: datetime.datetime | None = None, tz: str = "") -> str:
    stamp = utc_stamp(now or timezone.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{escape(PRODID)}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    lines.append(f"X-WR-CALNAME:{escape(name)}")
    if tz:
        lines.append(f"X-WR-TIMEZONE:{tz}")
    for entry in entries:
        lines += ["BEGIN:VEVENT", f"UID:{entry.uid}", f"DTSTAMP:{stamp}"]
        if isinstance(entry.start, datetime.datetime):
            lines.append(f"DTSTART:{utc_stamp(entry.start)}")
        else:
            last = entry.end or entry.start
            lines.append(f"DTSTART;VALUE=DATE:{date_value(entry.start)}")
            lines.append(f"DTEND;VALUE=DATE:{date_value(last + datetime.timedelta(days=1))}")
        lines.append(f"SUMMARY:{escape(entry.summary)}")
        if entry.location:
            lines.append(f"LOCATION:{escape(entry.location)}")
        if entry.description:
            lines.append(f"DESCRIPTION:{escape(entry.description)}")
        if entry.url:
            lines.append(f"URL:{entry.url}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)


# -- what a unit's calendar holds -------------------------------------------------------------------


def unit_entries(units, *, today: datetime.date, public: bool, base_url: str = "", region_code: str = "") -> list:
    """Meetings, events and campaign deadlines of `units` (OrgUnit rows with `region` loaded), from
    PAST_DAYS ago on. `public`: the entries of an open feed link to the open pages, else to the portal.
    Three queries whatever the number of units."""
    from events.models import Event
    from meetings.models import Meeting
    from submissions.models import Campaign

    units = list(units)
    if not units:
        return []
    since = today - datetime.timedelta(days=PAST_DAYS)
    by_id = {u.pk: u for u in units}
    entries: list[Entry] = []

    meetings = Meeting.objects.filter(unit_id__in=by_id, date__gte=since).order_by("date", "time", "pk")[:LIMIT]
    for m in meetings:
        unit = by_id[m.unit_id]
        if m.time is not None:
            start = datetime.datetime.combine(m.date, m.time, tzinfo=zone(unit.region.timezone))
        else:
            start = m.date
        confirmed = m.status == Meeting.Status.CONFIRMED
        if public:
            url = (
                base_url + reverse("public:protocol", args=[region_code, m.pk])
                if confirmed and unit.region.publishes("protocols")
                else ""
            )
        else:
            url = base_url + m.get_absolute_url()
        entries.append(
            Entry(
                uid=f"meeting-{m.pk}@{UID_DOMAIN}",
                summary=f"Заседание: {unit.short_name or unit.name}",
                start=start,
                location=m.place_label,
                description=f"{m.get_kind_display().capitalize()} заседание {unit.name}. Протокол № {m.number}.",
                url=url,
            )
        )

    events = (
        Event.objects.filter(unit_id__in=by_id)
        .filter(Q(starts_on__gte=since) | Q(ends_on__gte=since))
        .order_by("starts_on", "pk")[:LIMIT]
    )
    for e in events:
        unit = by_id[e.unit_id]
        entries.append(
            Entry(
                uid=f"event-{e.pk}@{UID_DOMAIN}",
                summary=f"{e.get_kind_display().capitalize()}: {e.title}",
                start=e.starts_on,
                end=e.ends_on if e.ends_on and e.ends_on >= e.starts_on else None,
                location=e.place,
                description=f"{unit.name}. Уровень: {e.get_level_display()}, {e.get_format_display()}.",
                url="" if public else base_url + reverse("events:event", args=[e.pk]),
            )
        )

    # Deadlines: the due date of every campaign the unit files for (a plan, a report).
    region_ids = {u.region_id for u in units}
    campaigns = (
        Campaign.objects.filter(region_id__in=region_ids, due_on__gte=since)
        .prefetch_related("filer_kinds")
        .order_by("due_on", "pk")[:LIMIT]
    )
    for c in campaigns:
        filer_kinds = {k.pk for k in c.filer_kinds.all()}
        for unit in units:
            if unit.region_id != c.region_id or unit.kind_id not in filer_kinds:
                continue
            entries.append(
                Entry(
                    uid=f"deadline-{c.pk}-{unit.pk}@{UID_DOMAIN}",
                    summary=f"Срок: {c} — {unit.short_name or unit.name}",
                    start=c.due_on,
                    description=f"Срок представления документа ({c.get_document_type_display()}) — "
                    f"{c.due_on:%d.%m.%Y}; после {c.closes_on:%d.%m.%Y} документ считается непредставленным.",
                )
            )
    entries.sort(key=lambda e: (day_of(e.start), e.uid))
    return entries


def day_of(start) -> datetime.date:
    return start.date() if isinstance(start, datetime.datetime) else start
