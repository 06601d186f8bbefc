"""A file chosen on a form survives a validation error (network.uploads): kept in the storage under
tmp/uploads/, named on the form again, reused on the next submit of the same session, checked like
a new upload, expiring, cleaned up (issue 12)."""

import datetime
import re

import pytest
from django import forms
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from network import uploads
from people.models import Consent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a scan of the consent\n"
FUTURE = "2099-01-01"


def scan(name="согласие.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post_consent(client, person, **overrides):
    data = {"purpose": "processing", "signed_on": "2026-09-01", "valid_until": "", "file": scan()}
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("people:consent_add", args=[person.pk]), data)


def token_of(response) -> str:
    found = re.search(r'name="file__kept" value="([^"]+)"', response.content.decode())
    return found.group(1) if found else ""


@pytest.fixture
def teacher(net):
    return net.users.teacher_person


def test_an_invalid_form_keeps_the_chosen_file_and_says_so(net, client, teacher):
    client.force_login(net.users.admin)
    response = post_consent(client, teacher, signed_on=FUTURE)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Выбран файл: <strong>согласие.pdf</strong> (сохранён, выбирать заново не нужно)" in page
    assert token_of(response)
    folders, _ = default_storage.listdir(uploads.KEEP_DIR)
    assert len(folders) == 1


def test_the_next_submit_uses_the_kept_file(net, client, teacher):
    client.force_login(net.users.admin)
    token = token_of(post_consent(client, teacher, signed_on=FUTURE))
    response = post_consent(client, teacher, file=None, file__kept=token)
    assert response.status_code == 302
    consent = Consent.objects.get(person=teacher)
    assert consent.file_name == "согласие.pdf"
    with consent.file.open("rb") as saved:
        assert saved.read() == PDF


def test_a_new_file_replaces_the_kept_one(net, client, teacher):
    client.force_login(net.users.admin)
    token = token_of(post_consent(client, teacher, signed_on=FUTURE))
    other = b"%PDF-1.4\n% the right scan\n"
    assert post_consent(client, teacher, file=scan("верный.pdf", other), file__kept=token).status_code == 302
    consent = Consent.objects.get(person=teacher)
    assert consent.file_name == "верный.pdf"
    with consent.file.open("rb") as saved:
        assert saved.read() == other


def test_the_kept_file_is_still_checked(net, client, teacher, monkeypatch):
    client.force_login(net.users.admin)
    token = token_of(post_consent(client, teacher, signed_on=FUTURE))
    monkeypatch.setattr("submissions.attachments.MAX_ATTACHMENT_BYTES", 10)
    response = post_consent(client, teacher, file=None, file__kept=token)
    assert response.status_code == 400
    assert "слишком большой" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_refused_file_is_not_kept(net, client, teacher):
    client.force_login(net.users.admin)
    response = post_consent(client, teacher, signed_on=FUTURE, file=scan("x.exe", b"MZ"))
    assert "только PDF, JPEG или PNG" in response.content.decode()
    assert not token_of(response) and "Выбран файл" not in response.content.decode()


def test_another_session_cannot_use_the_token(net, client, teacher, django_user_model):
    client.force_login(net.users.admin)
    token = token_of(post_consent(client, teacher, signed_on=FUTURE))
    from django.test import Client

    other = Client()
    other.force_login(net.users.admin)  # the same user in another browser: another session
    response = post_consent(other, teacher, file=None, file__kept=token)
    assert response.status_code == 400 and not Consent.objects.exists()


def test_a_forged_token_is_ignored(net, client, teacher):
    client.force_login(net.users.admin)
    post_consent(client, teacher, signed_on=FUTURE)
    response = post_consent(client, teacher, file=None, file__kept="forged:token")
    assert response.status_code == 400 and not Consent.objects.exists()


def test_the_token_expires(net, client, teacher, monkeypatch):
    client.force_login(net.users.admin)
    token = token_of(post_consent(client, teacher, signed_on=FUTURE))
    later = timezone.now().timestamp() + uploads.KEEP_SECONDS + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = post_consent(client, teacher, file=None, file__kept=token)
    assert response.status_code == 400 and not Consent.objects.exists()


def test_cleanup_deletes_only_the_expired(net, client, teacher):
    client.force_login(net.users.admin)
    post_consent(client, teacher, signed_on=FUTURE)
    assert uploads.cleanup_kept_uploads() == 0
    later = timezone.now() + datetime.timedelta(seconds=uploads.KEEP_SECONDS + 60)
    assert uploads.cleanup_kept_uploads(now=later) == 1
    folders, _ = default_storage.listdir(uploads.KEEP_DIR)
    assert folders == []


def test_cleanup_without_kept_uploads_does_nothing(db):
    assert uploads.cleanup_kept_uploads() == 0


class Form(uploads.KeptUploadsMixin, forms.Form):
    name = forms.CharField()
    file = forms.FileField()


def test_the_mixin_works_for_any_form(db):
    session = {}
    first = Form({"name": ""}, {"file": scan("план.pdf")}, upload_session=session)
    assert not first.is_valid() and first.kept_uploads["file"]["name"] == "план.pdf"
    token = first.kept_uploads["file"]["token"]
    second = Form({"name": "x", "file__kept": token}, {}, upload_session=session)
    assert second.is_valid()
    assert second.cleaned_data["file"].read() == PDF


def test_without_a_session_nothing_is_kept(db):
    form = Form({"name": ""}, {"file": scan()})
    assert not form.is_valid() and form.kept_uploads == {}
    assert "Выбран файл" not in form.as_p()


def test_a_monitoring_evidence_file_survives_a_wrong_figure(net, login):
    import io

    from monitoring.models import Result

    from .test_monitoring_rules import make_campaign, make_set, result_of

    indicator_set = make_set(net.region, ("assessment", "", {}, {"short_name": "Оценка"}))
    campaign = make_campaign(indicator_set, net.terek, today=datetime.date.today())
    manual = result_of(campaign, net.shmo, "assessment")
    client = login(net.users.shmo_secretary)
    url = reverse("monitoring:enter", args=[manual.pk])
    upload = io.BytesIO(PDF)
    upload.name = "приказ.pdf"
    data = {"numerator": "17", "denominator": "10", "evidence_text": "Приказ № 12", "evidence_url": ""}
    response = client.post(url, {**data, "evidence_file": upload})
    assert "Выбран файл: <strong>приказ.pdf</strong>" in response.content.decode()
    token = re.search(r'name="evidence_file__kept" value="([^"]+)"', response.content.decode()).group(1)
    response = client.post(url, {**data, "numerator": "7", "evidence_file__kept": token})
    assert response.status_code == 302
    manual = Result.objects.get(pk=manual.pk)
    assert manual.evidence_name == "приказ.pdf" and manual.evidence_file.read() == PDF


@pytest.mark.parametrize("app", ["monitoring", "practices"])
def test_the_forms_with_files_keep_them(app):
    from monitoring.forms import ManualEntryForm
    from practices.forms import DevelopmentForm, ResubmitForm

    forms_of = {"monitoring": [ManualEntryForm], "practices": [DevelopmentForm, ResubmitForm]}[app]
    assert all(issubclass(form, uploads.KeptUploadsMixin) for form in forms_of)


def test_the_daily_sweep_deletes_kept_uploads_older_than_an_hour(monkeypatch):
    from network import periodic

    calls = []
    monkeypatch.setattr("network.uploads.cleanup_kept_uploads", lambda: calls.append(1) or 0)
    step = next(s for s in periodic.steps() if s.name == "network.kept_uploads")
    step.func(None, None)
    assert calls == [1]


def test_a_course_scan_survives_wrong_dates(net, login):
    # The teacher's own КПК (issue 12): dates in the wrong order send the form back, the scan stays.
    from growth.models import Course

    from .test_growth import course_post

    client = login(net.users.teacher)
    url = reverse("growth:course_add", args=[net.users.teacher_person.pk])
    response = client.post(
        url, course_post(starts_on="2026-03-01", ends_on="2026-02-01", file=scan("удостоверение.pdf"))
    )
    assert "Выбран файл: <strong>удостоверение.pdf</strong>" in response.content.decode()
    token = re.search(r'name="file__kept" value="([^"]+)"', response.content.decode()).group(1)
    assert client.post(url, course_post(file__kept=token)).status_code == 302
    course = Course.objects.get(person=net.users.teacher_person)
    assert course.file.read() == PDF
