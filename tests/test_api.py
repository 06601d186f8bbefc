"""The read-only API (api/, /api/v1/): tokens, restrict() on every list and detail, cursor pages, filters,
the 152-ФЗ journal, the rate limit and bounded queries (issue 14, «A read-only API»)."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, digest_of
from events.models import Event
from meetings.models import Meeting
from monitoring.definitions import install
from monitoring.models import MonitoringCampaign, Row
from monitoring.services import compute
from network.clock import today_of
from orders.models import Order
from orgunits.access import grant_role
from orgunits.models import OrgUnit
from people.models import Membership, Person, PersonalDataAccess
from submissions.dashboard import state_of

from . import documents
from . import factories as f

pytestmark = pytest.mark.django_db

LISTS = {
    "units": "api:unit-list",
    "people": "api:person-list",
    "memberships": "api:membership-list",
    "campaigns": "api:campaign-list",
    "plans": "api:plan-list",
    "reports": "api:report-list",
    "meetings": "api:meeting-list",
    "orders": "api:order-list",
    "events": "api:event-list",
    "monitoring_campaigns": "api:monitoring-campaign-list",
    "monitoring_results": "api:monitoring-result-list",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    caches["api"].clear()
    yield
    caches["api"].clear()


def token_client(user) -> Client:
    _token, key = ApiToken.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def meeting(unit, number=1, date=datetime.date(2026, 10, 5)):
    return Meeting.objects.create(unit=unit, year=date.year, number=number, date=date)


def order(unit, number=1, heading="Об утверждении плана работы", date=datetime.date(2026, 10, 6)):
    return Order.objects.create(unit=unit, year=date.year, number=number, date=date, heading=heading)


@pytest.fixture
def world(net):
    """The `net` region with one of everything in Терек and in Баксан, and a foreign region beside it."""
    w = SimpleNamespace(net=net)
    w.terek_plan = documents.plan(net)
    w.baksan_plan = documents.plan(net, net.baksan)
    w.terek_report = documents.report(net)
    w.plan_campaign = w.terek_plan.campaign
    w.report_campaign = w.terek_report.campaign
    w.terek_meeting, w.baksan_meeting = meeting(net.terek), meeting(net.baksan)
    w.terek_order, w.baksan_order = order(net.terek), order(net.baksan)
    w.terek_event = Event.objects.create(unit=net.terek, title="Семинар Терека", starts_on=datetime.date(2026, 10, 1))
    w.baksan_event = Event.objects.create(unit=net.baksan, title="Семинар Баксана", starts_on=datetime.date(2025, 3, 2))
    w.monitoring = MonitoringCampaign.objects.create(
        region=net.region, indicator_set=install(net.region), year=2026, root=net.terek, title="Мониторинг 2026"
    )
    compute(w.monitoring.pk, datetime.date(2026, 11, 25))

    kinds = net.kinds
    w.foreign_region = f.RegionFactory(code="far", name="Дальний регион")
    w.foreign_root = f.unit(w.foreign_region, kinds["rumo"], name="РУМО дальнего региона")
    w.foreign_admin = f.UserFactory(username="far_admin")
    grant_role(w.foreign_admin, w.foreign_root, "administrator")
    return w


def every_object(w) -> dict[str, list]:
    """The KBR objects of each endpoint (what a foreign token must never see)."""
    net = w.net
    return {
        "units": list(OrgUnit.objects.filter(region=net.region)),
        "people": list(Person.objects.filter(region=net.region)),
        "memberships": list(Membership.objects.filter(unit__region=net.region)),
        "campaigns": [w.plan_campaign, w.report_campaign],
        "plans": [w.terek_plan, w.baksan_plan],
        "reports": [w.terek_report],
        "meetings": [w.terek_meeting, w.baksan_meeting],
        "orders": [w.terek_order, w.baksan_order],
        "events": [w.terek_event, w.baksan_event],
        "monitoring_campaigns": [w.monitoring],
        "monitoring_results": list(Row.objects.filter(campaign=w.monitoring)),
    }


def detail_url(name: str, pk: int) -> str:
    return reverse(LISTS[name].replace("-list", "-detail"), args=[pk])


# -- authentication -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LISTS))
def test_anonymous_gets_401_with_a_russian_message(name, world):
    response = Client().get(reverse(LISTS[name]))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "Authorization: Token" in response.json()["detail"]


def test_a_wrong_or_revoked_key_is_401(world):
    user = world.net.users.admin
    client = token_client(user)
    assert client.get(reverse("api:unit-list")).status_code == 200
    ApiToken.objects.filter(user=user).delete()
    response = client.get(reverse("api:unit-list"))
    assert response.status_code == 401
    assert response.json()["detail"] == "Ключ API не найден или отозван."
    assert Client(HTTP_AUTHORIZATION="Token mts_guessed").get(reverse("api:unit-list")).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Token a b").get(reverse("api:unit-list")).status_code == 401


def test_the_key_of_a_disabled_account_is_401(world):
    user = world.net.users.admin
    client = token_client(user)
    user.is_active = False
    user.save()
    response = client.get(reverse("api:unit-list"))
    assert response.status_code == 401
    assert "отключена" in response.json()["detail"]


def test_bearer_works_and_only_the_hash_is_stored(world):
    user = world.net.users.admin
    _token, key = ApiToken.issue(user)
    stored = ApiToken.objects.get(user=user)
    assert stored.digest == digest_of(key) and key not in stored.digest and stored.hint == key[:8]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(reverse("api:unit-list")).status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_the_browser_session_reads_the_api_too(world, login):
    response = login(world.net.users.admin).get(reverse("api:unit-list"))
    assert response.status_code == 200
    assert world.net.rumo.pk in ids(response)


def test_the_api_only_reads(world):
    client = token_client(world.net.users.admin)
    assert client.post(reverse("api:unit-list"), {}).status_code == 405
    assert client.delete(detail_url("units", world.net.terek.pk)).status_code == 405
    response = client.patch(detail_url("orders", world.terek_order.pk), {}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["detail"] == 'Метод "PATCH" не разрешен.'


# -- every endpoint, as a user who sees the region ---------------------------------------------------


def test_each_endpoint_lists_and_opens_what_the_region_admin_sees(world):
    client = token_client(world.net.users.admin)
    for name, objects in every_object(world).items():
        listed = set()
        url = reverse(LISTS[name]) + "?page_size=500"
        listed = ids(client.get(url))
        assert {o.pk for o in objects} <= listed, name
        obj = objects[0]
        response = client.get(detail_url(name, obj.pk))
        assert response.status_code == 200, (name, response.content)
        assert response.json()["id"] == obj.pk


def test_a_unit_carries_its_chain_from_the_root(world):
    net = world.net
    body = token_client(net.users.teacher).get(detail_url("units", net.shmo.pk)).status_code
    assert body == 404  # a plain member of the RMO sees that RMO, not the ШМО below it
    row = token_client(net.users.admin).get(detail_url("units", net.shmo.pk)).json()
    assert [a["name"] for a in row["chain"]] == [u.name for u in (net.rumo, net.cnppm, net.terek, net.terek_rmo)]
    assert row["kind"]["code"] == "shmo" and row["region"]["code"] == "kbr" and row["parent"] == net.terek_rmo.pk
    listed = token_client(net.users.admin).get(reverse("api:unit-list") + f"?unit={net.terek_rmo.pk}").json()
    chains = {r["id"]: [a["id"] for a in r["chain"]] for r in listed["results"]}
    assert chains == {
        net.terek_rmo.pk: [net.rumo.pk, net.cnppm.pk, net.terek.pk],
        net.shmo.pk: [net.rumo.pk, net.cnppm.pk, net.terek.pk, net.terek_rmo.pk],
    }


def test_lists_follow_the_pages_rule_per_role(world):
    net = world.net
    baksan = token_client(net.users.baksan_methodist)
    assert ids(baksan.get(reverse("api:unit-list"))) == {net.baksan.pk, net.baksan_rmo.pk}
    assert ids(baksan.get(reverse("api:plan-list"))) == {world.baksan_plan.pk}
    assert ids(baksan.get(reverse("api:meeting-list"))) == {world.baksan_meeting.pk}
    assert ids(baksan.get(reverse("api:order-list"))) == {world.baksan_order.pk}
    assert ids(baksan.get(reverse("api:event-list"))) == {world.baksan_event.pk}
    assert ids(baksan.get(reverse("api:monitoring-campaign-list"))) == set()
    assert ids(baksan.get(reverse("api:monitoring-result-list"))) == set()
    assert baksan.get(detail_url("plans", world.terek_plan.pk)).status_code == 404
    assert baksan.get(detail_url("meetings", world.terek_meeting.pk)).status_code == 404
    # campaigns are regional: seen wherever one sees a unit of the region (the campaign pages' rule)
    assert ids(baksan.get(reverse("api:campaign-list"))) == {world.plan_campaign.pk, world.report_campaign.pk}

    teacher = token_client(net.users.teacher)
    # a plain member sees names, not cards: only their own card (the people pages' rule)
    assert ids(teacher.get(reverse("api:person-list"))) == {net.users.teacher_person.pk}
    assert teacher.get(detail_url("people", net.users.methodist_person.pk)).status_code == 404
    members = ids(teacher.get(reverse("api:membership-list")))
    assert members == set(Membership.objects.filter(unit=net.terek_rmo).values_list("pk", flat=True))
    # monitoring: not the campaign of Терек, but the row of the RMO the teacher sees (the row page's rule)
    own_rows = set(Row.objects.filter(campaign=world.monitoring, guard=net.terek_rmo).values_list("pk", flat=True))
    assert own_rows and ids(teacher.get(reverse("api:monitoring-result-list"))) == own_rows
    assert ids(teacher.get(reverse("api:monitoring-campaign-list"))) == set()


def test_a_foreign_region_token_sees_nothing(world):
    client = token_client(world.foreign_admin)
    assert ids(client.get(reverse("api:unit-list"))) == {world.foreign_root.pk}  # its own region only
    for name, objects in every_object(world).items():
        listed = ids(client.get(reverse(LISTS[name]) + "?page_size=500"))
        assert not listed & {o.pk for o in objects}, name
        for obj in objects[:3]:
            assert client.get(detail_url(name, obj.pk)).status_code == 404, (name, obj.pk)
    assert client.get(reverse("api:campaign-units", args=[world.plan_campaign.pk])).status_code == 404
    assert not PersonalDataAccess.objects.filter(user=world.foreign_admin).exists()


def test_a_token_of_nobody_sees_empty_lists(world):
    client = token_client(world.net.users.outsider)
    for name in LISTS:
        listed = ids(client.get(reverse(LISTS[name])))
        if name == "people":  # the outsider's own card
            assert listed == set(Person.objects.filter(user=world.net.users.outsider).values_list("pk", flat=True))
        else:
            assert listed == set(), name


# -- campaigns: each unit's state -------------------------------------------------------------------


def test_campaign_units_have_the_dashboard_states(world):
    net = world.net
    documents.submit(world.terek_plan, net)
    url = reverse("api:campaign-units", args=[world.plan_campaign.pk])
    rows = {r["unit"]["id"]: r for r in token_client(net.users.admin).get(url).json()["results"]}
    assert set(rows) == {net.terek.pk, net.baksan.pk, net.terek_rmo.pk, net.baksan_rmo.pk, net.shmo.pk} & set(
        world.plan_campaign.expected_units().values_list("pk", flat=True)
    )
    assert rows[net.terek.pk]["state"] == "submitted" and rows[net.terek.pk]["submission"] == world.terek_plan.pk
    assert rows[net.terek.pk]["first_submitted_on"] is not None
    # a draft never sent is as late as the calendar makes it (the dashboard's rule, in the region's today)
    today = today_of(world.plan_campaign, timezone.now())
    assert rows[net.baksan.pk]["state"] == state_of(world.plan_campaign, today, world.baksan_plan) != "none"
    assert rows[net.baksan.pk]["submission"] == world.baksan_plan.pk
    assert rows[net.terek_rmo.pk]["state"] == state_of(world.plan_campaign, today, None)
    assert rows[net.terek_rmo.pk]["submission"] is None
    assert rows[net.terek_rmo.pk]["state_label"] in {"не начат", "просрочен", "не представлен"}
    submitted = token_client(net.users.admin).get(url + "?state=submitted").json()["results"]
    assert [r["unit"]["id"] for r in submitted] == [net.terek.pk]
    baksan_rows = token_client(net.users.baksan_methodist).get(url).json()["results"]
    assert {r["unit"]["id"] for r in baksan_rows} <= {net.baksan.pk, net.baksan_rmo.pk}
    assert net.baksan.pk in {r["unit"]["id"] for r in baksan_rows}


def test_campaign_detail_has_dates_and_a_link_to_its_units(world):
    body = token_client(world.net.users.admin).get(detail_url("campaigns", world.report_campaign.pk)).json()
    assert body["due_on"] == "2027-02-25" and body["closes_on"] == "2027-03-01"
    assert body["document_type"] == "report" and body["year"] == 2026
    assert body["units_url"].endswith(reverse("api:campaign-units", args=[world.report_campaign.pk]))


# -- filters ----------------------------------------------------------------------------------------


def test_filters_like_the_pages(world):
    net = world.net
    client = token_client(net.users.admin)
    assert ids(client.get(reverse("api:plan-list") + f"?unit={net.baksan.pk}")) == {world.baksan_plan.pk}
    assert ids(client.get(reverse("api:plan-list") + "?state=draft&year=2026")) == {
        world.terek_plan.pk,
        world.baksan_plan.pk,
    }
    assert ids(client.get(reverse("api:plan-list") + "?year=2030")) == set()
    assert ids(client.get(reverse("api:event-list") + "?year=2025")) == {world.baksan_event.pk}
    assert ids(client.get(reverse("api:order-list") + f"?region={world.foreign_region.pk}")) == set()
    assert ids(client.get(reverse("api:unit-list") + "?q=баксанское")) == {net.baksan.pk}
    assert ids(client.get(reverse("api:unit-list") + "?level=school")) == {net.shmo.pk}
    future = "2100-01-01T00:00:00Z"
    assert ids(client.get(reverse("api:order-list") + f"?updated_since={future}")) == set()
    assert world.terek_order.pk in ids(client.get(reverse("api:order-list") + "?updated_since=2000-01-01T00:00:00Z"))
    teacher_person = net.users.teacher_person
    assert teacher_person.pk in ids(client.get(reverse("api:person-list") + f"?unit={net.terek_rmo.pk}&role=member"))
    assert ids(client.get(reverse("api:person-list") + f"?unit={net.baksan.pk}&role=chair")) == set()
    # a unit the user does not see filters to nothing, not to someone else's rows
    foreign = token_client(world.foreign_admin)
    assert ids(foreign.get(reverse("api:plan-list") + f"?unit={net.terek.pk}")) == set()


def test_a_malformed_filter_is_400_in_russian(world):
    client = token_client(world.net.users.admin)
    response = client.get(reverse("api:plan-list") + "?state=lost&unit=abc")
    assert response.status_code == 400
    body = response.json()
    assert "state" in body and "unit" in body
    assert "Выберите корректный вариант" in body["state"][0]
    assert "Введите целое число" in body["unit"][0]


# -- cursor pagination -------------------------------------------------------------------------------


def test_cursor_pages_follow_next_to_the_end(world):
    net = world.net
    for n in range(7):
        f.unit(net.region, net.kinds["rmo"], net.terek, name=f"РМО № {n}")
    client = token_client(net.users.admin)
    seen, url, pages = [], reverse("api:unit-list") + "?page_size=3", 0
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 3
        seen += [r["id"] for r in body["results"]]
        url, pages = body["next"], pages + 1
    expected = set(OrgUnit.objects.filter(region=net.region).values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == len(expected) and set(seen) == expected
    assert pages == -(-len(expected) // 3)
    assert "count" not in body  # a cursor never counts the register
    assert client.get(reverse("api:unit-list") + "?cursor=garbage").status_code == 404


# -- 152-ФЗ ------------------------------------------------------------------------------------------


def test_reading_people_is_logged_one_row_per_person(world):
    net = world.net
    user = net.users.admin
    client = token_client(user)
    listed = ids(client.get(reverse("api:person-list") + "?page_size=3"))
    assert len(listed) == 3
    log = PersonalDataAccess.objects.filter(user=user)
    assert sorted(log.values_list("person_id", flat=True)) == sorted(listed)
    assert set(log.values_list("action", "details")) == {("view", "API: карточки педагогов")}
    client.get(detail_url("people", net.users.teacher_person.pk))
    assert log.filter(person=net.users.teacher_person).count() == 2 - (net.users.teacher_person.pk not in listed)


def test_reading_memberships_logs_each_person_once(world):
    net = world.net
    user = net.users.reviewer
    second = f.PersonFactory(region=net.region)
    f.member(second, net.terek_rmo)
    f.member(second, net.baksan_rmo)  # one person twice on the page: one row
    client = token_client(user)
    body = client.get(reverse("api:membership-list") + "?page_size=500").json()["results"]
    people = {m["person"]["id"] for m in body}
    log = PersonalDataAccess.objects.filter(user=user, details="API: членство в подразделениях")
    assert sorted(log.values_list("person_id", flat=True)) == sorted(people)
    assert second.pk in people


def test_other_registers_write_nothing_to_the_journal(world):
    client = token_client(world.net.users.admin)
    for name in ("units", "plans", "meetings", "orders", "events", "monitoring_results"):
        client.get(reverse(LISTS[name]))
    assert not PersonalDataAccess.objects.exists()


# -- the rate limit -----------------------------------------------------------------------------------


def test_the_rate_limit_answers_429_in_russian(world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_user": "3/minute"},
    }
    client = token_client(world.net.users.admin)
    other = token_client(world.net.users.reviewer)
    for _ in range(3):
        assert client.get(reverse("api:unit-list")).status_code == 200
    response = client.get(reverse("api:event-list"))
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Слишком много запросов к API. Повторите через ")
    assert 0 < int(response["Retry-After"]) <= 60
    assert other.get(reverse("api:unit-list")).status_code == 200  # per user


# -- bounded queries ------------------------------------------------------------------------------------


def grow(world, n):
    """n more RMOs under Терек, each with two members, a meeting, an order, an event and a plan."""
    net = world.net
    for i in range(n):
        rmo = f.unit(net.region, net.kinds["rmo"], net.terek, name=f"РМО {i}")
        for _ in range(2):
            f.member(f.PersonFactory(region=net.region, school=net.school), rmo)
        meeting(rmo)
        order(rmo)
        Event.objects.create(unit=rmo, title=f"Семинар {i}", starts_on=datetime.date(2026, 10, 1))
        documents.plan(net, rmo)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_list_page_costs_the_same_queries_whatever_the_size(name, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = world.net.users.admin
    _token, key = ApiToken.issue(user)
    url = reverse(LISTS[name]) + "?page_size=500"

    def count():
        client = Client(HTTP_AUTHORIZATION=f"Token {key}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # the first request of a key also notes when it was used
    small = count()
    grow(world, 12)
    compute(world.monitoring.pk, datetime.date(2026, 11, 25))
    with django_assert_max_num_queries(9):
        client = Client(HTTP_AUTHORIZATION=f"Token {key}")
        body = client.get(url).json()
    assert count() == small, f"{name}: {small} queries with the small network, {count()} with the larger"
    assert body["results"]


def test_campaign_units_cost_the_same_queries_whatever_the_size(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = token_client(world.net.users.admin)
    url = reverse("api:campaign-units", args=[world.plan_campaign.pk]) + "?page_size=500"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # the first request of a key also notes when it was used
    small = count()
    grow(world, 12)
    assert count() == small <= 9


# -- «Доступ к API»: the user's own key -----------------------------------------------------------------


def test_the_token_page_makes_a_key_shown_once_and_revokes_it(net, login):
    client = login(net.users.methodist)
    url = reverse("accounts:api_token")
    page = client.get(url).content.decode()
    assert "Ключа API у вас нет." in page and "Создать ключ" in page

    response = client.post(url, {"action": "create"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    key = response.context["new_key"]
    assert key.startswith("mts_") and len(key) > 40
    assert key in response.content.decode() and "больше его не покажет" in response.content.decode()
    token = ApiToken.objects.get(user=net.users.methodist)
    assert token.digest == digest_of(key) and key not in str(ApiToken.objects.values().get())
    again = client.get(url).content.decode()
    assert key not in again and token.hint in again  # shown once: afterwards only its first characters

    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    assert ids(api.get(reverse("api:unit-list"))) == set(
        OrgUnit.objects.filter(tree_id=net.terek.tree_id, lft__gte=net.terek.lft, lft__lte=net.terek.rght).values_list(
            "pk", flat=True
        )
    )

    # a new key replaces the old one
    second = client.post(url, {"action": "create"}).context["new_key"]
    assert second != key and ApiToken.objects.filter(user=net.users.methodist).count() == 1
    assert api.get(reverse("api:unit-list")).status_code == 401

    response = client.post(url, {"action": "revoke"}, follow=True)
    assert "Ключ API отозван" in response.content.decode()
    assert not ApiToken.objects.filter(user=net.users.methodist).exists()
    assert Client(HTTP_AUTHORIZATION=f"Token {second}").get(reverse("api:unit-list")).status_code == 401


def test_the_token_page_touches_only_ones_own_key(net, login):
    _theirs, their_key = ApiToken.issue(net.users.admin)
    client = login(net.users.teacher)
    client.post(reverse("accounts:api_token"), {"action": "revoke"})
    client.post(reverse("accounts:api_token"), {"action": "create"})
    assert ApiToken.objects.filter(user=net.users.admin, digest=digest_of(their_key)).exists()
    assert Client(HTTP_AUTHORIZATION=f"Token {their_key}").get(reverse("api:unit-list")).status_code == 200
    assert ApiToken.objects.filter(user=net.users.teacher).count() == 1


def test_the_token_page_needs_a_login_and_an_action(net, login):
    url = reverse("accounts:api_token")
    response = Client().get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().post(url, {"action": "create"}).status_code == 302
    assert not ApiToken.objects.exists()
    response = login(net.users.teacher).post(url, {}, follow=True)
    assert "Неизвестное действие" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_user_menu_links_to_the_token_page(net, login):
    page = login(net.users.teacher).get(reverse("home")).content.decode()
    assert f'href="{reverse("accounts:api_token")}">Доступ к API</a>' in page


# -- the limit counts in one place for every node -----------------------------------------------------


REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_reachable() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        return False


def test_with_api_cache_url_every_process_counts_together(world, settings):
    """Two web nodes are two processes: with API_CACHE_URL (Redis) a request counted here is seen by another
    process, so the limit holds for the user, not per node."""
    import os
    import subprocess
    import sys

    if not redis_reachable():
        if os.environ.get("REQUIRE_REAL_SERVICES"):
            pytest.fail(f"Redis is required (REQUIRE_REAL_SERVICES=1) at {REDIS_URL}")
        pytest.skip(f"Redis не отвечает на {REDIS_URL}")
    settings.CACHES = {
        **settings.CACHES,
        "api": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "api"},
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_user": "2/minute"}}
    user = world.net.users.admin
    caches["api"].clear()
    client = token_client(user)
    assert client.get(reverse("api:unit-list")).status_code == 200
    assert client.get(reverse("api:unit-list")).status_code == 200
    other_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os, sys; django.setup(); from django.core.cache import caches; "
            "from api.throttles import ApiUserThrottle; "
            "key = ApiUserThrottle.cache_format % {'scope': 'api_user', 'ident': sys.argv[1]}; "
            "print(len(caches['api'].get(key, [])))",
            str(user.pk),
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "network.settings", "API_CACHE_URL": REDIS_URL},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other_process.returncode == 0, other_process.stderr
    assert other_process.stdout.strip() == "2"  # the other process sees both requests
    assert client.get(reverse("api:unit-list")).status_code == 429
    caches["api"].clear()


def test_check_deploy_notes_a_per_process_limit(settings):
    from api.checks import api_rate_limit_cache

    settings.API_CACHE_URL = ""
    assert [m.id for m in api_rate_limit_cache(None)] == ["api.I001"]
    settings.API_CACHE_URL = REDIS_URL
    assert api_rate_limit_cache(None) == []
