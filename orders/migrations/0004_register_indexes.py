"""The national orders register: an index for its order, a trigram index for its search (PostgreSQL)."""

from django.db import migrations, models

from network.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_agreement"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(fields=["-date", "-number", "-id"], name="order_register"),
        ),
        trigram_indexes(("orders_order", "order_search_trgm", "search")),
    ]
