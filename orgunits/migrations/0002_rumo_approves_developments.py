"""РУМО takes teachers' developments for expertise (000 г): add «development» to what the
РУМО kind approves, so that routing (submissions.services.approver_for) finds it."""

from django.db import migrations

DEVELOPMENT = "development"


def forwards(apps, schema_editor):
    UnitKind = apps.get_model("orgunits", "UnitKind")
    for kind in UnitKind.objects.filter(code="rumo"):
        if DEVELOPMENT not in kind.approves_documents:
            kind.approves_documents = [*kind.approves_documents, DEVELOPMENT]
            kind.save(update_fields=["approves_documents"])


def backwards(apps, schema_editor):
    UnitKind = apps.get_model("orgunits", "UnitKind")
    for kind in UnitKind.objects.filter(code="rumo"):
        if DEVELOPMENT in kind.approves_documents:
            kind.approves_documents = [d for d in kind.approves_documents if d != DEVELOPMENT]
            kind.save(update_fields=["approves_documents"])


class Migration(migrations.Migration):
    dependencies = [("orgunits", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
