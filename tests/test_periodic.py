"""The daily sweep runs the steps the apps registered (network.periodic); a broken step does not stop the others."""

import ast
import datetime
import inspect

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from network import periodic
from orgunits.models import DocumentType
from submissions import deadlines
from submissions.models import Campaign, DeadlineEvent

DAY = datetime.date(2027, 2, 26)  # a day after the report's due date: both МунУМО are late


@pytest.fixture
def campaign(net):
    c = Campaign.objects.create(
        region=net.region, document_type=DocumentType.REPORT, year=2026, **Campaign.defaults_for("report", 2026)
    )
    c.filer_kinds.set([net.kinds["munumo"]])
    net.users.secretary.email = "secretary@example.org"
    net.users.secretary.save()
    return c


@pytest.fixture
def broken_governance(monkeypatch):
    """The meetings' step raises; a spy step placed after it records that it still ran."""
    ran = []

    def boom(today, report):
        raise RuntimeError("база заседаний недоступна")

    def spy(today, report):
        ran.append(today)

    periodic.steps()  # discover the real steps first, so the replacement is not overwritten
    monkeypatch.setitem(periodic._STEPS, "meetings.governance", periodic.Step("meetings.governance", boom, 20))
    monkeypatch.setitem(periodic._STEPS, "tests.spy", periodic.Step("tests.spy", spy, 25))
    return ran


def test_the_registry_lists_the_steps_in_order():
    names = [s.name for s in periodic.steps()]
    # Other apps may add steps between these; these keep their order.
    core = [
        "submissions.campaigns",
        "meetings.governance",
        "programs.roadmaps",
        "surveys.close_expired",
        "network.kept_uploads",
    ]
    assert [n for n in names if n in core] == core
    assert names[0] == "submissions.campaigns" and names[-1] == "network.kept_uploads"


def test_every_step_is_written_for_a_region():
    # Issue 13 (time is the region's): a step is func(today, report, region=None).
    assert all(periodic._takes_region(s.func) for s in periodic.steps())


def test_a_step_of_the_old_signature_still_runs(monkeypatch):
    monkeypatch.setattr(periodic, "_STEPS", {})
    monkeypatch.setattr(periodic, "_discovered", True)
    calls = []
    periodic.register("old", lambda today, report: calls.append(today))
    periodic.register("new", lambda today, report, region=None: calls.append(region))
    assert periodic.run_all(DAY, deadlines.SweepReport(day=DAY), region="R") == []
    assert calls == ["R", DAY]


def test_the_sweep_imports_no_other_app():
    tree = ast.parse(inspect.getsource(deadlines))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    others = {"growth", "meetings", "plans", "programs", "surveys"}
    assert not {m for m in imported if m.split(".")[0] in others}


def test_register_orders_by_order_not_by_import(monkeypatch):
    monkeypatch.setattr(periodic, "_STEPS", {})
    monkeypatch.setattr(periodic, "_discovered", True)
    calls = []
    periodic.register("b", lambda today, report: calls.append("b"), order=20)
    periodic.register("a", lambda today, report: calls.append("a"), order=10)
    assert periodic.run_all(DAY, deadlines.SweepReport(day=DAY)) == []
    assert calls == ["a", "b"]


def test_a_failing_step_does_not_stop_the_others(net, campaign, broken_governance):
    with pytest.raises(RuntimeError, match="база заседаний") as caught:
        deadlines.run_sweep(DAY)
    report = caught.value.sweep_report
    # The campaigns before it and the spy after it did their work; the letters were still relayed.
    assert report.late == 2 and DeadlineEvent.objects.filter(key="late").count() == 2
    assert broken_governance == [DAY]
    assert any("secretary@example.org" in m.to for m in mail.outbox)
    assert any("«meetings.governance» не выполнен" in line for line in report.lines)
    assert caught.value.failed_steps == ["meetings.governance"]


def test_the_retry_after_a_failure_sends_nothing_twice(net, campaign, broken_governance):
    with pytest.raises(RuntimeError):
        deadlines.run_sweep(DAY)
    sent = len(mail.outbox)
    with pytest.raises(RuntimeError):
        deadlines.run_sweep(DAY)
    assert DeadlineEvent.objects.filter(key="late").count() == 2 and len(mail.outbox) == sent


def test_the_command_prints_what_was_done_and_fails(net, campaign, broken_governance, capsys):
    with pytest.raises(CommandError, match="meetings.governance"):
        call_command("run_deadline_sweep", "--date", DAY.isoformat())
    out = capsys.readouterr().out
    assert "просрочено 2" in out and "не выполнен" in out
