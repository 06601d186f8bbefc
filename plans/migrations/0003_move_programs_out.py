"""Programs and roadmaps moved to the app `programs`: they leave the state of plans, their tables stay.

Only the state changes here (no SQL); programs 0001 takes the models over with the same tables and moves
their content types, so the history entries and permissions that point at them follow."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0002_programs_roadmaps'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.RemoveField(
                model_name='roadmapitem',
                name='program',
            ),
            migrations.RemoveField(
                model_name='roadmapevent',
                name='item',
            ),
            migrations.RemoveField(
                model_name='roadmapitem',
                name='order',
            ),
            migrations.RemoveField(
                model_name='roadmapitem',
                name='responsible_person',
            ),
            migrations.RemoveField(
                model_name='roadmapitem',
                name='responsible_unit',
            ),
            migrations.DeleteModel(
                name='Program',
            ),
            migrations.DeleteModel(
                name='RoadmapEvent',
            ),
            migrations.DeleteModel(
                name='RoadmapItem',
            ),
            ],
            database_operations=[],
        ),
    ]
