"""Registers in and out of Excel (issue 6): exports through import-export resources, imports with
a preview, one transaction, and rights checked row by row."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from demo.orgunits import inn_with_checksum
from orgunits.access import grant_role
from orgunits.models import OrgUnit, School
from people.models import Membership, PersonalDataAccess
from registers.models import Export, Import
from registers.tasks import run_export

from . import factories as f
from .background import eager_worker  # noqa: F401 (the fixture of pytestmark)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_worker")]  # imports run in Celery

SCHOOL_HEADERS = ["ИНН", "Полное наименование", "Краткое наименование", "Муниципалитет", "Адрес"]
TEREK_PATH = "РУМО КБР / ЦНППМ КБР / Терское МунУМО"
BAKSAN_PATH = "РУМО КБР / ЦНППМ КБР / Баксанское МунУМО"


def xlsx_bytes(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client, code, content, name="schools.xlsx"):
    return client.post(
        reverse("registers:import", args=[code]), {"file": SimpleUploadedFile(name, content)}, follow=False
    )


def school_row(n, municipality=TEREK_PATH, short=None):
    inn = inn_with_checksum(f"07{n:07d}")
    return [inn, f"Муниципальное общеобразовательное учреждение № {n}", short or f"МОУ № {n}", municipality, "ул. Мира"]


def read_xlsx(response):
    content = b"".join(response.streaming_content)
    ws = load_workbook(io.BytesIO(content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


# -- export ------------------------------------------------------------------------------------


def test_export_people_has_russian_headers_and_only_visible_rows(net, login):
    f.PersonFactory(region=net.region, last_name="Видимова", school=net.school, email="v@example.ru")
    f.member(f.PersonFactory(region=net.region, last_name="Баксанова"), net.baksan_rmo)
    client = login(net.users.methodist)  # Terek's methodist: Terek's people only
    rows = read_xlsx(client.get(reverse("registers:export", args=["people"]) + "?format=xlsx"))
    assert rows[0][:4] == ["Фамилия", "Имя", "Отчество", "E-mail"]
    names = {r[0] for r in rows[1:]}
    assert "Баксанова" not in names
    assert "Фамилия-teacher" in names


def test_export_writes_dates_as_dates(net, login):
    net.terek.opened_on = datetime.date(2025, 9, 1)
    net.terek.save()
    rows = read_xlsx(login(net.users.admin).get(reverse("registers:export", args=["units"])))
    header = rows[0]
    terek = next(r for r in rows if r[header.index("Наименование")] == "Терское МунУМО")
    opened = terek[header.index("Действует с")]
    assert isinstance(opened, datetime.datetime) and opened.date() == datetime.date(2025, 9, 1)


def test_export_units_carries_the_chain_of_parents(net, login):
    rows = read_xlsx(login(net.users.methodist).get(reverse("registers:export", args=["units"])))
    paths = [r[0] for r in rows[1:]]
    assert paths[0] == TEREK_PATH  # the top of the visible subtree still shows its ancestors
    assert f"{TEREK_PATH} / РМО учителей математики Терского района" in paths
    assert not any("Баксанское" in p for p in paths)


def test_export_neutralises_formulas(net, login):
    f.PersonFactory(region=net.region, school=net.school, last_name="=HYPERLINK(1)", first_name="+7", email="x@x.ru")
    client = login(net.users.admin)
    rows = read_xlsx(client.get(reverse("registers:export", args=["people"])))
    row = next(r for r in rows if r[3] == "x@x.ru")
    # .xlsx: a text cell is a string cell, never a formula — written as it is, with no apostrophe.
    assert row[0] == "=HYPERLINK(1)" and row[1] == "+7"
    content = b"".join(client.get(reverse("registers:export", args=["people"]) + "?format=csv").streaming_content)
    text = content.decode("utf-8-sig")
    # CSV: Excel's text mark only where a formula would run; a «+7…» phone stays as it is.
    assert "'=HYPERLINK(1)" in text and ";+7;" in text
    assert list(csv.reader(io.StringIO(text), delimiter=";"))[0][0] == "Фамилия"


def test_export_of_personal_data_is_logged(net, login):
    login(net.users.admin).get(reverse("registers:export", args=["people"]))
    export = Export.objects.get()
    assert export.user == net.users.admin and export.register == "people" and export.status == "done"
    entry = PersonalDataAccess.objects.get(action="export", person=None)  # the summary; per person: test_pd_log
    assert entry.user == net.users.admin and "Педагоги" in entry.details and entry.export == export


def test_export_of_units_is_not_in_the_personal_data_log(net, login):
    login(net.users.admin).get(reverse("registers:export", args=["units"]))
    assert Export.objects.filter(register="units").count() == 1
    assert not PersonalDataAccess.objects.filter(action="export").exists()


def test_large_export_runs_in_background_with_progress(net, login, settings, monkeypatch):
    settings.REGISTER_SYNC_ROWS = 2
    queued = []
    monkeypatch.setattr(run_export, "delay", lambda pk: queued.append(pk))
    client = login(net.users.admin)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
        response = client.get(reverse("registers:export", args=["units"]))
    export = Export.objects.get()
    assert response.status_code == 302 and queued == [export.pk] and export.background
    assert "0 %" in client.get(reverse("registers:export_status", args=[export.pk])).content.decode()
    assert run_export(export.pk) == "done"
    assert run_export(export.pk) == "nothing to do"  # a redelivered message writes nothing
    export.refresh_from_db()
    assert export.rows_done == export.rows_total == OrgUnit.objects.count()
    download = client.get(reverse("registers:export_download", args=[export.pk]))
    rows = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert rows.max_row == export.rows_total + 1


def test_another_users_export_does_not_exist(net, login):
    login(net.users.admin).get(reverse("registers:export", args=["units"]))
    export = Export.objects.get()
    client = login(net.users.reviewer)
    assert client.get(reverse("registers:export_status", args=[export.pk])).status_code == 404
    assert client.get(reverse("registers:export_download", args=[export.pk])).status_code == 404


def test_unknown_register_is_404(net, login):
    assert login(net.users.admin).get(reverse("registers:export", args=["nope"])).status_code == 404


@pytest.mark.parametrize("size", [3, 60])
def test_export_queries_do_not_grow_with_rows(net, login, django_assert_max_num_queries, size):
    for _n in range(size):
        person = f.PersonFactory(region=net.region, school=net.school)
        f.member(person, net.terek_rmo)
    client = login(net.users.admin)
    # 17: one of them writes the 152-ФЗ entries of all exported people (one insert per 2000 rows).
    with django_assert_max_num_queries(17):
        response = client.get(reverse("registers:export", args=["people"]))
        b"".join(response.streaming_content)


# -- import ------------------------------------------------------------------------------------


def test_import_preview_changes_nothing(net, login):
    client = login(net.users.admin)
    response = upload(client, "schools", xlsx_bytes([SCHOOL_HEADERS, school_row(1), school_row(2)]))
    assert response.status_code == 302
    imp = Import.objects.get()
    assert imp.status == "preview" and imp.totals["new"] == 2
    assert not School.objects.filter(short_name__in=["МОУ № 1", "МОУ № 2"]).exists()
    page = client.get(response.url).content.decode()
    assert "новая запись" in page and "Загрузить все строки" in page


def test_import_confirm_writes_all_rows(net, login):
    client = login(net.users.admin)
    response = upload(client, "schools", xlsx_bytes([SCHOOL_HEADERS, school_row(1), school_row(2)]))
    client.post(response.url, {"action": "confirm"})
    assert set(School.objects.filter(municipality=net.terek).values_list("short_name", flat=True)) >= {
        "МОУ № 1",
        "МОУ № 2",
    }
    assert Import.objects.get().status == "done"


def test_import_one_bad_row_writes_nothing_and_names_the_row(net, login):
    client = login(net.users.admin)
    bad = school_row(3)
    bad[0] = "0700000000"  # wrong checksum
    upload(client, "schools", xlsx_bytes([SCHOOL_HEADERS, school_row(1), [], bad]))
    imp = Import.objects.get()
    assert imp.status == "invalid"
    error = next(r for r in imp.rows if r["outcome"] == "error")
    assert error["row"] == 4  # the file's row number, blank rows counted
    assert any("ИНН" in e or "контрольн" in e for e in error["errors"])
    client.post(reverse("registers:import_preview", args=[imp.pk]), {"action": "confirm"})
    assert not School.objects.filter(short_name="МОУ № 1").exists()


def test_second_identical_import_reports_everything_unchanged(net, login):
    client = login(net.users.admin)
    content = xlsx_bytes([SCHOOL_HEADERS, school_row(1), school_row(2)])
    client.post(upload(client, "schools", content).url, {"action": "confirm"})
    upload(client, "schools", content)
    second = Import.objects.order_by("-pk").first()
    assert second.totals == {"new": 0, "update": 0, "skip": 2, "error": 0}


def test_import_updates_a_school_found_by_inn(net, login):
    client = login(net.users.admin)
    row = [net.school.inn, net.school.name, "Новое краткое", TEREK_PATH, "ул. Новая"]
    client.post(upload(client, "schools", xlsx_bytes([SCHOOL_HEADERS, row])).url, {"action": "confirm"})
    net.school.refresh_from_db()
    assert net.school.short_name == "Новое краткое" and Import.objects.get().totals["update"] == 1


def test_import_refuses_a_row_for_a_unit_the_user_may_not_touch(net, login):
    baksan_admin = f.UserFactory(username="baksan_admin")
    grant_role(baksan_admin, net.baksan, "administrator")
    client = login(baksan_admin)
    upload(client, "schools", xlsx_bytes([SCHOOL_HEADERS, school_row(1, BAKSAN_PATH), school_row(2, TEREK_PATH)]))
    imp = Import.objects.get()
    outcomes = [r["outcome"] for r in imp.rows]
    assert outcomes == ["new", "error"]
    # A unit out of reach is «not found», word for word as a missing one (test_import_security).
    assert "не найдено среди подразделений, которые вы ведёте" in imp.rows[1]["errors"][0]


def test_import_is_for_administrators(net, login):
    client = login(net.users.teacher)
    assert client.get(reverse("registers:import", args=["schools"])).status_code == 403


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("schools.pdf", b"%PDF-1.4", "Загрузите файл Excel"),
        ("schools.xlsx", b"PK\x03\x04broken", "повреждён"),
        ("schools.xlsx", b"not a zip at all", "Это не файл Excel"),
        ("schools.csv", "ИНН;Название\n1;2\n".encode(), "Заголовки не совпадают"),
        ("schools.csv", "ИНН;Полное наименование\n".encode() + "Школа".encode("cp1251") + b";x\n", "смешаны"),
    ],
)
def test_bad_files_get_a_clear_message(net, login, name, content, message):
    response = upload(login(net.users.admin), "schools", content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Import.objects.exists()


def test_too_big_file_is_refused(net, login, settings):
    settings.REGISTER_IMPORT_MAX_BYTES = 1000
    response = upload(login(net.users.admin), "schools", b"x" * 2000, "schools.csv")
    assert response.status_code == 400 and "больше" in response.content.decode()


def test_csv_in_windows_1251_is_read(net, login):
    text = ";".join(SCHOOL_HEADERS) + "\n" + ";".join(school_row(5)) + "\n"
    client = login(net.users.admin)
    response = upload(client, "schools", text.encode("cp1251"), "schools.csv")
    assert response.status_code == 302 and Import.objects.get().totals["new"] == 1


def test_memberships_import_gives_the_login_its_role(net, login):
    person = f.PersonFactory(region=net.region, email="new.member@example.ru", user=f.UserFactory(username="nm"))
    headers = ["E-mail педагога", "Подразделение (путь)", "Роль", "Срок с", "Срок по", "Выбыл"]
    row = [
        "new.member@example.ru",
        f"{TEREK_PATH} / РМО учителей математики Терского района",
        "член",
        "01.09.2026",
        "",
        "",
    ]
    client = login(net.users.admin)
    response = upload(client, "memberships", xlsx_bytes([headers, row]), "m.xlsx")
    client.post(response.url, {"action": "confirm"})
    membership = Membership.objects.get(person=person)
    assert membership.unit == net.terek_rmo and membership.ends_on == datetime.date(2027, 8, 31)
    from orgunits.access import access_for

    assert access_for(person.user).can("view", net.terek_rmo)


def test_template_has_the_import_headers(net, login):
    response = login(net.users.admin).get(reverse("registers:import_template", args=["schools"]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in ws[1]] == SCHOOL_HEADERS


def test_register_list_page(net, login, django_assert_max_num_queries):
    client = login(net.users.admin)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("registers:list")).content.decode()
    assert "Педагоги" in page and "Образовательные организации" in page


# -- every register ----------------------------------------------------------------------------


def all_codes():
    from registers.base import REGISTRY

    return sorted(REGISTRY)


@pytest.mark.parametrize("code", all_codes())
def test_every_register_exports_for_an_administrator(net, login, code):
    response = login(net.users.admin).get(reverse("registers:export", args=[code]) + "?format=xlsx")
    assert response.status_code == 200
    rows = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert all(isinstance(c.value, str) and c.value for c in rows[1])  # Russian headers, none empty


@pytest.mark.parametrize("code", all_codes())
def test_an_outsider_exports_no_rows(net, login, code):
    response = login(net.users.outsider).get(reverse("registers:export", args=[code]) + "?format=csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    # The header only (a person's own card is theirs to see: the outsider's own row may be there).
    assert [line for line in lines[1:] if "Фамилия-outsider" not in line] == []


def test_events_export_has_only_visible_units_events(net, login):
    from events.models import Event

    Event.objects.create(unit=net.terek, title="Семинар Терека", starts_on=datetime.date(2026, 10, 1))
    Event.objects.create(unit=net.baksan, title="Семинар Баксана", starts_on=datetime.date(2026, 10, 2))
    rows = read_xlsx(login(net.users.methodist).get(reverse("registers:export", args=["events"])))
    titles = [r[0] for r in rows[1:]]
    assert titles == ["Семинар Терека"]
    assert rows[1][rows[0].index("Начало")].date() == datetime.date(2026, 10, 1)


def test_events_export_follows_the_page_filters(net, login):
    from events.models import Event

    Event.objects.create(unit=net.terek, title="Региональный", level="regional", starts_on=datetime.date(2026, 5, 1))
    Event.objects.create(unit=net.terek, title="Муниципальный", level="municipal", starts_on=datetime.date(2026, 5, 1))
    url = reverse("registers:export", args=["events"]) + "?level=regional"
    rows = read_xlsx(login(net.users.admin).get(url))
    assert [r[0] for r in rows[1:]] == ["Региональный"]


def test_courses_export_has_only_visible_teachers(net, login):
    from growth.models import Course

    baksan_teacher = f.PersonFactory(region=net.region, last_name="Баксанова")
    f.member(baksan_teacher, net.baksan_rmo)
    for person, title in ((net.users.teacher_person, "ФГОС Терек"), (baksan_teacher, "ФГОС Баксан")):
        Course.objects.create(
            person=person,
            title=title,
            provider="ЦНППМ",
            hours=36,
            starts_on=datetime.date(2026, 3, 1),
            ends_on=datetime.date(2026, 3, 10),
        )
    rows = read_xlsx(login(net.users.methodist).get(reverse("registers:export", args=["courses"])))
    assert [r[2] for r in rows[1:]] == ["ФГОС Терек"]
    assert PersonalDataAccess.objects.filter(action="export", details__contains="КПК").exists()


UNIT_HEADERS = ["Путь", "Вид", "Наименование", "Краткое наименование", "ИНН школы", "Действует с", "Прекратило работу"]


def test_units_import_creates_a_unit_under_the_path(net, login):
    row = [f"{TEREK_PATH} / РМО физиков", "rmo", "Районное МО учителей физики", "", "", "01.09.2026", ""]
    client = login(net.users.admin)
    response = upload(client, "units", xlsx_bytes([UNIT_HEADERS, row]), "units.xlsx")
    assert Import.objects.get().totals["new"] == 1 and not OrgUnit.objects.filter(short_name="РМО физиков").exists()
    client.post(response.url, {"action": "confirm"})
    unit = OrgUnit.objects.get(short_name="РМО физиков")
    net.terek.refresh_from_db()
    assert unit.parent == net.terek and net.terek.lft < unit.lft < unit.rght < net.terek.rght
    assert unit.opened_on == datetime.date(2026, 9, 1)


def test_units_import_refuses_a_kind_that_cannot_sit_there(net, login):
    row = [f"{TEREK_PATH} / Новое РУМО", "rumo", "Ещё одно РУМО", "", "", "", ""]
    upload(login(net.users.admin), "units", xlsx_bytes([UNIT_HEADERS, row]), "units.xlsx")
    imp = Import.objects.get()
    assert imp.status == "invalid" and imp.rows[0]["errors"]


def test_units_import_refuses_a_unit_under_a_parent_the_user_may_not_manage(net, login):
    baksan_admin = f.UserFactory(username="baksan_admin")
    grant_role(baksan_admin, net.baksan, "administrator")
    row = [f"{TEREK_PATH} / РМО химиков", "rmo", "РМО учителей химии", "", "", "", ""]
    upload(login(baksan_admin), "units", xlsx_bytes([UNIT_HEADERS, row]), "units.xlsx")
    assert "не найдено среди подразделений, которые вы ведёте" in Import.objects.get().rows[0]["errors"][0]


def test_indicator_results_export_has_the_campaign_values(net, login):
    from monitoring.definitions import install
    from monitoring.models import MonitoringCampaign
    from monitoring.services import compute

    indicator_set = install(net.region)
    campaign = MonitoringCampaign.objects.create(
        region=net.region, indicator_set=indicator_set, year=2026, root=net.terek, title="Мониторинг 2026"
    )
    compute(campaign.pk, datetime.date(2026, 11, 25))
    url = reverse("registers:export", args=["indicator_results"]) + f"?campaign={campaign.pk}"
    rows = read_xlsx(login(net.users.reviewer).get(url))
    assert len(rows) > 1 and rows[0][3] == "Показатель"
    assert read_xlsx(login(net.users.baksan_methodist).get(url))[1:] == []  # cannot see Terek


@pytest.mark.parametrize("code", all_codes())
def test_export_queries_are_the_same_for_a_small_and_a_larger_network(code, db, client):
    """The same number of SQL queries whatever the row count (within one cursor chunk)."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registers.export import CHUNK_ROWS

    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    counts = []
    for first, (munis, schools, teachers) in ((1, (2, 4, 40)), (2, (5, 16, 200))):
        call_command(
            "generate_network",
            "--regions", "1", "--municipalities", str(munis), "--schools", str(schools), "--teachers",
            str(teachers), "--events", "2", "--first", str(first), "--date", "2026-11-25",
            "--orders", "40", "--meetings", "1", "--no-extras",
        )  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("registers:export", args=[code]) + "?format=csv")
            rows = b"".join(response.streaming_content).count(b"\n")
        assert rows < CHUNK_ROWS
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_tree_offers_the_units_import_to_administrators_only(net, login):
    link = reverse("registers:import", args=["units"])
    assert link in login(net.users.admin).get(reverse("orgunits:tree")).content.decode()
    assert link not in login(net.users.reviewer).get(reverse("orgunits:tree")).content.decode()
