"""The needs surveys moved to the app `surveys`: they leave the state of growth, their tables stay.

Only the state changes here (no SQL); surveys 0001 takes the models over with the same tables and moves
their content types, so the history entries and permissions that point at them follow."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('growth', '0003_growth_record_versions'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='needssurvey',
                name='unit',
            ),
            migrations.RemoveField(
                model_name='surveytopic',
                name='survey',
            ),
            migrations.DeleteModel(
                name='NeedsAnswer',
            ),
            migrations.DeleteModel(
                name='NeedsSurvey',
            ),
            migrations.DeleteModel(
                name='SurveyTopic',
            ),
            ],
            database_operations=[],
        ),
    ]
