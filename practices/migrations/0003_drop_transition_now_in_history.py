# The rows were copied to history.LogEntry by 0002; nothing reads this table any more.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('practices', '0002_transitions_to_history'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Transition',
        ),
    ]
