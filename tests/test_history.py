"""One history of changes (issue 11): the change tracker, who acted and through what, the «История» tab,
the trace of an import."""

import datetime
import io
import re

import pytest
from celery import shared_task
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from demo.orgunits import inn_with_checksum
from history.commands import TrackedCommand
from history.context import acting
from history.models import LogEntry
from history.services import entries_for, record
from orgunits.models import School
from people.models import MembershipRole, PersonalDataAccess
from registers.models import Import

from . import factories as f
from .background import eager_worker  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

TEREK_PATH = "РУМО КБР / ЦНППМ КБР / Терское МунУМО"
SCHOOL_HEADERS = ["ИНН", "Полное наименование", "Краткое наименование", "Муниципалитет", "Адрес"]


@pytest.fixture(autouse=True)
def fresh_history(net):
    """The network of the fixture was just created (its CREATE entries): each test starts from an empty history."""
    LogEntry.objects.all().delete()


def entries(obj):
    return list(entries_for(obj))


def tab(obj):
    return reverse("history:object", args=[f"{obj._meta.app_label}.{obj._meta.model_name}", obj.pk])


def school_form(school, **changes):
    data = {
        "name": school.name,
        "short_name": school.short_name,
        "inn": school.inn,
        "municipality": school.municipality_id,
        "address": school.address,
        "expected_version": school.version,
    }
    data.update(changes)
    return data


def xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# -- the tracker -----------------------------------------------------------------------------------


def test_a_change_through_a_page_records_who_what_old_new_and_the_request(net, login):
    school = net.school
    client = login(net.users.admin)
    response = client.post(
        reverse("orgunits:school_edit", args=[school.pk]),
        school_form(school, short_name="СОШ № 1 им. Героев", address="ул. Мира, 1"),
        HTTP_X_REQUEST_ID="req-42",
    )
    assert response.status_code == 302
    [entry] = entries(school)
    assert entry.action == LogEntry.Action.CHANGE
    assert entry.actor == net.users.admin and entry.via == "page"
    assert entry.request_id == "req-42"
    assert entry.detail == reverse("orgunits:school_edit", args=[school.pk])
    # Only the fields that changed, as the page shows them.
    assert entry.changes == {
        "краткое наименование": ["СОШ № 1 г. Терека", "СОШ № 1 им. Героев"],
        "адрес": ["", "ул. Мира, 1"],
    }


def test_an_unchanged_save_records_nothing(net, login):
    school = School.objects.get(pk=net.school.pk)
    school.save()
    client = login(net.users.admin)
    client.post(reverse("orgunits:school_edit", args=[school.pk]), school_form(school))
    school = School.objects.get(pk=school.pk)
    assert school.version == 2  # the page did save
    client.post(reverse("orgunits:school_edit", args=[school.pk]), school_form(school, address="ул. Садовая"))
    # Of three saves, only the one that changed something is in the history.
    assert [e.changes for e in entries(school)] == [{"адрес": ["", "ул. Садовая"]}]


def test_values_are_stored_as_the_page_shows_them(net):
    person = f.PersonFactory(region=net.region, school=None)
    membership = f.member(person, net.terek_rmo)
    created = entries(membership.unit)[0]
    assert created.action == "create" and created.changes["роль"] == ["", "член"]
    assert created.changes["срок с"][1] == f.TERM_START.strftime("%d.%m.%Y")

    membership.role = "secretary"
    membership.left_on = f.TERM_START + datetime.timedelta(days=30)
    membership.save()
    person.school = net.school
    person.save()
    changed = LogEntry.objects.filter(action="change").order_by("pk")
    left = (f.TERM_START + datetime.timedelta(days=30)).strftime("%d.%m.%Y")
    assert changed[0].changes == {"роль": ["член", MembershipRole.SECRETARY.label], "выбыл": ["", left]}
    assert changed[1].changes == {"место работы (ОО)": ["", str(net.school)]}
    assert changed[0].owner_id == net.terek_rmo.pk and changed[0].personal_of == person.pk


def test_a_delete_is_recorded_with_what_was_removed(net):
    school = f.SchoolFactory(municipality=net.terek, short_name="Закрытая школа")
    pk = school.pk
    school.delete()
    entry = LogEntry.objects.get(action="delete")
    assert entry.object_id == pk and entry.changes["краткое наименование"] == ["Закрытая школа", ""]


# -- attribution -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("eager_worker")  # the import is checked and loaded by a worker (issue 14)
def test_an_import_records_one_entry_per_changed_row_and_its_page_leads_to_them(net, login):
    client = login(net.users.admin)
    new_inn = inn_with_checksum("070000777")
    rows = [
        SCHOOL_HEADERS,
        [new_inn, "Новая школа № 77", "МОУ № 77", TEREK_PATH, ""],
        [net.school.inn, net.school.name, "Переименованная", TEREK_PATH, net.school.address],
        [net.baksan_school.inn, net.baksan_school.name, net.baksan_school.short_name, "", ""],
    ]
    rows[3][3] = "РУМО КБР / ЦНППМ КБР / Баксанское МунУМО"
    rows[3][4] = net.baksan_school.address
    response = client.post(
        reverse("registers:import", args=["schools"]), {"file": SimpleUploadedFile("s.xlsx", xlsx(rows))}
    )
    assert LogEntry.objects.count() == 0  # the preview is a dry run: nothing recorded
    page = client.post(response.url, {"action": "confirm"}, follow=True).content.decode()
    upload = Import.objects.get()
    assert upload.status == "done"

    written = list(LogEntry.objects.filter(request_id=f"import-{upload.pk}").order_by("pk"))
    assert [(e.action, e.object_repr) for e in written] == [("create", "МОУ № 77"), ("change", "Переименованная")]
    assert {e.via for e in written} == {"import"} and {e.actor for e in written} == {net.users.admin}
    assert [e.detail for e in written] == [f"загрузка № {upload.pk}, строка 2", f"загрузка № {upload.pk}, строка 3"]
    assert written[1].changes == {"краткое наименование": [str(net.school.short_name), "Переименованная"]}

    trace = reverse("history:import", args=[upload.pk])
    assert trace in page
    shown = client.get(trace).content.decode()
    assert "МОУ № 77" in shown and "строка 3" in shown and "Переименованная" in shown
    # Somebody else's import stays theirs.
    assert login(net.users.methodist).get(trace).status_code == 404


def test_a_command_is_attributed(net):
    class Rename(TrackedCommand):
        def handle(self, *args, **options):
            school = School.objects.get(pk=net.school.pk)
            school.short_name = "По команде"
            school.save()

    call_command(Rename())
    [entry] = entries(net.school)
    assert entry.via == "command" and entry.actor is None
    assert entry.detail.startswith("команда ") and entry.request_id


@shared_task(name="tests.history_rename_school")
def rename_school(pk, name):
    school = School.objects.get(pk=pk)
    school.short_name = name
    school.save()


def test_a_task_is_attributed(net):
    rename_school.apply(args=[net.school.pk, "Фоновая"])
    [entry] = entries(net.school)
    assert entry.via == "task" and entry.detail == "задача tests.history_rename_school" and entry.request_id


# -- the «История» tab -----------------------------------------------------------------------------


def test_the_tab_shows_transitions_and_changes_together_newest_first(net, login):
    school = net.school
    now = timezone.now()
    record(
        school,
        LogEntry.Action.TRANSITION,
        at=now - datetime.timedelta(hours=2),
        from_state="a",
        to_state="b",
        reason="Так решил совет",
        actor=net.users.reviewer,
    )
    school.short_name = "Новое имя"
    school.save()
    page = login(net.users.admin).get(tab(school)).content.decode()
    assert page.index("Новое имя") < page.index("Так решил совет")  # the newer change above the move
    assert "СОШ № 1 г. Терека" in page and "переход" in page.lower()
    assert timezone.localtime(now).strftime("%d.%m.%Y") in page


def test_a_part_is_shown_in_its_owners_tab(net, login):
    person = f.PersonFactory(region=net.region, last_name="Участникова")
    f.member(person, net.terek_rmo)
    page = login(net.users.methodist).get(tab(net.terek_rmo)).content.decode()
    assert "Участникова" in page and "членство" in page


def test_the_tab_follows_the_objects_own_visibility(net, login, client):
    url = tab(net.terek_rmo)
    assert login(net.users.baksan_methodist).get(url).status_code == 404
    assert login(net.users.outsider).get(url).status_code == 404
    assert login(net.users.teacher).get(url).status_code == 200
    assert login(net.users.reviewer).get(url).status_code == 200
    assert login(net.users.outsider).get(tab(net.users.teacher_person)).status_code == 404
    assert login(net.users.admin).get("/history/auth.user/1/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_personal_fields_are_masked_for_who_sees_the_unit_but_not_the_person(net, login):
    person = f.PersonFactory(region=net.region, last_name="Скрытова")
    f.member(person, net.terek_rmo)
    teacher_page = login(net.users.teacher).get(tab(net.terek_rmo)).content.decode()
    assert "Скрытова" not in teacher_page and "скрыто" in teacher_page
    methodist_page = login(net.users.methodist).get(tab(net.terek_rmo)).content.decode()
    assert "Скрытова" in methodist_page and "скрыто" not in methodist_page


def test_reading_a_persons_history_is_logged(net, login):
    person = net.users.teacher_person
    person.phone = "+7 (866) 300-00-00"
    person.save()
    page = login(net.users.methodist).get(tab(person)).content.decode()
    assert "+7 (866) 300-00-00" in page
    assert PersonalDataAccess.objects.filter(
        user=net.users.methodist, person=person, action="view", details="история изменений"
    ).exists()


@pytest.mark.parametrize("count", [5, 500])
def test_the_tab_costs_the_same_queries_whatever_its_length(net, login, django_assert_max_num_queries, count):
    school = net.school
    ct = ContentType.objects.get_for_model(School)
    now = timezone.now()
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=ct,
            object_id=school.pk,
            object_repr=str(school),
            action="change",
            at=now - datetime.timedelta(minutes=i),
            actor=net.users.admin,
            via="page",
            changes={"адрес": [f"ул. {i}", f"ул. {i + 1}"]},
        )
        for i in range(count)
    )
    client = login(net.users.admin)
    client.get(tab(school))  # warm the content-type cache
    # Session, user, the school, the user's grants (2), the visibility check, count, page, the bell.
    with django_assert_max_num_queries(9):
        response = client.get(tab(school))
    assert response.status_code == 200 and "ул. 1" in response.content.decode()


def test_an_agenda_item_edited_by_an_update_is_recorded_in_its_meetings_tab(net, login):
    from meetings import services as meetings

    secretary = net.users.secretary
    meeting = meetings.create_meeting(
        unit=net.terek, by=secretary, date=datetime.date(2026, 10, 5), kind="in_person", place="Терек"
    )
    item = meetings.add_item(meeting, secretary, meeting.version, title="О плане работы")
    meeting.refresh_from_db()
    item = type(item).objects.get(pk=item.pk)
    meetings.update_item(item, secretary, meeting.version, title="О плане работы на год", decision="Утвердить")
    change = LogEntry.objects.filter(action="change", object_id=item.pk).get()
    assert change.changes == {
        "вопрос повестки": ["О плане работы", "О плане работы на год"],
        "ПОСТАНОВИЛИ (РЕШИЛИ)": ["", "Утвердить"],
    }
    page = login(net.users.methodist).get(tab(meeting)).content.decode()
    assert "О плане работы на год" in page and "Утвердить" in page
    assert tab(meeting) in login(net.users.methodist).get(meeting.get_absolute_url()).content.decode()


def test_object_pages_link_to_their_history(net, login):
    client = login(net.users.admin)
    for obj in (net.school, net.users.teacher_person):
        assert tab(obj) in client.get(obj.get_absolute_url()).content.decode()
    # A unit's page shows its history in its own tab, with the full page linked from there.
    unit_page = client.get(net.terek_rmo.get_absolute_url()).content.decode()
    assert "?tab=history" in unit_page
    assert tab(net.terek_rmo) in client.get(net.terek_rmo.get_absolute_url() + "?tab=history").content.decode()


def test_an_orders_points_replaced_in_bulk_are_recorded_on_the_order(net, login):
    from orders import services as orders
    from orders.models import OrderTemplate

    order = orders.create_order(net.terek, OrderTemplate.FREE, datetime.date(2026, 10, 1), None, heading="О семинаре")
    LogEntry.objects.all().delete()
    points = [{"text": "Провести семинар 20.10.2026."}, {"text": "Контроль оставляю за собой."}]
    orders.update_order(order, fields={}, points=points, expected_version=order.version)
    [entry] = LogEntry.objects.filter(action="change")
    before, after = entry.changes["пункты приказа"]
    assert "1. Провести семинар 20.10.2026." in after and "Провести семинар" not in before
    page = login(net.users.methodist).get(tab(order)).content.decode()
    assert "Провести семинар 20.10.2026." in page


def test_a_persons_subjects_are_recorded_as_a_list(net):
    from people.models import Subject

    person = net.users.teacher_person
    algebra, geometry = Subject.objects.create(name="алгебра"), Subject.objects.create(name="геометрия")
    person.subjects.add(algebra)
    person.subjects.add(geometry)
    person.subjects.remove(algebra)
    assert [e.changes["предметы"] for e in entries(person)[::-1]] == [
        ["", "алгебра"],
        ["алгебра", "алгебра, геометрия"],
        ["алгебра, геометрия", "геометрия"],
    ]


@pytest.mark.parametrize("role", f.MATRIX_ROLES)
def test_every_role_reads_a_history_exactly_where_it_may_read_the_object(net, client, role):
    from meetings import services as meetings
    from orders import services as orders
    from orders.models import OrderTemplate

    meeting = meetings.create_meeting(
        unit=net.baksan, by=net.users.baksan_methodist, date=datetime.date(2026, 10, 5), kind="in_person", place="Б"
    )
    order = orders.create_order(net.terek, OrderTemplate.FREE, datetime.date(2026, 10, 1), None, heading="О семинаре")
    objects = [net.terek_rmo, net.baksan_rmo, net.school, net.baksan_school, net.users.teacher_person, meeting, order]
    if role != "anonymous":
        client.force_login(getattr(net.users, role))
    for obj in objects:
        page, history = client.get(obj.get_absolute_url()).status_code, client.get(tab(obj)).status_code
        # Readable exactly where the page is; a page known by name only (403: an ancestor unit) has no
        # readable history either.
        assert (obj, history) == (obj, 404 if page == 403 else page)


def test_a_region_setting_changed_in_the_admin_is_attributed_to_the_admin(net, login):
    client = login(net.users.superuser)
    region = net.region
    response = client.post(
        reverse("admin:orgunits_region_change", args=[region.pk]),
        {
            "code": region.code,
            "name": region.name,
            "timezone": "Asia/Irkutsk",
            "max_term_months": "12",
            "published": "[]",
        },
    )
    assert response.status_code == 302
    [entry] = entries(region)
    assert entry.via == "admin" and entry.actor == net.users.superuser
    assert entry.changes == {"часовой пояс": [region.timezone, "Asia/Irkutsk"]}


def test_a_plans_items_edited_and_copied_are_in_the_submissions_history(net, login):
    from plans.models import PlanItem, Timing

    from . import documents as d

    last_year = d.plan(net, year=2025)
    d.item(last_year, timing=Timing.MONTH, month=3, activity="Конкурс педагогов")
    plan = d.plan(net)
    client = login(net.users.secretary)
    client.post(reverse("plans:copy_previous", args=[plan.pk]), {"expected_version": plan.version})
    item = PlanItem.objects.get(submission=plan)
    item.activity = "Конкурс молодых педагогов"
    item.save()
    page = client.get(tab(plan)).content.decode()
    assert "скопированные из прошлогоднего" in page and "Конкурс педагогов" in page
    assert "Конкурс молодых педагогов" in page and "пункт плана" in page.lower()


def test_a_teachers_course_is_in_the_persons_history_for_who_may_see_the_person(net, login):
    from growth.models import Course

    person = net.users.teacher_person
    Course.objects.create(
        person=person,
        title="Функциональная грамотность",
        provider="ЦНППМ КБР",
        hours=36,
        starts_on=datetime.date(2026, 2, 1),
        ends_on=datetime.date(2026, 2, 20),
    )
    page = login(net.users.methodist).get(tab(person)).content.decode()
    assert "Функциональная грамотность" in page and "20.02.2026" in page
    assert login(net.users.baksan_methodist).get(tab(person)).status_code == 404


def test_a_monitoring_value_entered_by_hand_is_in_its_rows_history(net, login):
    from growth.models import Route

    from .test_monitoring_rules import YEAR, make_campaign, make_set, result_of, teachers

    indicator_set = make_set(net.region, ("assessment", "", {}, {"short_name": "Оценка компетенций"}))
    Route.objects.create(person=teachers(net.region, net.terek_rmo, 1)[0], year=YEAR, goals="ИОМ")
    campaign = make_campaign(indicator_set, net.terek, today=datetime.date.today())
    manual = result_of(campaign, net.shmo, "assessment")
    client = login(net.users.shmo_secretary)
    data = {"numerator": "7", "denominator": "10", "evidence_text": "Приказ № 12", "evidence_url": ""}
    assert client.post(reverse("monitoring:enter", args=[manual.pk]), data).status_code == 302
    row_url = reverse("monitoring:row", args=[manual.row_id])
    history = reverse("history:object", args=["monitoring.row", manual.row_id])
    assert history in client.get(row_url).content.decode()
    page = client.get(history).content.decode()
    assert "Приказ № 12" in page and "числитель" in page.lower()
    assert login(net.users.outsider).get(history).status_code == 404


def test_a_state_moved_by_the_workflow_engine_is_not_recorded_twice(net, login):
    from programs.models import Program

    program = Program.objects.create(
        unit=net.terek, name="Программа развития", goal="Цель", start_year=2026, end_year=2028
    )
    created = LogEntry.objects.get(action="create", object_id=program.pk)
    assert "состояние" not in created.changes and created.changes["наименование"] == ["", "Программа развития"]
    program.state = Program.State.ACTIVE  # as the engine's move does, with its own TRANSITION entry
    program.save()
    assert not LogEntry.objects.filter(action="change", object_id=program.pk).exists()


def test_a_submissions_tab_names_the_moves_and_states_of_its_workflow(net, login):
    from . import documents as d

    plan = d.plan(net)
    record(
        plan,
        LogEntry.Action.TRANSITION,
        move="return",
        from_state="submitted",
        to_state="returned",
        reason="Нет сроков",
    )
    page = login(net.users.methodist).get(tab(plan)).content.decode()
    assert "Вернуть на доработку" in page and "Нет сроков" in page
    assert "submitted" not in page and "returned" not in page  # the states by their labels


def test_the_superuser_finds_a_requests_entries_in_the_admin_and_cannot_change_them(net, login):
    school = School.objects.get(pk=net.school.pk)
    with acting(user=net.users.admin, via="page", request_id="req-admin-7"):
        school.address = "ул. Школьная"
        school.save()
    entry = LogEntry.objects.get(request_id="req-admin-7")
    client = login(net.users.superuser)
    listing = client.get(reverse("admin:history_logentry_changelist"), {"q": "req-admin-7"}).content.decode()
    assert str(school) in listing
    assert client.post(reverse("admin:history_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    assert login(net.users.admin).get(reverse("admin:history_logentry_changelist")).status_code == 302


def test_a_record_moved_only_by_the_engine_has_its_history_tab(net, login):
    """A development has no tracked field: its tab shows the engine's moves, for whoever sees it."""
    from .test_practices import new_dev

    dev = new_dev(net)
    from practices import services as practices

    practices.submit(dev, net.users.teacher, now=timezone.now(), expected_version=dev.version)
    url = reverse("history:object", args=["practices.development", dev.pk])
    assert url in login(net.users.teacher).get(dev.get_absolute_url()).content.decode()
    page = login(net.users.teacher).get(url).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Переход: Направить на экспертизу" in text and "черновик → направлена на экспертизу" in text
    assert login(net.users.outsider).get(url).status_code == 404
