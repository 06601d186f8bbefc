"""Grants and revocations are written to the one history (history.LogEntry), not a table of their own:
one entry about the unit, attributed through history.context, shown on the unit's «История» tab, on the
«Доступ» page, on the person card and on the region's grant log; the old GrantLog rows moved there."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from history.context import Via, acting
from history.models import LogEntry
from orgunits import grant_log
from orgunits.access import grant_role, revoke_role
from orgunits.models import OrgUnit
from people.services import sync_person_access

from . import factories as f


def unit_entries(unit):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(OrgUnit), object_id=unit.pk)


def test_a_grant_on_the_access_page_is_one_history_entry_about_the_unit(net, login):
    before = unit_entries(net.terek).count()
    login(net.users.admin).post(
        reverse("orgunits:access", args=[net.terek.pk]),
        {"username": "teacher", "role": "reviewer"},
        HTTP_X_REQUEST_ID="req-grant-1",
    )
    assert unit_entries(net.terek).count() == before + 1
    entry = unit_entries(net.terek).latest("pk")
    assert entry.kind == grant_log.GRANT_KIND
    assert entry.action == LogEntry.Action.CHANGE
    assert entry.actor == net.users.admin
    assert entry.via == Via.PAGE and entry.request_id == "req-grant-1"
    assert entry.detail == "страница «Доступ»"
    ((label, pair),) = entry.changes.items()
    assert "эксперт (куратор)" in label and net.users.teacher.get_full_name() in label
    assert "teacher" not in label  # the login is not shown to every reader of the unit's history
    assert pair == ["—", "назначена"]
    assert entry.snapshot["grant"] == {
        "user": net.users.teacher.pk,
        "role": "reviewer",
        "change": "granted",
        "path": "access_page",
    }


def test_a_revocation_says_so_and_a_repeated_one_writes_nothing(net):
    grant_role(net.users.teacher, net.terek, "reviewer")
    assert revoke_role(net.users.teacher, net.terek, "reviewer", by=net.users.admin)
    entry = unit_entries(net.terek).filter(kind=grant_log.GRANT_KIND).first()
    assert entry.actor == net.users.admin and list(entry.changes.values()) == [["назначена", "отозвана"]]
    count = LogEntry.objects.count()
    assert not revoke_role(net.users.teacher, net.terek, "reviewer", by=net.users.admin)
    assert LogEntry.objects.count() == count


def test_the_units_history_tab_shows_the_grant(net, login):
    grant_role(net.users.teacher, net.terek, "reviewer", by=net.users.admin)
    page = login(net.users.admin).get(reverse("history:object", args=["orgunits.orgunit", net.terek.pk]))
    assert page.status_code == 200
    text = page.content.decode().lower()
    name = net.users.teacher.get_full_name().lower()
    assert f"роль «эксперт (куратор)»: {name}" in text and "назначена" in text


def test_an_import_is_attributed_to_the_import(net):
    person = f.PersonFactory(region=net.region, user=f.UserFactory(username="loaded"))
    f.member(person, net.baksan, "secretary")
    with acting(user=net.users.methodist, via=Via.IMPORT, request_id="import-7"):
        sync_person_access(person, via=grant_log.GrantVia.IMPORT)
    entry = unit_entries(net.baksan).get(kind=grant_log.GRANT_KIND, snapshot__grant__user=person.user_id)
    assert (entry.actor, entry.via, entry.request_id, entry.detail) == (
        net.users.methodist,
        Via.IMPORT,
        "import-7",
        "загрузка реестра",
    )


@pytest.mark.parametrize("page", ["access", "region"])
def test_the_grant_log_pages_run_a_bounded_number_of_queries(net, login, django_assert_max_num_queries, page):
    users = [f.UserFactory(username=f"u{i}") for i in range(30)]
    for user in users:
        grant_role(user, net.terek, "reviewer", by=net.users.admin)
        revoke_role(user, net.terek, "reviewer", by=net.users.admin)
    url = (
        reverse("orgunits:access", args=[net.terek.pk])
        if page == "access"
        else reverse("orgunits:region_grant_log", args=[net.region.pk])
    )
    client = login(net.users.admin)
    client.get(url)  # warm the session
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("(u2") >= 2


def test_the_person_card_reads_the_history(net, login):
    grant_role(net.users.teacher, net.terek, "reviewer", by=net.users.admin, via=grant_log.GrantVia.ACCESS_PAGE)
    page = login(net.users.admin).get(reverse("people:person", args=[net.users.teacher_person.pk])).content.decode()
    assert "Роли учётной записи" in page and "страница «Доступ»" in page and net.terek.name in page


BEFORE = [("orgunits", "0003_grant_log")]


def facts():
    return sorted(
        (e.object_id, e.actor_id or 0, e.at.isoformat(), tuple(sorted(e.snapshot["grant"].items())))
        for e in grant_log.grant_entries()
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_grant_log_rows_both_ways(net):
    from django.db.migrations.executor import MigrationExecutor

    grant_role(net.users.teacher, net.terek, "reviewer", by=net.users.admin)
    revoke_role(net.users.teacher, net.terek, "reviewer", by=net.users.admin)
    before = facts()
    assert len(before) >= 3
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldGrantLog = old.get_model("orgunits", "GrantLog")
        assert OldGrantLog.objects.count() == len(before)
        row = OldGrantLog.objects.get(user_id=net.users.teacher.pk, change="revoked")
        assert (row.by_id, row.unit_id, row.role, row.via) == (net.users.admin.pk, net.terek.pk, "reviewer", "system")
        assert not grant_log.grant_entries().exists()
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
    finally:
        # Forward through 0005 and on to the newest state (later migrations of the app included).
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert facts() == before
    entry = grant_log.grant_entries().filter(snapshot__grant__change="revoked").get()
    assert entry.detail == "система (команда, демонстрационные данные)"
    assert list(entry.changes.values()) == [["назначена", "отозвана"]]
