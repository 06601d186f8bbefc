"""Every row of the old practices.Transition table becomes a history.LogEntry (action
«transition»), as the workflow engine writes its moves; 0003 then drops the table.
Reversible: the entries are copied back and removed from the history."""

from django.db import migrations

from workflow.legacy import copy_back, copy_to_history

# The moves of practices/machines.py by the states they join; a decision is named by its outcome.
MOVES = {
    ("draft", "submitted"): "submit",
    ("to_revise", "resubmitted"): "resubmit",
    ("submitted", "in_expertise"): "assign",
    ("resubmitted", "in_expertise"): "assign",
    ("in_expertise", "in_expertise"): "expertise",
    ("in_expertise", "recommended"): "recommend",
    ("in_expertise", "to_revise"): "revise",
    ("in_expertise", "rejected"): "reject",
    ("recommended", "published"): "publish",
    ("published", "recommended"): "unpublish",
}


def forwards(apps, schema_editor):
    copy_to_history(
        apps,
        app_label="practices",
        model="Development",
        transition="Transition",
        owner_field="development",
        moves=MOVES,
        kind_of=lambda dev: "development",
        repr_of=lambda dev: dev.title,
    )


def backwards(apps, schema_editor):
    copy_back(apps, app_label="practices", model="Development", transition="Transition", owner_field="development")


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0001_initial"),
        ("history", "0001_log_entry"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
