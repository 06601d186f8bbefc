"""The tables of the programs get the app's own names (plans_* → programs_*); reversible."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0001_move_programs_out"),
    ]

    operations = [
        migrations.AlterModelTable(name="program", table=None),
        migrations.AlterModelTable(name="roadmapitem", table=None),
        migrations.AlterModelTable(name="roadmapevent", table=None),
    ]
