"""The pieces of the HTTP load benchmark (scripts/bench_http.py) on the test database.

The load itself (gunicorn, locust, minutes) is a benchmark, not a test; here: the users it prepares
can log in and do through the real views exactly what the locustfile does, the database check
finds a save or a send that did not happen, and the clean-up leaves the database as it found it.
"""

import importlib.util
import os
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from history.models import LogEntry
from network.models import Notification
from people.models import Membership, Person
from submissions.models import Campaign, State, Submission

ROOT = Path(__file__).resolve().parent.parent


def load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load("bench_http")
benchdoc = load("benchdoc")


def counts():
    return {
        "users": get_user_model().objects.count(),
        "people": Person.objects.count(),
        "memberships": Membership.objects.count(),
        "campaigns": Campaign.objects.count(),
        "submissions": Submission.objects.count(),
        "history": LogEntry.objects.count(),
        "notifications": Notification.objects.count(),
    }


def log_in(client, username):
    page = client.get("/accounts/login/")
    token = bench.csrf_token(page.content.decode())
    response = client.post(
        "/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": bench.PASSWORD}
    )
    assert response.status_code == 302, "the load's password must log the user in"


def post_editor(client, methodist, sections, action):
    """What the locustfile does: open the editor, read its version and token, post every field."""
    editor = f"/submissions/{methodist['submission']}/report/"
    html = client.get(editor).content.decode()
    version, token = bench.expected_version(html), bench.csrf_token(html)
    assert version is not None and token is not None
    return client.post(editor, bench.editor_post(sections, methodist["figures"], version, token, action))


def test_load_users_save_and_send_through_the_views_and_the_check_agrees(net, client, django_assert_max_num_queries):
    before = counts()
    plan = bench.prepare(5, net.region.code)
    assert len(plan["methodists"]) == 4 and len(plan["reviewers"]) == 1
    assert len({m["unit"] for m in plan["methodists"]}) == 4, "each methodist files for a unit of their own"
    assert all(u["username"].startswith(bench.PREFIX) for u in plan["methodists"] + plan["reviewers"])

    first = plan["methodists"][0]
    log_in(client, first["username"])
    sections = dict(first["sections"])
    saves = []
    for number, field in enumerate(list(sections)[:2], start=1):
        sections[field] = bench.save_text(first["username"], number, field)
        response = post_editor(client, first, sections, "save")
        assert response.status_code == 302 and response["Location"] == f"/submissions/{first['submission']}/report/"
        saves.append([field, sections[field]])
    response = post_editor(client, first, sections, "send")
    assert response["Location"] == f"/submissions/{first['submission']}/", "a full report goes without the check page"
    assert Submission.objects.get(pk=first["submission"]).state == State.SUBMITTED

    reviewer = get_user_model().objects.get(username=plan["reviewers"][0]["username"])
    client.force_login(reviewer)
    for url in ["/inbox/", "/inbox/documents/", *plan["campaigns"], *plan["units"][:3], plan["documents"][0]]:
        assert client.get(url).status_code == 200, url

    done = {first["username"]: {"submission": first["submission"], "saves": saves, "sent": True}}
    with django_assert_max_num_queries(8):  # the check costs the same for 160 methodists as for 4
        check = bench.verify(plan, done)
    assert check["problems"] == []
    assert (check["sent"], check["submit_entries"], check["saves"], check["change_entries"]) == (1, 1, 2, 2)
    assert check["untouched"] == 3

    # A save the database does not have, a send that did not happen: both are found.
    lost = {first["username"]: done[first["username"]] | {"saves": [*saves, [saves[0][0], "потерянная правка"]]}}
    assert any("записей истории" in p for p in bench.verify(plan, lost)["problems"])
    assert any("не последний сохранённый текст" in p for p in bench.verify(plan, lost)["problems"])
    second = plan["methodists"][1]
    phantom = done | {second["username"]: {"submission": second["submission"], "saves": [], "sent": True}}
    problems = bench.verify(plan, phantom)["problems"]
    assert any(f"документ {second['submission']}: переходов «submit» 0" in p for p in problems)

    removed = bench.cleanup()
    assert removed["users"] == 5 and removed["documents"] == 4
    assert counts() == before, "the clean-up leaves the database as it found it"
    assert bench.cleanup()["users"] == 0


def test_a_region_without_enough_filing_units_is_refused_in_russian(net):
    with pytest.raises(SystemExit, match="подразделений, представляющих отчёты"):
        bench.prepare(50, net.region.code)
    assert not Campaign.objects.filter(title__startswith=bench.PREFIX).exists()


def test_cpu_meter_counts_the_time_of_a_busy_process():
    meter = bench.CpuMeter(lambda: [os.getpid()])
    meter.sample()
    started = time.process_time()
    while time.process_time() - started < 0.2:
        pass
    meter.sample()
    assert 0.15 < meter.total < 2


@pytest.mark.django_db
def test_backends_of_the_database_are_found_by_their_title():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL backends only")
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("SELECT pid, client_port, inet_server_port() FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        pid, client_port, server_port = cur.fetchone()
    if not Path(f"/proc/{pid}").exists():
        pytest.skip("the server runs on another host")
    name = connection.settings_dict["NAME"]
    assert pid in bench.backend_pids(name)
    # Only the backends of the given clients: this process's connection is found by its port, no other.
    ports = bench.client_ports([os.getpid()], server_port)
    assert client_port in ports
    assert pid in bench.backend_pids(name, ports)
    assert pid not in bench.backend_pids(name, ports - {client_port})


def test_the_section_replaces_only_its_own_markers(tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n<!-- mail -->\nmail\n<!-- /mail -->\n", encoding="utf-8")
    benchdoc.write_section(doc, "<!-- http -->\nfirst\n<!-- /http -->", "<!-- http -->", "<!-- /http -->")
    benchdoc.write_section(doc, "<!-- http -->\nsecond\n<!-- /http -->", "<!-- http -->", "<!-- /http -->")
    text = doc.read_text(encoding="utf-8")
    assert "second" in text and "first" not in text and "<!-- mail -->\nmail\n<!-- /mail -->" in text
    assert text.count("<!-- http -->") == 1
    with pytest.raises(ValueError):
        benchdoc.write_section(doc, "no markers", "<!-- http -->", "<!-- /http -->")
