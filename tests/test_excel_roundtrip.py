"""The Excel round trip (issue 12): a register exported and loaded back unchanged changes nothing;
an empty cell keeps a value, «(очистить)» clears it; the files carry no visible artefacts."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from people.models import Membership, Person
from registers.base import REGISTRY
from registers.models import Import
from registers.resources import CLEAR_MARKER

from . import factories as f
from .background import eager_worker  # noqa: F401 (the fixture of pytestmark)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_worker")]  # imports run in Celery

IMPORTABLE = sorted(code for code, register in REGISTRY.items() if register.importable)


def test_the_importable_registers_are_the_ones_the_round_trip_covers():
    assert IMPORTABLE == ["memberships", "people", "schools", "units"]


@pytest.fixture
def filled(net):
    """Values that used to come back changed: phones with «+», dates, a text that looks like a
    formula, an empty middle name, a person without a school."""
    f.PersonFactory(
        region=net.region,
        school=net.school,
        last_name="Петрова",
        middle_name="",
        email="petrova@example.ru",
        phone="+7 900 000-00-00",
        position="=учитель",
        teaching_since=2015,
    )
    f.PersonFactory(region=net.region, school=None, last_name="Без школы", email="free@example.ru", phone="-")
    net.school.address = "@ ул. Мира, 1"
    net.school.save()
    return net


def export(client, code, fmt="xlsx") -> bytes:
    response = client.get(reverse("registers:export", args=[code]) + f"?format={fmt}")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def load_back(client, code, content, name) -> Import:
    response = client.post(reverse("registers:import", args=[code]), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Import.objects.latest("pk")


def snapshot():
    return (
        list(Person.objects.order_by("pk").values()),
        list(Membership.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("code", IMPORTABLE)
def test_an_export_loaded_back_unchanged_changes_nothing(filled, login, code, fmt):
    client = login(filled.users.admin)
    content = export(client, code, fmt)
    before = snapshot()
    upload = load_back(client, code, content, f"{code}.{fmt}")
    assert upload.status == Import.Status.PREVIEW, [r["errors"] for r in upload.rows if r["errors"]][:5]
    assert upload.rows and {r["label"] for r in upload.rows} == {"без изменений"}
    assert upload.totals == {"new": 0, "update": 0, "skip": len(upload.rows), "error": 0}
    assert snapshot() == before


def test_loading_back_an_export_confirmed_writes_nothing(filled, login):
    client = login(filled.users.admin)
    upload = load_back(client, "people", export(client, "people"), "people.xlsx")
    before = snapshot()
    client.post(reverse("registers:import_preview", args=[upload.pk]), {"action": "confirm"})
    upload.refresh_from_db()
    assert upload.status == Import.Status.DONE and upload.totals["update"] == 0 and upload.totals["new"] == 0
    assert snapshot() == before


def test_the_export_writes_a_phone_as_text_without_an_apostrophe(filled, login):
    client = login(filled.users.admin)
    ws = load_workbook(io.BytesIO(export(client, "people"))).active
    rows = [list(r) for r in ws.iter_rows()]
    header = [c.value for c in rows[0]]
    petrova = next(r for r in rows if r[header.index("E-mail")].value == "petrova@example.ru")
    phone = petrova[header.index("Телефон")]
    assert (phone.value, phone.data_type) == ("+7 900 000-00-00", "s")
    position = petrova[header.index("Должность")]
    # A text that starts with «=» is a string cell, shown as it is: never a formula, no apostrophe.
    assert (position.value, position.data_type) == ("=учитель", "s")


def test_the_csv_marks_only_what_would_run_as_a_formula(filled, login):
    text = export(login(filled.users.admin), "people", "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    petrova = next(r for r in rows if r[header.index("E-mail")] == "petrova@example.ru")
    assert petrova[header.index("Телефон")] == "+7 900 000-00-00"
    assert petrova[header.index("Должность")] == "'=учитель"
    free = next(r for r in rows if r[header.index("E-mail")] == "free@example.ru")
    assert free[header.index("Телефон")] == "-"


def test_lookup_columns_are_written_the_way_the_import_reads_them(filled, login):
    client = login(filled.users.admin)
    ws = load_workbook(io.BytesIO(export(client, "memberships"))).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = rows[0]
    units = {r[header.index("Подразделение (путь)")] for r in rows[1:]}
    assert "РУМО КБР / ЦНППМ КБР / Терское МунУМО / РМО учителей математики Терского района" in units
    ws = load_workbook(io.BytesIO(export(client, "schools"))).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert {r[rows[0].index("Муниципалитет")] for r in rows[1:]} == {
        "РУМО КБР / ЦНППМ КБР / Терское МунУМО",
        "РУМО КБР / ЦНППМ КБР / Баксанское МунУМО",
    }


def edited(content: bytes, email: str, column: str, value) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("E-mail")].value == email:
            row[header.index(column)].value = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_one_edited_cell_is_the_one_change(filled, login):
    client = login(filled.users.admin)
    content = edited(export(client, "people"), "petrova@example.ru", "Телефон", "+7 900 111-11-11")
    upload = load_back(client, "people", content, "people.xlsx")
    changed = [r for r in upload.rows if r["outcome"] == "update"]
    assert len(changed) == 1 and changed[0]["changes"] == [["Телефон", "+7 900 000-00-00", "+7 900 111-11-11"]]
    assert all(r["label"] == "без изменений" for r in upload.rows if r is not changed[0])


def test_an_empty_cell_keeps_the_value(filled, login):
    client = login(filled.users.admin)
    content = edited(export(client, "people"), "petrova@example.ru", "Телефон", None)
    upload = load_back(client, "people", content, "people.xlsx")
    assert upload.totals["update"] == 0 and upload.totals["error"] == 0
    client.post(reverse("registers:import_preview", args=[upload.pk]), {"action": "confirm"})
    assert Person.objects.get(email="petrova@example.ru").phone == "+7 900 000-00-00"


def test_the_clear_marker_clears_the_value(filled, login):
    client = login(filled.users.admin)
    content = edited(export(client, "people"), "petrova@example.ru", "Телефон", CLEAR_MARKER)
    upload = load_back(client, "people", content, "people.xlsx")
    changed = [r for r in upload.rows if r["outcome"] == "update"]
    assert [r["changes"] for r in changed] == [[["Телефон", "+7 900 000-00-00", "пусто"]]]
    client.post(reverse("registers:import_preview", args=[upload.pk]), {"action": "confirm"})
    assert Person.objects.get(email="petrova@example.ru").phone == ""


def test_the_clear_marker_clears_a_school(filled, login):
    client = login(filled.users.admin)
    content = edited(export(client, "people"), "petrova@example.ru", "ИНН школы", CLEAR_MARKER)
    upload = load_back(client, "people", content, "people.xlsx")
    changed = next(r for r in upload.rows if r["outcome"] == "update")
    assert changed["changes"] == [["ИНН школы", filled.school.inn, "пусто"]]


def test_the_template_and_the_import_page_explain_the_empty_cell_and_the_marker(net, login):
    client = login(net.users.admin)
    response = client.get(reverse("registers:import_template", args=["people"]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames[1] == "Как заполнять"
    notes = " ".join(str(r[0]) for r in wb["Как заполнять"].iter_rows(values_only=True))
    assert "Пустая ячейка — «не менять»" in notes and CLEAR_MARKER in notes
    page = client.get(reverse("registers:import", args=["people"])).content.decode()
    assert "Пустая ячейка — «не менять»" in page and CLEAR_MARKER in page


def test_columns_the_import_does_not_use_are_skipped_wherever_they_stand(net, login):
    client = login(net.users.admin)
    header = ["Примечание", "ИНН", "Полное наименование", "Краткое наименование", "Муниципалитет", "Адрес", "Ещё"]
    row = ["что угодно", net.school.inn, net.school.name, net.school.short_name, "", "", "x"]
    text = "\n".join(";".join(r) for r in [header, row]).encode("utf-8")
    upload = load_back(client, "schools", text, "schools.csv")
    assert upload.status == Import.Status.PREVIEW and upload.rows[0]["label"] == "без изменений"


def test_the_preview_names_the_columns_it_skipped(filled, login):
    client = login(filled.users.admin)
    upload = load_back(client, "people", export(client, "people"), "people.xlsx")
    assert upload.ignored_columns == "«Школа», «Предметы»"
    page = client.get(reverse("registers:import_preview", args=[upload.pk])).content.decode()
    assert "Столбцы, которые загрузка не использует, пропущены: «Школа», «Предметы»." in page
