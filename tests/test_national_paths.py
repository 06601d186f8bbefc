"""The slow paths of the national network (issue 14), each held by a test that failed before its fix:

- the orders register offers no list of every unit of a country (a word of the unit's name instead), cuts
  its page from the bare orders (no join with people to sort), reads the signatories of the page afterwards;
- the searches of orders and practices are served by trigram indexes on PostgreSQL (EXPLAIN);
- the monitoring rules filter by one id set of the subtree, never by an OR across two tables;
- «возвращены мной» looks only at the documents the reviewer returned;
- the people list builds its visible id set once; the monitoring results read their cells unsorted;
- one teacher's card and portfolio check that one person by index probes, not through the whole visible set.

The EXPLAIN checks run on PostgreSQL only (DATABASE_URL=postgres://…); SQLite has no trigram index.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from growth.models import Course, Route
from monitoring.models import Result
from orders import services as order_services
from orders import views as order_views
from orders.models import Order, OrderTemplate
from people.models import Person
from practices.models import Development
from submissions import services as submission_services

from . import factories as f
from .test_inbox import seed
from .test_monitoring_rules import TODAY, make_campaign, make_set, teachers
from .workflow import AFTER_DUE, OPEN_DAY, freeze, grow, moment, report_campaign, submitted

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes and = ANY(array) are PostgreSQL's"
)


def queries_of(client, url, **params):
    client.get(url, params)  # warm-up: the access cache, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, [q["sql"] for q in ctx.captured_queries]


def explain(queryset) -> str:
    """EXPLAIN of `queryset` with sequential scans priced out: the plan shows whether an index can serve it."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


# -- the orders register ----------------------------------------------------------------------------


def order(unit, day, heading, signatory=None):
    made = order_services.create_order(unit, OrderTemplate.FREE, day, None, heading=heading)
    if signatory is not None:
        Order.objects.filter(pk=made.pk).update(signatory=signatory)
    return made


def test_few_units_are_a_list_of_the_visible_ones(net, login):
    order(net.terek, datetime.date(2026, 3, 1), "О проведении семинара")
    order(net.baksan, datetime.date(2026, 4, 1), "Об утверждении состава жюри")
    page = login(net.users.admin).get(reverse("orders:register")).content.decode()
    select = re.search(r'<select name="unit"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert "Терское МунУМО" in select and "Баксанское МунУМО" in select
    assert 'name="unit_q"' not in page
    # Another municipality's methodist is offered only the units whose orders he sees.
    page = login(net.users.baksan_methodist).get(reverse("orders:register")).content.decode()
    select = re.search(r'<select name="unit"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert "Баксанское МунУМО" in select and "Терское МунУМО" not in select


def test_many_units_are_searched_by_name_not_listed(net, login, monkeypatch):
    """A national register: no <select> of every unit (it was 3.2 MB for 54 000 units) — words of the name."""
    monkeypatch.setattr(order_views, "UNIT_OPTIONS_LIMIT", 1)
    order(net.terek, datetime.date(2026, 3, 1), "О проведении семинара")
    order(net.baksan, datetime.date(2026, 4, 1), "Об утверждении состава жюри")
    client = login(net.users.admin)
    page = client.get(reverse("orders:register")).content.decode()
    assert '<select name="unit"' not in page
    assert 'name="unit_q"' in page and "Подразделение: слова названия" in page
    found = client.get(reverse("orders:register"), {"unit_q": "БАКСАНСКОЕ"}).content.decode()
    assert "Об утверждении состава жюри" in found and "О проведении семинара" not in found
    # A unit chosen by a link still filters, as a hidden field, and is named on the page.
    chosen = client.get(reverse("orders:register"), {"unit": net.terek.pk}).content.decode()
    assert f'type="hidden" name="unit" value="{net.terek.pk}"' in chosen
    assert "О проведении семинара" in chosen and "Об утверждении состава жюри" not in chosen
    assert "Подразделение: <a" in chosen and "Терское МунУМО" in chosen
    # The export «с текущими фильтрами» takes the same words.
    export = client.get(reverse("registers:export", args=["orders"]), {"format": "csv", "unit_q": "баксанское"})
    exported = b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")
    assert "Об утверждении состава жюри" in exported and "О проведении семинара" not in exported
    # A unit one does not see is neither named nor a way to its orders.
    client = login(net.users.baksan_methodist)
    other = client.get(reverse("orders:register"), {"unit": net.terek.pk}).content.decode()
    assert "О проведении семинара" not in other and "Подразделение: <a" not in other


def test_the_register_page_is_cut_before_signatories_are_read(net, login, django_assert_max_num_queries):
    """The page's query sorts orders without people (the index order_register); people are read for its rows,
    and the number of queries does not grow with orders, units or signatories."""
    units = [net.terek, net.baksan, *grow(net, 12)]
    client = login(net.users.admin)
    counts = []
    for n in (5, 80):
        have = Order.objects.count()
        for i in range(have, n):
            signatory = f.PersonFactory(region=net.region, last_name=f"Подписантов{i:03d}")
            order(
                units[i % len(units)], datetime.date(2026, 1, 1) + datetime.timedelta(days=i), f"О деле {i}", signatory
            )
        response, sql = queries_of(client, reverse("orders:register"))
        counts.append(len(sql))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[1]):
        client.get(reverse("orders:register"))
    page = [q for q in sql if 'FROM "orders_order"' in q and "LIMIT" in q and "COUNT" not in q]
    # (the units' join is the visibility filter of the regional administrator, not a sort)
    assert page and all("people_person" not in q for q in page), page
    assert "Подписантов079" in response.content.decode()  # the newest order's signatory, read afterwards


def test_the_year_filter_offers_the_span_of_years(net, login):
    order(net.terek, datetime.date(2024, 3, 1), "О старом")
    order(net.terek, datetime.date(2026, 3, 1), "О новом")
    page = login(net.users.admin).get(reverse("orders:register")).content.decode()
    years = re.search(r'<select name="year"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert all(f'value="{y}"' in years for y in (2024, 2025, 2026))


@on_postgresql
def test_the_orders_search_uses_its_trigram_index(net):
    order(net.terek, datetime.date(2026, 3, 1), "О проведении олимпиады по физике")
    words = Order.objects.filter(search__contains="олимпиад").order_by()
    assert "order_search_trgm" in explain(words)
    assert list(words.values_list("heading", flat=True)) == ["О проведении олимпиады по физике"]


@on_postgresql
def test_the_practices_search_uses_its_trigram_index(net):
    assert "development_search_trgm" in explain(Development.objects.filter(search__contains="урок").order_by())


@on_postgresql
def test_the_orders_register_order_is_an_index(net):
    rows = Order.objects.order_by("-date", "-number", "-pk")[:50]
    assert "order_register" in explain(rows)


# -- the monitoring rules --------------------------------------------------------------------------------


def crosses_tables(sql: str) -> bool:
    """`person IN (…) OR school.municipality_id IN (…)`: an OR with the school's municipality."""
    return re.search(r'\bOR\s+\S*"municipality_id" IN', sql) is not None


def test_the_rules_filter_by_one_id_set_not_an_or_across_tables(net):
    indicator_set = make_set(
        net.region,
        ("routes", "routes", {}, {"assessed": "municipality"}),
        ("courses", "courses", {"years": 3}, {"assessed": "municipality"}),
    )
    members = teachers(net.region, net.terek_rmo, 3)
    staff = f.PersonFactory(region=net.region, school=net.school, last_name="Штатная")  # a member of nothing
    Route.objects.create(person=members[0], year=TODAY.year, goals="ИОМ")
    Route.objects.create(person=staff, year=TODAY.year, goals="ИОМ")
    Course.objects.create(
        person=staff,
        title="КПК",
        provider="ИРО",
        hours=72,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 10),
        status=Course.Status.CONFIRMED,
    )
    with CaptureQueriesContext(connection) as ctx:
        campaign = make_campaign(indicator_set, net.cnppm)
    sql = [q["sql"] for q in ctx.captured_queries]
    crossing = [q for q in sql if crosses_tables(q)]
    assert not crossing, "\n\n".join(crossing)
    rule_queries = [q for q in sql if 'FROM "growth_route"' in q or 'FROM "growth_course"' in q]
    assert len(rule_queries) == 2
    if connection.vendor == "postgresql":  # the id set read once by Scope.load, one array parameter
        assert all('"person_id" = ANY(' in q and "UNION" not in q for q in rule_queries), rule_queries
    # The staff of a school count where they teach (the municipality), as before.
    terek = campaign.rows.get(unit=net.terek)
    routes = terek.results.get(indicator__code="routes")
    assert staff.pk in {r["person"] for r in routes.records if r["counts"]}


# -- the reviewer's inbox: «возвращены мной» ---------------------------------------------------------------


def test_returned_by_me_looks_only_at_my_returns(client, net, monkeypatch):
    """The subquery of the last return runs for the documents the reviewer returned, not for every returned
    document of the country: the query is narrowed by the history of his returns (history_actor_at)."""
    campaign = report_campaign(net)
    terek = submitted(campaign, net.terek, net.users.secretary, day=OPEN_DAY)
    baksan = submitted(campaign, net.baksan, net.users.baksan_methodist, day=OPEN_DAY)
    freeze(monkeypatch, AFTER_DUE)
    submission_services.return_for_revision(terek, net.users.reviewer, "Дополните.", moment(AFTER_DUE))
    submission_services.return_for_revision(baksan, net.users.admin, "Исправьте.", moment(AFTER_DUE))
    seed(campaign, grow(net, 30), net.rumo, net.users.admin)  # returned by someone else
    client.force_login(net.users.reviewer)
    response, sql = queries_of(client, reverse("submissions:inbox"))
    assert [s.pk for s in response.context["returned"]] == [terek.pk]
    returned = [q for q in sql if "history_logentry" in q and '"state" = ' in q and "returned" in q.lower()]
    mine = [q for q in returned if re.search(r'"actor_id" = \d+', q) and re.search(r'"id" IN \(SELECT', q)]
    assert mine, returned


# -- the people list: the visible id set once ----------------------------------------------------------------


def test_the_people_list_joins_no_school_before_its_page(net, login):
    for i in range(30):
        f.PersonFactory(region=net.region, school=net.school, last_name=f"Школьникова{i:02d}")
    response, sql = queries_of(login(net.users.reviewer), reverse("people:list"))
    assert "Школьникова00" in response.content.decode() and "СОШ № 1 г. Терека" in response.content.decode()
    people = [q for q in sql if q.startswith('SELECT "people_person"."id", "people_person"."version"')]
    joined = re.compile(r'FROM "people_person" (LEFT OUTER|INNER) JOIN "orgunits_school"')
    assert people and not any(joined.search(q) for q in people), "\n".join(people)


@on_postgresql
def test_the_people_list_builds_the_visible_set_once(net, login, django_assert_max_num_queries):
    for i in range(30):
        f.PersonFactory(region=net.region, last_name=f"Регионова{i:02d}")
    client = login(net.users.reviewer)
    response, sql = queries_of(client, reverse("people:list"))
    id_sets = [q for q in sql if "UNION" in q and "people_membership" in q]
    assert len(id_sets) == 1, id_sets
    shown = {p.pk for p in response.context["table"].page.object_list.data}
    assert shown <= set(Person.objects.restrict(net.users.reviewer).values_list("pk", flat=True))
    # A filter still narrows the same set.
    response = client.get(reverse("people:list"), {"q": "регионова07"})
    assert [row.record.last_name for row in response.context["table"].page.object_list] == ["Регионова07"]
    # Someone seeing one municipality does not get the region through the array.
    response = login(net.users.baksan_methodist).get(reverse("people:list"), {"q": "регионова"})
    assert list(response.context["table"].page.object_list) == []


# -- the monitoring results: cells read unsorted ------------------------------------------------------------------


def test_the_results_cells_are_read_without_sorting_joins(net, login):
    indicator_set = make_set(net.region, ("routes", "routes", {}), ("assessment", "", {}))
    teachers(net.region, net.terek_rmo, 2)
    campaign = make_campaign(indicator_set, net.terek)
    response, sql = queries_of(login(net.users.reviewer), reverse("monitoring:campaign", args=[campaign.pk]))
    cells = [q for q in sql if q.startswith('SELECT "monitoring_result"."id"')]
    assert len(cells) == 1 and "ORDER BY" not in cells[0] and "JOIN" not in cells[0], cells
    # The cells are written by the view, not a template included 100 rows × indicators times.
    assert "monitoring/_cell.html" not in [t.name for t in response.templates]
    routes = Result.objects.get(row__campaign=campaign, row__unit=net.terek_rmo, indicator__code="routes")
    page = response.content.decode()
    assert f'href="{reverse("monitoring:result", args=[routes.pk])}"' in page and 'title="routes: ' in page


# -- one teacher's card: checked for that person, not through the whole visible set --------------------------------


def people_around(net):
    """A teacher in each place the rule looks at: a member of a unit, a school's teacher, the region's, another
    region's member of a unit here, and a stranger in another region."""
    other_region = f.RegionFactory(code="other", name="Другой регион")
    member = f.PersonFactory(region=net.region, last_name="Членова")
    f.member(member, net.baksan_rmo, "member")
    visitor = f.PersonFactory(region=other_region, last_name="Гостева")
    f.member(visitor, net.terek_rmo, "member")
    return [
        member,
        visitor,
        f.PersonFactory(region=net.region, school=net.baksan_school, last_name="Школьная"),
        f.PersonFactory(region=net.region, last_name="Региональная"),
        f.PersonFactory(region=other_region, last_name="Чужая"),
        *Person.objects.filter(user__isnull=False),
    ]


def test_one_persons_check_keeps_the_rule_of_the_visible_set(net):
    from people.access import may_see_person

    people = people_around(net)
    for user in vars(net.users).values():
        for action in ("view", "manage"):
            expected = set(Person.objects.restrict(user, action).values_list("pk", flat=True))
            got = {p.pk for p in people if may_see_person(user, p.pk, action)}
            assert got == expected & {p.pk for p in people}, (user.username, action)


def test_the_card_answers_404_and_403_as_before(net):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from network.views import get_restricted
    from people.views import get_person

    def outcome(fn, *args):
        try:
            return fn(*args).pk
        except Http404:
            return 404
        except PermissionDenied:
            return 403

    people = people_around(net)
    seen = {404: 0, 403: 0, "ok": 0}
    for user in vars(net.users).values():
        for person in people:
            for action in ("view", "manage"):
                before = outcome(get_restricted, Person.objects.all(), user, person.pk, action)
                after = outcome(get_person, user, person.pk, action)
                assert after == before, (user.username, person.last_name, action)
                seen[before if before in (403, 404) else "ok"] += 1
    assert all(seen.values()), seen  # every outcome was met


def test_the_card_and_portfolio_build_no_visible_set(net, login):
    person = f.PersonFactory(region=net.region, last_name="Карточкина")
    client = login(net.users.reviewer)
    pages = ((reverse("people:person", args=[person.pk]), 10), (reverse("growth:portfolio", args=[person.pk]), 18))
    for url, bound in pages:
        response, sql = queries_of(client, url)
        assert "Карточкина" in response.content.decode()
        assert not [q for q in sql if "UNION" in q and "people_membership" in q], url
        assert len(sql) <= bound, (url, len(sql))
    outsider = login(net.users.outsider)
    assert outsider.get(reverse("people:person", args=[person.pk])).status_code == 404
    assert outsider.get(reverse("growth:portfolio", args=[person.pk])).status_code == 404


def test_a_whole_region_travels_as_its_index_not_as_ids(net, login):
    from orgunits.access import access_for
    from people.access import visible_ids

    people = people_around(net)
    visitor = next(p for p in people if p.last_name == "Гостева")
    reviewer = net.users.reviewer
    beyond = visible_ids(access_for(reviewer), "view", beyond_regions=True)
    assert {pk for (pk,) in beyond.values_list("pk")} == {visitor.pk}  # the region's own people are not ids
    # The list still shows exactly the visible set: the region by its index plus those beyond it.
    response = login(reviewer).get(reverse("people:list"), {"per_page": 100})
    shown = {row.record.pk for row in response.context["table"].page.object_list}
    assert shown == set(Person.objects.restrict(reviewer).values_list("pk", flat=True))
    assert visitor.pk in shown and not [p for p in people if p.last_name == "Чужая" and p.pk in shown]
