"""Every grant and revocation is logged in the one history (history.LogEntry), only when something changes;
the portal pages of a regional administrator (region settings, the region's 152-ФЗ log, the grant log, unit kinds)
go through the regional grants: 404 for a region not theirs to see, 403 for a non-administrator.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from history.models import LogEntry
from orgunits import grant_log
from orgunits.access import grant_role
from people.models import PersonalDataAccess
from people.services import sync_person_access

from . import factories as f


@pytest.fixture
def foreign(net):
    """A second region with its own administrator."""
    region = f.RegionFactory(code="bur", name="Республика Бурятия", timezone="Asia/Irkutsk")
    rumo = f.unit(region, net.kinds["rumo"], name="РУМО РБ")
    user = f.UserFactory(username="bur_admin")
    grant_role(user, rumo, "administrator")
    person = f.PersonFactory(region=region, last_name="Дашиева")
    return region, rumo, user, person


@pytest.fixture(autouse=True)
def _fresh_log(net):
    # The fixture network's own grants (roles of its logins) are logged too; tests start from here.
    grant_log.grant_entries().delete()


def grants(unit=None, user=None):
    """The grant entries of the history, about `unit` and/or the login `user`."""
    entries = grant_log.grant_entries()
    if unit is not None:
        entries = entries.filter(object_id=unit.pk)
    if user is not None:
        entries = entries.filter(snapshot__grant__user=user.pk)
    return entries


def rows(unit=None, user=None):
    """(who acted, whom, role, granted/revoked, path) of each grant entry."""
    from django.contrib.auth import get_user_model

    names = dict(get_user_model().objects.values_list("pk", "username"))
    result = []
    for e in grants(unit, user).select_related("actor"):
        g = e.snapshot["grant"]
        result.append((e.actor.username if e.actor else None, names[g["user"]], g["role"], g["change"], g["path"]))
    return result


# -- the «Доступ» page ---------------------------------------------------------------------------


def test_a_grant_on_the_access_page_is_logged_once(net, login):
    client = login(net.users.admin)
    url = reverse("orgunits:access", args=[net.terek.pk])
    client.post(url, {"username": "teacher", "role": "reviewer"})
    assert rows(unit=net.terek) == [("admin", "teacher", "reviewer", "granted", "access_page")]
    # The same grant again changes nothing and says so; no second row.
    response = client.post(url, {"username": "teacher", "role": "reviewer"}, follow=True)
    assert "уже имеет роль" in response.content.decode()
    assert grants(unit=net.terek).count() == 1


def test_a_revocation_on_the_access_page_is_logged_once(net, login):
    grant_role(net.users.teacher, net.terek, "reviewer")
    grant_log.grant_entries().delete()
    client = login(net.users.admin)
    url = reverse("orgunits:access", args=[net.terek.pk])
    client.post(url, {"revoke": f"{net.users.teacher.pk}:reviewer"})
    assert rows(unit=net.terek) == [("admin", "teacher", "reviewer", "revoked", "access_page")]
    response = client.post(url, {"revoke": f"{net.users.teacher.pk}:reviewer"}, follow=True)
    assert "отзывать нечего" in response.content.decode()
    assert grants(unit=net.terek).count() == 1


def test_the_access_page_shows_the_log(net, login):
    client = login(net.users.admin)
    url = reverse("orgunits:access", args=[net.terek.pk])
    client.post(url, {"username": "teacher", "role": "reviewer"})
    page = client.get(url).content.decode()
    assert "Журнал назначения и отзыва ролей" in page
    assert "эксперт (куратор)" in page and "назначена" in page and "страница «Доступ»" in page


@pytest.mark.parametrize("username", ["reviewer", "methodist", "teacher"])
def test_a_refused_grant_leaves_no_row(net, login, username):
    response = login(getattr(net.users, username)).post(
        reverse("orgunits:access", args=[net.terek.pk]), {"username": "outsider", "role": "administrator"}
    )
    assert response.status_code in (403, 404)
    assert not grants(user=net.users.outsider).exists()


# -- membership-driven grants --------------------------------------------------------------------


def test_adding_and_ending_a_membership_logs_the_role_sync(net, login):
    person = f.PersonFactory(region=net.region, school=net.school, user=f.UserFactory(username="newcomer"))
    client = login(net.users.methodist)
    client.post(
        reverse("people:member_add", args=[net.terek.pk]),
        {"person": person.pk, "role": "member", "starts_on": "2026-09-01", "ends_on": ""},
    )
    assert rows(user=person.user) == [("methodist", "newcomer", "member", "granted", "membership")]
    membership = person.memberships.get()
    client.post(reverse("people:membership_end", args=[membership.pk]), {"left_on": "2026-10-01"})
    assert sorted(rows(user=person.user)) == [
        ("methodist", "newcomer", "member", "granted", "membership"),
        ("methodist", "newcomer", "member", "revoked", "membership"),
    ]


def test_a_sync_that_changes_nothing_logs_nothing(net):
    before = LogEntry.objects.count()
    sync_person_access(net.users.teacher_person)
    sync_person_access(net.users.methodist_person, by=net.users.admin)
    assert LogEntry.objects.count() == before


def test_a_system_sync_is_logged_without_an_actor(net):
    person = f.PersonFactory(region=net.region, user=f.UserFactory(username="imported"))
    f.member(person, net.baksan, "secretary")
    sync_person_access(person)
    assert rows(user=person.user) == [(None, "imported", "secretary", "granted", "membership")]


def test_the_person_card_shows_the_grant_log_to_those_who_may_edit_it(net, login):
    grant_role(net.users.teacher, net.terek, "reviewer", by=net.users.admin)
    url = reverse("people:person", args=[net.users.teacher_person.pk])
    page = login(net.users.admin).get(url).content.decode()
    assert "Роли учётной записи" in page and "эксперт (куратор)" in page
    # The teacher reads their own card, but may not edit it: no grant log there.
    page = login(net.users.teacher).get(url).content.decode()
    assert "Роли учётной записи" not in page


# -- region pages: each role against each page ---------------------------------------------------

ROLES = ["superuser", "admin", "reviewer", "methodist", "teacher", "outsider", "bur_admin"]
PAGES = {
    #                   superuser admin reviewer methodist teacher outsider bur_admin  (for region КБР)
    "region_settings": (200, 200, 403, 403, 403, 404, 404),
    "region_access_log": (200, 200, 403, 403, 403, 404, 404),
    "region_grant_log": (200, 200, 403, 403, 403, 404, 404),
}
HUBS = {
    "region_admin": (200, 200, 403, 403, 403, 403, 200),
    "unit_kinds": (200, 200, 403, 403, 403, 403, 200),
}


def user_for(net, foreign, role):
    return foreign[2] if role == "bur_admin" else getattr(net.users, role)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_region_pages_by_role(net, foreign, login, page, role):
    expected = PAGES[page][ROLES.index(role)]
    response = login(user_for(net, foreign, role)).get(reverse(f"orgunits:{page}", args=[net.region.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize("page", HUBS)
@pytest.mark.parametrize("role", ROLES)
def test_admin_hub_pages_by_role(net, foreign, login, page, role):
    expected = HUBS[page][ROLES.index(role)]
    response = login(user_for(net, foreign, role)).get(reverse(f"orgunits:{page}"))
    assert response.status_code == expected


def test_the_hub_lists_only_administered_regions(net, foreign, login):
    page = login(net.users.admin).get(reverse("orgunits:region_admin")).content.decode()
    assert net.region.name in page
    assert "Республика Бурятия" not in page


def test_the_hub_leads_to_lockouts_and_indicator_sets(net, login):
    page = login(net.users.admin).get(reverse("orgunits:region_admin")).content.decode()
    assert reverse("accounts:lockouts") in page
    assert reverse("monitoring:sets") in page


def test_anonymous_is_sent_to_login(net, client):
    response = client.get(reverse("orgunits:region_settings", args=[net.region.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# -- region settings -----------------------------------------------------------------------------


def test_the_administrator_changes_the_time_zone(net, login):
    url = reverse("orgunits:region_settings", args=[net.region.pk])
    response = login(net.users.admin).post(url, {"timezone": "Asia/Novokuznetsk", "max_term_months": "12"}, follow=True)
    net.region.refresh_from_db()
    assert net.region.timezone == "Asia/Novokuznetsk"
    assert "сохранены" in response.content.decode()


@pytest.mark.parametrize("value", ["Mars/Olympus", "", "../../etc/passwd", "Europe/Atlantis"])
def test_an_unknown_time_zone_changes_nothing(net, login, value):
    before = net.region.timezone
    response = login(net.users.admin).post(
        reverse("orgunits:region_settings", args=[net.region.pk]), {"timezone": value, "max_term_months": "12"}
    )
    assert response.status_code == 200
    assert "часовой пояс" in response.content.decode().lower()
    net.region.refresh_from_db()
    assert net.region.timezone == before


def test_only_the_time_zone_is_changed_not_the_name(net, login):
    login(net.users.admin).post(
        reverse("orgunits:region_settings", args=[net.region.pk]),
        {"timezone": "Europe/Moscow", "max_term_months": "12", "name": "Переименовано", "code": "x"},
    )
    net.region.refresh_from_db()
    assert net.region.name == "Кабардино-Балкарская Республика" and net.region.code == "kbr"


@pytest.mark.parametrize(("role", "status"), [("bur_admin", 404), ("reviewer", 403), ("teacher", 403)])
def test_others_cannot_change_the_settings(net, foreign, login, role, status):
    response = login(user_for(net, foreign, role)).post(
        reverse("orgunits:region_settings", args=[net.region.pk]), {"timezone": "Asia/Kamchatka"}
    )
    assert response.status_code == status
    net.region.refresh_from_db()
    assert net.region.timezone != "Asia/Kamchatka"


# -- the region's 152-ФЗ log ---------------------------------------------------------------------


def log(user, person, action="view", details="карточка", at=None):
    entry = PersonalDataAccess.objects.create(user=user, person=person, action=action, details=details)
    if at is not None:
        PersonalDataAccess.objects.filter(pk=entry.pk).update(at=at)
    return entry


def test_the_region_log_shows_only_the_people_of_the_region(net, foreign, login):
    log(net.users.methodist, net.users.teacher_person, details="наша карточка")
    log(foreign[2], foreign[3], details="чужая карточка")
    page = login(net.users.admin).get(reverse("orgunits:region_access_log", args=[net.region.pk])).content.decode()
    assert "наша карточка" in page
    assert "чужая карточка" not in page and "Дашиева" not in page


def test_the_region_log_filters(net, login):
    other = net.users.secretary_person
    log(
        net.users.methodist, net.users.teacher_person, "view", "первая", at=timezone.now() - datetime.timedelta(days=40)
    )
    log(net.users.secretary, other, "export", "вторая")
    log(net.users.methodist, other, "change", "третья")
    client = login(net.users.admin)
    url = reverse("orgunits:region_access_log", args=[net.region.pk])

    def shown(**params):
        page = client.get(url, params).content.decode()
        return {d for d in ("первая", "вторая", "третья") if d in page}

    assert shown() == {"первая", "вторая", "третья"}
    assert shown(person=other.last_name) == {"вторая", "третья"}
    assert shown(user="secretary") == {"вторая"}
    assert shown(action="change") == {"третья"}
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert shown(date_from=since) == {"вторая", "третья"}
    assert shown(date_to=since) == {"первая"}


def test_a_malformed_filter_is_reported_and_ignored(net, login):
    log(net.users.methodist, net.users.teacher_person, "view", "первая")
    response = login(net.users.admin).get(
        reverse("orgunits:region_access_log", args=[net.region.pk]), {"date_from": "32.13.2026", "action": "steal"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Часть фильтров не применена" in page and "ДД.ММ.ГГГГ" in page and "Выберите действие" in page
    assert "первая" in page


def test_the_region_log_runs_a_bounded_number_of_queries(net, login, django_assert_max_num_queries):
    client = login(net.users.admin)
    url = reverse("orgunits:region_access_log", args=[net.region.pk])
    people = [net.users.teacher_person, net.users.secretary_person, net.users.methodist_person]
    for i in range(120):
        log([net.users.methodist, net.users.secretary][i % 2], people[i % 3], details=f"запись {i}")
    client.get(url)  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(url, {"page": 2})
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 50


# -- the region's grant log and the unit kinds ---------------------------------------------------


def test_the_region_grant_log_lists_the_regions_grants_only(net, foreign, login):
    grant_role(net.users.teacher, net.terek, "reviewer", by=net.users.admin)
    grant_role(foreign[2], foreign[1], "reviewer")
    page = login(net.users.admin).get(reverse("orgunits:region_grant_log", args=[net.region.pk])).content.decode()
    assert net.terek.name in page
    assert "РУМО РБ" not in page


def test_unit_kinds_are_read_only_for_a_regional_administrator(net, login):
    client = login(net.users.admin)
    page = client.get(reverse("orgunits:unit_kinds")).content.decode()
    assert net.kinds["munumo"].name in page and "муниципальный" in page
    assert reverse("admin:orgunits_unitkind_changelist") not in page
    assert client.post(reverse("orgunits:unit_kinds"), {"name": "x"}).status_code == 405
