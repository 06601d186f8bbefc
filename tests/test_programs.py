"""Programs and roadmaps (issue 5, part 6; seeds 002 and 004): terms, the overdue rule, permissions,
bad input on every form, the sweep, the unit page block."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from network.models import Notification
from orders import services as order_services
from orders.models import OrderTemplate
from programs import services as programs
from programs.forms import RoadmapItemForm
from programs.models import ItemStatus, Program, RoadmapEvent, RoadmapItem, TermKind
from submissions import deadlines

from . import factories as f

D = datetime.date
TODAY = timezone.localdate()


# -- helpers ----------------------------------------------------------------------------------------


def make_program(unit, start=None, end=None, **kwargs):
    start = TODAY.year if start is None else start
    defaults = {
        "name": "Программа поддержки школьных, муниципальных методических объединений",
        "goal": "повысить эффективность деятельности методических объединений",
        "tasks": "информирование\nмониторинг",
        "start_year": start,
        "end_year": start + 1 if end is None else end,
        "state": Program.State.ACTIVE,
    }
    return Program.objects.create(unit=unit, **{**defaults, **kwargs})


def make_item(program, **kwargs):
    defaults = {
        "activity": "Проведение муниципального мониторинга профессиональных дефицитов",
        "responsible_text": "методисты МАУ ИМК",
        "term_kind": TermKind.PERIOD,
    }
    return programs.save_item(RoadmapItem(program=program, **{**defaults, **kwargs}))


def due_item(program, due: D, **kwargs):
    """An item with a date term (the program's period must hold the date)."""
    return make_item(program, term_kind=TermKind.DATE, term_date=due, **kwargs)


def program_data(**kwargs):
    data = {
        "name": "Программа поддержки методических объединений",
        "legal_basis": "Федеральный закон от 29.12.2012 № 273-ФЗ",
        "approval_order": "",
        "goal": "повысить эффективность",
        "tasks": "информирование\nконсультирование",
        "start_year": str(TODAY.year),
        "end_year": str(TODAY.year + 1),
        "expected_results": "мониторинг дефицитов",
        "state": "active",
        "expected_version": "1",
    }
    return {**data, **kwargs}


def item_data(item=None, **kwargs):
    data = {
        "section": "Направление 1",
        "number": "1.1",
        "activity": "Разработка муниципального мониторинга",
        "responsible_unit": "",
        "responsible_person": "",
        "responsible_text": "методисты МАУ ИМК",
        "term_kind": "month",
        "term_date": "",
        "term_month": "3",
        "term_year": str(TODAY.year),
        "result": "Приказ",
        "order": "",
        "status": "planned",
        "done_on": "",
        "comment": "",
        "expected_version": str(item.version if item else 1),
    }
    return {**data, **kwargs}


def other_region_order():
    region = f.RegionFactory(code="ros", name="Ростовская область")
    kinds = f.standard_kinds()
    unit = f.unit(region, kinds["rumo"], name="РУМО РО")
    return order_services.create_order(unit, OrderTemplate.FREE, TODAY, None, heading="О семинаре")


# -- terms and due dates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "due", "label"),
    [
        ({"term_kind": TermKind.DATE, "term_date": D(2027, 4, 15)}, D(2027, 4, 15), "15.04.2027"),
        ({"term_kind": TermKind.MONTH, "term_year": 2028, "term_month": 2}, D(2028, 2, 29), "февраль 2028"),
        ({"term_kind": TermKind.MONTH, "term_year": 2027, "term_month": 4}, D(2027, 4, 30), "апрель 2027"),
        ({"term_kind": TermKind.YEAR, "term_year": 2027}, D(2027, 12, 31), "в течение 2027 г."),
        ({"term_kind": TermKind.ANNUAL, "term_year": 2027, "term_month": 5}, D(2027, 5, 31), "ежегодно в мае"),
        ({"term_kind": TermKind.PERIOD}, D(2028, 12, 31), "в течение всего периода"),
    ],
)
def test_term_kinds_and_due_dates(net, fields, due, label):
    program = make_program(net.terek, start=2026, end=2028)
    item = make_item(program, **fields)
    assert item.due_on == due
    assert item.term_label == label


def test_a_term_keeps_only_the_parts_its_kind_uses(net):
    program = make_program(net.terek, start=2026, end=2028)
    item = make_item(program, term_kind=TermKind.PERIOD, term_date=D(2026, 5, 5), term_month=3, term_year=2027)
    assert (item.term_date, item.term_month, item.term_year) == (None, None, None)


def test_changing_the_period_moves_the_due_dates_that_depend_on_it(net, login):
    program = make_program(net.terek, start=2026, end=2027)
    whole = make_item(program, term_kind=TermKind.PERIOD)
    client = login(net.users.methodist)
    url = reverse("plans:program_edit", args=[program.pk])
    response = client.post(url, program_data(start_year="2026", end_year="2028"))
    assert response.status_code == 302
    whole.refresh_from_db()
    assert whole.due_on == D(2028, 12, 31)


# -- the overdue rule -------------------------------------------------------------------------------


def overdue_ids(today):
    return set(RoadmapItem.objects.filter(programs.overdue_q(today)).values_list("pk", flat=True))


def test_due_today_is_not_overdue_due_yesterday_is(net):
    program = make_program(net.terek, start=2026, end=2027)
    item = due_item(program, D(2026, 10, 15))
    assert not programs.is_overdue(item, D(2026, 10, 15))
    assert item.pk not in overdue_ids(D(2026, 10, 15))
    assert programs.is_overdue(item, D(2026, 10, 16))
    assert item.pk in overdue_ids(D(2026, 10, 16))


@pytest.mark.parametrize("status", [ItemStatus.DONE, ItemStatus.CANCELLED])
def test_done_or_cancelled_items_are_never_overdue(net, status):
    program = make_program(net.terek, start=2026, end=2027)
    extra = {"done_on": D(2026, 10, 1)} if status == ItemStatus.DONE else {}
    item = due_item(program, D(2026, 10, 15), status=status, **extra)
    assert not programs.is_overdue(item, D(2027, 1, 1))
    assert item.pk not in overdue_ids(D(2027, 1, 1))


@pytest.mark.parametrize("state", [Program.State.DRAFT, Program.State.FINISHED])
def test_only_an_active_programs_items_are_overdue(net, state):
    program = make_program(net.terek, start=2026, end=2027, state=state)
    item = due_item(program, D(2026, 10, 15))
    assert not programs.is_overdue(item, D(2027, 1, 1))
    assert item.pk not in overdue_ids(D(2027, 1, 1))


def test_annual_item_done_for_a_year_moves_to_the_next(net):
    program = make_program(net.terek, start=2026, end=2027)
    item = make_item(program, term_kind=TermKind.ANNUAL, term_year=2026, term_month=5)
    message = programs.set_status(item, ItemStatus.DONE, net.users.methodist, item.version, D(2026, 6, 3))
    item.refresh_from_db()
    assert "выполнен за 2026 год" in message
    assert (item.status, item.term_year, item.due_on) == (ItemStatus.PLANNED, 2027, D(2027, 5, 31))
    programs.set_status(item, ItemStatus.DONE, net.users.methodist, item.version, D(2027, 5, 20))
    item.refresh_from_db()
    assert (item.status, item.done_on, item.term_year) == (ItemStatus.DONE, D(2027, 5, 20), 2027)


def test_annual_item_added_mid_period_starts_this_year(net):
    program = make_program(net.terek, start=TODAY.year - 1, end=TODAY.year + 1)
    form = RoadmapItemForm(
        data=item_data(term_kind="annual", term_year="", term_month="5"),
        program=program,
        user=net.users.methodist,
        today=TODAY,
    )
    assert form.is_valid(), form.errors
    assert programs.save_item(form.instance, 1).term_year == TODAY.year


# -- permissions ------------------------------------------------------------------------------------

# list, program page, create program, edit program, add item, edit item, change status (POST).
# The unit pages (list, create) follow the portal's one rule: a unit above one's own is seen by name → 403.
EXPECTED = {
    "admin": (200, 200, 200, 200, 200, 200, 302),
    "reviewer": (200, 200, 403, 403, 403, 403, 403),
    "methodist": (200, 200, 200, 200, 200, 200, 302),
    "secretary": (200, 200, 200, 200, 200, 200, 302),
    "baksan_methodist": (404, 404, 404, 404, 404, 404, 404),
    "shmo_secretary": (403, 404, 403, 404, 404, 404, 404),
    "teacher": (403, 404, 403, 404, 404, 404, 404),
    "outsider": (404, 404, 404, 404, 404, 404, 404),
    "superuser": (200, 200, 200, 200, 200, 200, 302),
    "anonymous": (302, 302, 302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("role", f.MATRIX_ROLES)
def test_permission_matrix(net, client, role):
    program = make_program(net.terek)
    item = make_item(program)
    if role != "anonymous":
        client.force_login(getattr(net.users, role))
    got = (
        client.get(reverse("plans:programs", args=[net.terek.pk])).status_code,
        client.get(reverse("plans:program", args=[program.pk])).status_code,
        client.get(reverse("plans:program_add", args=[net.terek.pk])).status_code,
        client.get(reverse("plans:program_edit", args=[program.pk])).status_code,
        client.get(reverse("plans:roadmap_item_add", args=[program.pk])).status_code,
        client.get(reverse("plans:roadmap_item_edit", args=[item.pk])).status_code,
        client.post(
            reverse("plans:roadmap_item_status", args=[item.pk]),
            {"status": "in_progress", "expected_version": item.version},
        ).status_code,
    )
    assert got == EXPECTED[role]
    item.refresh_from_db()
    assert (item.status == ItemStatus.IN_PROGRESS) == (EXPECTED[role][6] == 302 and role != "anonymous")


@pytest.mark.parametrize("role", ["reviewer", "baksan_methodist", "teacher", "anonymous"])
def test_who_may_not_edit_changes_nothing_by_post(net, client, role):
    program = make_program(net.terek)
    item = make_item(program)
    if role != "anonymous":
        client.force_login(getattr(net.users, role))
    client.post(reverse("plans:program_add", args=[net.terek.pk]), program_data(name="Чужая программа"))
    client.post(reverse("plans:program_edit", args=[program.pk]), program_data(name="Переименована"))
    client.post(reverse("plans:roadmap_item_add", args=[program.pk]), item_data(activity="Чужой пункт"))
    client.post(reverse("plans:roadmap_item_edit", args=[item.pk]), item_data(item, activity="Изменён"))
    client.post(reverse("plans:roadmap_item_delete", args=[item.pk]), {"expected_version": item.version})
    assert list(Program.objects.values_list("name", flat=True)) == [program.name]
    assert list(RoadmapItem.objects.values_list("activity", flat=True)) == [item.activity]


def test_responsible_person_sees_the_program_and_marks_their_item_done(net, login):
    program = make_program(net.terek)
    mine = make_item(program, responsible_person=net.users.teacher_person, responsible_text="")
    other = make_item(program, activity="Чужой пункт")
    client = login(net.users.teacher)  # a member of the RMO: the МунУМО is not theirs to view
    assert client.get(reverse("plans:program", args=[program.pk])).status_code == 200
    response = client.post(
        reverse("plans:roadmap_item_status", args=[mine.pk]), {"status": "done", "expected_version": mine.version}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.done_on) == (ItemStatus.DONE, TODAY)
    # Not another item, not the editing pages.
    status_url = reverse("plans:roadmap_item_status", args=[other.pk])
    assert client.post(status_url, {"status": "done", "expected_version": other.version}).status_code == 404
    assert client.get(reverse("plans:roadmap_item_edit", args=[mine.pk])).status_code == 403
    assert client.get(reverse("plans:program_edit", args=[program.pk])).status_code == 403


def test_responsible_person_may_not_cancel(net, login):
    program = make_program(net.terek)
    mine = make_item(program, responsible_person=net.users.teacher_person)
    client = login(net.users.teacher)
    client.post(
        reverse("plans:roadmap_item_status", args=[mine.pk]), {"status": "cancelled", "expected_version": mine.version}
    )
    mine.refresh_from_db()
    assert mine.status == ItemStatus.PLANNED


def test_filers_of_the_responsible_unit_mark_its_items(net, login):
    program = make_program(net.terek)
    item = make_item(program, responsible_unit=net.shmo, responsible_text="")
    client = login(net.users.shmo_secretary)
    response = client.post(
        reverse("plans:roadmap_item_status", args=[item.pk]), {"status": "done", "expected_version": item.version}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE


def test_who_may_set_an_items_status(net):
    """One rule for the roadmap page, the status view and set_status."""
    program = make_program(net.terek)
    item = make_item(program, responsible_person=net.users.teacher_person)
    assert programs.may_set_status(net.users.methodist, item)  # keeps the unit's records
    assert programs.may_set_status(net.users.teacher, item)  # answers for the item
    assert not programs.may_set_status(net.users.reviewer, item)  # only views the unit


def test_a_failed_period_change_keeps_the_old_passport(net, login, monkeypatch):
    program = make_program(net.terek, start=2026, end=2027)
    make_item(program, term_kind=TermKind.PERIOD)

    def broken(_program):
        raise RuntimeError("refresh failed")

    monkeypatch.setattr(programs, "refresh_due_dates", broken)
    client = login(net.users.methodist)
    with pytest.raises(RuntimeError):
        client.post(reverse("plans:program_edit", args=[program.pk]), program_data(start_year="2026", end_year="2028"))
    program.refresh_from_db()
    assert (program.end_year, program.version) == (2027, 1)


def test_a_viewer_who_is_not_responsible_may_not_change_status(net, login):
    program = make_program(net.terek)
    item = make_item(program)
    with pytest.raises(PermissionDenied):
        programs.set_status(item, ItemStatus.DONE, net.users.reviewer, item.version, TODAY)
    # Refused before the input is looked at: bad input gets the same 403.
    url = reverse("plans:roadmap_item_status", args=[item.pk])
    assert login(net.users.reviewer).post(url, {"status": "lost"}).status_code == 403


# -- bad input: the program form --------------------------------------------------------------------


def post_new_program(client, net, **data):
    return client.post(reverse("plans:program_add", args=[net.terek.pk]), program_data(**data))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"start_year": "2027", "end_year": "2026"}, "end_year", "Год окончания не может быть раньше года начала."),
        ({"start_year": "1990"}, "start_year", "Год — от 2000 до 2100."),
        ({"end_year": "2200"}, "end_year", "Год — от 2000 до 2100."),
        ({"end_year": "две тысячи"}, "end_year", "Введите целое число."),
        ({"name": "  "}, "name", "Обязательное поле."),
        ({"goal": ""}, "goal", "Обязательное поле."),
    ],
)
def test_bad_program_input_creates_nothing(net, login, data, field, message):
    response = post_new_program(login(net.users.methodist), net, **data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in errors[field]
    assert not Program.objects.exists()


def test_approval_order_of_another_region_refused(net, login):
    order = other_region_order()
    # The superuser sees every region's orders: the rule, not the visibility, refuses it.
    response = post_new_program(login(net.users.superuser), net, approval_order=str(order.pk))
    assert response.context["form"].errors["approval_order"] == [
        "Приказ издан в другом регионе: выберите приказ своего региона."
    ]
    assert not Program.objects.exists()
    # Someone who cannot see that order cannot pick it at all.
    response = post_new_program(login(net.users.methodist), net, approval_order=str(order.pk))
    assert "approval_order" in response.context["form"].errors
    assert not Program.objects.exists()


def test_stale_program_edit_refused(net, login):
    program = make_program(net.terek, name="Прежнее название")
    client = login(net.users.methodist)
    url = reverse("plans:program_edit", args=[program.pk])
    assert client.post(url, program_data(name="Первая правка", expected_version="1")).status_code == 302
    response = client.post(url, program_data(name="Вторая правка", expected_version="1"))
    assert response.status_code == 200
    assert "изменил другой пользователь" in response.content.decode()
    program.refresh_from_db()
    assert (program.name, program.version) == ("Первая правка", 2)


def test_period_that_would_leave_items_outside_refused(net, login):
    program = make_program(net.terek, start=2026, end=2027)
    due_item(program, D(2027, 3, 1), number="7")
    response = login(net.users.methodist).post(
        reverse("plans:program_edit", args=[program.pk]), program_data(start_year="2026", end_year="2026")
    )
    assert "(7) выходят за новый период" in response.context["form"].errors["end_year"][0]
    program.refresh_from_db()
    assert program.end_year == 2027


def test_create_program_and_items_through_the_pages(net, login):
    client = login(net.users.methodist)
    response = post_new_program(client, net)
    program = Program.objects.get()
    assert response.url == program.get_absolute_url()
    assert program.unit == net.terek and program.task_list == ["информирование", "консультирование"]
    response = client.post(
        reverse("plans:roadmap_item_add", args=[program.pk]),
        item_data(responsible_unit=str(net.terek_rmo.pk), responsible_text=""),
    )
    item = RoadmapItem.objects.get()
    assert response.status_code == 302
    assert (item.responsible_unit, item.due_on, item.position) == (net.terek_rmo, D(TODAY.year, 3, 31), 1)
    page = client.get(program.get_absolute_url()).content.decode()
    assert "Разработка муниципального мониторинга" in page and "март" in page


# -- bad input: the item form -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"responsible_text": "", "responsible_unit": "", "responsible_person": ""},
            "responsible_text",
            "Укажите ответственного: подразделение, лицо или текстом.",
        ),
        ({"term_month": "13"}, "term_month", None),
        ({"term_month": ""}, "term_month", "Укажите месяц."),
        ({"term_year": ""}, "term_year", "Укажите год."),
        ({"term_year": str(TODAY.year + 5)}, "term_year", "Год вне периода реализации программы"),
        ({"term_kind": "date", "term_date": ""}, "term_date", "Укажите дату."),
        ({"term_kind": "date", "term_date": f"{TODAY.year + 3}-01-10"}, "term_date", "Дата вне периода"),
        ({"term_kind": "date", "term_date": "31.02.2026"}, "term_date", None),
        ({"term_kind": "someday"}, "term_kind", None),
        ({"activity": ""}, "activity", "Обязательное поле."),
        ({"status": "done", "done_on": ""}, "done_on", "Укажите дату выполнения."),
        (
            {"status": "done", "done_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "done_on",
            "Дата выполнения не может быть позже сегодняшней.",
        ),
    ],
)
def test_bad_item_input_adds_nothing(net, login, data, field, message):
    program = make_program(net.terek)
    response = login(net.users.methodist).post(reverse("plans:roadmap_item_add", args=[program.pk]), item_data(**data))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    if message:
        assert any(message in e for e in errors[field]), errors[field]
    assert not RoadmapItem.objects.exists()


def test_month_out_of_range_refused_by_the_model(net):
    program = make_program(net.terek)
    with pytest.raises(ValidationError) as exc:
        make_item(program, term_kind=TermKind.MONTH, term_year=TODAY.year, term_month=13)
    assert "Месяц — число от 1 до 12." in exc.value.message_dict["term_month"]
    assert not RoadmapItem.objects.exists()


def test_responsible_unit_outside_the_programs_subtree_refused(net, login):
    program = make_program(net.terek)
    # The superuser may name any unit in the form's queryset: the rule refuses Baksan's RMO.
    response = login(net.users.superuser).post(
        reverse("plans:roadmap_item_add", args=[program.pk]), item_data(responsible_unit=str(net.baksan_rmo.pk))
    )
    assert "responsible_unit" in response.context["form"].errors
    assert not RoadmapItem.objects.exists()


def test_item_order_of_another_region_refused(net, login):
    program = make_program(net.terek)
    order = other_region_order()
    response = login(net.users.superuser).post(
        reverse("plans:roadmap_item_add", args=[program.pk]), item_data(order=str(order.pk))
    )
    assert response.context["form"].errors["order"] == [
        "Приказ издан в другом регионе: выберите приказ своего региона."
    ]
    assert not RoadmapItem.objects.exists()


def test_item_order_of_own_region_accepted(net, login):
    program = make_program(net.terek)
    order = order_services.create_order(net.terek, OrderTemplate.FREE, TODAY, None, heading="О дорожной карте")
    response = login(net.users.methodist).post(
        reverse("plans:roadmap_item_add", args=[program.pk]), item_data(order=str(order.pk))
    )
    assert response.status_code == 302
    assert RoadmapItem.objects.get().order == order


def test_stale_item_edit_refused(net, login):
    program = make_program(net.terek)
    item = make_item(program, activity="Исходный текст")
    client = login(net.users.methodist)
    url = reverse("plans:roadmap_item_edit", args=[item.pk])
    assert client.post(url, item_data(item, activity="Первая правка")).status_code == 302
    response = client.post(url, item_data(item, activity="Вторая правка"))  # made on version 1 too
    assert response.status_code == 200
    assert "изменил другой пользователь" in response.content.decode()
    item.refresh_from_db()
    assert (item.activity, item.version) == ("Первая правка", 2)


def test_stale_delete_refused(net, login):
    program = make_program(net.terek)
    item = make_item(program)
    client = login(net.users.methodist)
    client.post(reverse("plans:roadmap_item_edit", args=[item.pk]), item_data(item, activity="Правка"))
    client.post(reverse("plans:roadmap_item_delete", args=[item.pk]), {"expected_version": "1"})
    assert RoadmapItem.objects.filter(pk=item.pk).exists()
    client.post(reverse("plans:roadmap_item_delete", args=[item.pk]), {"expected_version": "2"})
    assert not RoadmapItem.objects.filter(pk=item.pk).exists()


# -- bad input: the status form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {"status": "finished"},
        {"status": "done", "expected_version": "7"},
        {"status": "done", "done_on": "2099-01-01"},
        {"status": "done", "done_on": "вчера"},
        {"status": "done", "expected_version": ""},
    ],
)
def test_bad_status_input_changes_nothing(net, login, data):
    program = make_program(net.terek)
    item = make_item(program)
    response = login(net.users.methodist).post(
        reverse("plans:roadmap_item_status", args=[item.pk]), {"expected_version": "1", **data}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    item.refresh_from_db()
    assert (item.status, item.version) == (ItemStatus.PLANNED, 1)


def test_status_change_with_htmx_returns_the_row(net, login):
    program = make_program(net.terek)
    item = make_item(program, number="3.2")
    response = login(net.users.methodist).post(
        reverse("plans:roadmap_item_status", args=[item.pk]),
        {"status": "in_progress", "expected_version": "1"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith(f'<tr id="item-{item.pk}"')
    assert "Состояние пункта: выполняется." in body
    assert 'name="expected_version" value="2"' in body


# -- the program page -------------------------------------------------------------------------------


def test_program_page_groups_by_section_and_marks_overdue(net, login):
    program = make_program(net.terek, start=TODAY.year - 1, end=TODAY.year + 1, approval_order=None)
    late = due_item(program, TODAY - datetime.timedelta(days=1), section="Направление 1", activity="Просроченное")
    due_item(program, TODAY, section="Направление 1", activity="Срок сегодня")
    due_item(program, TODAY - datetime.timedelta(days=1), section="Направление 2", activity="Выполненное",
             status=ItemStatus.DONE, done_on=TODAY)  # fmt: skip
    client = login(net.users.reviewer)
    response = client.get(program.get_absolute_url())
    groups = response.context["groups"]
    assert [(section, [i.activity for i in items]) for section, items in groups] == [
        ("Направление 1", ["Просроченное", "Срок сегодня"]),
        ("Направление 2", ["Выполненное"]),
    ]
    assert [i.overdue for _, items in groups for i in items] == [True, False, False]
    assert response.context["counts"]["overdue_count"] == 1
    body = response.content.decode()
    assert f'id="item-{late.pk}" class="status-planned overdue"' in body
    assert "Паспорт программы" in body and 'data-action="print"' in body  # static/js/metodset.js prints

    only = client.get(program.get_absolute_url() + "?overdue=1").context["groups"]
    assert [i.activity for _, items in only for i in items] == ["Просроченное"]
    done = client.get(program.get_absolute_url() + "?status=done").context["groups"]
    assert [i.activity for _, items in done for i in items] == ["Выполненное"]


def _bulk_items(program, count):
    RoadmapItem.objects.bulk_create(
        [
            RoadmapItem(
                program=program,
                section=f"Направление {n % 4 + 1}",
                number=str(n),
                position=n,
                activity=f"Мероприятие {n}",
                responsible_unit=program.unit if n % 2 else None,
                responsible_person=None,
                responsible_text="методисты",
                term_kind=TermKind.DATE,
                term_date=TODAY - datetime.timedelta(days=n % 30),
                due_on=TODAY - datetime.timedelta(days=n % 30),
            )
            for n in range(1, count + 1)
        ]
    )


@pytest.mark.parametrize("role", ["methodist", "reviewer"])
def test_program_page_queries_do_not_grow_with_the_roadmap(net, login, django_assert_max_num_queries, role):
    client = login(getattr(net.users, role))
    small, big = make_program(net.terek, start=TODAY.year - 1), make_program(net.terek, start=TODAY.year - 1)
    _bulk_items(small, 5)
    _bulk_items(big, 200)
    client.get(small.get_absolute_url())  # warm the session
    with django_assert_max_num_queries(10) as small_q:
        client.get(small.get_absolute_url())
    with django_assert_max_num_queries(len(small_q.captured_queries)):
        response = client.get(big.get_absolute_url())
    assert response.content.decode().count('class="status-planned overdue"') > 150


def test_program_list_paginates_with_bounded_queries(net, login, django_assert_max_num_queries):
    client = login(net.users.methodist)
    url = reverse("plans:programs", args=[net.terek.pk])
    for n in range(3):
        make_program(net.terek, name=f"Программа {n}")
    client.get(url)
    with django_assert_max_num_queries(10) as small_q:
        client.get(url)
    Program.objects.bulk_create(
        [Program(unit=net.terek, name=f"Программа {n}", goal="цель", start_year=2026, end_year=2027) for n in range(60)]
    )
    with django_assert_max_num_queries(len(small_q.captured_queries)):
        response = client.get(url)
    assert len(response.context["page_obj"].object_list) == 25


# -- the sweep --------------------------------------------------------------------------------------


def notes(user, needle="Просрочены пункты дорожной карты"):
    return Notification.objects.filter(user=user, text__contains=needle).count()


def test_sweep_reports_an_overdue_item_once(net, capsys):
    program = make_program(net.terek, start=2026, end=2027)
    item = due_item(program, D(2026, 10, 15), responsible_person=net.users.teacher_person, number="1.3")
    # Due on the 15th: not overdue that day.
    assert deadlines.run_sweep(D(2026, 10, 15)).roadmap_overdue == 0
    assert notes(net.users.teacher) == 0

    call_command("run_deadline_sweep", "--date", "2026-10-16")
    out = capsys.readouterr().out
    assert "просрочено пунктов дорожных карт 1" in out
    assert f"«{program}» — просрочено пунктов дорожной карты: 1" in out
    assert notes(net.users.teacher, "1.3 «Проведение муниципального мониторинга") == 1
    assert RoadmapEvent.objects.filter(item=item, due_on=D(2026, 10, 15), on=D(2026, 10, 16)).count() == 1

    sent = Notification.objects.count()
    assert deadlines.run_sweep(D(2026, 10, 16)).roadmap_overdue == 0  # the same day again
    assert deadlines.run_sweep(D(2026, 11, 20)).roadmap_overdue == 0  # and a later day
    assert Notification.objects.count() == sent


def test_sweep_reports_a_moved_term_again(net):
    program = make_program(net.terek, start=2026, end=2027)
    item = make_item(program, term_kind=TermKind.ANNUAL, term_year=2026, term_month=5,
                     responsible_person=net.users.teacher_person)  # fmt: skip
    assert deadlines.run_sweep(D(2026, 6, 1)).roadmap_overdue == 1
    programs.set_status(item, ItemStatus.DONE, net.users.teacher, item.version, D(2026, 6, 2))
    assert deadlines.run_sweep(D(2026, 6, 3)).roadmap_overdue == 0
    assert deadlines.run_sweep(D(2027, 6, 1)).roadmap_overdue == 1  # next year's May has passed
    assert notes(net.users.teacher) == 2


def test_sweep_writes_to_the_filers_of_the_responsible_unit_else_the_programs(net):
    program = make_program(net.terek, start=2026, end=2027)
    due_item(program, D(2026, 10, 1), responsible_unit=net.shmo, responsible_text="", activity="Пункт ШМО")
    due_item(program, D(2026, 10, 1), activity="Пункт без лица")
    report = deadlines.run_sweep(D(2026, 10, 2))
    assert report.roadmap_overdue == 2
    assert notes(net.users.shmo_secretary, "Пункт ШМО") == 1
    assert notes(net.users.shmo_secretary, "Пункт без лица") == 0
    for user in (net.users.methodist, net.users.secretary):  # the Terek МунУМО's filers
        assert notes(user, "Пункт без лица") == 1
        assert notes(user, "Пункт ШМО") == 0
    assert notes(net.users.teacher) == notes(net.users.reviewer) == 0


def test_sweep_ignores_done_items_and_inactive_programs(net):
    active = make_program(net.terek, start=2026, end=2027)
    due_item(active, D(2026, 10, 1), status=ItemStatus.DONE, done_on=D(2026, 9, 30))
    draft = make_program(net.terek, start=2026, end=2027, state=Program.State.DRAFT)
    due_item(draft, D(2026, 10, 1))
    assert deadlines.run_sweep(D(2026, 10, 2)).roadmap_overdue == 0
    assert not RoadmapEvent.objects.exists()


# -- the unit page block ----------------------------------------------------------------------------


def test_unit_page_shows_programs_with_counts_and_overdue_items(net, login):
    program = make_program(net.terek, start=TODAY.year - 1, name="Программа поддержки ШМО")
    due_item(program, TODAY - datetime.timedelta(days=3), activity="Просроченный мониторинг")
    due_item(program, TODAY, activity="Срочный, но не просроченный")
    due_item(program, TODAY - datetime.timedelta(days=3), activity="Сделанное", status=ItemStatus.DONE, done_on=TODAY)
    make_program(net.baksan, name="Баксанская программа")
    body = login(net.users.methodist).get(net.terek.get_absolute_url() + "?tab=programs").content.decode()
    assert "Программы и дорожные карты" in body and "Программа поддержки ШМО" in body
    assert "всего 3: запланировано 2, выполняется 0, выполнено 1" in body
    assert "Просроченный мониторинг" in body
    assert "Срочный, но не просроченный" not in body and "Баксанская программа" not in body
    assert reverse("plans:program_add", args=[net.terek.pk]) in body


def test_unit_page_offers_creation_only_to_editors(net, login):
    body = login(net.users.reviewer).get(net.terek.get_absolute_url() + "?tab=programs").content.decode()
    assert "Программы и дорожные карты" in body
    assert reverse("plans:programs", args=[net.terek.pk]) in body
    assert reverse("plans:program_add", args=[net.terek.pk]) not in body


def test_unit_page_block_queries_do_not_grow(net, login, django_assert_max_num_queries):
    client = login(net.users.methodist)
    url = net.terek.get_absolute_url() + "?tab=programs"
    program = make_program(net.terek, start=TODAY.year - 1)
    _bulk_items(program, 3)
    client.get(url)
    # The unit page took 12 queries before the block; the block adds two, whatever the sizes.
    with django_assert_max_num_queries(14) as small_q:
        client.get(url)
    for n in range(15):
        _bulk_items(make_program(net.terek, start=TODAY.year - 1, name=f"Программа {n}"), 20)
    with django_assert_max_num_queries(len(small_q.captured_queries)):
        response = client.get(url)
    assert response.context["programs_block"]["more_programs"]
    assert len(response.context["programs_block"]["overdue"]) == programs.BLOCK_OVERDUE


# -- the demo ---------------------------------------------------------------------------------------


def test_demo_programs_of_ivolginsky_and_oktyabrsky(db):
    call_command("load_demo_network", "--date", "2026-11-24")
    ivolga = Program.objects.get(unit__name__contains="Иволгинского")
    okt = Program.objects.get(unit__name__contains="Октябрьского")
    assert ivolga.items.count() == 16 and okt.items.count() == 18
    assert okt.approval_order is not None and okt.approval_order.unit == okt.unit
    today = D(2026, 11, 24)
    for program in (ivolga, okt):
        items = list(program.items.all())
        assert any(programs.is_overdue(i, today) for i in items), program
        assert any(i.status == ItemStatus.DONE or i.done_cycles for i in items), program


def test_an_overdue_item_asks_its_responsible_to_act(net):
    # The bell files it under «Требуют действия»: the item is the responsible person's to finish.
    program = make_program(net.terek, start=2026, end=2027)
    due_item(program, D(2026, 10, 15), responsible_person=net.users.teacher_person, number="1.3")
    deadlines.run_sweep(D(2026, 10, 16))
    note = Notification.objects.get(user=net.users.teacher, text__contains="Просрочены пункты дорожной карты")
    assert note.needs_action
