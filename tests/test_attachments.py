"""Files of a plan or a report: accepted by extension AND content, limited in size; downloaded
by whoever sees the document, uploaded and deleted by its filers while it is editable."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions import attachments
from submissions.models import Attachment

from . import documents as d

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(client, submission, name, content):
    submission.refresh_from_db()
    return client.post(
        reverse("attachments:upload", args=[submission.pk]),
        {"file": SimpleUploadedFile(name, content), "expected_version": submission.version},
    )


def attach(net, submission, name="Положение о конкурсе.pdf", content=PDF):
    from django.core.files.base import ContentFile

    attachment = Attachment(submission=submission, name=name, size=len(content), uploaded_by=net.users.secretary)
    attachment.file.save(name, ContentFile(content), save=True)
    return attachment


# -- what is accepted -------------------------------------------------------------------------------


def test_a_good_pdf_is_attached(net, login, media):
    plan = d.plan(net)
    before = plan.version

    response = upload(login(net.users.secretary), plan, "Положение о конкурсе.pdf", PDF)

    assert response.status_code == 302 and response.url == reverse("plans:edit", args=[plan.pk])
    assert "прикреплён" in d.message_texts(response)
    attachment = Attachment.objects.get(submission=plan)
    assert (attachment.name, attachment.size, attachment.uploaded_by) == (
        "Положение о конкурсе.pdf",
        len(PDF),
        net.users.secretary,
    )
    assert attachment.file.read() == PDF
    plan.refresh_from_db()
    assert plan.version == before + 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("протокол.docx", zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})),
        ("таблица.xlsx", zipped({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"})),
        ("отчёт.odt", zipped({"mimetype": b"application/vnd.oasis.opendocument.text"})),
        ("старый.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 64),
        ("фото.png", PNG),
        ("фото.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
    ],
)
def test_office_files_and_images_are_accepted(net, login, name, content):
    report = d.report(net)

    upload(login(net.users.secretary), report, name, content)

    assert Attachment.objects.get(submission=report).name == name


def test_a_fake_pdf_is_refused(net, login):
    plan = d.plan(net)

    response = upload(login(net.users.secretary), plan, "приказ.pdf", b"MZ\x90\x00 this is a program")

    assert "не соответствует расширению .pdf: это не PDF" in d.message_texts(response)
    assert not Attachment.objects.exists()


def test_a_docx_that_is_another_zip_is_refused(net, login):
    plan = d.plan(net)

    response = upload(login(net.users.secretary), plan, "план.docx", zipped({"xl/workbook.xml": b"<w/>"}))

    assert "не является файлом формата документ Word (DOCX)" in d.message_texts(response)
    assert not Attachment.objects.exists()


def test_an_exe_is_refused(net, login):
    plan = d.plan(net)

    response = upload(login(net.users.secretary), plan, "setup.exe", b"MZ\x90\x00")

    assert "Файлы этого типа прикреплять нельзя (.exe)" in d.message_texts(response)
    assert not Attachment.objects.exists()


def test_a_too_big_file_is_refused(net, login, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", len(PDF) - 1)
    plan = d.plan(net)
    before = plan.version

    response = upload(login(net.users.secretary), plan, "большой.pdf", PDF)

    assert "слишком большой" in d.message_texts(response)
    assert not Attachment.objects.exists()
    plan.refresh_from_db()
    assert plan.version == before


def test_an_empty_file_is_refused(net, login):
    plan = d.plan(net)

    response = upload(login(net.users.secretary), plan, "пустой.pdf", b"")

    assert "пустой" in d.message_texts(response)
    assert not Attachment.objects.exists()


# -- who and when -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("reviewer", 403), ("baksan_methodist", 404), ("outsider", 404)])
def test_only_filers_upload(net, login, who, status):
    plan = d.plan(net)

    assert upload(login(getattr(net.users, who)), plan, "план.pdf", PDF).status_code == status
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_nothing_is_attached_to_a_submitted_or_approved_document(net, login, state):
    plan = d.plan(net)
    d.to_state(plan, net, state)

    response = upload(login(net.users.secretary), plan, "план.pdf", PDF)

    assert "изменить нельзя" in d.message_texts(response)
    assert not Attachment.objects.exists()


def test_a_stale_upload_is_refused(net, login):
    plan = d.plan(net)
    client = login(net.users.secretary)
    stale = plan.version
    upload(client, plan, "первый.pdf", PDF)

    response = client.post(
        reverse("attachments:upload", args=[plan.pk]),
        {"file": SimpleUploadedFile("второй.pdf", PDF), "expected_version": stale},
    )

    assert "Пока вы редактировали, документ изменил другой пользователь" in d.message_texts(response)
    assert list(Attachment.objects.values_list("name", flat=True)) == ["первый.pdf"]


# -- download ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary", "reviewer", "methodist"])
def test_who_sees_the_document_downloads_its_file(net, login, who):
    attachment = attach(net, d.plan(net))

    response = login(getattr(net.users, who)).get(reverse("attachments:download", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("who", ["outsider", "baksan_methodist"])
def test_who_does_not_see_the_document_gets_404(net, login, who):
    attachment = attach(net, d.plan(net))

    assert login(getattr(net.users, who)).get(reverse("attachments:download", args=[attachment.pk])).status_code == 404


def test_the_editor_links_the_file(net, login):
    plan = d.plan(net)
    attachment = attach(net, plan)

    html = login(net.users.secretary).get(reverse("plans:edit", args=[plan.pk])).content.decode()

    assert reverse("attachments:download", args=[attachment.pk]) in html
    assert reverse("attachments:delete", args=[attachment.pk]) in html


# -- delete -----------------------------------------------------------------------------------------


def test_a_filer_deletes_a_file(net, login, media, django_capture_on_commit_callbacks):
    plan = d.plan(net)
    attachment = attach(net, plan)
    path = media / attachment.file.name
    plan.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        response = login(net.users.secretary).post(
            reverse("attachments:delete", args=[attachment.pk]), {"expected_version": plan.version}
        )

    assert "удалён" in d.message_texts(response)
    assert not Attachment.objects.exists()
    assert not path.exists()


@pytest.mark.parametrize(("who", "status"), [("reviewer", 403), ("baksan_methodist", 404)])
def test_only_filers_delete(net, login, who, status):
    plan = d.plan(net)
    attachment = attach(net, plan)

    response = login(getattr(net.users, who)).post(
        reverse("attachments:delete", args=[attachment.pk]), {"expected_version": plan.version}
    )

    assert response.status_code == status
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_file_of_an_approved_document_stays(net, login):
    plan = d.plan(net)
    attachment = attach(net, plan)
    d.approve(plan, net)
    plan.refresh_from_db()

    response = login(net.users.secretary).post(
        reverse("attachments:delete", args=[attachment.pk]), {"expected_version": plan.version}
    )

    assert "изменить нельзя" in d.message_texts(response)
    assert Attachment.objects.filter(pk=attachment.pk).exists()
