"""A page costs the same number of SQL queries whatever the size of the network.

Each test measures one page for one login at 10 units, grows the region to 2 000 units
(with a few hundred people and their memberships) and measures again: the two counts must be
equal, and stay under the ceiling of the page. The counts are printed at the end of the module.
"""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.orgunits import inn_with_checksum
from network.models import normalize_search
from orgunits.models import OrgUnit, School
from people.models import Membership, Person
from tests import factories as f

from .factories import TERM_START

SMALL, BIG = 10, 2_000
PEOPLE_SMALL, PEOPLE_BIG = 4, 400

# The most queries a page may cost, as measured (both logins, both sizes): session, user, the
# user's grants (2), then the page's own, and the bell's unread count on every full page (not on
# the htmx fragment tree_children). A new query on one of these pages must be a decision: the unit
# card added its documents (one query).
CEILINGS = {
    "tree": 7,
    "tree_children": 6,
    "tree_search": 8,
    "unit": 14,
    # + the sizes of the unit and school filter lists (short lists at any scale) and one insert: the
    # 152-ФЗ entries of the people on the page; the schools of the page's rows (read after the page, not
    # joined before its sort) and, on PostgreSQL, the visible id set read once for the count and the page
    "people_list": 15,
    "people_list_filtered": 17,
    "schools": 7,
}

MEASURED: dict[tuple[str, str], tuple[int, int]] = {}

_seq = itertools.count(1)


@pytest.fixture(scope="module", autouse=True)
def report(request):
    yield
    if not MEASURED:
        return
    lines = ["", f"SQL queries per page ({SMALL} units → {BIG} units):"]
    lines += [f"  {page:22} {role:10} {small:3} → {big:3}" for (page, role), (small, big) in sorted(MEASURED.items())]
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:
        print("\n".join(lines))
        return
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


def grow(net, units_total, people_total):
    """Bring the region to `units_total` units: РМО under both municipalities, ШМО under the РМО,
    a school for every ten ШМО, and `people_total` more people, each a member of one unit
    (every fourth of the Terek МунУМО itself, every eighth a former member)."""
    kinds = net.kinds
    need = units_total - OrgUnit.objects.count()
    assert need >= 0
    munis = [net.terek, net.baksan]
    n_rmo = max(1, need // 50)
    n_shmo = need - n_rmo

    schools = {net.terek.pk: [net.school], net.baksan.pk: [net.baksan_school]}
    new_schools = []
    for i in range(n_shmo // 10):
        n = next(_seq)
        muni = munis[i % 2]
        new_schools.append(
            School(
                name=f"Гимназия № {n}",
                short_name=f"Гимназия № {n}",
                inn=inn_with_checksum(f"09{n:07d}"),
                municipality=muni,
                search=normalize_search(f"Гимназия № {n}", f"Гимназия № {n}"),
            )
        )
    for school in School.objects.bulk_create(new_schools):
        schools[school.municipality_id].append(school)

    def node(kind, parent, name, school=None):
        return f.bulk_node(net.region, kind, parent, name, school)

    with OrgUnit.objects.disable_mptt_updates():
        rmos = OrgUnit.objects.bulk_create(
            [node(kinds["rmo"], munis[i % 2], f"РМО учителей № {next(_seq)} {munis[i % 2].name}") for i in range(n_rmo)]
        )
        parents = [net.terek_rmo, net.baksan_rmo, *rmos]
        muni_of = {net.terek_rmo.pk: net.terek.pk, net.baksan_rmo.pk: net.baksan.pk}
        muni_of.update({r.pk: r.parent_id for r in rmos})
        shmos = []
        for i in range(n_shmo):
            parent = parents[i % len(parents)]
            pool = schools[muni_of[parent.pk]]
            school = pool[i % len(pool)]
            shmos.append(node(kinds["shmo"], parent, f"ШМО № {next(_seq)} ({school.short_name})", school))
        shmos = OrgUnit.objects.bulk_create(shmos)
    OrgUnit.objects.partial_rebuild(net.rumo.tree_id)

    units = [net.terek, net.baksan, *rmos, *shmos]
    muni_of.update({s.pk: muni_of[s.parent_id] for s in shmos})
    muni_of.update({net.terek.pk: net.terek.pk, net.baksan.pk: net.baksan.pk})
    people = []
    for i in range(people_total):
        n = next(_seq)
        unit = units[i % len(units)]
        pool = schools[muni_of[unit.pk]]
        last = f"Учителева{n}"
        people.append(
            Person(
                region=net.region,
                last_name=last,
                first_name="Анна",
                middle_name="Петровна",
                position="учитель",
                school=pool[i % len(pool)],
                email=f"bulk{n}@example.org",
                search=normalize_search(last, "Анна", "Петровна", f"bulk{n}@example.org"),
            )
        )
    people = Person.objects.bulk_create(people)
    Membership.objects.bulk_create(
        [
            Membership(
                person=person,
                unit=net.terek if i % 4 == 3 else units[i % len(units)],
                role="member",
                starts_on=TERM_START,
                ends_on=Membership.default_term_end(TERM_START),
                left_on=TERM_START if i % 8 == 7 else None,
            )
            for i, person in enumerate(people)
        ]
    )
    assert OrgUnit.objects.count() == units_total


def pages(net):
    return {
        "tree": reverse("orgunits:tree"),
        "tree_children": reverse("orgunits:tree_children", args=[net.terek.pk]),
        "tree_search": reverse("orgunits:tree") + "?q=шмо",
        "unit": reverse("orgunits:unit", args=[net.terek.pk]),
        "people_list": reverse("people:list"),
        "people_list_filtered": reverse("people:list")
        + f"?q=учител&unit={net.terek.pk}&role=member&school={net.school.pk}",
        "schools": reverse("orgunits:schools"),
    }


def count_queries(client, url):
    client.get(url)  # warm the caches that live across requests (content types and the like)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries], response


@pytest.mark.parametrize("role", ["reviewer", "methodist"])
@pytest.mark.parametrize("page", list(CEILINGS))
def test_query_count_does_not_grow_with_the_network(client, net, django_assert_max_num_queries, page, role):
    client.force_login(getattr(net.users, role))
    url = pages(net)[page]

    grow(net, SMALL, PEOPLE_SMALL)
    small_sql, small_response = count_queries(client, url)

    grow(net, BIG, PEOPLE_BIG)
    big_sql, big_response = count_queries(client, url)
    with django_assert_max_num_queries(CEILINGS[page]):
        client.get(url)

    MEASURED[page, role] = (len(small_sql), len(big_sql))
    print(f"{page} {role}: {len(small_sql)} queries at {SMALL} units, {len(big_sql)} at {BIG}")
    assert len(big_sql) == len(small_sql), "\n".join(big_sql)
    assert len(big_response.content) >= len(small_response.content)
