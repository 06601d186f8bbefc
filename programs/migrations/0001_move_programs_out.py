"""The programs and roadmaps of plans, taken over with their tables and data (see plans 0003).

The state is created over the existing tables plans_program, plans_roadmapitem, plans_roadmapevent (no SQL);
the content types move from plans to programs, so history.LogEntry rows, permissions and object
permissions keep pointing at the same models. 0002 then renames the tables."""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("program", "roadmapitem", "roadmapevent")


def move_content_types(from_label, to_label):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in MODELS:
            # A content type created meanwhile for the new label (post_migrate of an earlier run) holds no
            # rows yet: the old one, with the history and permissions, is the one to keep.
            old = ContentType.objects.using(db).filter(app_label=from_label, model=model)
            if old.exists():
                ContentType.objects.using(db).filter(app_label=to_label, model=model).delete()
                old.update(app_label=to_label)

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('plans', '0003_move_programs_out'),
        ('orders', '0001_initial'),
        ('orgunits', '0003_grant_log'),
        ('people', '0005_access_log_names_the_export'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Program',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='версия')),
                    ('name', models.CharField(max_length=500, verbose_name='наименование')),
                    ('legal_basis', models.TextField(blank=True, help_text='Законы, распоряжения, приказы.', verbose_name='основания разработки')),
                    ('goal', models.TextField(verbose_name='цель программы')),
                    ('tasks', models.TextField(blank=True, help_text='По одной задаче в строке.', verbose_name='задачи программы')),
                    ('start_year', models.PositiveSmallIntegerField(verbose_name='начало реализации (год)')),
                    ('end_year', models.PositiveSmallIntegerField(verbose_name='окончание реализации (год)')),
                    ('expected_results', models.TextField(blank=True, help_text='По одному в строке.', verbose_name='ожидаемые результаты')),
                    ('state', models.CharField(choices=[('draft', 'проект'), ('active', 'реализуется'), ('finished', 'завершена')], default='draft', max_length=10, verbose_name='состояние')),
                    ('search', models.CharField(default='', editable=False, max_length=600)),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='создана')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='изменена')),
                    ('approval_order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='approved_programs', to='orders.order', verbose_name='приказ об утверждении')),
                    ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='programs', to='orgunits.orgunit', verbose_name='подразделение')),
                ],
                options={
                    'db_table': 'plans_program',
                    'verbose_name': 'программа',
                    'verbose_name_plural': 'программы',
                    'ordering': ['-start_year', 'name', 'pk'],
                },
            ),
            migrations.CreateModel(
                name='RoadmapItem',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='версия')),
                    ('section', models.CharField(blank=True, max_length=300, verbose_name='направление (раздел)')),
                    ('number', models.CharField(blank=True, help_text='Например, 1.1.', max_length=20, verbose_name='№')),
                    ('position', models.PositiveIntegerField(default=0, verbose_name='порядок')),
                    ('activity', models.TextField(verbose_name='мероприятие')),
                    ('responsible_text', models.CharField(blank=True, help_text='Например, «методисты МАУ ИМК».', max_length=500, verbose_name='ответственные (текстом)')),
                    ('term_kind', models.CharField(choices=[('date', 'дата'), ('month', 'месяц года'), ('year', 'в течение года'), ('annual', 'ежегодно в месяце'), ('period', 'в течение всего периода')], default='month', max_length=10, verbose_name='срок')),
                    ('term_date', models.DateField(blank=True, null=True, verbose_name='дата')),
                    ('term_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='год')),
                    ('term_month', models.PositiveSmallIntegerField(blank=True, choices=[(1, 'январь'), (2, 'февраль'), (3, 'март'), (4, 'апрель'), (5, 'май'), (6, 'июнь'), (7, 'июль'), (8, 'август'), (9, 'сентябрь'), (10, 'октябрь'), (11, 'ноябрь'), (12, 'декабрь')], null=True, verbose_name='месяц')),
                    ('due_on', models.DateField(editable=False, verbose_name='выполнить до')),
                    ('result', models.TextField(blank=True, help_text='Например, «Приказ от … № …».', verbose_name='результат выполнения')),
                    ('status', models.CharField(choices=[('planned', 'запланировано'), ('in_progress', 'выполняется'), ('done', 'выполнено'), ('cancelled', 'отменено')], db_index=True, default='planned', max_length=12, verbose_name='состояние')),
                    ('done_on', models.DateField(blank=True, null=True, verbose_name='выполнено')),
                    ('comment', models.TextField(blank=True, verbose_name='комментарий')),
                    ('order', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='roadmap_items', to='orders.order', verbose_name='приказ')),
                    ('program', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='programs.program', verbose_name='программа')),
                    ('responsible_person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='roadmap_items', to='people.person', verbose_name='ответственное лицо')),
                    ('responsible_unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='roadmap_items', to='orgunits.orgunit', verbose_name='ответственное подразделение')),
                ],
                options={
                    'db_table': 'plans_roadmapitem',
                    'verbose_name': 'пункт дорожной карты',
                    'verbose_name_plural': 'пункты дорожной карты',
                    'ordering': ['program', 'position', 'pk'],
                },
            ),
            migrations.CreateModel(
                name='RoadmapEvent',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('due_on', models.DateField(verbose_name='срок')),
                    ('on', models.DateField(verbose_name='дата')),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='programs.roadmapitem')),
                ],
                options={
                    'db_table': 'plans_roadmapevent',
                    'verbose_name': 'уведомление о просрочке пункта',
                    'verbose_name_plural': 'уведомления о просрочке пунктов',
                },
            ),
            migrations.AddIndex(
                model_name='program',
                index=models.Index(fields=['unit', 'state'], name='program_unit_state'),
            ),
            migrations.AddIndex(
                model_name='roadmapitem',
                index=models.Index(fields=['status', 'due_on'], name='roadmap_item_status_due'),
            ),
            migrations.AddConstraint(
                model_name='roadmapevent',
                constraint=models.UniqueConstraint(fields=('item', 'due_on'), name='roadmap_event_once'),
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types("plans", "programs"), move_content_types("programs", "plans")),
    ]
