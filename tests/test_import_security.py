"""Imports that cannot reach other regions, and bad files that never crash ("Locks on every door").

Lookups of an import (a person by e-mail, a school by INN, a unit by path, a region by code) search
only what the importer may act on: a record of another region gets the answer a missing record
gets. Bad files (zip bombs, DTDs, NUL bytes, endless lines) get a Russian message and change nothing.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from demo.orgunits import inn_with_checksum
from orgunits.models import OrgUnit, School
from people.models import Membership, Person
from registers import imports
from registers.models import Import

from . import factories as f
from .background import eager_worker  # noqa: F401 (the fixture of pytestmark)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_worker")]  # imports run in Celery

TEREK_PATH = "РУМО КБР / ЦНППМ КБР / Терское МунУМО"
TEREK_RMO_PATH = f"{TEREK_PATH} / РМО учителей математики Терского района"
OTHER_PATH = "РУМО Бурятии / Иволгинское МунУМО"
SCHOOL_HEADERS = ["ИНН", "Полное наименование", "Краткое наименование", "Муниципалитет", "Адрес"]
PEOPLE_HEADERS = [
    "Фамилия",
    "Имя",
    "Отчество",
    "E-mail",
    "Телефон",
    "Должность",
    "Регион (код)",
    "ИНН школы",
    "Квалификационная категория",
    "Год начала педагогической работы",
]
MEMBER_HEADERS = ["E-mail педагога", "Подразделение (путь)", "Роль", "Срок с", "Срок по", "Выбыл"]
UNIT_HEADERS = ["Путь", "Вид", "Наименование", "Краткое наименование", "ИНН школы", "Действует с", "Прекратило работу"]
# INNs no school in these tests has (valid checksums: the INN validator passes them).
UNKNOWN_INN = inn_with_checksum("039999999")
NEW_INN = inn_with_checksum("039999998")


@pytest.fixture
def other(net):
    """Another region with its own tree, a school and a teacher: out of reach of KBR's administrator."""
    region = f.RegionFactory(code="bur", name="Республика Бурятия")
    rumo = f.unit(region, net.kinds["rumo"], name="РУМО Бурятии")
    munumo = f.unit(region, net.kinds["munumo"], rumo, name="Иволгинское МунУМО")
    rmo = f.unit(region, net.kinds["rmo"], munumo, name="РМО учителей истории")
    school = f.SchoolFactory(municipality=munumo, short_name="СОШ Иволгинска", inn=inn_with_checksum("038888888"))
    teacher = f.PersonFactory(
        region=region, school=school, last_name="Дашиева", first_name="Туяна", email="dashieva@example.ru"
    )
    f.member(teacher, rmo)
    return type("Other", (), {"region": region, "munumo": munumo, "rmo": rmo, "school": school, "teacher": teacher})


def xlsx_bytes(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client, code, content, name="file.xlsx"):
    return client.post(reverse("registers:import", args=[code]), {"file": SimpleUploadedFile(name, content)})


def import_rows(client, code, rows):
    """Upload `rows` (a header and data rows) and return the preview's row outcomes."""
    response = upload(client, code, xlsx_bytes(rows))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Import.objects.order_by("-pk").first().rows


def errors_of(rows):
    return [" ".join(r["errors"]) for r in rows]


# -- lookups stay within reach -------------------------------------------------------------------


def test_membership_import_cannot_reach_a_teacher_of_another_region(net, other, login):
    """The issue's case: a row with the e-mail of another region's teacher must not make them a member
    (which would open their card, edit form, portfolio and access log to the importer)."""
    client = login(net.users.admin)
    term = ["член", "01.09.2026", "", ""]
    rows = import_rows(
        client,
        "memberships",
        [MEMBER_HEADERS, [other.teacher.email, TEREK_RMO_PATH, *term], ["nobody@example.ru", TEREK_RMO_PATH, *term]],
    )
    foreign, unknown = errors_of(rows)
    assert [r["outcome"] for r in rows] == ["error", "error"]
    assert "не найден среди доступных вам" in foreign
    # Word for word the answer for an address nobody has: the preview reveals nothing.
    assert foreign.replace(other.teacher.email, "@") == unknown.replace("nobody@example.ru", "@")
    assert "Дашиева" not in foreign and "Бурят" not in foreign

    imp = Import.objects.get()
    client.post(reverse("registers:import_preview", args=[imp.pk]), {"action": "confirm"})
    assert not Membership.objects.filter(person=other.teacher, unit=net.terek_rmo).exists()
    assert client.get(reverse("people:person", args=[other.teacher.pk])).status_code == 404
    assert client.get(reverse("people:edit", args=[other.teacher.pk])).status_code == 404


def test_membership_import_cannot_reach_a_unit_of_another_region(net, other, login):
    own = f.PersonFactory(region=net.region, school=net.school, email="own@example.ru")
    term = ["член", "01.09.2026", "", ""]
    rows = import_rows(
        login(net.users.admin),
        "memberships",
        [
            MEMBER_HEADERS,
            [own.email, f"{OTHER_PATH} / РМО учителей истории", *term],
            [own.email, "РУМО Нигде / МунУМО Нигде / РМО", *term],
        ],
    )
    foreign, unknown = errors_of(rows)
    assert "не найдено среди подразделений, которые вы ведёте" in foreign
    assert foreign.replace(f"{OTHER_PATH} / РМО учителей истории", "…") == unknown.replace(
        "РУМО Нигде / МунУМО Нигде / РМО", "…"
    )
    assert not Membership.objects.filter(person=own).exists()


def test_membership_import_still_adds_a_teacher_in_reach(net, other, login):
    person = f.PersonFactory(region=net.region, school=net.school, email="ours@example.ru")
    client = login(net.users.admin)
    rows = import_rows(client, "memberships", [MEMBER_HEADERS, [person.email, TEREK_RMO_PATH, "член", "01.09.2026"]])
    assert rows[0]["outcome"] == "new"
    client.post(reverse("registers:import_preview", args=[Import.objects.get().pk]), {"action": "confirm"})
    assert Membership.objects.filter(person=person, unit=net.terek_rmo).exists()


def person_row(email, region="kbr", inn="", last_name="Новикова"):
    return [last_name, "Анна", "Петровна", email, "", "учитель", region, inn, "", ""]


def test_people_import_neither_updates_nor_adopts_a_person_of_another_region(net, other, login):
    client = login(net.users.admin)
    rows = import_rows(
        client, "people", [PEOPLE_HEADERS, person_row(other.teacher.email, inn=net.school.inn, last_name="Чужая")]
    )
    assert rows[0]["outcome"] == "error"
    message = errors_of(rows)[0]
    # Not «no rights to change this teacher» (which says the teacher exists), and no name or region.
    assert "не найден среди доступных вам" in message and "Нет прав" not in message
    assert "Дашиева" not in message and "Бурят" not in message
    client.post(reverse("registers:import_preview", args=[Import.objects.get().pk]), {"action": "confirm"})
    other.teacher.refresh_from_db()
    assert (other.teacher.last_name, other.teacher.region, other.teacher.school) == (
        "Дашиева",
        other.region,
        other.school,
    )
    assert Person.objects.filter(email=other.teacher.email).count() == 1


def test_people_import_creates_an_unknown_person_and_updates_one_in_reach(net, other, login):
    mine = f.PersonFactory(region=net.region, school=net.school, email="mine@example.ru", last_name="Старая")
    client = login(net.users.admin)
    rows = import_rows(
        client,
        "people",
        [
            PEOPLE_HEADERS,
            person_row("fresh@example.ru", inn=net.school.inn),
            person_row(mine.email, inn=net.school.inn, last_name="Новая"),
        ],
    )
    assert [r["outcome"] for r in rows] == ["new", "update"]


def test_people_import_finds_schools_and_regions_only_in_reach(net, other, login):
    rows = import_rows(
        login(net.users.admin),
        "people",
        [
            PEOPLE_HEADERS,
            person_row("a@example.ru", inn=other.school.inn),
            person_row("b@example.ru", inn=UNKNOWN_INN),
            person_row("c@example.ru", region="bur"),
            person_row("d@example.ru", region="nowhere"),
        ],
    )
    foreign_school, unknown_school, foreign_region, unknown_region = errors_of(rows)
    assert "не найдена среди школ, доступных вам" in foreign_school
    assert foreign_school.replace(other.school.inn, "…") == unknown_school.replace(UNKNOWN_INN, "…")
    assert "не найден среди ваших" in foreign_region
    assert foreign_region.replace("bur", "…") == unknown_region.replace("nowhere", "…")


def test_people_import_by_a_municipal_administrator_keeps_to_their_municipality(net, other, login):
    """Another municipality of the same region is out of reach too: its school is «not found»."""
    from orgunits.access import grant_role

    terek_admin = f.UserFactory(username="terek_admin")
    grant_role(terek_admin, net.terek, "administrator")
    rows = import_rows(
        login(terek_admin),
        "people",
        [
            PEOPLE_HEADERS,
            person_row("t@example.ru", inn=net.school.inn),
            person_row("b@example.ru", inn=net.baksan_school.inn),
        ],
    )
    assert rows[0]["outcome"] == "new"
    assert "не найдена среди школ, доступных вам" in errors_of(rows)[1]


def test_schools_import_cannot_reach_a_school_of_another_region(net, other, login):
    client = login(net.users.admin)
    rows = import_rows(
        client,
        "schools",
        [
            SCHOOL_HEADERS,
            [other.school.inn, "Переименованная школа", "Чужая", TEREK_PATH, "ул. Мира"],
            [NEW_INN, "Новая школа", "Новая", OTHER_PATH, "ул. Мира"],
            [NEW_INN, "Новая школа", "Новая", "РУМО Нигде / МунУМО Нигде", "ул. Мира"],
        ],
    )
    taken, foreign_path, unknown_path = errors_of(rows)
    # Not «it belongs to another municipality»: no school, municipality or region is named.
    assert "не найдена среди школ, которые вы ведёте" in taken and "муниципалитет" not in taken.lower()
    assert "Иволг" not in taken and "Бурят" not in taken
    assert foreign_path.replace(OTHER_PATH, "…") == unknown_path.replace("РУМО Нигде / МунУМО Нигде", "…")
    client.post(reverse("registers:import_preview", args=[Import.objects.get().pk]), {"action": "confirm"})
    other.school.refresh_from_db()
    assert other.school.short_name == "СОШ Иволгинска" and other.school.municipality == other.munumo
    assert not School.objects.filter(inn=NEW_INN).exists()


def test_units_import_cannot_reach_a_unit_of_another_region(net, other, login):
    client = login(net.users.admin)
    rows = import_rows(
        client,
        "units",
        [
            UNIT_HEADERS,
            [f"{OTHER_PATH} / РМО учителей истории", "rmo", "Переименованное РМО", "", "", "", ""],
            [f"{OTHER_PATH} / РМО физиков", "rmo", "РМО учителей физики", "", "", "", ""],
            ["РУМО Нигде / МунУМО Нигде / РМО физиков", "rmo", "РМО учителей физики", "", "", "", ""],
        ],
    )
    existing, new_under_foreign, new_under_unknown = errors_of(rows)
    assert "не найдено среди подразделений, которые вы ведёте" in existing
    assert "Нет прав" not in existing + new_under_foreign
    assert new_under_foreign.replace(OTHER_PATH, "…") == new_under_unknown.replace("РУМО Нигде / МунУМО Нигде", "…")
    client.post(reverse("registers:import_preview", args=[Import.objects.get().pk]), {"action": "confirm"})
    other.rmo.refresh_from_db()
    assert other.rmo.name == "РМО учителей истории"
    assert not OrgUnit.objects.filter(short_name="РМО физиков").exists()


def test_units_import_points_only_at_schools_in_sight(net, other, login):
    rows = import_rows(
        login(net.users.admin),
        "units",
        [
            UNIT_HEADERS,
            [f"{TEREK_RMO_PATH} / ШМО истории", "shmo", "ШМО учителей истории", "", other.school.inn, "", ""],
            [f"{TEREK_RMO_PATH} / ШМО физики", "shmo", "ШМО учителей физики", "", UNKNOWN_INN, "", ""],
            [f"{TEREK_RMO_PATH} / ШМО химии", "shmo", "ШМО учителей химии", "", net.school.inn, "", ""],
        ],
    )
    foreign, unknown, own = errors_of(rows)
    assert "не найдена среди школ, доступных вам" in foreign
    assert foreign.replace(other.school.inn, "…") == unknown.replace(UNKNOWN_INN, "…")
    assert rows[2]["outcome"] == "new", own


# -- bad files -----------------------------------------------------------------------------------

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHEET = "xl/worksheets/sheet1.xml"


def inline_row(number, values):
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows_xml, prolog="", dimension=""):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {NS}>{dimension}'
        f"<sheetData>{rows_xml}</sheetData></worksheet>"
    ).encode()


def with_part(name, content, data=None):
    """A real workbook (openpyxl's) with one part replaced: `content` bytes, or a callable writing it."""
    source = zipfile.ZipFile(io.BytesIO(data or xlsx_bytes([["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename != name:
                archive.writestr(info.filename, source.read(info.filename))
            elif callable(content):
                with archive.open(name, "w", force_zip64=True) as stream:
                    content(stream)
            else:
                archive.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def never_parsed(monkeypatch):
    """Fails the test if the workbook reaches openpyxl: these files must be refused before parsing."""

    def parse(*args, **kwargs):
        raise AssertionError("the file was handed to openpyxl")

    monkeypatch.setattr(imports, "load_workbook", parse)


def refused(client, content, message, name="schools.xlsx"):
    schools = School.objects.count()
    response = upload(client, "schools", content, name)
    page = response.content.decode()
    assert response.status_code == 400 and message in page, page[:3000]
    assert not Import.objects.exists() and School.objects.count() == schools
    return page


def test_zip_bomb_is_refused_before_it_is_parsed(net, login, never_parsed):
    """A few hundred KB that unpack to 40 MB of rows (the issue's bomb: 3.4 MB took 23 s and 1.9 GB)."""
    header = inline_row(1, SCHOOL_HEADERS).encode()
    filler = ("<row>" + '<c t="inlineStr"><is><t>x</t></is></c>' * 5 + "</row>").encode() * 2000

    def write(stream):
        stream.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'.encode() + header)
        for _ in range(100):
            stream.write(filler)
        stream.write(b"</sheetData></worksheet>")

    bomb = with_part(SHEET, write)
    assert len(bomb) < 1024 * 1024
    refused(login(net.users.admin), bomb, "zip-бомб")


def test_workbook_larger_than_the_unpacked_limit_is_refused(net, login, settings, never_parsed):
    settings.REGISTER_IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    rows = [SCHOOL_HEADERS] + [
        [f"{n:010d}", f"Школа номер {n} с длинным названием", f"Ш{n}", TEREK_PATH, ""] for n in range(9000)
    ]
    refused(login(net.users.admin), xlsx_bytes(rows), "в распакованном виде больше 1 МБ")


def test_a_sheet_whose_declared_dimension_lies_is_read_in_full(net, login):
    """openpyxl trusts <dimension>: a sheet declaring A1:E1 lost every data row silently."""
    rows = "".join(inline_row(n, values) for n, values in enumerate([SCHOOL_HEADERS, *school_rows(2)], start=1))
    content = with_part(SHEET, sheet_xml(rows, dimension='<dimension ref="A1:E1"/>'))
    response = upload(login(net.users.admin), "schools", content)
    assert response.status_code == 302
    assert Import.objects.get().totals["new"] == 2


def school_rows(count):
    return [[inn_with_checksum(f"05{n:07d}"), f"Школа {n}", f"МОУ {n}", TEREK_PATH, ""] for n in range(1, count + 1)]


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


@pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml"])
def test_billion_laughs_is_refused(net, login, part):
    if part == SHEET:
        content = with_part(SHEET, sheet_xml(inline_row(1, ["&lol9;"]), prolog=BILLION_LAUGHS))
    else:
        original = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["x"]]))).read(part).decode()
        assert original.startswith("<workbook")  # openpyxl writes no XML declaration
        content = with_part(part, (BILLION_LAUGHS + original).encode())
    refused(login(net.users.admin), content, "DTD")


def test_external_entity_is_refused_and_the_file_is_never_read(net, login, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("СЕКРЕТНОЕ-СОДЕРЖИМОЕ")
    xxe = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    content = with_part(SHEET, sheet_xml(inline_row(1, SCHOOL_HEADERS) + inline_row(2, ["&xxe;"] * 5), prolog=xxe))
    page = refused(login(net.users.admin), content, "DTD")
    assert "СЕКРЕТНОЕ" not in page


def test_a_dtd_in_utf16_is_found_too(net, login):
    xml = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "e">]>'
        + f"<worksheet {NS}><sheetData/></worksheet>"
    )
    refused(login(net.users.admin), with_part(SHEET, xml.encode("utf-16")), "DTD")


def test_a_picture_with_a_doctype_does_not_refuse_the_workbook(net, login):
    """Only the parts openpyxl parses as XML are checked: an SVG logo often starts with a DOCTYPE."""
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([SCHOOL_HEADERS, *school_rows(1)])))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        archive.writestr("xl/media/logo.svg", '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd"><svg/>')
    assert upload(login(net.users.admin), "schools", out.getvalue()).status_code == 302


def test_a_raw_nul_byte_in_the_sheet_xml_is_a_broken_file_not_a_500(net, login):
    content = with_part(SHEET, sheet_xml(inline_row(1, SCHOOL_HEADERS) + inline_row(2, ["a\x00b"] * 5)))
    refused(login(net.users.admin), content, "Файл повреждён")


def test_nul_in_a_csv_cell_is_a_row_error(net, login):
    """PostgreSQL refuses NUL in text (and in jsonb): the import answered with a 500."""
    good, bad = school_rows(2)
    bad[1] = "Школа\x00 с нулём"
    text = "\n".join(";".join(row) for row in [SCHOOL_HEADERS, good, bad]) + "\n"
    client = login(net.users.admin)
    response = upload(client, "schools", text.encode(), "schools.csv")
    assert response.status_code == 302
    imp = Import.objects.get()
    assert [r["outcome"] for r in imp.rows] == ["new", "error"]
    assert "нулевой символ" in imp.rows[1]["errors"][0] and "«Полное наименование»" in imp.rows[1]["errors"][0]
    assert "\x00" not in str(imp.rows)  # the preview can be stored as JSON on PostgreSQL
    client.post(reverse("registers:import_preview", args=[imp.pk]), {"action": "confirm"})
    assert not School.objects.filter(inn__in=[good[0], bad[0]]).exists()


def test_a_csv_line_longer_than_the_cell_limit_gets_a_message(net, login):
    text = ";".join(SCHOOL_HEADERS) + "\n" + ";".join(school_rows(1)[0]) + "\n" + '"' + "я" * 200_000 + '";x\n'
    refused(login(net.users.admin), text.encode(), "Не удалось прочитать строку 3", name="schools.csv")


def test_rows_are_counted_while_reading_and_the_rest_is_never_read(net, login, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    lines = [";".join(SCHOOL_HEADERS)] + [";".join(row) for row in school_rows(5)] + ['"' + "я" * 200_000 + '"']
    refused(login(net.users.admin), ("\n".join(lines) + "\n").encode(), "больше 3 строк", name="schools.csv")


def test_a_row_numbered_past_excel_last_row_is_refused(net, login):
    rows = inline_row(1, SCHOOL_HEADERS) + inline_row(99_999_999, ["x"])
    refused(login(net.users.admin), with_part(SHEET, sheet_xml(rows)), "Файл повреждён")


def test_thousands_of_unknown_columns_are_skipped(net, login):
    header = ";".join([*SCHOOL_HEADERS, *(f"лишний{n}" for n in range(5000))])
    response = upload(login(net.users.admin), "schools", (header + "\n1;2\n").encode(), "schools.csv")
    assert response.status_code == 302
    assert Import.objects.get().rows[0]["values"] == ["1", "2", "", "", ""]  # only the import's columns


def test_thousands_of_missing_columns_are_summed_up_not_listed(net, login):
    header = ";".join(f"лишний{n}" for n in range(5000))
    page = refused(login(net.users.admin), (header + "\n1;2\n").encode(), "нет столбцов", name="schools.csv")
    assert "лишний4999" not in page and "Адрес" in page
