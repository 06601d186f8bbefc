"""Programs and roadmaps live in the app `programs`: the move kept the data, the history and the addresses."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from history.models import LogEntry
from history.services import entries_for
from programs.models import Program, RoadmapItem

BEFORE = [("plans", "0002_programs_roadmaps"), ("programs", None)]
HISTORY = [("history", "0002_owner_and_personal_of"), ("contenttypes", "0002_remove_content_type_name")]


def make_program(net):
    program = Program.objects.create(
        unit=net.terek, name="Развитие наставничества", goal="Цель", start_year=2026, end_year=2027
    )
    RoadmapItem.objects.create(program=program, activity="Семинар", responsible_text="методисты", term_year=2026,
                               term_month=10, due_on="2026-10-31")  # fmt: skip
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Program),
        object_id=program.pk,
        object_repr=str(program),
        action=LogEntry.Action.TRANSITION,
        at="2026-09-01T10:00:00Z",
        kind="program",
        move="start",
        from_state="draft",
        to_state="active",
    )
    return program


def test_the_models_belong_to_programs():
    assert Program._meta.app_label == RoadmapItem._meta.app_label == "programs"
    assert Program._meta.db_table == "programs_program"


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_programs_and_their_history_both_ways(net):
    from django.db.migrations.executor import MigrationExecutor

    program = make_program(net)
    entries = LogEntry.objects.filter(object_id=program.pk, content_type__model="program").count()
    assert entries >= 1
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE[:1] + HISTORY).apps
        OldProgram = old.get_model("plans", "Program")
        assert OldProgram.objects.get(pk=program.pk).name == "Развитие наставничества"
        assert old.get_model("plans", "RoadmapItem").objects.filter(program_id=program.pk).count() == 1
        OldContentType = old.get_model("contenttypes", "ContentType")
        assert not OldContentType.objects.filter(app_label="programs", model="program").exists()
        plans_type = OldContentType.objects.get(app_label="plans", model="program")
        assert old.get_model("history", "LogEntry").objects.filter(content_type=plans_type).count() == entries
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
    finally:
        executor.migrate(executor.loader.graph.leaf_nodes())  # and on to the newest state
    ContentType.objects.clear_cache()
    program = Program.objects.get(pk=program.pk)
    assert program.items.get().activity == "Семинар"
    assert not ContentType.objects.filter(app_label="plans", model__in=["program", "roadmapitem"]).exists()
    assert len([e for e in entries_for(program) if e.move == "start"]) == 1


def test_the_pages_keep_their_addresses_and_names(net, login):
    program = make_program(net)
    assert reverse("plans:program", args=[program.pk]) == f"/programs/{program.pk}/"
    page = login(net.users.methodist).get(program.get_absolute_url())
    assert page.status_code == 200
    assert "Семинар" in page.content.decode()
    assert reverse("history:object", args=["programs.program", program.pk]) in page.content.decode()
