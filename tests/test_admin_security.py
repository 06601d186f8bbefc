"""The Django admin is the superuser's alone; reading a card in it is in the 152-ФЗ log.

A regional administrator — even one marked is_staff and given every model permission, as the
demo used to do — gets only the admin's login page: no list, no change, no add, no access log,
no guardian object-permission pages. The superuser keeps the admin; role groups cannot be
edited there (grants go only through «Доступ», which logs them).
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse

from orgunits.access import role_group
from people.models import PersonalDataAccess

from . import factories as f


@pytest.fixture
def staff_admin(net):
    """The regional administrator as the demo made them: is_staff with model permissions."""
    user = net.users.admin
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["orgunits", "people", "auth"],
            codename__regex=r"^(view|add|change)_(unitkind|region|orgunit|school|person|subject|membership|user)$",
        )
        | Permission.objects.filter(codename__in=["view_personaldataaccess", "change_orgunit"])
    )
    return user


@pytest.fixture
def foreign(net):
    region = f.RegionFactory(code="bur", name="Республика Бурятия", timezone="Asia/Irkutsk")
    rumo = f.unit(region, net.kinds["rumo"], name="РУМО РБ")
    person = f.PersonFactory(region=region, last_name="Чужая")
    return region, rumo, person


def admin_pages(net, foreign):
    region, rumo, person = foreign
    return {
        "index": reverse("admin:index"),
        "app_index": reverse("admin:app_list", args=["orgunits"]),
        "regions": reverse("admin:orgunits_region_changelist"),
        "region_change": reverse("admin:orgunits_region_change", args=[region.pk]),
        "unit_add": reverse("admin:orgunits_orgunit_add"),
        "unit_change": reverse("admin:orgunits_orgunit_change", args=[rumo.pk]),
        "unit_history": reverse("admin:orgunits_orgunit_history", args=[rumo.pk]),
        "guardian_permissions": f"/admin/orgunits/orgunit/{rumo.pk}/permissions/",
        "person_add": reverse("admin:people_person_add"),
        "person_change": reverse("admin:people_person_change", args=[person.pk]),
        "person_history": reverse("admin:people_person_history", args=[person.pk]),
        "access_log": reverse("admin:people_personaldataaccess_changelist"),
        "unit_kinds": reverse("admin:orgunits_unitkind_changelist"),
        "users": reverse("admin:auth_user_changelist"),
    }


@pytest.mark.parametrize(
    "page",
    [
        "index",
        "app_index",
        "regions",
        "region_change",
        "unit_add",
        "unit_change",
        "unit_history",
        "guardian_permissions",
        "person_add",
        "person_change",
        "person_history",
        "access_log",
        "unit_kinds",
        "users",
    ],
)
def test_a_regional_administrator_gets_no_admin_page(net, foreign, staff_admin, login, page):
    client = login(staff_admin)
    url = admin_pages(net, foreign)[page]
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("username", ["reviewer", "teacher", "outsider"])
def test_other_staff_users_get_no_admin_either(net, login, username):
    user = getattr(net.users, username)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    response = login(user).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_regional_administrator_cannot_rename_another_region(net, foreign, staff_admin, login):
    region = foreign[0]
    response = login(staff_admin).post(
        reverse("admin:orgunits_region_change", args=[region.pk]),
        {"name": "Переименовано", "code": region.code, "timezone": region.timezone},
    )
    assert response.status_code == 302
    region.refresh_from_db()
    assert region.name == "Республика Бурятия"


def test_a_regional_administrator_cannot_create_a_unit_through_the_admin(net, foreign, staff_admin, login):
    region = foreign[0]
    before = region.units.count()
    login(staff_admin).post(
        reverse("admin:orgunits_orgunit_add"),
        {"region": region.pk, "kind": net.kinds["rumo"].pk, "name": "Самовольное РУМО"},
    )
    assert region.units.count() == before


@pytest.mark.parametrize(
    "page",
    ["index", "regions", "region_change", "unit_change", "person_add", "access_log", "unit_kinds", "users"],
)
def test_the_superuser_keeps_the_admin(net, foreign, login, page):
    response = login(net.users.superuser).get(admin_pages(net, foreign)[page])
    assert response.status_code == 200


def test_guardian_object_permission_pages_are_gone(net, foreign, login):
    rumo = foreign[1]
    with pytest.raises(NoReverseMatch):
        reverse("admin:orgunits_orgunit_permissions", args=[rumo.pk])
    # The old address now falls to the admin's catch-all: a redirect away, not guardian's page.
    response = login(net.users.superuser).get(f"/admin/orgunits/orgunit/{rumo.pk}/permissions/")
    assert response.status_code == 302


def test_role_groups_are_not_edited_in_the_admin(net, login):
    with pytest.raises(NoReverseMatch):
        reverse("admin:auth_group_changelist")
    teacher = net.users.teacher
    rumo_admins = role_group(net.rumo, "administrator")
    before = set(teacher.groups.values_list("pk", flat=True))
    response = login(net.users.superuser).post(
        reverse("admin:auth_user_change", args=[teacher.pk]),
        {
            "username": teacher.username,
            "first_name": teacher.first_name,
            "last_name": teacher.last_name,
            "email": "",
            "is_active": "on",
            "groups": [*before, rumo_admins.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(teacher.groups.values_list("pk", flat=True)) == before
    assert not teacher.groups.filter(pk=rumo_admins.pk).exists()


def test_reading_a_card_in_the_admin_is_logged(net, login):
    person = net.users.teacher_person
    client = login(net.users.superuser)
    client.get(reverse("admin:people_person_change", args=[person.pk]))
    client.get(reverse("admin:people_person_history", args=[person.pk]))
    entries = list(
        PersonalDataAccess.objects.filter(user=net.users.superuser, person=person).values_list("action", "details")
    )
    assert (PersonalDataAccess.Action.VIEW, "карточка в администрировании") in entries
    assert (PersonalDataAccess.Action.VIEW, "история изменений в администрировании") in entries


def test_a_refused_admin_page_reads_no_card_and_logs_nothing(net, staff_admin, login):
    person = net.users.teacher_person
    response = login(staff_admin).get(reverse("admin:people_person_change", args=[person.pk]))
    assert response.status_code == 302
    assert not PersonalDataAccess.objects.filter(person=person).exists()


def test_a_change_in_the_admin_is_logged(net, login):
    person = net.users.teacher_person
    response = login(net.users.superuser).post(
        reverse("admin:people_person_change", args=[person.pk]),
        {
            "region": person.region_id,
            "last_name": person.last_name,
            "first_name": "Новое",
            "middle_name": "",
            "position": "",
            "school": person.school_id or "",
            "qualification_category": person.qualification_category,
            "teaching_since": "",
            "email": person.email,
            "phone": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PersonalDataAccess.objects.filter(
        user=net.users.superuser, person=person, action=PersonalDataAccess.Action.CHANGE
    ).exists()


def test_the_menu_shows_the_admin_to_the_superuser_and_the_portal_pages_to_administrators(net, staff_admin, login):
    page = login(staff_admin).get(reverse("home")).content.decode()
    assert reverse("admin:index") not in page
    assert reverse("orgunits:region_admin") in page
    page = login(net.users.superuser).get(reverse("home")).content.decode()
    assert reverse("admin:index") in page
    page = login(net.users.teacher).get(reverse("home")).content.decode()
    assert reverse("admin:index") not in page
    assert reverse("orgunits:region_admin") not in page


def test_the_menu_link_costs_no_query_for_the_grants(net, login):
    """The notifications page never needs the grants: the menu reads the answer kept at login."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(net.users.admin)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("notifications")).content.decode()
    assert reverse("orgunits:region_admin") in page
    assert not [q["sql"] for q in queries if "guardian_" in q["sql"]]
