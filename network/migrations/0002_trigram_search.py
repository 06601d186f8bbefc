"""Trigram indexes for the «contains» searches on PostgreSQL.

The case-folded `search` columns are searched with LIKE '%…%', which no B-tree index serves: at
national scale (a million teachers) that is a full scan per keystroke. A GIN index with
gin_trgm_ops serves it. SQLite (the embedded default) has no such index and needs none.
"""

from django.db import migrations

INDEXES = [
    ("people_person", "person_search_trgm"),
    ("orgunits_orgunit", "orgunit_search_trgm"),
    ("orgunits_school", "school_search_trgm"),
    ("events_event", "event_search_trgm"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, name in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0001_initial"),
        ("people", "0002_candidacy"),
        ("orgunits", "0002_rumo_approves_developments"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
