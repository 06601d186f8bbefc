"""Calendar feeds (issue 13, «Openness»: «Calendar feeds (iCalendar) of a unit's meetings, events and
deadlines»): the public feed of a unit whose region publishes the calendar (001 §1.3), and the private
feed of a user's own units behind a secret token. Written to RFC 5545 and read back here by a small
parser that unfolds lines and unescapes values as a calendar app does.
"""

import datetime

from django.urls import reverse

from events.models import Event
from public import ical
from public.models import CalendarToken

from . import documents as d
from . import factories as f
from . import meetings_helpers as mh


def unfold(text: str) -> list[str]:
    """RFC 5545 §3.1: a CRLF followed by a space or tab continues the line."""
    assert "\n" not in text.replace("\r\n", ""), "a bare LF in the feed"
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append({"n": "\n", "N": "\n"}.get(value[i + 1], value[i + 1]))
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def parse(text: str) -> list[dict]:
    """The VEVENTs of a feed as {property (with parameters): value}."""
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = unescape(value)
    return events


def publish_calendar(region):
    region.published = ["calendar", "protocols"]
    region.save(update_fields=["published"])


def feed(client, net, unit=None):
    return client.get(reverse("public:unit_feed", args=[net.region.code, (unit or net.terek).pk]))


# -- the format (RFC 5545) ---------------------------------------------------------------------------


def test_lines_are_folded_at_75_octets_without_splitting_a_letter():
    """RFC 5545 §3.1: a content line longer than 75 octets is folded; Cyrillic is two octets a letter."""
    line = "SUMMARY:" + "Заседание методического объединения учителей математики " * 3
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == line


def test_commas_semicolons_backslashes_and_newlines_are_escaped():
    """RFC 5545 §3.3.11: TEXT escapes «\\», «;», «,» and line breaks."""
    assert ical.escape("Терек, ул. Ленина; каб. 5\nвход\\двор") == "Терек\\, ул. Ленина\\; каб. 5\\nвход\\\\двор"


def test_the_public_feed_is_text_calendar_with_crlf(net, client):
    publish_calendar(net.region)
    response = feed(client, net)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "PRODID:" in text


# -- what the public feed holds ---------------------------------------------------------------------


def test_a_meeting_is_at_its_local_time_of_the_region_in_utc(net, client):
    """Issue 13 (time is the region's): 15:00 of a meeting in Irkutsk time (UTC+8) is 07:00Z."""
    net.region.timezone = "Asia/Irkutsk"
    net.region.save(update_fields=["timezone"])
    publish_calendar(net.region)
    meeting = mh.new_meeting(net, day=datetime.date(2026, 12, 3), time=datetime.time(15, 0), place="Терек, РУО")
    events = parse(feed(client, net).content.decode())
    entry = next(e for e in events if e["UID"] == f"meeting-{meeting.pk}@metodset")
    assert entry["DTSTART"] == "20261203T070000Z"
    assert entry["LOCATION"] == "Терек, РУО"
    assert entry["SUMMARY"].startswith("Заседание")


def test_events_are_all_day_with_an_exclusive_end(net, client):
    """RFC 5545 §3.6.1: an all-day entry ends on the day after its last day."""
    publish_calendar(net.region)
    event = Event.objects.create(
        unit=net.terek,
        title="Фестиваль, открытые уроки; мастер-классы",
        starts_on=datetime.date(2026, 12, 10),
        ends_on=datetime.date(2026, 12, 11),
    )
    entry = next(e for e in parse(feed(client, net).content.decode()) if e["UID"] == f"event-{event.pk}@metodset")
    assert entry["DTSTART;VALUE=DATE"] == "20261210"
    assert entry["DTEND;VALUE=DATE"] == "20261212"
    assert "Фестиваль, открытые уроки; мастер-классы" in entry["SUMMARY"]


def test_deadlines_of_the_units_campaigns_are_in_the_feed(net, client):
    """Issue 13: a unit's deadlines — the due date of each campaign its kind files for (a plan: 15.09)."""
    publish_calendar(net.region)
    campaign = d.campaign(net, "plan", 2027)
    events = parse(feed(client, net).content.decode())
    entry = next(e for e in events if e["UID"] == f"deadline-{campaign.pk}-{net.terek.pk}@metodset")
    assert entry["DTSTART;VALUE=DATE"] == "20270915"
    # The РУМО files no plan: no deadline in its feed.
    assert not [e for e in parse(feed(client, net, net.rumo).content.decode()) if e["UID"].startswith("deadline-")]


def test_uids_are_stable_between_downloads(net, client):
    """A calendar app updates an entry by its UID: the same meeting keeps it."""
    publish_calendar(net.region)
    mh.new_meeting(net, day=datetime.date(2026, 12, 3))
    first = [e["UID"] for e in parse(feed(client, net).content.decode())]
    second = [e["UID"] for e in parse(feed(client, net).content.decode())]
    assert first == second and first


def test_the_public_feed_is_404_unless_the_region_publishes_the_calendar(net, client):
    """001 §1.3 as the region applies it: no calendar published, no feed."""
    net.region.published = ["plans"]
    net.region.save(update_fields=["published"])
    assert feed(client, net).status_code == 404


def test_a_draft_meeting_links_to_no_protocol_in_the_public_feed(net, client):
    """A meeting is announced; its protocol is linked only once confirmed."""
    mh.add_chair(net)
    publish_calendar(net.region)
    confirmed = mh.confirmed_meeting(net)
    draft = mh.new_meeting(net, day=datetime.date(2026, 12, 1))
    events = {e["UID"]: e for e in parse(feed(client, net).content.decode())}
    assert events[f"meeting-{confirmed.pk}@metodset"]["URL"].endswith(
        reverse("public:protocol", args=["kbr", confirmed.pk])
    )
    assert "URL" not in events[f"meeting-{draft.pk}@metodset"]


# -- the private feed -------------------------------------------------------------------------------


def test_the_private_feed_has_the_users_own_units_only(net, client, login):
    """A calendar app cannot log in: the secret address gives the user's units (meetings even when the
    region publishes nothing), and nobody else's."""
    own = mh.new_meeting(net, day=datetime.date(2026, 12, 3))
    other = mh.new_meeting(net, day=datetime.date(2026, 12, 4), unit=net.baksan, by=net.users.baksan_methodist)
    token = CalendarToken.objects.create(user=net.users.secretary)
    response = client.get(reverse("public:private_feed", args=[token.token]))
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    uids = {e["UID"] for e in parse(response.content.decode())}
    assert f"meeting-{own.pk}@metodset" in uids and f"meeting-{other.pk}@metodset" not in uids


def test_an_unknown_or_reset_token_is_404(net, client, login):
    token = CalendarToken.objects.create(user=net.users.secretary)
    old = token.token
    assert client.get(reverse("public:private_feed", args=["no-such-token"])).status_code == 404
    c = login(net.users.secretary)
    assert c.post(reverse("public:phone_calendar"), {"action": "reset"}).status_code == 302
    token.refresh_from_db()
    assert token.token != old
    assert client.get(reverse("public:private_feed", args=[old])).status_code == 404
    assert client.get(reverse("public:private_feed", args=[token.token])).status_code == 200


def test_the_phone_calendar_page_creates_the_link_and_an_empty_post_changes_nothing(net, login):
    c = login(net.users.teacher)
    page = c.get(reverse("public:phone_calendar")).content.decode()
    assert "Календарь в телефоне" in page and "Получить ссылку" in page
    c.post(reverse("public:phone_calendar"))
    assert not CalendarToken.objects.exists()
    c.post(reverse("public:phone_calendar"), {"action": "create"})
    token = CalendarToken.objects.get(user=net.users.teacher)
    assert f"/calendar/{token.token}.ics" in c.get(reverse("public:phone_calendar")).content.decode()


def test_the_phone_calendar_page_needs_a_login(client):
    response = client.get(reverse("public:phone_calendar"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_inactive_users_feed_is_404(net, client):
    token = CalendarToken.objects.create(user=net.users.secretary)
    net.users.secretary.is_active = False
    net.users.secretary.save()
    assert client.get(reverse("public:private_feed", args=[token.token])).status_code == 404


def test_the_private_feed_runs_a_bounded_number_of_queries(net, client, django_assert_max_num_queries):
    for n in range(5):
        f.unit(net.region, net.kinds["rmo"], net.terek, name=f"РМО № {n}")
        mh.new_meeting(net, day=datetime.date(2026, 12, 1 + n))
    d.campaign(net, "plan", 2027)
    token = CalendarToken.objects.create(user=net.users.secretary)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("public:private_feed", args=[token.token])).status_code == 200


def test_the_home_page_links_the_phone_calendar_and_the_login_page_the_open_data(client, net):
    from django.urls import reverse

    assert reverse("public:index") in client.get(reverse("login")).content.decode()
    client.force_login(net.users.secretary)
    assert reverse("public:phone_calendar") in client.get(reverse("home")).content.decode()
