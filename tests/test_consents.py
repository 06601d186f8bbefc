"""Consents to the processing of personal data (152-ФЗ): recorded per person, shown, withdrawn."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from people.models import Consent, PersonalDataAccess

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a scan\n"


def scan(name="согласие.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post_consent(client, person, **overrides):
    data = {"purpose": "processing", "signed_on": "2026-09-01", "valid_until": "", "file": scan()}
    data.update(overrides)
    return client.post(reverse("people:consent_add", args=[person.pk]), data)


@pytest.fixture
def teacher(net):
    return net.users.teacher_person


def test_administrator_records_a_consent_and_the_card_shows_it(net, login, teacher):
    client = login(net.users.admin)
    assert "Действующего согласия" in client.get(teacher.get_absolute_url()).content.decode()
    response = post_consent(client, teacher)
    assert response.status_code == 302
    consent = Consent.objects.get(person=teacher)
    assert consent.recorded_by == net.users.admin and consent.file_name == "согласие.pdf"
    page = client.get(teacher.get_absolute_url()).content.decode()
    assert "Действующего согласия" not in page and "действует" in page
    assert PersonalDataAccess.objects.filter(person=teacher, action="change", details__contains="согласие").exists()


@pytest.mark.parametrize(
    "role,expected",
    [("admin", 200), ("methodist", 403), ("reviewer", 403), ("teacher", 403), ("baksan_methodist", 404)],
)
def test_who_may_record_a_consent(net, login, teacher, role, expected):
    client = login(getattr(net.users, role))
    assert client.get(reverse("people:consent_add", args=[teacher.pk])).status_code == expected
    if expected != 200:
        assert post_consent(client, teacher).status_code == expected
        assert not Consent.objects.exists()


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"file": scan("x.exe", b"MZ")}, "только PDF, JPEG или PNG"),
        ({"file": scan("x.pdf", b"not a pdf")}, "не соответствует расширению"),
        ({"file": ""}, "Обязательное поле"),
        ({"signed_on": "2099-01-01"}, "в будущем"),
        ({"valid_until": "2026-01-01"}, "раньше даты подписания"),
        ({"purpose": "everything"}, "Выберите корректный вариант"),
    ],
)
def test_bad_input_records_nothing(net, login, teacher, overrides, message):
    response = post_consent(login(net.users.admin), teacher, **overrides)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consent.objects.exists()


def test_too_big_scan_is_refused(net, login, teacher, settings, monkeypatch):
    monkeypatch.setattr("submissions.attachments.MAX_ATTACHMENT_BYTES", 10)
    response = post_consent(login(net.users.admin), teacher)
    assert response.status_code == 400 and not Consent.objects.exists()


def make_consent(net, person, **kw):
    data = {"signed_on": datetime.date(2026, 9, 1), "file": scan(), "recorded_by": net.users.admin}
    data.update(kw)
    return Consent.objects.create(person=person, **data)


def test_withdrawal_is_recorded_once(net, login, teacher):
    consent = make_consent(net, teacher)
    client = login(net.users.admin)
    today = timezone.localdate()
    client.post(reverse("people:consent_revoke", args=[consent.pk]), {"revoked_on": today.isoformat()})
    consent.refresh_from_db()
    assert consent.revoked_on == today and not consent.is_active(today)
    client.post(reverse("people:consent_revoke", args=[consent.pk]), {"revoked_on": "2026-10-01"})
    consent.refresh_from_db()
    assert consent.revoked_on == today  # the first withdrawal stands


def test_withdrawal_before_signing_is_refused(net, login, teacher):
    consent = make_consent(net, teacher)
    login(net.users.admin).post(reverse("people:consent_revoke", args=[consent.pk]), {"revoked_on": "2026-01-01"})
    consent.refresh_from_db()
    assert consent.revoked_on is None


def test_only_editors_withdraw(net, login, teacher):
    consent = make_consent(net, teacher)
    url = reverse("people:consent_revoke", args=[consent.pk])
    assert login(net.users.reviewer).post(url, {"revoked_on": "2026-10-01"}).status_code == 403
    assert login(net.users.baksan_methodist).post(url, {"revoked_on": "2026-10-01"}).status_code == 404
    consent.refresh_from_db()
    assert consent.revoked_on is None


def test_scan_opens_for_who_sees_the_card_and_is_logged(net, login, teacher):
    consent = make_consent(net, teacher)
    url = reverse("people:consent_file", args=[consent.pk])
    response = login(net.users.reviewer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert PersonalDataAccess.objects.filter(user=net.users.reviewer, details__contains="скан согласия").exists()
    assert login(net.users.baksan_methodist).get(url).status_code == 404


@pytest.mark.parametrize(
    "signed,until,revoked,today,active",
    [
        ((2026, 9, 1), None, None, (2026, 9, 1), True),
        ((2026, 9, 1), (2026, 12, 31), None, (2026, 12, 31), True),
        ((2026, 9, 1), (2026, 12, 31), None, (2027, 1, 1), False),
        ((2026, 9, 1), None, (2026, 10, 1), (2026, 10, 1), False),
        ((2026, 9, 1), None, None, (2026, 8, 31), False),
    ],
)
def test_consent_is_active_within_its_term(signed, until, revoked, today, active):
    consent = Consent(
        signed_on=datetime.date(*signed),
        valid_until=until and datetime.date(*until),
        revoked_on=revoked and datetime.date(*revoked),
    )
    assert consent.is_active(datetime.date(*today)) is active
