"""The permission matrix: every role × every page and action → the status the spec expects.

The rule of the portal (network.views.check_unit): what one may not see does not exist (404),
what one sees but may not do is refused (403), anonymous visitors are sent to the login page.
"""

import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from orgunits.models import OrgUnit, School
from people.models import Membership, Person
from people.services import sync_person_access

from . import factories as f

ROLES = f.MATRIX_ROLES

# Each row: the page or action, then the expected status for ROLES in this order
# (adm = admin, rev = reviewer, meth = methodist, sec = secretary, bak = baksan_methodist,
# shmo = shmo_secretary, tch = teacher, out = outsider, root = superuser, anon = anonymous).
# 302 is a redirect: to the login page for the anonymous visitor, to the result after a successful POST.
# fmt: off
MATRIX = {
    #                            adm  rev  meth sec  bak  shmo tch  out  root anon
    "home":                     (200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "tree":                     (200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "tree_children_rumo":       (200, 200, 200, 200, 200, 200, 200, 404, 200, 302),
    "tree_children_terek":      (200, 200, 200, 200, 404, 200, 200, 404, 200, 302),
    "tree_children_baksan":     (200, 200, 404, 404, 200, 404, 404, 404, 200, 302),
    "tree_children_shmo":       (200, 200, 200, 200, 404, 200, 404, 404, 200, 302),
    "unit_rumo":                (200, 200, 403, 403, 403, 403, 403, 404, 200, 302),
    "unit_terek":               (200, 200, 200, 200, 404, 403, 403, 404, 200, 302),
    "unit_baksan":              (200, 200, 404, 404, 200, 404, 404, 404, 200, 302),
    "unit_terek_rmo":           (200, 200, 200, 200, 404, 403, 200, 404, 200, 302),
    "unit_shmo":                (200, 200, 200, 200, 404, 200, 404, 404, 200, 302),
    "unit_edit_get":            (200, 403, 403, 403, 404, 403, 403, 404, 200, 302),
    "unit_edit_post":           (302, 403, 403, 403, 404, 403, 403, 404, 302, 302),
    "unit_add_child_get":       (200, 403, 403, 403, 404, 403, 403, 404, 200, 302),
    "unit_move_get":            (200, 403, 403, 403, 404, 403, 403, 404, 200, 302),
    "access_get":               (200, 403, 403, 403, 404, 403, 403, 404, 200, 302),
    "access_grant_post":        (302, 403, 403, 403, 404, 403, 403, 404, 302, 302),
    "member_add_get":           (200, 403, 200, 200, 404, 403, 403, 404, 200, 302),
    "member_add_post":          (302, 403, 302, 302, 404, 403, 403, 404, 302, 302),
    "membership_end_get":       (200, 403, 200, 200, 404, 403, 403, 404, 200, 302),
    "membership_end_post":      (302, 403, 302, 302, 404, 403, 403, 404, 302, 302),
    "membership_role_get":      (200, 403, 200, 200, 404, 403, 403, 404, 200, 302),
    "rmo_membership_end_get":   (200, 403, 200, 403, 404, 403, 403, 404, 200, 302),
    "rmo_membership_end_post":  (302, 403, 302, 403, 404, 403, 403, 404, 302, 302),
    "people_list":              (200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "person_terek_teacher":     (200, 200, 200, 200, 404, 404, 200, 404, 200, 302),
    "person_terek_colleague":   (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    "person_baksan":            (200, 200, 404, 404, 200, 404, 404, 404, 200, 302),
    "person_edit_get":          (200, 403, 403, 403, 404, 404, 403, 404, 200, 302),
    "person_login_get":         (200, 403, 403, 403, 404, 404, 403, 404, 200, 302),
    "person_add_get":           (200, 403, 403, 403, 403, 403, 403, 403, 200, 302),
    "schools_list":             (200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "school_terek":             (200, 200, 200, 200, 404, 200, 404, 404, 200, 302),
    "school_baksan":            (200, 200, 404, 404, 200, 404, 404, 404, 200, 302),
    "school_edit_get":          (200, 403, 403, 403, 404, 403, 404, 404, 200, 302),
    "school_add_get":           (200, 403, 403, 403, 403, 403, 403, 403, 200, 302),
    # The teacher's own log: a person may read who saw or took their data (152-ФЗ).
    "access_log_get":           (200, 403, 403, 403, 404, 404, 200, 404, 200, 302),
}
# fmt: on


@pytest.fixture
def world(net):
    """The `net` fixture plus a plain member of the Terek МунУМО and a Baksan teacher."""
    colleague = f.PersonFactory(region=net.region, school=net.school, last_name="Терскова")
    colleague_membership = f.member(colleague, net.terek)
    baksan_person = f.PersonFactory(region=net.region, school=net.baksan_school, last_name="Баксанова")
    baksan_membership = f.member(baksan_person, net.baksan_rmo)
    sync_person_access(colleague)
    sync_person_access(baksan_person)
    return SimpleNamespace(
        net=net,
        colleague=colleague,
        colleague_membership=colleague_membership,
        rmo_membership=Membership.objects.get(person=net.users.teacher_person, unit=net.terek_rmo),
        baksan_person=baksan_person,
        baksan_membership=baksan_membership,
    )


def _unit_form(unit, **changes):
    data = {
        "name": unit.name,
        "short_name": unit.short_name,
        "school": unit.school_id or "",
        "description": unit.description,
        "opened_on": "",
        "closed_on": "",
        "expected_version": unit.version,
    }
    return {**data, **changes}


def request_for(page, w):
    """(method, url, data) of a page of the matrix, in the world `w`."""
    net = w.net
    pages = {
        "home": ("get", reverse("home"), None),
        "tree": ("get", reverse("orgunits:tree"), None),
        "tree_children_rumo": ("get", reverse("orgunits:tree_children", args=[net.rumo.pk]), None),
        "tree_children_terek": ("get", reverse("orgunits:tree_children", args=[net.terek.pk]), None),
        "tree_children_baksan": ("get", reverse("orgunits:tree_children", args=[net.baksan.pk]), None),
        "tree_children_shmo": ("get", reverse("orgunits:tree_children", args=[net.shmo.pk]), None),
        "unit_rumo": ("get", reverse("orgunits:unit", args=[net.rumo.pk]), None),
        "unit_terek": ("get", reverse("orgunits:unit", args=[net.terek.pk]), None),
        "unit_baksan": ("get", reverse("orgunits:unit", args=[net.baksan.pk]), None),
        "unit_terek_rmo": ("get", reverse("orgunits:unit", args=[net.terek_rmo.pk]), None),
        "unit_shmo": ("get", reverse("orgunits:unit", args=[net.shmo.pk]), None),
        "unit_edit_get": ("get", reverse("orgunits:unit_edit", args=[net.terek.pk]), None),
        "unit_edit_post": (
            "post",
            reverse("orgunits:unit_edit", args=[net.terek.pk]),
            _unit_form(net.terek, description="Изменено в тесте прав"),
        ),
        "unit_add_child_get": ("get", reverse("orgunits:unit_add_child", args=[net.terek.pk]), None),
        "unit_move_get": ("get", reverse("orgunits:unit_move", args=[net.terek_rmo.pk]), None),
        "access_get": ("get", reverse("orgunits:access", args=[net.terek.pk]), None),
        "access_grant_post": (
            "post",
            reverse("orgunits:access", args=[net.terek.pk]),
            {"username": "outsider", "role": "reviewer"},
        ),
        "member_add_get": ("get", reverse("people:member_add", args=[net.terek.pk]), None),
        "member_add_post": (
            "post",
            reverse("people:member_add", args=[net.terek.pk]),
            {"person": net.users.teacher_person.pk, "role": "member", "starts_on": "2026-09-01", "ends_on": ""},
        ),
        "membership_end_get": ("get", reverse("people:membership_end", args=[w.colleague_membership.pk]), None),
        "membership_end_post": (
            "post",
            reverse("people:membership_end", args=[w.colleague_membership.pk]),
            {"left_on": "2026-10-01"},
        ),
        "membership_role_get": ("get", reverse("people:membership_role", args=[w.colleague_membership.pk]), None),
        "rmo_membership_end_get": ("get", reverse("people:membership_end", args=[w.rmo_membership.pk]), None),
        "rmo_membership_end_post": (
            "post",
            reverse("people:membership_end", args=[w.rmo_membership.pk]),
            {"left_on": "2026-10-01"},
        ),
        "people_list": ("get", reverse("people:list"), None),
        "person_terek_teacher": ("get", reverse("people:person", args=[net.users.teacher_person.pk]), None),
        "person_terek_colleague": ("get", reverse("people:person", args=[w.colleague.pk]), None),
        "person_baksan": ("get", reverse("people:person", args=[w.baksan_person.pk]), None),
        "person_edit_get": ("get", reverse("people:edit", args=[net.users.teacher_person.pk]), None),
        "person_login_get": ("get", reverse("people:login", args=[net.users.teacher_person.pk]), None),
        "person_add_get": ("get", reverse("people:add"), None),
        "schools_list": ("get", reverse("orgunits:schools"), None),
        "school_add_get": ("get", reverse("orgunits:school_add"), None),
        "school_terek": ("get", reverse("orgunits:school", args=[net.school.pk]), None),
        "school_baksan": ("get", reverse("orgunits:school", args=[net.baksan_school.pk]), None),
        "school_edit_get": ("get", reverse("orgunits:school_edit", args=[net.school.pk]), None),
        "access_log_get": ("get", reverse("people:access_log", args=[net.users.teacher_person.pk]), None),
    }
    return pages[page]


def as_role(client, net, role):
    if role != "anonymous":
        client.force_login(getattr(net.users, role))
    return client


def send(client, method, url, data):
    return client.post(url, data) if method == "post" else client.get(url)


CASES = f.matrix_cases(MATRIX, ROLES)


@pytest.mark.parametrize(("page", "role", "expected"), CASES)
def test_permission_matrix(client, world, page, role, expected):
    method, url, data = request_for(page, world)
    response = send(as_role(client, world.net, role), method, url, data)
    assert response.status_code == expected, response.content.decode()[:500]
    if expected == 302:
        went_to_login = response.url.startswith(reverse("login"))
        assert went_to_login == (role == "anonymous"), response.url


# -- a refused POST changes nothing --------------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "methodist", "baksan_methodist", "teacher", "outsider", "anonymous"])
def test_refused_unit_edit_leaves_the_unit_unchanged(client, world, role):
    method, url, data = request_for("unit_edit_post", world)
    send(as_role(client, world.net, role), method, url, data)
    world.net.terek.refresh_from_db()
    assert world.net.terek.description == ""
    assert world.net.terek.version == 1


@pytest.mark.parametrize("role", ["reviewer", "baksan_methodist", "shmo_secretary", "teacher", "outsider", "anonymous"])
def test_refused_membership_end_leaves_the_term_open(client, world, role):
    method, url, data = request_for("membership_end_post", world)
    send(as_role(client, world.net, role), method, url, data)
    world.colleague_membership.refresh_from_db()
    assert world.colleague_membership.left_on is None


@pytest.mark.parametrize("role", ["reviewer", "methodist", "baksan_methodist", "outsider"])
def test_refused_grant_gives_no_role(client, world, role):
    method, url, data = request_for("access_grant_post", world)
    send(as_role(client, world.net, role), method, url, data)
    assert not OrgUnit.objects.restrict(world.net.users.outsider, "view").exists()


# -- guessing another municipality's ids -------------------------------------------------------


def _baksan_requests(w):
    net = w.net
    bm = w.baksan_membership
    return {
        "unit": ("get", reverse("orgunits:unit", args=[net.baksan.pk]), None),
        "unit_rmo": ("get", reverse("orgunits:unit", args=[net.baksan_rmo.pk]), None),
        "tree_children": ("get", reverse("orgunits:tree_children", args=[net.baksan.pk]), None),
        "unit_edit": ("get", reverse("orgunits:unit_edit", args=[net.baksan.pk]), None),
        "unit_edit_post": ("post", reverse("orgunits:unit_edit", args=[net.baksan.pk]), _unit_form(net.baksan)),
        "unit_add_child": ("get", reverse("orgunits:unit_add_child", args=[net.baksan.pk]), None),
        "unit_move": ("get", reverse("orgunits:unit_move", args=[net.baksan_rmo.pk]), None),
        "access": ("get", reverse("orgunits:access", args=[net.baksan.pk]), None),
        "member_add": ("get", reverse("people:member_add", args=[net.baksan.pk]), None),
        "member_add_post": (
            "post",
            reverse("people:member_add", args=[net.baksan.pk]),
            {"person": w.baksan_person.pk, "role": "member", "starts_on": "2026-09-01"},
        ),
        "person": ("get", reverse("people:person", args=[w.baksan_person.pk]), None),
        "person_edit": ("get", reverse("people:edit", args=[w.baksan_person.pk]), None),
        "access_log": ("get", reverse("people:access_log", args=[w.baksan_person.pk]), None),
        "person_login": ("get", reverse("people:login", args=[w.baksan_person.pk]), None),
        "school": ("get", reverse("orgunits:school", args=[net.baksan_school.pk]), None),
        "school_edit": ("get", reverse("orgunits:school_edit", args=[net.baksan_school.pk]), None),
        "membership_end": ("get", reverse("people:membership_end", args=[bm.pk]), None),
        "membership_end_post": ("post", reverse("people:membership_end", args=[bm.pk]), {"left_on": "2026-10-01"}),
        "membership_role": ("get", reverse("people:membership_role", args=[bm.pk]), None),
    }


BAKSAN_GUESSES = [
    "unit",
    "unit_rmo",
    "tree_children",
    "unit_edit",
    "unit_edit_post",
    "unit_add_child",
    "unit_move",
    "access",
    "member_add",
    "member_add_post",
    "person",
    "person_edit",
    "access_log",
    "person_login",
    "school",
    "school_edit",
    "membership_end",
    "membership_end_post",
    "membership_role",
]


@pytest.mark.parametrize("target", BAKSAN_GUESSES)
def test_terek_methodist_guessing_baksan_ids_gets_404(client, world, target):
    method, url, data = _baksan_requests(world)[target]
    response = send(as_role(client, world.net, "methodist"), method, url, data)
    assert response.status_code == 404


def test_guessed_baksan_post_changes_nothing(client, world):
    as_role(client, world.net, "methodist")
    for target in ("unit_edit_post", "member_add_post", "membership_end_post"):
        method, url, data = _baksan_requests(world)[target]
        send(client, method, url, data)
    world.baksan_membership.refresh_from_db()
    assert world.baksan_membership.left_on is None
    assert not Membership.objects.filter(unit=world.net.baksan, person=world.baksan_person).exists()
    assert OrgUnit.objects.get(pk=world.net.baksan.pk).version == 1


def _main(response):
    """The page body without the per-request CSRF token of the header."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group()


@pytest.mark.parametrize("view", ["orgunits:unit", "orgunits:unit_edit", "orgunits:tree_children"])
def test_invisible_unit_looks_exactly_like_a_missing_one(client, world, view):
    as_role(client, world.net, "methodist")
    missing_pk = OrgUnit.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    invisible = client.get(reverse(view, args=[world.net.baksan.pk]))
    missing = client.get(reverse(view, args=[missing_pk]))
    assert invisible.status_code == missing.status_code == 404
    assert _main(invisible) == _main(missing)


# -- lists and searches show only what one may see ----------------------------------------------


def test_people_list_of_terek_methodist_has_no_baksan_names(client, world):
    as_role(client, world.net, "methodist")
    content = client.get(reverse("people:list")).content.decode()
    assert "Терскова" in content
    assert "Фамилия-teacher" in content
    assert "Баксан" not in content
    assert "baksan" not in content


def test_people_list_of_terek_methodist_ignores_a_guessed_baksan_unit_filter(client, world):
    as_role(client, world.net, "methodist")
    response = client.get(reverse("people:list"), {"unit": world.net.baksan.pk})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Баксанова" not in content


def test_tree_search_of_terek_methodist_has_no_baksan_units(client, world):
    as_role(client, world.net, "methodist")
    content = client.get(reverse("orgunits:tree"), {"q": "математики"}).content.decode()
    assert "РМО учителей математики Терского района" in content
    assert "Баксан" not in content


def test_tree_of_terek_methodist_starts_at_the_municipality(client, world):
    as_role(client, world.net, "methodist")
    response = client.get(reverse("orgunits:tree"))
    assert [node.pk for node in response.context["tops"]] == [world.net.terek.pk]
    assert "Баксан" not in response.content.decode()


def test_tree_of_outsider_is_empty(client, world):
    as_role(client, world.net, "outsider")
    response = client.get(reverse("orgunits:tree"))
    assert response.context["tops"] == []


def test_school_list_of_outsider_is_empty(client, world):
    as_role(client, world.net, "outsider")
    response = client.get(reverse("orgunits:schools"))
    assert list(response.context["page_obj"]) == []


def test_school_list_of_terek_methodist_has_no_baksan_school(client, world):
    as_role(client, world.net, "methodist")
    content = client.get(reverse("orgunits:schools")).content.decode()
    assert world.net.school.short_name in content
    assert world.net.baksan_school.short_name not in content


def test_name_only_unit_page_of_shmo_secretary_is_refused_without_content(client, world):
    as_role(client, world.net, "shmo_secretary")
    response = client.get(reverse("orgunits:unit", args=[world.net.terek.pk]))
    assert response.status_code == 403
    assert "Фамилия-methodist" not in response.content.decode()


# -- restrict(): exactly the expected units per role ------------------------------------------

ALL_UNITS = {"rumo", "cnppm", "terek", "baksan", "terek_rmo", "baksan_rmo", "shmo"}
VISIBLE_UNITS = {
    "admin": ALL_UNITS,
    "reviewer": ALL_UNITS,
    "methodist": {"terek", "terek_rmo", "shmo"},
    "secretary": {"terek", "terek_rmo", "shmo"},
    "baksan_methodist": {"baksan", "baksan_rmo"},
    "shmo_secretary": {"shmo"},
    "teacher": {"terek_rmo"},
    "outsider": set(),
    "superuser": ALL_UNITS,
}
MANAGED_UNITS = {
    "admin": ALL_UNITS,
    "reviewer": set(),
    "methodist": set(),
    "secretary": set(),
    "baksan_methodist": set(),
    "shmo_secretary": set(),
    "teacher": set(),
    "outsider": set(),
    "superuser": ALL_UNITS,
}
MEMBER_MANAGED_UNITS = {
    "admin": ALL_UNITS,
    "reviewer": set(),
    "methodist": {"terek", "terek_rmo", "shmo"},  # a municipal methodist keeps the compositions below
    "secretary": {"terek"},  # a secretary keeps their own unit's
    "baksan_methodist": {"baksan", "baksan_rmo"},
    "shmo_secretary": {"shmo"},
    "teacher": set(),
    "outsider": set(),
    "superuser": ALL_UNITS,
}


def _names(net, queryset):
    by_pk = {getattr(net, name).pk: name for name in ALL_UNITS}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


@pytest.mark.parametrize(("role", "expected"), VISIBLE_UNITS.items())
def test_restrict_view_returns_exactly_the_visible_units(net, role, expected):
    assert _names(net, OrgUnit.objects.restrict(getattr(net.users, role), "view")) == expected


@pytest.mark.parametrize(("role", "expected"), MANAGED_UNITS.items())
def test_restrict_manage_returns_exactly_the_administered_units(net, role, expected):
    assert _names(net, OrgUnit.objects.restrict(getattr(net.users, role), "manage")) == expected


@pytest.mark.parametrize(("role", "expected"), MEMBER_MANAGED_UNITS.items())
def test_restrict_manage_members_returns_exactly_the_units_whose_members_one_keeps(net, role, expected):
    assert _names(net, OrgUnit.objects.restrict(getattr(net.users, role), "manage_members")) == expected


def test_restrict_for_anonymous_is_empty(net):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not OrgUnit.objects.restrict(anonymous, "view").exists()
    assert not Person.objects.restrict(anonymous, "view").exists()
    assert not School.objects.restrict(anonymous, "view").exists()


# /healthz (what an anonymous caller and staff see) is tested in test_healthz.py.
