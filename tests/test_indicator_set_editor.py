"""The indicator set editor in the portal: who may create and edit (404 / 403 by the portal's rule),
the same validation as the admin's inline, what a closed year freezes, stale edits, bounded queries."""

import datetime
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring.models import Indicator, IndicatorSet, MonitoringCampaign
from orgunits.access import grant_role
from orgunits.models import UnitKind
from tests import factories as f

from .test_monitoring_rules import make_campaign, make_set


@pytest.fixture
def iset(net):
    """The region's set: a computed indicator (routes) and one entered by hand."""
    indicator_set = make_set(
        net.region,
        ("routes", "routes", {}, {"short_name": "ИОМ"}),
        ("assessment", "", {}, {"short_name": "Оценка компетенций"}),
    )
    IndicatorSet.objects.filter(pk=indicator_set.pk).update(name="Показатели КБР", is_default=True)
    indicator_set.refresh_from_db()
    return indicator_set


@pytest.fixture
def other_region_admin(net):
    """The administrator of another region: the KBR set is not theirs to see."""
    region = f.RegionFactory(code="rb", name="Республика Бурятия")
    root = f.unit(region, net.kinds["rumo"], name="РУМО РБ")
    user = f.UserFactory(username="rb_admin")
    grant_role(user, root, "administrator")
    return user


def form_data(response, **changes):
    """The POST body a browser would send for the editor as rendered, with `changes` applied.

    `changes` keys are field names of the passport ("name") or "<n>-<field>" for the n-th indicator form.
    """
    data = {}
    form, formset = response.context["form"], response.context["formset"]
    forms = [("", form)] + [(f"{n}-", sub) for n, sub in enumerate(formset.forms)]
    for key, value in formset.management_form.initial.items():
        data[f"indicators-{key}"] = value
    for _prefix, sub in forms:
        for bound in sub:
            if bound.name == "DELETE":
                continue
            value = bound.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            if isinstance(value, (list, tuple)):
                value = [str(v) for v in value]
            data[bound.html_name] = value
    for key, value in changes.items():
        if key.startswith("indicators-"):
            name = key
        elif "-" in key:
            n, field = key.split("-", 1)
            name = f"indicators-{n}-{field}"
        else:
            name = key
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def edit_url(indicator_set):
    return reverse("monitoring:set_edit", args=[indicator_set.pk])


def indicator_row(n, **fields):
    """POST fields of a new indicator in the n-th form."""
    values = {
        "position": str(n + 1),
        "code": f"new{n}",
        "short_name": f"Новый {n}",
        "name": f"Новый показатель {n}",
        "assessed": "mo",
        "method": "manual",
        "rule": "",
        "params": "",
        "scoring": "percent",
        "mid": "40",
        "high": "70",
        "criteria": "",
        "hint": "",
        **fields,
    }
    return {f"{n}-{k}": v for k, v in values.items()}


def snapshot(indicator_set):
    indicator_set.refresh_from_db()
    return (
        indicator_set.name,
        indicator_set.version,
        list(indicator_set.indicators.order_by("pk").values_list("code", "position", "mid", "high", "method")),
    )


# -- who may: each role against each action -------------------------------------------------------------

# create page, edit page, save the passport, delete an indicator
EXPECTED = {
    "admin": (200, 200, 302, 302),
    "reviewer": (403, 403, 403, 403),
    "methodist": (403, 403, 403, 403),
    "secretary": (403, 403, 403, 403),
    "baksan_methodist": (403, 403, 403, 403),
    "shmo_secretary": (403, 403, 403, 403),
    "teacher": (403, 403, 403, 403),
    "outsider": (403, 404, 404, 404),
    "superuser": (200, 200, 302, 302),
    "anonymous": (302, 302, 302, 302),
}


@pytest.mark.parametrize("role", f.MATRIX_ROLES)
def test_permission_matrix(net, client, iset, role):
    admin = client
    admin.force_login(net.users.admin)
    page = admin.get(edit_url(iset))
    rename = form_data(page, name="Переименованный набор")
    delete = form_data(page, **{"1-DELETE": "on"})
    admin.logout()
    before = snapshot(iset)

    if role != "anonymous":
        client.force_login(getattr(net.users, role))
    got = (
        client.get(reverse("monitoring:set_add")).status_code,
        client.get(edit_url(iset)).status_code,
        client.post(edit_url(iset), rename).status_code,
    )
    after_rename = snapshot(iset)
    # The deletion is posted against the current version, so only the permission decides.
    delete["expected_version"] = str(after_rename[1])
    got += (client.post(edit_url(iset), delete).status_code,)
    assert got == EXPECTED[role]

    allowed = EXPECTED[role][2] == 302 and role != "anonymous"
    assert (after_rename[0] == "Переименованный набор") == allowed
    assert iset.indicators.filter(code="assessment").exists() == (not allowed)
    if not allowed:
        assert snapshot(iset) == before


def test_an_administrator_of_another_region_gets_404_and_cannot_create_there(net, client, iset, other_region_admin):
    client.force_login(other_region_admin)
    assert client.get(edit_url(iset)).status_code == 404
    assert client.get(reverse("monitoring:set", args=[iset.pk])).status_code == 404
    # Creating is offered for their own region only: the KBR region is not a valid choice.
    response = client.post(
        reverse("monitoring:set_add"),
        {
            "region": net.region.pk,
            "name": "Чужой набор",
            "indicators-TOTAL_FORMS": "0",
            "indicators-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert "Выберите регион из списка." in response.content.decode()
    assert not IndicatorSet.objects.filter(name="Чужой набор").exists()


def test_set_page_links_to_the_portal_editor_for_administrators_only(net, login, iset):
    url = reverse("monitoring:set", args=[iset.pk])
    page = login(net.users.admin).get(url).content.decode()
    assert edit_url(iset) in page and "/admin/" not in page
    page = login(net.users.reviewer).get(url).content.decode()
    assert edit_url(iset) not in page
    lst = login(net.users.admin).get(reverse("monitoring:sets")).content.decode()
    assert reverse("monitoring:set_add") in lst
    lst = login(net.users.methodist).get(reverse("monitoring:sets")).content.decode()
    assert reverse("monitoring:set_add") not in lst


# -- creating and editing -----------------------------------------------------------------------------


def test_admin_creates_a_set_with_indicators_and_the_default_mark_moves(net, login, iset):
    client = login(net.users.admin)
    page = client.get(reverse("monitoring:set_add"))
    assert page.status_code == 200
    assert page.context["form"]["region"].value() == net.region.pk  # their only region is chosen already
    data = form_data(
        page,
        name="Показатели 2027",
        basis="Приказ № 1",
        is_default="on",
        **indicator_row(0, code="kpk", method="computed", rule="courses", params='{"years": 2}', mid="50", high="80"),
        **indicator_row(1, code="manual_one"),
    )
    response = client.post(reverse("monitoring:set_add"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    created = IndicatorSet.objects.get(name="Показатели 2027")
    assert response["Location"] == created.get_absolute_url()
    assert created.region == net.region and created.is_default and created.basis == "Приказ № 1"
    assert set(created.mo_kinds.values_list("code", flat=True)) == {"rmo", "shmo"}  # the kinds the fixture has
    kpk = created.indicators.get(code="kpk")
    assert (kpk.rule, kpk.params, kpk.mid, kpk.high) == ("courses", {"years": 2}, Decimal(50), Decimal(80))
    assert created.indicators.get(code="manual_one").is_manual
    iset.refresh_from_db()
    assert not iset.is_default  # one default per region: the mark moved, as the form said it would


def test_edit_passport_reorder_and_add_an_indicator(net, login, iset):
    client = login(net.users.admin)
    page = client.get(edit_url(iset))
    assert "Сейчас набор по умолчанию" not in page.content.decode()  # it is the default itself
    kind = UnitKind.objects.get(code="rmo")
    data = form_data(
        page,
        name="Показатели КБР (ред. 2)",
        mo_kinds=[str(kind.pk)],
        **{"0-position": "2", "1-position": "1"},
        **indicator_row(2, code="extra", short_name="Доп."),
    )
    response = client.post(edit_url(iset), data)
    assert response.status_code == 302
    iset.refresh_from_db()
    assert iset.name == "Показатели КБР (ред. 2)" and iset.version == 2
    assert list(iset.mo_kinds.all()) == [kind]
    assert list(iset.indicators.order_by("position", "pk").values_list("code", flat=True)) == [
        "assessment",
        "routes",
        "extra",
    ]
    page = client.get(reverse("monitoring:set", args=[iset.pk])).content.decode()
    assert page.index("Оценка компетенций") < page.index("ИОМ") < page.index("Доп.")


# -- validation: the admin inline's checks, in Russian, at the top and next to the field ----------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"0-mid": "80", "0-high": "70"}, "Пороги: 0 ≤ «1 балл» < «2 балла» ≤ 100 %."),
        ({"0-high": "120"}, "Порог «2 балла» — не больше 100."),
        ({"0-mid": "сорок"}, "Порог «1 балл» — число от 0 до 100."),
        ({"0-rule": "nonsense"}, "Выберите правило расчёта из списка."),
        ({"0-rule": ""}, "Выберите правило расчёта из списка: "),
        ({"0-params": "{years: 3"}, "Параметры — объект JSON"),
        ({"0-rule": "courses", "0-params": '{"years": 50}'}, "«years» — число лет от 1 до 10."),
        ({"0-params": '{"colour": "red"}'}, "Неизвестные параметры: colour."),
        ({"0-scoring": "score"}, "Балл вручную выставляется только для показателей, вносимых вручную."),
        ({"1-rule": "routes"}, "У показателя, вносимого вручную, правила расчёта нет"),
        ({"1-params": '{"years": 3}'}, "У показателя, вносимого вручную, параметров нет."),
        ({"1-code": "routes"}, "Этот код уже есть у другого показателя набора: исправьте код."),
        ({"0-code": "с пробелом"}, "Код — латинские буквы, цифры, «-» и «_»"),
        ({"0-short_name": ""}, "Укажите краткое название (заголовок столбца)."),
        ({"name": ""}, "Укажите название набора."),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(net, login, iset, changes, message):
    client = login(net.users.admin)
    data = form_data(client.get(edit_url(iset)), **{"0-criteria": "изменённые критерии"}, **changes)
    before = snapshot(iset)
    response = client.post(edit_url(iset), data)
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert message in page
    assert "Ничего не сохранено. Исправьте ошибки, отмеченные ниже" in page
    assert snapshot(iset) == before
    assert not iset.indicators.filter(criteria="изменённые критерии").exists()


def test_a_duplicate_set_name_in_the_region_is_refused(net, login, iset):
    make_set(net.region)  # «Набор 2»
    client = login(net.users.admin)
    data = form_data(client.get(edit_url(iset)), name="Набор 2")
    response = client.post(edit_url(iset), data)
    assert response.status_code == 400
    assert "В регионе уже есть набор «Набор 2»: выберите другое название." in response.content.decode()
    iset.refresh_from_db()
    assert iset.name == "Показатели КБР"


def test_a_tampered_formset_changes_nothing(net, login, iset):
    client = login(net.users.admin)
    data = form_data(client.get(edit_url(iset)), name="Другое")
    del data["indicators-TOTAL_FORMS"]
    before = snapshot(iset)
    assert client.post(edit_url(iset), data).status_code == 400
    assert snapshot(iset) == before


# -- concurrent edits ----------------------------------------------------------------------------------------


def test_the_second_of_two_concurrent_edits_is_refused(net, client, iset):
    client.force_login(net.users.admin)
    first = form_data(client.get(edit_url(iset)), **{"0-high": "75"})
    second = form_data(client.get(edit_url(iset)), **{"0-high": "90", "name": "Поздняя правка"})
    assert client.post(edit_url(iset), first).status_code == 302
    response = client.post(edit_url(iset), second)
    assert response.status_code == 400
    assert "Пока вы редактировали, запись изменил другой пользователь" in response.content.decode()
    iset.refresh_from_db()
    assert iset.name == "Показатели КБР" and iset.version == 2
    assert iset.indicators.get(code="routes").high == Decimal(75)


def test_moving_the_default_mark_makes_an_open_editor_of_the_old_default_stale(net, client, iset):
    client.force_login(net.users.admin)
    stale = form_data(client.get(edit_url(iset)), basis="Правка старого набора")
    other = make_set(net.region)
    page = client.get(edit_url(other))
    assert (
        "Сейчас набор по умолчанию — «Показатели КБР»: если отметить, отметка снимется с него." in page.content.decode()
    )
    data = form_data(page, is_default="on")
    assert client.post(edit_url(other), data).status_code == 302
    assert client.post(edit_url(iset), stale).status_code == 400
    iset.refresh_from_db()
    other.refresh_from_db()
    assert other.is_default and not iset.is_default and iset.basis == ""


# -- a set used by campaigns ---------------------------------------------------------------------------------


@pytest.fixture
def closed(net, iset):
    campaign = make_campaign(iset, net.terek, today=datetime.date.today())
    MonitoringCampaign.objects.filter(pk=campaign.pk).update(state=MonitoringCampaign.State.CLOSED)
    return campaign


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"0-high": "90"}, "нельзя изменить «Порог «2 балла», %»"),
        ({"0-rule": "courses"}, "нельзя изменить «Правило расчёта»"),
        ({"1-DELETE": "on"}, "Показатель «Оценка компетенций» удалить нельзя"),
    ],
)
def test_a_closed_year_freezes_rules_thresholds_and_the_indicators(net, login, iset, closed, changes, message):
    client = login(net.users.admin)
    page = client.get(edit_url(iset))
    assert "Набор использован в закрытом мониторинге" in page.content.decode()
    data = form_data(page, **changes)
    before = snapshot(iset)
    response = client.post(edit_url(iset), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot(iset) == before


def test_a_closed_year_refuses_a_new_indicator(net, login, iset, closed):
    client = login(net.users.admin)
    page = client.get(edit_url(iset))
    data = form_data(page, **indicator_row(2), **{"indicators-TOTAL_FORMS": "3"})
    response = client.post(edit_url(iset), data)
    assert response.status_code == 400
    assert "Новый показатель добавить нельзя" in response.content.decode()
    assert iset.indicators.count() == 2


def test_a_closed_year_keeps_wording_and_order_editable(net, login, iset, closed):
    client = login(net.users.admin)
    data = form_data(
        client.get(edit_url(iset)), **{"0-short_name": "Маршруты", "0-hint": "Составить ИОМ.", "0-position": "5"}
    )
    assert client.post(edit_url(iset), data).status_code == 302
    routes = iset.indicators.get(code="routes")
    assert (routes.short_name, routes.hint, routes.position) == ("Маршруты", "Составить ИОМ.", 5)
    assert (routes.high, routes.mid, routes.rule) == (Decimal(70), Decimal(40), "routes")


def test_an_indicator_with_values_is_kept_but_its_thresholds_change_for_the_open_campaign(net, login, iset):
    make_campaign(iset, net.terek, today=datetime.date.today())  # open, computed
    client = login(net.users.admin)
    page = client.get(edit_url(iset))
    for changes, message in [
        ({"1-DELETE": "on"}, "Показатель «Оценка компетенций» удалить нельзя: по нему уже есть значения"),
        ({"1-method": "computed", "1-rule": "routes"}, "нельзя изменить «Как получается»"),
    ]:
        response = client.post(edit_url(iset), form_data(page, **changes))
        assert response.status_code == 400
        assert message in response.content.decode()
    assert iset.indicators.get(code="assessment").is_manual
    response = client.post(edit_url(iset), form_data(page, **{"0-high": "80"}), follow=True)
    assert iset.indicators.get(code="routes").high == Decimal(80)
    assert "пересчитайте их, чтобы применить изменения" in response.content.decode()


# -- bounded queries -------------------------------------------------------------------------------------------


def test_set_list_and_editor_queries_do_not_grow(net, login, iset, django_assert_max_num_queries):
    client = login(net.users.admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("monitoring:sets")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(edit_url(iset)).status_code == 200
    for _ in range(20):
        make_set(net.region, *[(f"m{k}", "", {}) for k in range(3)])
    for position in range(3, 23):
        Indicator.objects.create(
            indicator_set=iset, position=position, code=f"x{position}", name="x", short_name="x", method="manual"
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("monitoring:sets")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(edit_url(iset)).status_code == 200
