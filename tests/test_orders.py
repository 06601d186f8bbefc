"""Orders: numbering per unit and year, templates, freezing on signature, renewal of a
composition, the order from an approved plan, the register and who may open what."""

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from network.models import StaleVersionError
from orders import services
from orders.models import CONTROL_SELF, Order, OrderStatus, OrderTemplate
from people.models import Membership
from people.services import sync_person_access

from . import documents as d
from . import factories as f

D = datetime.date
ROLES = f.MATRIX_ROLES


def free(unit, on, by=None, heading="О проведении муниципального семинара", **context):
    return services.create_order(unit, OrderTemplate.FREE, on, by, heading=heading, **context)


def edit_data(order, **changes):
    """POST data of the edit page: the order's requisites and its points as they stand."""
    order.refresh_from_db()
    points = list(order.points.all())
    data = {
        "date": order.date.isoformat(),
        "place": order.place,
        "heading": order.heading,
        "purpose": order.purpose,
        "subject": order.subject,
        "signatory": order.signatory_id or "",
        "signatory_position": order.signatory_position,
        "executor": order.executor_id or "",
        "executor_phone": order.executor_phone,
        "expected_version": order.version,
        "points-TOTAL_FORMS": len(points) + 1,
        "points-INITIAL_FORMS": len(points),
        "points-MIN_NUM_FORMS": 0,
        "points-MAX_NUM_FORMS": 1000,
    }
    for i, p in enumerate(points):
        data.update({f"points-{i}-text": p.text, f"points-{i}-executor": p.executor, f"points-{i}-term": p.term})
    data.update(
        {f"points-{len(points)}-text": "", f"points-{len(points)}-executor": "", f"points-{len(points)}-term": ""}
    )
    data.update(changes)
    return data


@pytest.fixture
def chair(net):
    person = f.PersonFactory(region=net.region, last_name="Председателева", first_name="Анна", middle_name="Петровна")
    f.member(person, net.terek, "chair")
    return person


# -- numbering ---------------------------------------------------------------------------------


def test_numbers_run_per_unit_within_the_calendar_year(net):
    terek_2026 = [free(net.terek, D(2026, 3, 1)), free(net.terek, D(2026, 12, 31))]
    terek_2027 = free(net.terek, D(2027, 1, 10))
    baksan = free(net.baksan, D(2026, 5, 1))
    terek_late = free(net.terek, D(2026, 6, 1))  # a 2026 order made after the year changed
    assert [o.number for o in terek_2026] == [1, 2]
    assert terek_2027.number == 1 and terek_2027.year == 2027
    assert baksan.number == 1
    assert terek_late.number == 3


def test_moving_a_draft_into_another_year_takes_that_years_next_number(net):
    first = free(net.terek, D(2026, 12, 20))
    free(net.terek, D(2027, 1, 9))
    moved = services.update_order(
        first, fields={"date": D(2027, 1, 12)}, points=[{"text": CONTROL_SELF}], expected_version=first.version
    )
    assert (moved.year, moved.number) == (2027, 2)
    assert free(net.terek, D(2026, 12, 28)).number == 2  # the gap stays: numbers are never reused


def test_the_database_refuses_a_duplicate_number(net):
    order = free(net.terek, D(2026, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.create(unit=net.terek, year=2026, number=order.number, date=D(2026, 4, 1), heading="Дубль")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL (SQLite serialises writers)")
def test_concurrent_creation_never_duplicates_a_number(kinds):
    region = f.RegionFactory()
    rumo = f.unit(region, kinds["rumo"], name="РУМО")
    cnppm = f.unit(region, kinds["cnppm"], rumo, name="ЦНППМ")
    unit = f.unit(region, kinds["munumo"], cnppm, name="Терское МунУМО")
    per_thread = 5
    barrier = threading.Barrier(2)
    errors, numbers = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            for _ in range(per_thread):
                numbers.append(free(unit, D(2026, 10, 1)).number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(numbers) == list(range(1, 2 * per_thread + 1))
    assert connection.vendor == "postgresql"


# -- templates ---------------------------------------------------------------------------------


def test_every_template_fills_heading_purpose_and_points_ending_with_control(net, chair):
    on = D(2026, 9, 1)
    orders = [
        services.create_order(net.terek, OrderTemplate.APPOINT_CHAIR, on, None, person=chair),
        services.create_order(net.terek, OrderTemplate.APPROVE_COMPOSITION, on, None),
        services.create_order(
            net.terek, OrderTemplate.APPROVE_PROGRAM, on, None, program="Программа поддержки школьных МО"
        ),
        free(net.terek, on),
    ]
    appoint, composition, program, free_order = orders
    assert appoint.heading == "О назначении председателя Терского МунУМО"
    assert composition.heading == "Об утверждении состава Терского МунУМО на 2026 год"
    assert program.heading == "Об утверждении Программы поддержки школьных МО и «дорожной карты» её реализации"
    assert (
        list(program.points.values_list("text", flat=True))[0]
        == "Утвердить Программу поддержки школьных МО (приложение 1)."
    )
    for order in orders:
        texts = list(order.points.values_list("text", flat=True))
        assert texts[-1] == CONTROL_SELF
        assert order.status == OrderStatus.DRAFT
    for order in orders[:3]:
        assert order.preamble.startswith("В целях ") and not order.purpose.startswith("В целях")
        assert order.signatory == chair and order.signatory_position == "Председатель Терского МунУМО"
    assert "Председателева Анна Петровна" in appoint.points.first().text
    members = composition.points.first().text
    assert "Председателева Анна Петровна — председатель" in members
    assert "Фамилия-secretary" in members and "Фамилия-methodist" in members
    assert free_order.purpose == "" and free_order.preamble == ""


def test_the_executor_is_the_author_when_a_member(net):
    order = free(net.terek, D(2026, 9, 1), by=net.users.secretary)
    assert order.executor == net.users.secretary_person
    assert order.created_by == net.users.secretary


# -- heading, freezing, versions -------------------------------------------------------------------


def test_the_heading_is_mandatory(net, login):
    with pytest.raises(services.ValidationError) as exc:
        free(net.terek, D(2026, 9, 1), heading="   ")
    assert "заголовок" in " ".join(exc.value.messages)
    order = free(net.terek, D(2026, 9, 1))
    response = login(net.users.secretary).post(reverse("orders:edit", args=[order.pk]), edit_data(order, heading=" "))
    assert response.status_code == 200
    assert "ГОСТ Р 7.0.97-2025 он обязателен" in response.content.decode()
    order.refresh_from_db()
    assert order.heading == "О проведении муниципального семинара"
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(heading="")


def test_a_draft_is_edited_through_the_page(net, login, chair):
    order = free(net.terek, D(2026, 9, 1), purpose="В целях обмена опытом")
    data = edit_data(order, heading="О проведении семинара «Функциональная грамотность»", place="г. Терек")
    data.update(
        {
            "points-1-text": "Провести семинар 12.11.2026.",
            "points-1-executor": "Фамилия-secretary",
            "points-1-term": "до 12.11.2026",
        }
    )
    response = login(net.users.secretary).post(reverse("orders:edit", args=[order.pk]), data)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.version == 2 and order.place == "г. Терек"
    points = list(order.points.values_list("position", "text", "term"))
    # The control point stays last whatever row the new point was typed in.
    assert points == [(1, "Провести семинар 12.11.2026.", "до 12.11.2026"), (2, CONTROL_SELF, "")]


def test_a_stale_edit_is_a_conflict(net, login):
    order = free(net.terek, D(2026, 9, 1))
    stale = edit_data(order, heading="Первая правка")
    services.update_order(order, fields={"heading": "Чужая правка"}, points=[], expected_version=order.version)
    response = login(net.users.secretary).post(reverse("orders:edit", args=[order.pk]), stale)
    assert response.status_code == 200
    assert "другой пользователь" in response.content.decode()
    order.refresh_from_db()
    assert order.heading == "Чужая правка"
    with pytest.raises(StaleVersionError):
        services.update_order(order, fields={"heading": "x"}, points=[], expected_version=1)


def test_a_signed_order_refuses_edits(net, login, chair):
    order = free(net.terek, D(2026, 9, 1))
    services.update_order(
        order,
        fields={},
        points=[{"text": "Провести семинар."}, {"text": CONTROL_SELF}],
        expected_version=order.version,
    )
    client = login(net.users.secretary)
    assert client.post(reverse("orders:sign", args=[order.pk])).status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SIGNED and order.signed_by == net.users.secretary
    version = order.version

    with pytest.raises(services.ValidationError, match="подписан"):
        services.update_order(order, fields={"heading": "Другое"}, points=[], expected_version=order.version)
    response = client.post(reverse("orders:edit", args=[order.pk]), edit_data(order, heading="Другое"))
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert "изменения не допускаются" in d.message_texts(response)
    assert client.get(reverse("orders:edit", args=[order.pk])).status_code == 302
    response = client.post(reverse("orders:sign", args=[order.pk]))
    assert "уже подписан" in d.message_texts(response)
    order.refresh_from_db()
    assert (order.heading, order.version, order.points.count()) == ("О проведении муниципального семинара", version, 2)
    page = client.get(order.get_absolute_url()).content.decode()
    assert reverse("orders:edit", args=[order.pk]) not in page


def test_signing_needs_a_signatory_a_point_and_control_last(net, login):
    order = free(net.terek, D(2026, 9, 1))  # no chair in the unit: nobody signs; only the control point
    response = login(net.users.secretary).post(reverse("orders:sign", args=[order.pk]))
    text = d.message_texts(response)
    assert "кто подписывает" in text and "распорядительный пункт" in text
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT


# -- renewal of the composition (001 §2.7–2.8) --------------------------------------------------


def composition_with(net, renewed: int, total: int = 9):
    """A unit whose previous term (2025/26) had `total` members and whose new one keeps
    `total - renewed` of them and adds `renewed` newcomers."""
    unit = net.terek_rmo
    Membership.objects.filter(unit=unit).delete()
    old_start, new_start = D(2025, 9, 1), D(2026, 9, 1)
    people = [f.PersonFactory(region=net.region, last_name=f"Членова{i}") for i in range(total + renewed)]
    for person in people[:total]:
        f.member(person, unit, "member", starts_on=old_start, left_on=D(2026, 8, 31))
    for person in people[renewed : total + renewed]:
        f.member(person, unit, "member", starts_on=new_start)
    return unit


@pytest.mark.parametrize(("renewed", "warns"), [(2, True), (3, False)])
def test_renewal_of_less_than_a_third_warns(net, renewed, warns):
    unit = composition_with(net, renewed)
    result = services.renewal(unit, D(2026, 9, 15))
    assert (result.renewed, result.total, result.previous, result.required) == (renewed, 9, 9, 3)
    assert result.under_third is warns


def test_a_term_never_closed_does_not_carry_into_the_next_composition(net):
    # 001 §2.7: a member is elected for one year; a 2025/26 term that nobody closed stops counting on
    # 01.09.2026 (issue 13) — it neither fills the new composition nor passes for a renewal.
    unit = net.terek_rmo
    Membership.objects.filter(unit=unit).delete()
    people = [f.PersonFactory(region=net.region) for _ in range(3)]
    for person in people:
        f.member(person, unit, "member", starts_on=D(2025, 9, 1))
    result = services.renewal(unit, D(2026, 9, 15))
    assert (result.renewed, result.total, result.under_third) == (0, 0, False)
    assert services.renewal(unit, D(2026, 8, 31)).total == 3


def test_a_first_composition_does_not_warn(net):
    result = services.renewal(net.terek, D(2026, 9, 15))
    assert result.previous == 0 and not result.under_third


def test_the_composition_page_warns_and_prepares_the_order(net, login):
    unit = composition_with(net, renewed=2)
    client = login(net.users.methodist)
    url = reverse("orders:composition", args=[unit.pk])
    page = client.get(url, {"date": "2026-09-15"}).content.decode()
    assert 'class="renewal-count">2<' in page and 'class="renewal-total">9<' in page
    assert "renewal-warning" in page and "меньше трети" in page
    fine = client.get(reverse("orders:composition", args=[composition_with(net, renewed=3).pk]), {"date": "2026-09-15"})
    assert "renewal-warning" not in fine.content.decode()
    # The methodist keeps the RMO's composition but files no documents for it: 403 on creating.
    assert client.post(url, {"date": "2026-09-15"}).status_code == 403
    response = login(net.users.admin).post(url, {"date": "2026-09-15"})
    order = Order.objects.get(unit=unit)
    assert response.status_code == 302 and response.url == reverse("orders:edit", args=[order.pk])
    assert order.template == OrderTemplate.APPROVE_COMPOSITION and order.subject_unit == unit
    assert order.points.first().text.count("Членова") == 9


# -- from an approved plan ---------------------------------------------------------------------


@pytest.fixture
def approved_plan(net, chair):
    plan = d.plan(net)
    d.item(plan)
    return d.approve(plan, net)


def test_the_order_from_an_approved_plan_is_prefilled_and_linked(net, login, approved_plan, chair):
    client = login(net.users.secretary)
    page = client.get(approved_plan.get_absolute_url()).content.decode()
    assert "Подготовить приказ об утверждении плана" in page
    response = client.post(reverse("orders:from_plan", args=[approved_plan.pk]))
    order = Order.objects.get(submission=approved_plan)
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert order.unit == net.terek and order.template == OrderTemplate.APPROVE_PLAN
    assert order.heading == "Об утверждении плана работы Терского МунУМО на 2026/2027 учебный год"
    assert order.preamble == "В целях организации методической работы Терского МунУМО в 2026/2027 учебном году"
    points = list(order.points.all())
    assert points[0].text == "Утвердить план работы Терского МунУМО на 2026/2027 учебный год (приложение)."
    assert (
        points[1].text.startswith("Обеспечить выполнение плана")
        and points[1].term == "в течение 2026/2027 учебного года"
    )
    assert points[1].executor == "председатель Терского МунУМО А.П. Председателева"
    assert points[-1].text == CONTROL_SELF
    assert order.signatory == chair and order.executor == net.users.secretary_person
    # A second click finds the order instead of making another one.
    again = client.post(reverse("orders:from_plan", args=[approved_plan.pk]))
    assert again.url == order.get_absolute_url() and Order.objects.filter(submission=approved_plan).count() == 1
    assert str(order.number) in client.get(order.get_absolute_url()).content.decode()


def test_no_order_from_a_plan_that_is_not_approved(net, login):
    plan = d.plan(net)
    d.item(plan)
    d.submit(plan, net)
    client = login(net.users.secretary)
    assert "Подготовить приказ" not in client.get(plan.get_absolute_url()).content.decode()
    response = client.post(reverse("orders:from_plan", args=[plan.pk]))
    assert response.status_code == 302 and not Order.objects.exists()


def test_the_button_is_hidden_from_who_may_not_issue(net, login, approved_plan):
    page = login(net.users.reviewer).get(approved_plan.get_absolute_url()).content.decode()
    assert "Подготовить приказ" not in page


# -- register ------------------------------------------------------------------------------------


@pytest.fixture
def register(net, chair):
    signed = free(net.terek, D(2026, 2, 1), heading="Об утверждении положения о конкурсе «Учитель года»")
    services.update_order(
        signed, fields={}, points=[{"text": "Утвердить положение."}, {"text": CONTROL_SELF}], expected_version=1
    )
    services.sign_order(signed, net.users.secretary, None)
    return {
        "signed": signed,
        "seminar": free(net.terek, D(2026, 3, 1), heading="О проведении семинара"),
        "next_year": free(net.terek, D(2027, 1, 15), heading="Об утверждении плана-графика курсов"),
        "baksan": free(net.baksan, D(2026, 4, 1), heading="Об утверждении состава жюри"),
    }


def listed(response) -> set[str]:
    content = response.content.decode()
    return {heading for heading in HEADINGS if heading in content}


HEADINGS = (
    "Об утверждении положения о конкурсе",
    "О проведении семинара",
    "Об утверждении плана-графика курсов",
    "Об утверждении состава жюри",
)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, set(HEADINGS)),
        ({"q": "ОБ УТВЕРЖДЕНИИ"}, {HEADINGS[0], HEADINGS[2], HEADINGS[3]}),
        ({"q": "семинара"}, {HEADINGS[1]}),
        ({"q": "№2"}, {HEADINGS[1]}),
        ({"year": "2027"}, {HEADINGS[2]}),
        ({"status": "signed"}, {HEADINGS[0]}),
        ({"status": "draft", "year": "2026"}, {HEADINGS[1], HEADINGS[3]}),
        ({"year": "не год"}, set(HEADINGS)),
    ],
)
def test_the_register_searches_and_filters(net, login, register, params, expected):
    response = login(net.users.admin).get(reverse("orders:register"), params)
    assert response.status_code == 200
    assert listed(response) == expected


def test_the_register_filters_by_unit(net, login, register):
    client = login(net.users.admin)
    assert listed(client.get(reverse("orders:register"), {"unit": net.baksan.pk})) == {HEADINGS[3]}
    assert listed(client.get(reverse("orders:unit_register", args=[net.terek.pk]))) == set(HEADINGS[:3])


def test_a_baksan_methodist_sees_no_terek_orders(net, login, register):
    client = login(net.users.baksan_methodist)
    assert listed(client.get(reverse("orders:register"))) == {HEADINGS[3]}
    assert listed(client.get(reverse("orders:register"), {"unit": net.terek.pk})) == set()
    assert client.get(register["signed"].get_absolute_url()).status_code == 404
    assert client.get(reverse("orders:pdf", args=[register["signed"].pk])).status_code == 404
    assert set(Order.objects.restrict(net.users.baksan_methodist)) == {register["baksan"]}


def test_the_register_is_paginated(net, login):
    for day in range(1, 56):
        free(net.terek, D(2026, 1, 1) + datetime.timedelta(days=day))
    response = login(net.users.secretary).get(reverse("orders:register"), {"page": 2})
    assert response.context["page_obj"].number == 2 and len(response.context["orders"]) == 5


# -- permission matrix -----------------------------------------------------------------------------

# fmt: off
MATRIX = {
    #                       adm  rev  meth sec  bak  shmo tch  out  root anon
    "register":            (200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "unit_register":       (200, 200, 200, 200, 404, 403, 403, 404, 200, 302),
    "create_choice":       (200, 403, 200, 200, 404, 403, 403, 404, 200, 302),
    "create_get":          (200, 403, 200, 200, 404, 403, 403, 404, 200, 302),
    "create_post":         (302, 403, 302, 302, 404, 403, 403, 404, 302, 302),
    "order":               (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    "edit_get":            (200, 403, 200, 200, 404, 404, 404, 404, 200, 302),
    "edit_post":           (302, 403, 302, 302, 404, 404, 404, 404, 302, 302),
    "sign":                (302, 403, 302, 302, 404, 404, 404, 404, 302, 302),
    "pdf":                 (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    "composition_get":     (200, 403, 200, 200, 404, 403, 403, 404, 200, 302),
    "composition_post":    (302, 403, 302, 302, 404, 403, 403, 404, 302, 302),
    "from_plan":           (302, 403, 302, 302, 404, 404, 404, 404, 302, 302),
}
# fmt: on


@pytest.fixture
def world(net, approved_plan):
    order = free(net.terek, D(2026, 9, 1))
    services.update_order(
        order, fields={}, points=[{"text": "Провести семинар."}, {"text": CONTROL_SELF}], expected_version=1
    )
    for person in (net.users.methodist_person, net.users.secretary_person):
        sync_person_access(person)
    return net, order, approved_plan


def request_for(page, net, order, plan):
    unit = net.terek.pk
    pages = {
        "register": ("get", reverse("orders:register"), None),
        "unit_register": ("get", reverse("orders:unit_register", args=[unit]), None),
        "create_choice": ("get", reverse("orders:create", args=[unit]), None),
        "create_get": ("get", reverse("orders:create", args=[unit]) + "?template=approve_program", None),
        "create_post": (
            "post",
            reverse("orders:create", args=[unit]),
            {"template": "free", "date": "2026-10-01", "heading": "О проведении конкурса", "place": ""},
        ),
        "order": ("get", reverse("orders:order", args=[order.pk]), None),
        "edit_get": ("get", reverse("orders:edit", args=[order.pk]), None),
        "edit_post": ("post", reverse("orders:edit", args=[order.pk]), edit_data(order, heading="Изменено")),
        "sign": ("post", reverse("orders:sign", args=[order.pk]), {}),
        "pdf": ("get", reverse("orders:pdf", args=[order.pk]), None),
        "composition_get": ("get", reverse("orders:composition", args=[unit]), None),
        "composition_post": ("post", reverse("orders:composition", args=[unit]), {"date": "2026-09-15"}),
        "from_plan": ("post", reverse("orders:from_plan", args=[plan.pk]), {}),
    }
    return pages[page]


CASES = f.matrix_cases(MATRIX, ROLES)


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_permission_matrix(client, world, page, role, expected):
    net, order, plan = world
    method, url, data = request_for(page, net, order, plan)
    if role != "anonymous":
        client.force_login(getattr(net.users, role))
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == expected, response.content.decode()[:500]
    if expected == 302:
        assert response.url.startswith(reverse("login")) == (role == "anonymous"), response.url
    order.refresh_from_db()
    if expected != 302 or role == "anonymous":  # a refused request changes nothing
        assert (order.heading, order.status, order.version) == ("О проведении муниципального семинара", "draft", 2)
        assert Order.objects.count() == 1


def test_the_create_page_fills_the_chosen_template(net, login, approved_plan, chair):
    client = login(net.users.secretary)
    url = reverse("orders:create", args=[net.terek.pk])
    choice = client.get(url).content.decode()
    assert "?template=appoint_chair" in choice and "?template=approve_plan" in choice
    form = client.get(url, {"template": "appoint_chair"}).content.decode()
    assert "Председателева Анна Петровна" in form  # the current chair is offered first
    response = client.post(url, {"template": "appoint_chair", "date": "2026-09-01", "person": chair.pk})
    appoint = Order.objects.get(template=OrderTemplate.APPOINT_CHAIR)
    assert response.url == reverse("orders:edit", args=[appoint.pk])
    assert appoint.subject_unit == net.terek and appoint.subject == "Председателева Анна Петровна"
    response = client.post(url, {"template": "approve_plan", "date": "2026-09-20", "submission": approved_plan.pk})
    plan_order = Order.objects.get(template=OrderTemplate.APPROVE_PLAN)
    assert plan_order.submission == approved_plan and plan_order.number == appoint.number + 1
    missing = client.post(url, {"template": "approve_program", "date": "2026-09-20", "program": " "})
    assert missing.status_code == 200 and Order.objects.count() == 2
