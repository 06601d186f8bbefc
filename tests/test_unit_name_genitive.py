"""A unit whose name the dictionary declines wrongly gets its genitive written once on its edit form,
and the official texts print that (issue 12: a protocol's heading is in the genitive)."""

import datetime

from django.urls import reverse

from meetings.models import Meeting
from tests.test_bad_input import unit_data

OWN = "Муниципального автономного учреждения «Методический центр» Терского района"


def test_the_edit_form_saves_the_genitive_and_the_protocol_heading_uses_it(net, login):
    unit = net.terek_rmo
    client = login(net.users.admin)
    data = unit_data(unit, name_genitive=OWN, expected_version=unit.version)
    response = client.post(reverse("orgunits:unit_edit", args=[unit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert unit.name_genitive == OWN
    meeting = Meeting.objects.create(unit=unit, year=2026, number=1, date=datetime.date(2026, 10, 1))
    assert meeting.heading == f"заседания {OWN}"


def test_without_it_the_name_is_declined(net):
    meeting = Meeting.objects.create(unit=net.terek_rmo, year=2026, number=1, date=datetime.date(2026, 10, 1))
    # «РМО учителей математики Терского района»: an abbreviation and a genitive tail stay as typed
    assert meeting.heading == "заседания РМО учителей математики Терского района"
    net.terek.name_genitive = ""
    assert Meeting(unit=net.terek, year=2026, number=2, date=datetime.date(2026, 10, 1)).heading != (
        f"заседания {net.terek.name}"
    )
