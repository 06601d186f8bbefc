import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("history", "0001_log_entry"),
    ]

    operations = [
        migrations.AddField(
            model_name="logentry",
            name="owner_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
            ),
        ),
        migrations.AddField(
            model_name="logentry",
            name="owner_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="logentry",
            name="personal_of",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="logentry",
            index=models.Index(fields=["owner_type", "owner_id", "-at"], name="history_owner_at"),
        ),
    ]
