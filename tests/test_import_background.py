"""Import previews run in Celery (registers/imports.py, registers/tasks.py; issue 14: every file).

A file is read in the request (a bad file is still refused on the form) and checked by a worker; its
page follows the check (htmx polling, rows checked of the total) and cannot be confirmed until the check
has ended well. A failed check is marked «ошибка» and refuses the confirmation. Confirming loads the
file in the background too, all rows or none.
"""

import pytest

from orgunits.models import School
from registers import imports
from registers.models import Import
from registers.tasks import run_confirm, run_preview

from .test_registers import SCHOOL_HEADERS, school_row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

# Numbers far from the factory's INN sequence, which the `net` fixture's schools take from 1.
NUMBERS = (9001, 9002, 9003)
NAMES = {f"МОУ № {n}" for n in NUMBERS}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def sent(monkeypatch):
    """Tasks handed to the broker, by name; nothing reaches a worker unless the test runs it."""
    sent = []
    monkeypatch.setattr(run_preview, "delay", lambda pk: sent.append(("preview", pk)))
    monkeypatch.setattr(run_confirm, "delay", lambda pk: sent.append(("confirm", pk)))
    return sent


def large_file():
    return xlsx_bytes([SCHOOL_HEADERS, *(school_row(n) for n in NUMBERS)])


def start(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "schools", large_file())
    assert response.status_code == 302
    return Import.objects.get(), response.url


def written():
    return School.objects.filter(short_name__in=NAMES).count()


def test_a_large_file_is_checked_in_the_background_with_progress(net, login, sent, django_capture_on_commit_callbacks):
    client = login(net.users.admin)
    imp, url = start(client, django_capture_on_commit_callbacks)
    assert imp.status == Import.Status.CHECK and imp.rows_total == 3 and imp.background
    assert sent == [("preview", imp.pk)] and imp.rows == []  # nothing checked in the request

    page = client.get(url).content.decode()
    assert "import-progress" in page and "hx-get" in page and "строк в файле — 3" in page
    assert "Загрузить все строки" not in page
    poll = client.get(url, headers={"HX-Request": "true"})
    assert poll.status_code == 200 and "<html" not in poll.content.decode()

    # A confirmation while the check is still going is refused, and writes nothing.
    response = client.post(url, {"action": "confirm"}, follow=True)
    assert "ещё проверяется" in response.content.decode()
    imp.refresh_from_db()
    assert imp.status == Import.Status.CHECK and written() == 0

    assert run_preview(imp.pk) == "checked"  # what the worker runs
    assert run_preview(imp.pk) == "nothing to do"  # the same message delivered twice
    imp.refresh_from_db()
    assert imp.status == Import.Status.PREVIEW and imp.totals["new"] == 3 and written() == 0
    assert imp.rows_done == imp.rows_total == 3

    poll = client.get(url, headers={"HX-Request": "true"})
    assert poll.headers.get("HX-Refresh") == "true"  # the check has ended: the page reloads with the rows
    page = client.get(url).content.decode()
    assert "Загрузить все строки" in page and "новая запись" in page


def test_confirming_a_large_file_loads_it_in_the_background(net, login, sent, django_capture_on_commit_callbacks):
    client = login(net.users.admin)
    imp, url = start(client, django_capture_on_commit_callbacks)
    run_preview(imp.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "confirm"}, follow=True)
    assert "записываются в фоне" in response.content.decode()
    imp.refresh_from_db()
    assert imp.status == Import.Status.LOAD and sent[-1] == ("confirm", imp.pk) and written() == 0

    again = client.post(url, {"action": "confirm"}, follow=True)  # a second click queues nothing more
    assert "уже запущена" in again.content.decode() and sent.count(("confirm", imp.pk)) == 1

    assert run_confirm(imp.pk) == "loaded"
    assert run_confirm(imp.pk) == "nothing to do"
    imp.refresh_from_db()
    assert imp.status == Import.Status.DONE and written() == 3


def test_a_failed_check_is_marked_and_cannot_be_confirmed(
    net, login, sent, monkeypatch, django_capture_on_commit_callbacks
):
    client = login(net.users.admin)
    imp, url = start(client, django_capture_on_commit_callbacks)

    def crash(*args, **kwargs):
        raise MemoryError("the worker ran out of memory")

    monkeypatch.setattr(imports, "run", crash)
    assert run_preview(imp.pk) == "failed"
    imp.refresh_from_db()
    assert imp.status == Import.Status.FAILED and imp.error == imports.CHECK_FAILED

    page = client.get(url).content.decode()
    assert "ошибка" in page and imports.CHECK_FAILED in page and "Загрузить все строки" not in page
    response = client.post(url, {"action": "confirm"}, follow=True)
    assert "Проверка файла не завершилась" in response.content.decode()
    imp.refresh_from_db()
    assert imp.status == Import.Status.FAILED and written() == 0
    with pytest.raises(imports.ImportRefused):
        imports.write_rows(imp, None)  # the service refuses it too, whoever calls it


def test_a_check_cancelled_meanwhile_records_nothing(net, login, sent, django_capture_on_commit_callbacks):
    client = login(net.users.admin)
    imp, url = start(client, django_capture_on_commit_callbacks)
    client.post(url, {"action": "cancel"})
    imp.refresh_from_db()
    assert imp.status == Import.Status.CANCELLED
    assert run_preview(imp.pk) == "nothing to do"
    imp.refresh_from_db()
    assert imp.status == Import.Status.CANCELLED and imp.rows == []


def test_even_a_small_file_is_checked_in_the_background(net, login, sent, django_capture_on_commit_callbacks):
    client = login(net.users.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "schools", xlsx_bytes([SCHOOL_HEADERS, school_row(9001), school_row(9002)]))
    imp = Import.objects.get()
    assert response.status_code == 302 and sent == [("preview", imp.pk)]
    assert imp.status == Import.Status.CHECK and imp.background and imp.rows == [] and imp.rows_total == 2


def test_a_bad_large_file_is_refused_on_the_form(net, login, sent):
    rows = [["ИНН", "Что-то не то"], *[["1", "2"]] * 5]
    response = upload(login(net.users.admin), "schools", xlsx_bytes(rows))
    assert response.status_code == 400 and "Заголовки не совпадают" in response.content.decode()
    assert not Import.objects.exists() and sent == []
