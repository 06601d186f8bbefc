"""The needs surveys of growth, taken over with their tables and data (see growth 0004).

The state is created over the existing tables growth_needssurvey, growth_surveytopic, growth_needsanswer and
the answer's two many-to-many tables (no SQL); the content types move from growth to surveys, so
history.LogEntry rows and permissions keep pointing at the same models. 0002 then renames the tables."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

MODELS = ("needssurvey", "surveytopic", "needsanswer")


def move_content_types(from_label, to_label):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in MODELS:
            # A content type created meanwhile for the new label holds no rows yet: keep the old one.
            old = ContentType.objects.using(db).filter(app_label=from_label, model=model)
            if old.exists():
                ContentType.objects.using(db).filter(app_label=to_label, model=model).delete()
                old.update(app_label=to_label)

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('growth', '0004_move_surveys_out'),
        ('orgunits', '0003_grant_log'),
        ('people', '0005_access_log_names_the_export'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='NeedsSurvey',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='версия')),
                    ('year', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(2000, 'Год — не раньше 2000.'), django.core.validators.MaxValueValidator(2100, 'Год — не позже 2100.')], verbose_name='год')),
                    ('title', models.CharField(max_length=300, verbose_name='название')),
                    ('instructions', models.TextField(blank=True, verbose_name='обращение к педагогам')),
                    ('state', models.CharField(choices=[('design', 'разработка'), ('open', 'проводится'), ('closed', 'завершена')], default='design', max_length=10, verbose_name='состояние')),
                    ('opens_on', models.DateField(verbose_name='приём ответов с')),
                    ('closes_on', models.DateField(verbose_name='приём ответов по')),
                    ('created_at', models.DateTimeField(auto_now_add=True)),
                    ('opened_at', models.DateTimeField(blank=True, null=True, verbose_name='открыта')),
                    ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='завершена')),
                    ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='needs_surveys', to='orgunits.orgunit', verbose_name='организатор')),
                ],
                options={
                    'db_table': 'growth_needssurvey',
                    'verbose_name': 'анкета профессиональных потребностей',
                    'verbose_name_plural': 'анкеты профессиональных потребностей',
                    'ordering': ['-year', '-opens_on', '-pk'],
                },
            ),
            migrations.CreateModel(
                name='SurveyTopic',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('area', models.CharField(max_length=300, verbose_name='область компетенций')),
                    ('title', models.CharField(max_length=300, verbose_name='тема')),
                    ('position', models.PositiveSmallIntegerField(default=0, verbose_name='порядок')),
                    ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='topics', to='surveys.needssurvey', verbose_name='анкета')),
                ],
                options={
                    'db_table': 'growth_surveytopic',
                    'verbose_name': 'тема анкеты',
                    'verbose_name_plural': 'темы анкеты',
                    'ordering': ['position', 'pk'],
                },
            ),
            migrations.CreateModel(
                name='NeedsAnswer',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='версия')),
                    ('difficulties', models.TextField(blank=True, max_length=2000, verbose_name='профессиональные затруднения')),
                    ('preferred_format', models.CharField(choices=[('in_person', 'очно'), ('remote', 'дистанционно'), ('blended', 'смешанно')], max_length=10, verbose_name='предпочтительный формат курсов')),
                    ('submitted_at', models.DateTimeField(verbose_name='ответ отправлен')),
                    ('updated_at', models.DateTimeField(auto_now=True, verbose_name='изменён')),
                    ('person', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='needs_answers', to='people.person', verbose_name='педагог')),
                    ('units', models.ManyToManyField(blank=True, related_name='survey_answers', to='orgunits.orgunit', verbose_name='подразделения педагога')),
                    ('survey', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='surveys.needssurvey', verbose_name='анкета')),
                    ('topics', models.ManyToManyField(blank=True, related_name='answers', to='surveys.surveytopic', verbose_name='нужна помощь по темам')),
                ],
                options={
                    'db_table': 'growth_needsanswer',
                    'verbose_name': 'ответ на анкету',
                    'verbose_name_plural': 'ответы на анкеты',
                    'ordering': ['survey', 'pk'],
                },
            ),
            migrations.AddIndex(
                model_name='needssurvey',
                index=models.Index(fields=['unit', 'year'], name='growth_survey_unit_year'),
            ),
            migrations.AddConstraint(
                model_name='needssurvey',
                constraint=models.CheckConstraint(condition=models.Q(('closes_on__gte', models.F('opens_on'))), name='growth_survey_dates'),
            ),
            migrations.AddConstraint(
                model_name='surveytopic',
                constraint=models.UniqueConstraint(fields=('survey', 'title'), name='growth_topic_unique_title', violation_error_message='Такая тема уже есть в анкете.'),
            ),
            migrations.AddConstraint(
                model_name='needsanswer',
                constraint=models.UniqueConstraint(fields=('survey', 'person'), name='growth_one_answer_per_person', violation_error_message='Этот педагог уже ответил на анкету.'),
            ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types("growth", "surveys"), move_content_types("surveys", "growth")),
    ]
