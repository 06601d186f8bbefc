"""A NUL byte in a query parameter, a form field or the path: a 400 page in Russian, nothing changes.

PostgreSQL cannot take a string with NUL in it, so these requests used to end in a 500 there (and quietly
searched or saved the NUL on SQLite). Run with DATABASE_URL=postgres://… to see it on PostgreSQL too.
"""

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from orgunits.models import School

MESSAGE = "Введённые данные содержат недопустимый символ (нулевой байт). Ничего не изменено."


def refused(response) -> str:
    assert response.status_code == 400, response.status_code
    content = response.content.decode()
    assert MESSAGE in content
    return content


@pytest.fixture
def admin(net, client):
    client.force_login(net.users.admin)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/people/?q=%00",
        "/people/?q=Иван%00ов",
        "/tree/?q=%00",
        "/schools/?q=СОШ%00",
        "/events/?q=%00",
        "/people/?%00=1",  # in a parameter's name
        "/people/%00/",  # in the path
    ],
)
def test_a_search_with_a_nul_byte_is_answered_with_a_message(admin, url):
    content = refused(admin.get(url))
    # The page is the portal's own, with the menu, and says what to do next.
    assert "Выйти" in content
    assert "уберите этот символ" in content


def test_the_same_searches_without_the_nul_byte_work(admin):
    for url in ("/people/?q=Иванов", "/tree/?q=РМО", "/schools/?q=СОШ", "/events/?q=семинар"):
        assert admin.get(url).status_code == 200, url


def test_an_anonymous_request_with_a_nul_byte_gets_the_message_too(client, db):
    refused(client.get(reverse("login") + "?next=%00"))


def school_data(net, **changes):
    data = {
        "name": "Средняя общеобразовательная школа № 1 г. Терека",
        "short_name": "СОШ № 1 г. Терека",
        "inn": "0712345679",  # a valid checksum
        "municipality": net.terek.pk,
        "address": "",
        "expected_version": net.school.version,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_posted_form_with_a_nul_byte_changes_nothing(net, admin, encoding):
    school = net.school
    url = reverse("orgunits:school_edit", args=[school.pk])
    data = school_data(net, short_name="СОШ № 1\x00")
    if encoding == "multipart":
        response = admin.post(url, data)
    else:
        response = admin.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
    refused(response)
    school.refresh_from_db()
    assert school.short_name == "СОШ № 1 г. Терека"
    assert school.inn != "0712345679"

    # The same form without the NUL byte is accepted: the refusal above was for the NUL alone.
    response = admin.post(url, school_data(net, short_name="СОШ № 1"))
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.short_name == "СОШ № 1"


def test_a_new_record_with_a_nul_byte_is_not_created(net, admin):
    before = School.objects.count()
    data = school_data(net, name="Школа\x00", inn="0712345679", expected_version=1)
    refused(admin.post(reverse("orgunits:school_add"), data))
    assert School.objects.count() == before
