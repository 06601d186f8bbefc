"""Every row of the old submissions.Transition table becomes a history.LogEntry (action
«transition»), written as the workflow engine writes its moves; 0005 then drops the table.
Reversible: the entries are copied back and removed from the history."""

from django.db import migrations

from workflow.legacy import copy_back, copy_to_history

MOVES = {
    ("draft", "submitted"): "submit",
    ("returned", "submitted"): "submit",
    ("submitted", "approved"): "approve",
    ("submitted", "returned"): "return",
    ("approved", "returned"): "reopen",
}
LABELS = {"plan": "План работы", "report": "Годовой отчёт", "candidate": "Кандидатура руководителя"}


def period(campaign) -> str:
    if campaign.document_type in ("report", "candidate"):
        return str(campaign.year)
    return f"{campaign.year}/{campaign.year + 1}"


def forwards(apps, schema_editor):
    copy_to_history(
        apps,
        app_label="submissions",
        model="Submission",
        transition="Transition",
        owner_field="submission",
        moves=MOVES,
        related=("campaign", "unit"),
        kind_of=lambda s: s.campaign.document_type,
        repr_of=lambda s: (
            f"{LABELS.get(s.campaign.document_type, s.campaign.document_type)} {period(s.campaign)}: "
            f"{s.unit.short_name or s.unit.name}"
        ),
    )


def backwards(apps, schema_editor):
    copy_back(apps, app_label="submissions", model="Submission", transition="Transition", owner_field="submission")


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0003_alter_campaign_document_type"),
        ("history", "0001_log_entry"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
