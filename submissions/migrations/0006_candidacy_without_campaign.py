"""Documents without a campaign (a candidacy) name their kind and year; 0007 moves the candidacies
off their made-up campaigns, 0008 adds the rules. Three steps: PostgreSQL does not alter a table
with pending updates in the same transaction."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgunits", "0003_grant_log"),
        ("submissions", "0005_drop_transition_now_in_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="own_kind",
            field=models.CharField(
                blank=True,
                choices=[
                    ("plan", "план работы"),
                    ("report", "годовой отчёт"),
                    ("candidate", "кандидатура руководителя"),
                    ("development", "методическая разработка"),
                ],
                max_length=20,
                verbose_name="вид документа вне кампании",
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="own_year",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="год документа вне кампании"),
        ),
        migrations.AlterField(
            model_name="submission",
            name="campaign",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="submissions",
                to="submissions.campaign",
                verbose_name="кампания",
            ),
        ),
    ]
