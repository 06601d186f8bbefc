"""The tables of the needs surveys get the app's own names (growth_* → surveys_*, with the answer's
many-to-many tables); reversible."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_move_surveys_out"),
    ]

    operations = [
        migrations.AlterModelTable(name="needssurvey", table=None),
        migrations.AlterModelTable(name="surveytopic", table=None),
        migrations.AlterModelTable(name="needsanswer", table=None),
    ]
