"""Files in S3-compatible object storage (issue 14).

STORAGE_URL's parser (a wrong URL stops the start with a clear message), then the portal's real paths
against a real S3-protocol server (tests/s3server.py: moto_server in its own process, or S3_TEST_URL):
an attachment uploaded and downloaded through the permission-checked view, a PDF rendered into the
bucket and served from it, a background register export written and downloaded, an import read back, a
kept upload restored, a certificate scan — every object private (its bare URL refused by the server),
nothing written under MEDIA_ROOT.
"""

import io
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

import network.pdf
from network import uploads
from network.models import RenderedDocument
from network.storage import default_storage_config, is_object_storage, parse_storage_url
from orgunits.access import grant_role
from people.models import Consent, PersonalDataAccess
from registers.models import Export, Import
from registers.tasks import run_export
from submissions.models import Attachment

from . import documents as d
from . import factories as f

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


# -- STORAGE_URL ----------------------------------------------------------------------------------


def test_a_full_storage_url_gives_a_private_s3_storage():
    config = parse_storage_url("s3://AKID:se%2Fcr%2Bet@storage.yandexcloud.net/metodset/prod?region=ru-central1")
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert config["OPTIONS"] == {
        "bucket_name": "metodset",
        "location": "prod",
        "endpoint_url": "https://storage.yandexcloud.net",
        "region_name": "ru-central1",
        "use_ssl": True,
        "addressing_style": "path",
        "signature_version": "s3v4",
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 60,
        "file_overwrite": False,
        "max_memory_size": 5 * 1024 * 1024,
        "access_key": "AKID",
        "secret_key": "se/cr+et",
    }


def test_plain_http_a_port_and_no_keys():
    options = parse_storage_url("s3://10.0.0.5:9000/files?secure=0&expire=30")["OPTIONS"]
    assert options["endpoint_url"] == "http://10.0.0.5:9000" and options["use_ssl"] is False
    assert options["querystring_expire"] == 30 and options["region_name"] == "us-east-1"
    assert "access_key" not in options and "location" not in options  # boto3 finds its own keys


def test_without_storage_url_files_stay_in_the_local_folder():
    assert default_storage_config("") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert default_storage_config(None)["BACKEND"].endswith("FileSystemStorage")
    assert not is_object_storage(default_storage)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://k:s@host/bucket", "схема должна быть s3://"),
        ("s3://k:s@/bucket", "не указан хост"),
        ("s3://k:s@host", "не указан бакет"),
        ("s3://k:s@host/", "не указан бакет"),
        ("s3://key@host/bucket", "ключ и секрет указываются вместе"),
        ("s3://k:s@host/bucket?secure=maybe", "secure='maybe' должен быть 0 или 1"),
        ("s3://k:s@host/bucket?expire=0", "expire — число секунд"),
        ("s3://k:s@host/bucket?expire=soon", "expire — число секунд"),
        ("s3://k:s@host/bucket?bucket=other", "неизвестные параметры: bucket"),
        ("s3://k:s@host:99999/bucket", "адрес не разобран"),
    ],
)
def test_a_wrong_storage_url_stops_the_start_with_a_clear_message(url, says):
    with pytest.raises(ImproperlyConfigured) as caught:
        parse_storage_url(url)
    message = str(caught.value)
    assert says in message and "expected s3://KEY:SECRET@host" in message
    assert ":s@" not in message  # the secret is never printed


def test_the_settings_refuse_a_wrong_storage_url_at_startup(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    env = {"STORAGE_URL": "ftp://files.example/bucket", "METODSET_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "схема должна быть s3://" in done.stderr


# -- the portal's paths on a real S3 server ----------------------------------------------------


def media_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def s3(s3_storage, settings, db):
    assert is_object_storage(default_storage), "the default storage must be the object store"
    yield s3_storage
    assert media_files(settings.MEDIA_ROOT) == [], "nothing may be written under MEDIA_ROOT"


@pytest.fixture
def foreign_reviewer(net):
    """A reviewer of another region's РУМО: sees that region only."""
    region = f.RegionFactory(code="bur", name="Республика Бурятия", timezone="Asia/Irkutsk")
    rumo = f.unit(region, net.kinds["rumo"], name="РУМО РБ")
    user = f.UserFactory(username="bur_reviewer")
    f.PersonFactory(region=region, user=user, last_name="Чужой")
    grant_role(user, rumo, "reviewer")
    return user


def unsigned_get(s3, key) -> int:
    """A GET of the object's bare address on the store, as anybody on the network could try it."""
    try:
        with urllib.request.urlopen(f"{s3.endpoint.url}/{s3.bucket}/{quote(key)}", timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.s3
@pytest.mark.django_db
def test_an_attachment_goes_to_the_bucket_and_comes_back_only_through_the_view(s3, net, login, foreign_reviewer):
    report = d.report(net)
    client = login(net.users.secretary)
    report.refresh_from_db()
    response = client.post(
        reverse("attachments:upload", args=[report.pk]),
        {"file": SimpleUploadedFile("Положение о конкурсе.pdf", PDF), "expected_version": report.version},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(submission=report)
    assert s3.object_keys() == [attachment.file.name]
    stored = s3.client.get_object(Bucket=s3.bucket, Key=attachment.file.name)
    assert stored["Body"].read() == PDF

    url = reverse("attachments:download", args=[attachment.pk])
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Length"] == str(len(PDF))
    assert "attachment" in download["Content-Disposition"]
    assert login(foreign_reviewer).get(url).status_code == 404
    assert login(net.users.baksan_methodist).get(url).status_code == 404


@pytest.mark.s3
@pytest.mark.django_db
def test_an_object_is_private_its_bare_url_is_refused_a_signed_one_is_not(s3, net):
    attachment = Attachment(submission=d.plan(net), name="план.pdf", size=len(PDF), uploaded_by=net.users.secretary)
    attachment.file.save("план.pdf", ContentFile(PDF), save=True)
    key = attachment.file.name

    assert unsigned_get(s3, key) == 403
    acl = s3.client.get_object_acl(Bucket=s3.bucket, Key=key)
    assert not [g for g in acl["Grants"] if g["Grantee"].get("URI", "").endswith("/global/AllUsers")]
    # The control: the same object signed (what the storage's url() makes, 60 s) is served by the store,
    # so the 403 above is the ACL's doing, not a wrong address.
    signed = default_storage.url(key)
    assert "X-Amz-Signature=" in signed and "X-Amz-Expires=60" in signed
    with urllib.request.urlopen(signed, timeout=10) as answer:
        assert answer.read() == PDF


@pytest.mark.s3
@pytest.mark.django_db
def test_a_deleted_attachment_leaves_the_bucket(s3, net, login, django_capture_on_commit_callbacks):
    plan = d.plan(net)
    client = login(net.users.secretary)
    plan.refresh_from_db()
    client.post(
        reverse("attachments:upload", args=[plan.pk]),
        {"file": SimpleUploadedFile("список.pdf", PDF), "expected_version": plan.version},
    )
    attachment = Attachment.objects.get()
    plan.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("attachments:delete", args=[attachment.pk]), {"expected_version": plan.version})
    assert response.status_code == 302 and not Attachment.objects.exists()
    assert s3.object_keys() == []


@pytest.mark.s3
@pytest.mark.django_db
def test_a_pdf_is_rendered_into_the_bucket_once_and_served_from_it(s3, net, login, monkeypatch):
    renders = []
    real = network.pdf.render_pdf
    monkeypatch.setattr(network.pdf, "render_pdf", lambda *a: renders.append(a[0]) or real(*a))
    plan = d.plan(net)
    d.item(plan)
    client = login(net.users.secretary)
    url = reverse("submissions:pdf", args=[plan.pk])

    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    body = b"".join(first.streaming_content)
    assert body.startswith(b"%PDF")
    rendered = RenderedDocument.objects.get()
    assert rendered.file.name.startswith("pdf/") and s3.object_keys() == [rendered.file.name]

    again = client.get(url)
    assert b"".join(again.streaming_content) == body
    assert len(renders) == 1, "the second reader gets the stored file, not a new rendering"
    assert unsigned_get(s3, rendered.file.name) == 403


@pytest.mark.s3
@pytest.mark.django_db
def test_a_background_export_is_written_to_the_bucket_and_downloaded(s3, net, login, settings, monkeypatch):
    settings.REGISTER_SYNC_ROWS = 2
    monkeypatch.setattr(run_export, "delay", lambda pk: None)
    client = login(net.users.admin)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
        assert client.get(reverse("registers:export", args=["people"])).status_code == 302
    export = Export.objects.get()
    assert run_export(export.pk) == "done"  # what the worker runs
    export.refresh_from_db()
    assert s3.object_keys() == [export.file.name]

    download = client.get(reverse("registers:export_download", args=[export.pk]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == export.rows_total + 1
    assert PersonalDataAccess.objects.filter(action="export").exists()  # the 152-ФЗ log as on disk
    assert login(net.users.methodist).get(reverse("registers:export_download", args=[export.pk])).status_code == 404


@pytest.mark.s3
@pytest.mark.django_db
def test_an_import_file_is_stored_in_the_bucket_and_read_back(s3, net, login, django_capture_on_commit_callbacks):
    from demo.orgunits import inn_with_checksum

    from .background import worker

    book = Workbook()
    book.active.append(["ИНН", "Полное наименование", "Краткое наименование", "Муниципалитет", "Адрес"])
    book.active.append(
        [inn_with_checksum("075555555"), "МОУ № 1", "МОУ № 1", "РУМО КБР / ЦНППМ КБР / Терское МунУМО", "ул. Мира"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    client = login(net.users.admin)
    with worker(django_capture_on_commit_callbacks):  # the check may run in a worker: it reads the file back
        response = client.post(
            reverse("registers:import", args=["schools"]),
            {"file": SimpleUploadedFile("schools.xlsx", buffer.getvalue())},
        )
    assert response.status_code == 302
    upload = Import.objects.get()
    assert upload.status == "preview" and upload.totals["new"] == 1, (upload.totals, upload.rows)
    assert upload.file.name in s3.object_keys()


@pytest.mark.s3
@pytest.mark.django_db
def test_a_kept_upload_lives_in_the_bucket_and_is_used_on_the_next_submit(s3, net, client):
    import re

    teacher = net.users.teacher_person
    client.force_login(net.users.admin)
    url = reverse("people:consent_add", args=[teacher.pk])
    scan = SimpleUploadedFile("согласие.pdf", PDF, content_type="application/pdf")
    invalid = client.post(url, {"purpose": "processing", "signed_on": "2099-01-01", "file": scan})
    assert invalid.status_code == 400
    token = re.search(r'name="file__kept" value="([^"]+)"', invalid.content.decode()).group(1)
    kept = s3.object_keys()
    assert len(kept) == 1 and kept[0].startswith(uploads.KEEP_DIR + "/")

    saved = client.post(url, {"purpose": "processing", "signed_on": "2026-09-01", "file__kept": token})
    assert saved.status_code == 302
    consent = Consent.objects.get(person=teacher)
    assert consent.file.name in s3.object_keys()
    download = client.get(reverse("people:consent_file", args=[consent.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    # The sweep's cleanup reads the object's time from the store and removes what has expired.
    import datetime

    from django.utils import timezone

    assert uploads.cleanup_kept_uploads() == 0
    later = timezone.now() + datetime.timedelta(seconds=uploads.KEEP_SECONDS + 60)
    assert uploads.cleanup_kept_uploads(now=later) == 1
    assert s3.object_keys() == [consent.file.name]


@pytest.mark.s3
@pytest.mark.django_db
def test_a_certificate_scan_is_served_from_the_bucket_to_those_who_see_the_person(s3, net, client):
    from growth.models import Course

    course = Course(
        person=net.users.teacher_person,
        title="ФГОС",
        provider="ЦНППМ",
        hours=36,
        starts_on="2026-03-01",
        ends_on="2026-03-10",
    )
    course.file.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
    url = reverse("growth:course_file", args=[course.pk])
    client.force_login(net.users.teacher)
    answer = client.get(url)
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == b"%PDF-1.4 scan"
    client.force_login(net.users.baksan_methodist)
    assert client.get(url).status_code == 404


@pytest.mark.s3
@pytest.mark.django_db
def test_a_file_missing_from_the_bucket_is_a_404_not_a_500(s3, net, login):
    attachment = Attachment(submission=d.plan(net), name="план.pdf", size=len(PDF), uploaded_by=net.users.secretary)
    attachment.file.save("план.pdf", ContentFile(PDF), save=True)
    s3.client.delete_object(Bucket=s3.bucket, Key=attachment.file.name)
    assert login(net.users.secretary).get(reverse("attachments:download", args=[attachment.pk])).status_code == 404


@pytest.mark.s3
@pytest.mark.django_db
def test_a_monitoring_evidence_file_is_kept_stored_and_served_from_the_bucket(s3, net, login):
    import datetime
    import re

    from monitoring.models import Result

    from .test_monitoring_rules import make_campaign, make_set, result_of

    indicator_set = make_set(net.region, ("assessment", "", {}, {"short_name": "Оценка"}))
    campaign = make_campaign(indicator_set, net.terek, today=datetime.date.today())
    manual = result_of(campaign, net.shmo, "assessment")
    client = login(net.users.shmo_secretary)
    url = reverse("monitoring:enter", args=[manual.pk])
    data = {"numerator": "17", "denominator": "10", "evidence_text": "Приказ № 12", "evidence_url": ""}
    wrong = client.post(url, {**data, "evidence_file": SimpleUploadedFile("приказ.pdf", PDF)})
    token = re.search(r'name="evidence_file__kept" value="([^"]+)"', wrong.content.decode()).group(1)
    assert client.post(url, {**data, "numerator": "7", "evidence_file__kept": token}).status_code == 302
    manual = Result.objects.get(pk=manual.pk)
    assert manual.evidence_file.name in s3.object_keys()

    download = client.get(reverse("monitoring:evidence", args=[manual.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert login(net.users.baksan_methodist).get(reverse("monitoring:evidence", args=[manual.pk])).status_code == 404


@pytest.mark.s3
@pytest.mark.django_db
def test_a_development_file_is_stored_in_the_bucket_and_hidden_until_published(s3, net, login):
    from .test_practices import PDF as DEVELOPMENT
    from .test_practices import advance, new_dev

    dev = advance(net, new_dev(net), "recommended")
    stored = dev.current_file
    assert stored.file.name in s3.object_keys()
    url = reverse("practices:file", args=[stored.pk])
    assert login(net.users.outsider).get(url).status_code == 404
    download = login(net.users.teacher).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == DEVELOPMENT


@pytest.mark.django_db
def test_media_url_serves_nothing(net, client, settings):
    """No route serves MEDIA_URL: a stored file is reached only through its permission-checked view."""
    attachment = Attachment(submission=d.plan(net), name="план.pdf", size=len(PDF), uploaded_by=net.users.secretary)
    attachment.file.save("plan.pdf", ContentFile(PDF), save=True)
    assert (settings.MEDIA_ROOT / attachment.file.name).exists()
    client.force_login(net.users.superuser)
    assert client.get(f"/{settings.MEDIA_URL}{attachment.file.name}").status_code == 404
