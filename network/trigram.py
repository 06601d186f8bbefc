"""Trigram (pg_trgm) GIN indexes for the case-folded `search` columns, created by migrations.

A `search__contains` filter is `LIKE '%…%'` on PostgreSQL, which no B-tree index serves: on a national
register that is a scan of the whole table per search. A GIN index with gin_trgm_ops serves it. SQLite
(the embedded default) has neither the extension nor the index and needs none: the operation is a no-op
there, and reversible everywhere.
"""

from django.db import migrations


def trigram_indexes(*indexes: tuple[str, str, str]) -> migrations.RunPython:
    """A migration operation creating (table, index name, column) trigram indexes on PostgreSQL."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, name, column in indexes:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for _, name, _ in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
