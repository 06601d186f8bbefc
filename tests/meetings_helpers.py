"""A Terek МунУМО with a chair who has a login, and ways to fill a meeting, shared by the meetings tests."""

import datetime

from django.utils import timezone

from meetings import services
from meetings.models import Meeting
from people.services import sync_person_access

from . import factories as f

MEETING_DAY = datetime.date(2026, 11, 20)


def add_chair(net):
    """The Terek МунУМО gets a chair with the login «chair» (the `net` fixture has none)."""
    user = f.UserFactory(username="chair")
    person = f.PersonFactory(
        region=net.region, user=user, last_name="Председателева", first_name="Анна", middle_name="Борисовна"
    )
    f.member(person, net.terek, "chair")
    sync_person_access(person)
    net.users.chair, net.users.chair_person = user, person
    return user


def add_members(net, unit, count, starts_on=f.TERM_START, role="member"):
    people = []
    for _ in range(count):
        person = f.PersonFactory(region=net.region)
        f.member(person, unit, role, starts_on=starts_on)
        people.append(person)
    return people


def moment(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def new_meeting(net, day=MEETING_DAY, unit=None, by=None, **data) -> Meeting:
    fields = {"kind": Meeting.Kind.IN_PERSON, "place": "г. Терек, управление образования", **data}
    return services.create_meeting(unit=unit or net.terek, by=by or net.users.secretary, date=day, **fields)


def mark_present(net, meeting, count) -> Meeting:
    people = list(meeting.attendance.values_list("person_id", flat=True))
    services.set_attendance(meeting, net.users.secretary, meeting.version, people[:count])
    return meeting


def item(net, meeting, votes=(0, 0, 0), **data):
    fields = {
        "title": "Об утверждении плана работы",
        "speaker": "Иванова М.И., методист",
        "heard": "Информацию о плане работы на учебный год.",
        "discussion": "Петрова О.С. предложила дополнить план семинаром.",
        "decision": "Утвердить план работы.",
        **data,
    }
    v_for, v_against, v_abstained = votes
    return services.add_item(
        meeting,
        net.users.secretary,
        meeting.version,
        votes_for=v_for,
        votes_against=v_against,
        votes_abstained=v_abstained,
        **fields,
    )


def confirmed_meeting(net, members=10, present=6, votes=(5, 1, 0), **data) -> Meeting:
    """A meeting of `members` Terek members (chair, secretary, methodist and the rest), confirmed by both."""
    add_members(net, net.terek, members - 3)
    meeting = new_meeting(net, **data)
    mark_present(net, meeting, present)
    item(net, meeting, votes)
    services.confirm(meeting, net.users.chair, meeting.version, moment(MEETING_DAY + datetime.timedelta(days=1)))
    services.confirm(meeting, net.users.secretary, meeting.version, moment(MEETING_DAY + datetime.timedelta(days=1)))
    return meeting
