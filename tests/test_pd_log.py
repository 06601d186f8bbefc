"""The 152-ФЗ log is complete: every read of a person's data on a page and every export of it is on
record, and a person's log answers «who saw or took my data, when and why» (one export entry per
person in the file, naming the export)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from events.models import Event, Participation
from growth.models import Course
from people.models import Person, PersonalDataAccess
from registers.base import Register, register
from registers.models import Export
from registers.services import write_file
from registers.tasks import run_export

from . import factories as f

pytestmark = pytest.mark.django_db

VIEW, EXPORT = PersonalDataAccess.Action.VIEW, PersonalDataAccess.Action.EXPORT


def export_url(code, query=""):
    return reverse("registers:export", args=[code]) + (f"?{query}" if query else "")


def xlsx_rows(response):
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(r) for r in ws.iter_rows(values_only=True)][1:]


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))[1:]


def export_entries(export):
    return PersonalDataAccess.objects.filter(export=export, person__isnull=False)


def teachers(net, n, school=None, **kw):
    return [f.PersonFactory(region=net.region, school=school or net.school, **kw) for _ in range(n)]


# -- reads on pages -----------------------------------------------------------------------------


def test_opening_the_edit_form_is_logged_once(net, login):
    person = teachers(net, 1)[0]
    response = login(net.users.admin).get(reverse("people:edit", args=[person.pk]))
    assert response.status_code == 200
    entry = PersonalDataAccess.objects.get(person=person)
    assert (entry.user, entry.action, entry.details) == (net.users.admin, VIEW, "форма редактирования")


def test_a_refused_edit_form_logs_nothing(net, login):
    person = teachers(net, 1, school=net.baksan_school)[0]
    f.member(person, net.baksan_rmo)
    response = login(net.users.methodist).get(reverse("people:edit", args=[person.pk]))  # Terek's methodist
    assert response.status_code in (403, 404)
    assert not PersonalDataAccess.objects.filter(person=person).exists()


def test_the_person_list_logs_the_people_on_the_page_only(net, login):
    shown = teachers(net, 3, last_name="Аааева")
    client = login(net.users.admin)
    response = client.get(reverse("people:list") + "?q=Аааева")
    assert response.status_code == 200
    logged = PersonalDataAccess.objects.filter(action=VIEW, details="список педагогов")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(p.pk for p in shown)
    assert not logged.filter(person=net.users.teacher_person).exists()  # not on this page


def test_the_people_found_when_adding_a_member_are_logged(net, login):
    found = teachers(net, 2, last_name="Искомова")
    teachers(net, 1, last_name="Прочая")
    url = reverse("people:member_add", args=[net.terek_rmo.pk]) + "?q=Искомова"
    assert login(net.users.admin).get(url).status_code == 200
    logged = PersonalDataAccess.objects.filter(action=VIEW, details__startswith="поиск педагога для состава")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(p.pk for p in found)


def test_a_growth_record_form_is_logged(net, login):
    person = teachers(net, 1)[0]
    course = Course.objects.create(
        person=person,
        title="Функциональная грамотность",
        provider="ЦНППМ КБР",
        hours=72,
        starts_on=datetime.date(2025, 3, 1),
        ends_on=datetime.date(2025, 3, 20),
    )
    client = login(net.users.admin)
    assert client.get(reverse("growth:course_edit", args=[course.pk])).status_code == 200
    assert client.get(reverse("growth:course_delete", args=[course.pk])).status_code == 200
    details = list(PersonalDataAccess.objects.filter(person=person, action=VIEW).values_list("details", flat=True))
    assert "портфолио: форма редактирования «Курс повышения квалификации»" in details
    assert any(d.startswith("портфолио: подтверждение удаления") for d in details)


def test_the_participants_of_an_event_are_logged(net, login):
    event = Event.objects.create(
        unit=net.terek, title="Семинар", starts_on=datetime.date(2026, 10, 1), ends_on=datetime.date(2026, 10, 1)
    )
    came = teachers(net, 2)
    for person in came:
        Participation.objects.create(event=event, person=person)
    absent = teachers(net, 1)[0]
    assert login(net.users.methodist).get(event.get_absolute_url()).status_code == 200
    logged = PersonalDataAccess.objects.filter(action=VIEW, details__contains="список участников")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(p.pk for p in came)
    assert not PersonalDataAccess.objects.filter(person=absent).exists()


# -- exports ------------------------------------------------------------------------------------


def test_an_export_of_people_logs_each_exported_person_naming_the_export(net, login):
    terek_people = teachers(net, 3)
    baksan = teachers(net, 1, school=net.baksan_school)[0]
    f.member(baksan, net.baksan_rmo)
    client = login(net.users.methodist)  # Terek's methodist: Terek's people only
    rows = xlsx_rows(client.get(export_url("people", "format=xlsx")))
    export = Export.objects.get()
    exported_emails = {r[3] for r in rows}
    exported = set(Person.objects.filter(email__in=exported_emails).values_list("pk", flat=True))
    assert {p.pk for p in terek_people} <= exported
    entries = export_entries(export)
    assert sorted(entries.values_list("person_id", flat=True)) == sorted(exported)  # one per person
    entry = entries.get(person=terek_people[0])
    assert entry.user == net.users.methodist and entry.action == EXPORT
    assert "«Педагоги»" in entry.details and f"№ {export.pk}" in entry.details and "Excel" in entry.details
    # A person not in the file gets nothing; the summary entry (no person) is still there.
    assert not PersonalDataAccess.objects.filter(person=baksan).exists()
    summary = PersonalDataAccess.objects.get(export=export, person__isnull=True)
    assert f"{len(rows)} строк" in summary.details


def test_a_filtered_csv_export_logs_only_the_filtered_people_and_names_the_filter(net, login):
    chosen = teachers(net, 2, last_name="Выбранова")
    other = teachers(net, 1, last_name="Другова")[0]
    rows = csv_rows(login(net.users.admin).get(export_url("people", "format=csv&q=Выбранова")))
    assert len(rows) == 2
    export = Export.objects.get()
    entries = export_entries(export)
    assert sorted(entries.values_list("person_id", flat=True)) == sorted(p.pk for p in chosen)
    assert "q=Выбранова" in entries.first().details and "CSV" in entries.first().details
    assert not PersonalDataAccess.objects.filter(person=other).exists()


def test_a_person_in_several_rows_of_an_export_is_logged_once(net, login):
    person = teachers(net, 1)[0]
    f.member(person, net.terek_rmo)
    f.member(person, net.shmo)
    rows = csv_rows(login(net.users.admin).get(export_url("memberships", "format=csv")))
    assert sum(1 for r in rows if person.email in r) == 2
    assert export_entries(Export.objects.get()).filter(person=person).count() == 1


# A real transaction: closing the response ends the request as a server does (close_old_connections
# may close the connection), which would end a test wrapped in one transaction on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_a_download_cut_off_midway_logs_the_rows_that_were_sent(net, login):
    teachers(net, 1200)
    response = login(net.users.admin).get(export_url("people", "format=csv"))
    first_chunk = next(iter(response.streaming_content))
    response.close()  # the client went away
    sent = first_chunk.decode("utf-8-sig").count("\n") - 1  # without the header
    logged = export_entries(Export.objects.get()).count()
    assert 0 < sent <= logged < Person.objects.count()


def test_the_background_export_logs_each_person_and_a_rerun_does_not_log_twice(net, login, settings, monkeypatch):
    settings.REGISTER_SYNC_ROWS = 2
    monkeypatch.setattr(run_export, "delay", lambda pk: None)
    teachers(net, 5)
    response = login(net.users.admin).get(export_url("people", "format=csv"))
    export = Export.objects.get()
    assert response.status_code == 302 and export.background
    assert not export_entries(export).exists()  # nothing has left yet: only the summary entry
    assert write_file(export) == "done"
    visible = Person.objects.restrict(net.users.admin, "view").count()
    assert export_entries(export).count() == visible
    Export.objects.filter(pk=export.pk).update(status=Export.Status.FAILED)  # e.g. the worker died
    assert write_file(export) == "done"
    assert export_entries(export).count() == visible


def test_a_register_of_personal_data_must_say_whose_rows_they_are():
    class Nameless(Register):
        code = "pd-log-test-nameless"
        personal_data = True

    with pytest.raises(ValueError, match="person_field"):
        register(Nameless)


# -- the person's log page ----------------------------------------------------------------------


def test_the_persons_log_shows_the_export_with_what_who_and_when(net, login):
    person = teachers(net, 1)[0]
    client = login(net.users.admin)
    b"".join(client.get(export_url("people", "format=csv")).streaming_content)
    export = Export.objects.get()
    page = client.get(reverse("people:access_log", args=[person.pk]) + "?action=export").content.decode()
    assert "выгрузка реестра «Педагоги»" in page
    assert f"№ {export.pk}: CSV (.csv)" in page  # the export record: format, rows, state
    assert net.users.admin.username in page or net.users.admin.get_full_name() in page


@pytest.mark.parametrize("size", [5, 3000])
def test_the_log_page_stays_within_a_fixed_number_of_queries(net, login, django_assert_max_num_queries, size):
    person = teachers(net, 1)[0]
    export = Export.objects.create(user=net.users.reviewer, register="people", rows_total=size)
    reviewer = net.users.reviewer
    PersonalDataAccess.objects.bulk_create(
        PersonalDataAccess(user=reviewer, person=person, action=EXPORT, details=f"выгрузка {n}", export=export)
        for n in range(size)
    )
    client = login(net.users.admin)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("people:access_log", args=[person.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and f"№ {export.pk}" in page
    assert page.count("<tr>") <= 51  # one page of 50 and the header


def test_the_persons_log_is_open_to_the_person_and_logs_its_own_reading(net, login):
    person = net.users.teacher_person
    response = login(net.users.teacher).get(reverse("people:access_log", args=[person.pk]))
    assert response.status_code == 200
    assert PersonalDataAccess.objects.filter(person=person, user=net.users.teacher, details="журнал доступа").exists()
    other = net.users.methodist_person
    assert login(net.users.teacher).get(reverse("people:access_log", args=[other.pk])).status_code in (403, 404)


def test_an_unknown_log_filter_shows_everything(net, login):
    person = teachers(net, 1)[0]
    client = login(net.users.admin)
    client.get(reverse("people:edit", args=[person.pk]))
    page = client.get(reverse("people:access_log", args=[person.pk]) + "?action=drop").content.decode()
    assert "форма редактирования" in page
