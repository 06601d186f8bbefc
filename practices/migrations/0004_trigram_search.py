"""The practices bank's search (words of the title, topic and annotation) from a trigram index on PostgreSQL."""

from django.db import migrations

from network.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0003_drop_transition_now_in_history"),
    ]

    operations = [trigram_indexes(("practices_development", "development_search_trgm", "search"))]
