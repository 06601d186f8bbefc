"""Meetings and protocols (001 §2.4): quorum, majority, numbering, confirmation, frozen protocols, pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection  # noqa: F401 - read by the skipif condition below
from django.urls import reverse

from meetings import services
from meetings.models import AgendaItem, Attendance, Meeting
from network.models import Notification

from . import factories as f
from .meetings_helpers import (
    MEETING_DAY,
    add_chair,
    add_members,
    confirmed_meeting,
    item,
    mark_present,
    moment,
    new_meeting,
)

D = datetime.date
AFTER = moment(MEETING_DAY + datetime.timedelta(days=1))


@pytest.fixture
def terek(net):
    add_chair(net)
    return net


# -- the rules of 001 §2.4 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "members", "quorate"),
    [(5, 10, False), (6, 10, True), (4, 7, True), (3, 7, False), (0, 0, False), (1, 1, True), (1, 2, False)],
)
def test_quorum_is_more_than_half_of_the_members(present, members, quorate):
    assert services.has_quorum(present, members) is quorate


@pytest.mark.parametrize(
    ("votes_for", "present", "adopted"), [(3, 6, False), (4, 6, True), (4, 7, True), (3, 7, False)]
)
def test_a_decision_needs_more_than_half_of_those_present(votes_for, present, adopted):
    assert services.is_adopted(votes_for, present) is adopted


@pytest.mark.parametrize(("present", "label"), [(5, "кворума нет: 5 из 10"), (6, "кворум есть: 6 из 10")])
def test_quorum_of_a_recorded_meeting(terek, present, label):
    add_members(terek, terek.terek, 7)  # + chair, secretary, methodist = 10
    meeting = mark_present(terek, new_meeting(terek), present)
    quorum = services.quorum_of(meeting)
    assert (quorum.members, quorum.present) == (10, present)
    assert quorum.label.startswith(label)


def test_seven_members_four_present_is_a_quorum(terek):
    add_members(terek, terek.terek, 4)
    meeting = mark_present(terek, new_meeting(terek), 4)
    assert services.quorum_of(meeting).quorate


@pytest.mark.parametrize(("votes_for", "outcome"), [(3, "adopted"), (2, "rejected")])
def test_adopted_by_a_majority_of_those_present(terek, votes_for, outcome):
    add_members(terek, terek.terek, 2)  # 5 members
    meeting = mark_present(terek, new_meeting(terek), 4)
    agenda_item = item(terek, meeting, (votes_for, 4 - votes_for, 0))
    assert services.outcome(agenda_item, services.quorum_of(meeting)) == outcome


def test_six_present_three_for_is_not_adopted_four_is(terek):
    add_members(terek, terek.terek, 7)
    meeting = mark_present(terek, new_meeting(terek), 6)
    three = item(terek, meeting, (3, 3, 0), title="Первый")
    four = item(terek, meeting, (4, 1, 1), title="Второй")
    quorum = services.quorum_of(meeting)
    assert services.outcome(three, quorum) == "rejected"
    assert services.outcome(four, quorum) == "adopted"


def test_votes_never_exceed_those_present(terek):
    add_members(terek, terek.terek, 7)
    meeting = mark_present(terek, new_meeting(terek), 6)
    with pytest.raises(ValidationError) as exc:
        item(terek, meeting, (5, 1, 1))
    assert "голосов не может быть больше, чем присутствующих" in " ".join(exc.value.messages)
    assert "7" in " ".join(exc.value.messages) and "6" in " ".join(exc.value.messages)
    assert not meeting.items.exists()


def test_unticking_attendance_below_the_votes_is_refused(terek):
    add_members(terek, terek.terek, 7)
    meeting = mark_present(terek, new_meeting(terek), 6)
    item(terek, meeting, (6, 0, 0))
    with pytest.raises(ValidationError, match="голосов не может быть больше"):
        mark_present(terek, meeting, 5)
    assert meeting.attendance.filter(present=True).count() == 6


def test_an_inquorate_meeting_is_recorded_but_adopts_nothing(terek):
    add_members(terek, terek.terek, 7)
    meeting = mark_present(terek, new_meeting(terek), 5)
    agenda_item = item(terek, meeting, (5, 0, 0))
    assert services.outcome(agenda_item, services.quorum_of(meeting)) == "no_quorum"
    assert services.Outcome.LABELS["no_quorum"] == "не принято: нет кворума"


def test_an_item_without_a_decision_is_not_voted(terek):
    meeting = mark_present(terek, new_meeting(terek), 3)
    agenda_item = item(terek, meeting, decision="")
    assert services.outcome(agenda_item, services.quorum_of(meeting)) == "none"


# -- members on the meeting date ----------------------------------------------------------------


def test_attendance_lists_the_members_on_the_meeting_date(terek):
    day = MEETING_DAY
    left_before = f.PersonFactory(region=terek.region, last_name="Выбывшая")
    f.member(left_before, terek.terek, starts_on=f.TERM_START, left_on=day - datetime.timedelta(days=1))
    left_that_day = f.PersonFactory(region=terek.region, last_name="Ушедшая")
    f.member(left_that_day, terek.terek, starts_on=f.TERM_START, left_on=day)
    left_after = f.PersonFactory(region=terek.region, last_name="Позжеушедшая")
    f.member(left_after, terek.terek, starts_on=f.TERM_START, left_on=day + datetime.timedelta(days=1))
    joined_after = f.PersonFactory(region=terek.region, last_name="Новенькая")
    f.member(joined_after, terek.terek, starts_on=day + datetime.timedelta(days=1))
    joined_that_day = f.PersonFactory(region=terek.region, last_name="Сегодняшняя")
    f.member(joined_that_day, terek.terek, starts_on=day)

    meeting = new_meeting(terek, day=day)
    names = set(Attendance.objects.filter(meeting=meeting).values_list("person__last_name", flat=True))
    assert names == {"Председателева", "Фамилия-secretary", "Фамилия-methodist", "Позжеушедшая", "Сегодняшняя"}


def test_chair_and_secretary_default_to_the_units(terek):
    meeting = new_meeting(terek)
    assert meeting.chair == terek.users.chair_person
    assert meeting.secretary == terek.users.secretary_person


def test_a_chair_who_is_not_a_member_on_the_date_is_refused(terek):
    stranger = f.PersonFactory(region=terek.region)
    with pytest.raises(ValidationError) as exc:
        new_meeting(terek, chair=stranger)
    assert "не состоит" in exc.value.message_dict["chair"][0]


def test_an_in_person_meeting_needs_a_place_and_a_remote_one_a_link(terek):
    with pytest.raises(ValidationError) as exc:
        new_meeting(terek, place="")
    assert "место" in exc.value.message_dict["place"][0]
    with pytest.raises(ValidationError) as exc:
        new_meeting(terek, kind=Meeting.Kind.REMOTE, place="")
    assert "ссылку" in exc.value.message_dict["online_link"][0]
    remote = new_meeting(terek, kind=Meeting.Kind.REMOTE, place="", online_link="https://sferum.ru/x")
    assert remote.place_label == "дистанционно"


# -- numbering ------------------------------------------------------------------------------------


def test_numbers_run_per_unit_within_the_calendar_year(terek):
    add_members(terek, terek.baksan, 3)
    numbers = [
        (new_meeting(terek, day=D(2026, 10, 1)).number, 2026),
        (new_meeting(terek, day=D(2026, 12, 30)).number, 2026),
        (new_meeting(terek, day=D(2026, 11, 5)).number, 2026),  # recorded late: the next number all the same
        (new_meeting(terek, day=D(2027, 1, 15)).number, 2027),
        (new_meeting(terek, day=D(2027, 3, 1)).number, 2027),
    ]
    assert numbers == [(1, 2026), (2, 2026), (3, 2026), (1, 2027), (2, 2027)]
    baksan = new_meeting(terek, day=D(2026, 12, 1), unit=terek.baksan, by=terek.users.baksan_methodist)
    assert baksan.number == 1  # another unit has its own sequence
    assert str(Meeting.objects.get(unit=terek.terek, year=2027, number=2)) == "Протокол № 2 от 01.03.2027"


def test_the_database_never_lets_two_meetings_share_a_number(terek):
    from django.db import IntegrityError, transaction

    first = new_meeting(terek)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(unit=terek.terek, year=first.year, number=first.number, date=first.date, place="x")


def test_a_meeting_cannot_move_to_another_year(terek):
    meeting = new_meeting(terek, day=D(2026, 12, 30))
    with pytest.raises(ValidationError) as exc:
        services.update_details(
            meeting,
            terek.users.secretary,
            meeting.version,
            date=D(2027, 1, 10),
            kind="in_person",
            place="г. Терек",
        )
    assert "на другой год нельзя" in exc.value.message_dict["date"][0]


# -- confirmation and the frozen protocol ----------------------------------------------------------


def test_confirmed_by_both_the_protocol_is_frozen(terek):
    add_members(terek, terek.terek, 3)
    meeting = mark_present(terek, new_meeting(terek), 4)
    item(terek, meeting, (3, 1, 0))
    services.confirm(meeting, terek.users.secretary, meeting.version, AFTER)
    assert meeting.is_draft and meeting.secretary_confirmed_by == terek.users.secretary
    # The chair is told the protocol waits for them.
    assert Notification.objects.filter(user=terek.users.chair, text__contains="ожидает вашего подтверждения").exists()
    services.confirm(meeting, terek.users.chair, meeting.version, AFTER)
    assert meeting.status == Meeting.Status.CONFIRMED
    assert meeting.chair_confirmed_at == AFTER and meeting.chair_confirmed_by == terek.users.chair

    version = meeting.version
    edits = [
        lambda: item(terek, meeting, (1, 0, 0)),
        lambda: mark_present(terek, meeting, 2),
        lambda: services.update_details(
            meeting, terek.users.secretary, meeting.version, date=MEETING_DAY, kind="in_person", place="Другое"
        ),
        lambda: services.update_item(meeting.items.get(), terek.users.secretary, meeting.version, title="Другое"),
        lambda: services.delete_item(meeting.items.get(), terek.users.secretary, meeting.version),
    ]
    for attempt in edits:
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert exc.value.messages == [services.FROZEN_MESSAGE]
    meeting.refresh_from_db()
    assert meeting.version == version and meeting.items.count() == 1 and meeting.place != "Другое"


def test_only_the_chair_and_the_secretary_of_the_meeting_confirm(terek):
    meeting = mark_present(terek, new_meeting(terek), 2)
    item(terek, meeting, (2, 0, 0))
    # The methodist files for the unit but does not sign the protocol.
    with pytest.raises(PermissionDenied, match="только председатель и секретарь"):
        services.confirm(meeting, terek.users.methodist, meeting.version, AFTER)
    # A reviewer above does not file at all.
    with pytest.raises(PermissionDenied):
        services.confirm(meeting, terek.users.reviewer, meeting.version, AFTER)
    meeting.refresh_from_db()
    assert meeting.chair_confirmed_at is None and meeting.secretary_confirmed_at is None


def test_confirming_twice_is_refused_with_a_message(terek):
    meeting = mark_present(terek, new_meeting(terek), 2)
    item(terek, meeting, (2, 0, 0))
    services.confirm(meeting, terek.users.secretary, meeting.version, AFTER)
    with pytest.raises(ValidationError, match="ожидается подтверждение председателя"):
        services.confirm(meeting, terek.users.secretary, meeting.version, AFTER)


def test_an_edit_withdraws_the_earlier_confirmation(terek):
    meeting = mark_present(terek, new_meeting(terek), 2)
    item(terek, meeting, (2, 0, 0))
    services.confirm(meeting, terek.users.secretary, meeting.version, AFTER)
    item(terek, meeting, (1, 1, 0), title="Дополнительный вопрос")
    assert meeting.secretary_confirmed_at is None and meeting.is_draft


def test_an_empty_or_future_protocol_cannot_be_confirmed(terek):
    meeting = new_meeting(terek)
    with pytest.raises(ValidationError) as exc:
        services.confirm(meeting, terek.users.secretary, meeting.version, moment(MEETING_DAY - datetime.timedelta(1)))
    message = " ".join(exc.value.messages)
    assert "ещё не состоялось" in message and "нет ни одного вопроса" in message and "присутствующие" in message


def test_a_stale_form_is_a_conflict_not_an_overwrite(terek):
    meeting = mark_present(terek, new_meeting(terek), 2)
    loaded = meeting.version
    item(terek, meeting, (1, 0, 0))
    with pytest.raises(ValidationError, match="изменил другой пользователь"):
        services.add_item(meeting, terek.users.secretary, loaded, title="Поверх чужой правки")
    assert meeting.items.count() == 1


# -- pages ----------------------------------------------------------------------------------------

ROLES = f.MATRIX_ROLES
# fmt: off
MATRIX = {
    #                     adm  rev  meth sec  bak  shmo tch  out  root anon
    "list":              (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    "list_month":        (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    "meeting":           (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    "add_get":           (403, 403, 200, 200, 404, 404, 404, 404, 200, 302),
    "add_post":          (403, 403, 302, 302, 404, 404, 404, 404, 302, 302),
    "edit_get":          (403, 403, 200, 200, 404, 404, 404, 404, 200, 302),
    "attendance_post":   (403, 403, 302, 302, 404, 404, 404, 404, 302, 302),
    "item_add_post":     (403, 403, 302, 302, 404, 404, 404, 404, 302, 302),
    "item_edit_get":     (403, 403, 200, 200, 404, 404, 404, 404, 200, 302),
    "quorum_post":       (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    # confirm: the methodist files but does not sign; the secretary signs (a redirect to the meeting).
    "confirm_post":      (403, 403, 403, 302, 404, 404, 404, 404, 403, 302),
}
# fmt: on


def request_for(page, net, meeting, agenda_item):
    version = {"expected_version": meeting.version}
    pages = {
        "list": ("get", reverse("meetings:list", args=[net.terek.pk]), None),
        "list_month": ("get", reverse("meetings:list", args=[net.terek.pk]) + "?month=2026-11", None),
        "meeting": ("get", reverse("meetings:meeting", args=[meeting.pk]), None),
        "add_get": ("get", reverse("meetings:add", args=[net.terek.pk]), None),
        "add_post": (
            "post",
            reverse("meetings:add", args=[net.terek.pk]),
            {"date": "2026-11-21", "kind": "in_person", "place": "г. Терек"},
        ),
        "edit_get": ("get", reverse("meetings:edit", args=[meeting.pk]), None),
        "attendance_post": (
            "post",
            reverse("meetings:attendance", args=[meeting.pk]),
            {**version, "present": [net.users.secretary_person.pk]},
        ),
        "item_add_post": (
            "post",
            reverse("meetings:item_add", args=[meeting.pk]),
            {**version, "title": "Разное", "votes_for": 0, "votes_against": 0, "votes_abstained": 0},
        ),
        "item_edit_get": ("get", reverse("meetings:item_edit", args=[agenda_item.pk]), None),
        "quorum_post": ("post", reverse("meetings:quorum", args=[meeting.pk]), {"present": ["1"]}),
        "confirm_post": ("post", reverse("meetings:confirm", args=[meeting.pk]), version),
    }
    return pages[page]


CASES = f.matrix_cases(MATRIX, ROLES)


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_permission_matrix(client, terek, page, role, expected):
    meeting = mark_present(terek, new_meeting(terek), 2)
    agenda_item = item(terek, meeting, (2, 0, 0))
    method, url, data = request_for(page, terek, meeting, agenda_item)
    if role != "anonymous":
        client.force_login(getattr(terek.users, role))
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == expected, response.content.decode()[:800]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_the_chair_confirms_through_the_page(client, terek):
    meeting = mark_present(terek, new_meeting(terek), 2)
    item(terek, meeting, (2, 0, 0))
    client.force_login(terek.users.chair)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Подтвердить как председатель" in page
    response = client.post(
        reverse("meetings:confirm", args=[meeting.pk]), {"expected_version": meeting.version}, follow=True
    )
    assert "ожидается подтверждение второй подписи" in response.content.decode()


def test_the_unit_page_links_to_its_meetings(client, terek):
    client.force_login(terek.users.secretary)
    page = client.get(reverse("orgunits:unit", args=[terek.terek.pk])).content.decode()
    assert reverse("meetings:list", args=[terek.terek.pk]) in page and "Заседания" in page


def test_the_calendar_shows_the_month_and_its_meetings(client, terek):
    meeting = new_meeting(terek, day=D(2026, 11, 20))
    new_meeting(terek, day=D(2026, 12, 3))
    client.force_login(terek.users.secretary)
    page = client.get(reverse("meetings:list", args=[terek.terek.pk]) + "?month=2026-11").content.decode()
    assert "Ноябрь 2026" in page and meeting.get_absolute_url() in page
    assert "?month=2026-10" in page and "?month=2026-12" in page
    # A bad month is the current month, not an error.
    assert client.get(reverse("meetings:list", args=[terek.terek.pk]) + "?month=2026-13").status_code == 200
    assert client.get(reverse("meetings:list", args=[terek.terek.pk]) + "?month=<script>").status_code == 200


def test_new_meeting_page_records_and_numbers(client, terek):
    client.force_login(terek.users.secretary)
    form = client.get(reverse("meetings:add", args=[terek.terek.pk])).context["form"]
    assert form.initial["chair"] == terek.users.chair_person
    response = client.post(
        reverse("meetings:add", args=[terek.terek.pk]),
        {"date": "2026-11-20", "time": "15:00", "kind": "in_person", "place": "г. Терек", "guests": "Гость Г.Г."},
        follow=True,
    )
    meeting = Meeting.objects.get(unit=terek.terek)
    assert meeting.number == 1 and meeting.chair == terek.users.chair_person
    assert "Заседание записано: Протокол № 1 от 20.11.2026" in response.content.decode()
    assert meeting.attendance.count() == 3


def test_new_meeting_page_shows_the_rules_errors(client, terek):
    client.force_login(terek.users.secretary)
    response = client.post(reverse("meetings:add", args=[terek.terek.pk]), {"date": "2026-11-20", "kind": "in_person"})
    assert response.status_code == 200
    assert "Укажите место проведения очного заседания." in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_meeting_page_shows_quorum_votes_and_outcomes(client, terek):
    add_members(terek, terek.terek, 7)
    meeting = mark_present(terek, new_meeting(terek), 6)
    item(terek, meeting, (4, 1, 1), title="Принятый вопрос")
    item(terek, meeting, (3, 3, 0), title="Отклонённый вопрос")
    client.force_login(terek.users.methodist)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "кворум есть: 6 из 10" in page
    assert "решение принято" in page and "решение не принято" in page
    assert "за — 4, против — 1, воздержались — 1" in page
    assert reverse("meetings:protocol", args=[meeting.pk]) in page and "Печать протокола" in page


def test_the_quorum_badge_is_computed_live(client, terek):
    add_members(terek, terek.terek, 7)
    meeting = new_meeting(terek)
    ids = list(meeting.attendance.values_list("person_id", flat=True))
    client.force_login(terek.users.secretary)
    url = reverse("meetings:quorum", args=[meeting.pk])
    assert "кворума нет: 5 из 10" in client.post(url, {"present": ids[:5]}).content.decode()
    assert "кворум есть: 6 из 10" in client.post(url, {"present": ids[:6] + ["999999", "x"]}).content.decode()
    assert not meeting.attendance.filter(present=True).exists()  # nothing saved


def test_an_inquorate_meeting_page_says_not_adopted(client, terek):
    add_members(terek, terek.terek, 7)
    meeting = mark_present(terek, new_meeting(terek), 5)
    item(terek, meeting, (5, 0, 0))
    client.force_login(terek.users.secretary)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "кворума нет" in page and "не принято: нет кворума" in page


def test_too_many_votes_on_the_page_is_a_form_error(client, terek):
    meeting = mark_present(terek, new_meeting(terek), 2)
    client.force_login(terek.users.secretary)
    response = client.post(
        reverse("meetings:item_add", args=[meeting.pk]),
        {
            "expected_version": meeting.version,
            "title": "Вопрос",
            "decision": "Решить",
            "votes_for": 3,
            "votes_against": 0,
            "votes_abstained": 0,
        },
    )
    assert response.status_code == 200
    assert "голосов не может быть больше, чем присутствующих" in response.content.decode()
    assert not AgendaItem.objects.exists()


def test_a_frozen_protocol_refuses_edits_on_the_pages(client, terek):
    meeting = confirmed_meeting(terek)
    client.force_login(terek.users.secretary)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert services.FROZEN_MESSAGE in page and "Добавить вопрос" not in page and "Подтвердить как" not in page
    response = client.post(
        reverse("meetings:item_add", args=[meeting.pk]),
        {"expected_version": meeting.version, "title": "Поздний вопрос", "votes_for": 0},
        follow=True,
    )
    assert services.FROZEN_MESSAGE in response.content.decode()
    response = client.get(reverse("meetings:edit", args=[meeting.pk]), follow=True)
    assert services.FROZEN_MESSAGE in response.content.decode()
    response = client.get(reverse("meetings:item_edit", args=[meeting.items.get().pk]), follow=True)
    assert services.FROZEN_MESSAGE in response.content.decode()
    assert meeting.items.count() == 1


def test_attendance_is_saved_from_the_checkboxes(client, terek):
    add_members(terek, terek.terek, 3)
    meeting = new_meeting(terek)
    ids = list(meeting.attendance.values_list("person_id", flat=True))
    client.force_login(terek.users.secretary)
    response = client.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {"expected_version": meeting.version, "present": ids[:4] + ["junk"]},
        follow=True,
    )
    assert "кворум есть: 4 из 6" in response.content.decode()
    assert meeting.attendance.filter(present=True).count() == 4


# -- the demo ---------------------------------------------------------------------------------------


def test_demo_meetings_on_the_demo_network(db):
    from demo.meetings import load_demo_meetings
    from demo.orgunits import load_demo

    today = D(2026, 11, 25)
    load_demo(today)
    load_demo_meetings(today)  # nothing new if the demo loader already called it
    assert load_demo_meetings(today) == []
    meetings = list(Meeting.objects.filter(unit__name__contains="Терск", unit__kind__code="munumo").order_by("number"))
    assert [(m.number, m.status) for m in meetings] == [(1, "confirmed"), (2, "confirmed"), (3, "draft")]
    assert meetings[0].date < meetings[1].date < meetings[2].date == today
    for meeting in meetings:
        quorum = services.quorum_of(meeting)
        assert quorum.quorate and meeting.items.exists()
        assert all(services.outcome(i, quorum) == "adopted" for i in meeting.items.all())
    # Both signatures can be tried in the portal: the chair has a login now.
    assert meetings[2].chair.user.username == "chair"
    assert meetings[2].secretary.user.username == "secretary"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL (SQLite serialises writers)")
def test_concurrent_creations_never_share_a_number(kinds):
    import threading

    from django.db import connections

    from orgunits.models import OrgUnit
    from people.services import sync_person_access

    region = f.RegionFactory(code="kbr")
    unit = f.unit(region, kinds["munumo"], f.unit(region, kinds["rumo"]), name="Терское МунУМО")
    users = []
    for n in range(2):
        user = f.UserFactory(username=f"filer{n}")
        person = f.PersonFactory(region=region, user=user)
        f.member(person, unit, "methodist")
        sync_person_access(person)
        users.append(user)
    barrier = threading.Barrier(2)
    errors, numbers = [], []

    def worker(user):
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                meeting = services.create_meeting(
                    unit=OrgUnit.objects.get(pk=unit.pk), by=user, date=MEETING_DAY, kind="in_person", place="Терек"
                )
                numbers.append(meeting.number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(numbers) == list(range(1, 11))
    assert connection.vendor == "postgresql"
