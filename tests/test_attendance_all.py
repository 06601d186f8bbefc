"""«Отметить всех» on a meeting's attendance: one POST marks every member present, by the same rules
as the checkboxes (only the unit's filers, only a draft, only the version one has seen)."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import Meeting

from .meetings_helpers import add_chair, add_members, confirmed_meeting, new_meeting


@pytest.fixture
def terek(net):
    add_chair(net)
    add_members(net, net.terek, 4)  # + chair, secretary, methodist = 7
    return net


def post_all(client, meeting, version=None):
    return client.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {"expected_version": meeting.version if version is None else version, "all": "1"},
        follow=True,
    )


def test_the_button_marks_every_member_present(client, terek):
    meeting = new_meeting(terek)
    client.force_login(terek.users.secretary)
    page = post_all(client, meeting).content.decode()
    assert "Отмечены все члены (7): кворум есть: 7 из 7" in page
    assert meeting.attendance.count() == 7
    assert not meeting.attendance.filter(present=False).exists()
    meeting.refresh_from_db()
    assert meeting.version == 2  # one recorded edit


def test_checkboxes_ticked_alongside_do_not_narrow_everyone(client, terek):
    meeting = new_meeting(terek)
    first = meeting.attendance.values_list("person_id", flat=True).first()
    client.force_login(terek.users.secretary)
    client.post(
        reverse("meetings:attendance", args=[meeting.pk]),
        {"expected_version": meeting.version, "all": "1", "present": [first]},
    )
    assert meeting.attendance.filter(present=True).count() == 7


def test_the_meeting_page_offers_the_button_to_filers_of_a_draft_only(client, terek):
    meeting = new_meeting(terek)
    url = meeting.get_absolute_url()
    client.force_login(terek.users.secretary)
    page = client.get(url).content.decode()
    assert 'name="all" value="1"' in page and "Отметить всех" in page
    client.force_login(terek.users.reviewer)  # sees the meeting, files nothing there
    assert "Отметить всех" not in client.get(url).content.decode()


def test_a_confirmed_protocol_offers_and_takes_nothing(client, terek):
    meeting = confirmed_meeting(terek, members=7, present=4, votes=(3, 1, 0))
    client.force_login(terek.users.secretary)
    assert "Отметить всех" not in client.get(meeting.get_absolute_url()).content.decode()
    page = post_all(client, meeting).content.decode()
    assert services.FROZEN_MESSAGE in page
    assert meeting.attendance.filter(present=True).count() == 4


def test_a_stale_page_changes_nothing(client, terek):
    meeting = new_meeting(terek)
    seen = meeting.version
    services.set_attendance(meeting, terek.users.secretary, meeting.version, [])  # someone saved meanwhile
    client.force_login(terek.users.secretary)
    page = post_all(client, meeting, version=seen).content.decode()
    assert services.CONFLICT_MESSAGE in page
    assert not meeting.attendance.filter(present=True).exists()


@pytest.mark.parametrize(("user", "status"), [("reviewer", 403), ("baksan_methodist", 404)])
def test_who_may_not_file_gets_403_and_who_does_not_see_gets_404(client, terek, user, status):
    meeting = new_meeting(terek)
    client.force_login(getattr(terek.users, user))
    response = client.post(
        reverse("meetings:attendance", args=[meeting.pk]), {"expected_version": meeting.version, "all": "1"}
    )
    assert response.status_code == status
    assert not Meeting.objects.get(pk=meeting.pk).attendance.filter(present=True).exists()
