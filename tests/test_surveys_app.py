"""The needs surveys live in the app `surveys`: the move kept the data, the answers, the history and the addresses."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from history.models import LogEntry
from surveys.models import CourseFormat, NeedsAnswer, NeedsSurvey, SurveyTopic

from . import factories as f

BEFORE = [("growth", "0003_growth_record_versions"), ("surveys", None)]
HISTORY = [("history", "0002_owner_and_personal_of"), ("contenttypes", "0002_remove_content_type_name")]


def make_survey(net):
    survey = NeedsSurvey.objects.create(
        unit=net.terek,
        year=2027,
        title="Потребности педагогов",
        opens_on=datetime.date(2027, 3, 1),
        closes_on=datetime.date(2027, 3, 31),
        state=NeedsSurvey.State.CLOSED,
    )
    topic = SurveyTopic.objects.create(survey=survey, area="Цифровые компетенции", title="Электронный журнал")
    person = f.PersonFactory(region=net.region, last_name="Отвечающая")
    answer = NeedsAnswer.objects.create(
        survey=survey, person=person, preferred_format=CourseFormat.REMOTE, submitted_at=timezone.now()
    )
    answer.topics.add(topic)
    answer.units.add(net.terek_rmo)
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(NeedsSurvey),
        object_id=survey.pk,
        object_repr=str(survey),
        action=LogEntry.Action.TRANSITION,
        at="2027-03-01T08:00:00Z",
        kind="survey",
        move="open",
        from_state="design",
        to_state="open",
    )
    return survey, answer


def test_the_models_belong_to_surveys():
    assert {m._meta.app_label for m in (NeedsSurvey, SurveyTopic, NeedsAnswer)} == {"surveys"}
    assert NeedsAnswer.topics.through._meta.db_table == "surveys_needsanswer_topics"


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_surveys_answers_and_history_both_ways(net):
    from django.db.migrations.executor import MigrationExecutor

    survey, answer = make_survey(net)
    entries = LogEntry.objects.filter(object_id=survey.pk, content_type__model="needssurvey").count()
    assert entries >= 1
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE[:1] + HISTORY).apps
        assert old.get_model("growth", "NeedsSurvey").objects.get(pk=survey.pk).title == "Потребности педагогов"
        old_answer = old.get_model("growth", "NeedsAnswer").objects.get(pk=answer.pk)
        assert [t.title for t in old_answer.topics.all()] == ["Электронный журнал"]
        OldContentType = old.get_model("contenttypes", "ContentType")
        assert not OldContentType.objects.filter(app_label="surveys").exists()
        growth_type = OldContentType.objects.get(app_label="growth", model="needssurvey")
        assert old.get_model("history", "LogEntry").objects.filter(content_type=growth_type).count() == entries
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
    finally:
        executor.migrate(executor.loader.graph.leaf_nodes())  # and on to the newest state
    ContentType.objects.clear_cache()
    answer = NeedsAnswer.objects.get(pk=answer.pk)
    assert [t.title for t in answer.topics.all()] == ["Электронный журнал"] and answer.units.count() == 1
    assert not ContentType.objects.filter(app_label="growth", model__in=["needssurvey", "needsanswer"]).exists()
    survey_type = ContentType.objects.get_for_model(NeedsSurvey)
    assert LogEntry.objects.filter(content_type=survey_type, object_id=survey.pk, move="open").count() == 1


def test_the_pages_keep_their_addresses_and_names(net, login):
    survey, _ = make_survey(net)
    assert reverse("growth:survey", args=[survey.pk]) == f"/surveys/{survey.pk}/"
    client = login(net.users.methodist)
    page = client.get(survey.get_absolute_url())
    assert page.status_code == 200 and "Потребности педагогов" in page.content.decode()
    results = client.get(reverse("growth:survey_results", args=[survey.pk]))
    assert results.status_code == 200 and "Электронный журнал" in results.content.decode()
