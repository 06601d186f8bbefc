# The rows were copied to history.LogEntry by 0004; nothing reads this table any more.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0004_transitions_to_history"),
    ]

    operations = [
        migrations.DeleteModel(
            name="Transition",
        ),
    ]
