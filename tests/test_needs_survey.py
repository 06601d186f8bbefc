"""Monitoring of teachers' professional needs and deficits (issue 5, part 7; seed 004 roadmap)."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest  # django-axes checks every login against its request
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from growth import services as growth_services
from growth.models import Diagnostic, DiagnosticResult, Route
from network.models import Notification
from people.models import PersonalDataAccess
from surveys import services
from surveys.forms import NeedsSurveyForm, SurveyTopicForm
from surveys.models import NeedsAnswer, NeedsSurvey, SurveyTopic

from . import factories as f

TODAY = timezone.localdate()
YEAR = TODAY.year


def make_survey(unit, state=NeedsSurvey.State.OPEN, topics=2, year=YEAR, **kw):
    """A survey accepting answers all year (today is whatever the clock says)."""
    data = {
        "unit": unit,
        "year": year,
        "title": f"Мониторинг потребностей {year}",
        "opens_on": datetime.date(year, 1, 1),
        "closes_on": datetime.date(year, 12, 31),
        "state": state,
    }
    data.update(kw)
    survey = NeedsSurvey.objects.create(**data)
    for i in range(topics):
        SurveyTopic.objects.create(survey=survey, area=f"Область {i % 2}", title=f"Тема {i + 1}", position=i + 1)
    return survey


def answer(survey, person, topics, fmt="remote", difficulties="", units=()):
    a = NeedsAnswer.objects.create(
        survey=survey, person=person, preferred_format=fmt, difficulties=difficulties, submitted_at=timezone.now()
    )
    a.topics.set(topics)
    a.units.set(units)
    return a


def member_with_login(net, unit, username, school=None):
    user = f.UserFactory(username=username)
    person = f.PersonFactory(region=net.region, user=user, school=school)
    f.member(person, unit)
    return person


def answer_post(topics, fmt="blended", difficulties="", version=1):
    return {
        "topics": [t.pk for t in topics],
        "preferred_format": fmt,
        "difficulties": difficulties,
        "expected_version": str(version),
    }


def survey_post(**kw):
    data = {
        "title": "Мониторинг профессиональных потребностей",
        "year": str(YEAR),
        "opens_on": f"{YEAR}-03-01",
        "closes_on": f"{YEAR}-03-31",
        "instructions": "Уважаемые коллеги!",
        "expected_version": "1",
    }
    data.update(kw)
    return data


@pytest.fixture
def open_survey(net):
    return make_survey(net.terek)


@pytest.fixture
def design_survey(net):
    return make_survey(net.terek, NeedsSurvey.State.DESIGN, title="Анкета в разработке")


# --- permissions: each role against each page


MATRIX = {
    # admin, reviewer, methodist, secretary, baksan_methodist, shmo_secretary, teacher, outsider, superuser, anonymous
    # The unit's pages follow the portal's one rule: a unit above one's own is seen by name → 403.
    "unit_surveys": (200, 200, 200, 200, 404, 403, 403, 404, 200, 302),
    "survey_add": (200, 403, 200, 200, 404, 403, 403, 404, 200, 302),
    "detail_open": (200, 200, 200, 200, 404, 200, 200, 404, 200, 302),
    "detail_design": (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    "survey_edit": (200, 403, 200, 200, 404, 404, 404, 404, 200, 302),
    "topic_add": (200, 403, 200, 200, 404, 404, 404, 404, 200, 302),
    "topic_edit": (200, 403, 200, 200, 404, 404, 404, 404, 200, 302),
    "answer": (403, 403, 200, 200, 404, 200, 200, 404, 403, 302),
    "answer_design": (403, 403, 403, 403, 404, 404, 404, 404, 403, 302),
    "results": (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    "export": (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
    "difficulties": (200, 200, 200, 200, 404, 404, 404, 404, 200, 302),
}


def url_for(page, net, open_survey, design_survey):
    topic = design_survey.topics.first()
    return {
        "unit_surveys": reverse("growth:unit_surveys", args=[net.terek.pk]),
        "survey_add": reverse("growth:survey_add", args=[net.terek.pk]),
        "detail_open": reverse("growth:survey", args=[open_survey.pk]),
        "detail_design": reverse("growth:survey", args=[design_survey.pk]),
        "survey_edit": reverse("growth:survey_edit", args=[design_survey.pk]),
        "topic_add": reverse("growth:topic_add", args=[design_survey.pk]),
        "topic_edit": reverse("growth:topic_edit", args=[topic.pk]),
        "answer": reverse("growth:survey_answer", args=[open_survey.pk]),
        "answer_design": reverse("growth:survey_answer", args=[design_survey.pk]),
        "results": reverse("growth:survey_results", args=[open_survey.pk]),
        "export": reverse("growth:survey_export", args=[open_survey.pk]),
        "difficulties": reverse("growth:survey_difficulties", args=[open_survey.pk]),
    }[page]


@pytest.mark.parametrize(("page", "role", "expected"), f.matrix_cases(MATRIX))
def test_permission_matrix(client, net, open_survey, design_survey, page, role, expected):
    if role != "anonymous":
        client.force_login(getattr(net.users, role))
    response = client.get(url_for(page, net, open_survey, design_survey))
    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


TRANSITIONS = {
    # admin, reviewer, methodist, secretary, baksan_methodist, shmo_secretary, teacher, outsider, superuser, anonymous
    "open": (302, 403, 302, 302, 404, 404, 404, 404, 302, 302),
    "close": (302, 403, 302, 302, 404, 404, 404, 404, 302, 302),
}


@pytest.mark.parametrize(("action", "role", "expected"), f.matrix_cases(TRANSITIONS))
def test_only_organisers_open_and_close(client, net, open_survey, design_survey, action, role, expected):
    survey = design_survey if action == "open" else open_survey
    if role != "anonymous":
        client.force_login(getattr(net.users, role))
    response = client.post(reverse(f"growth:survey_{action}", args=[survey.pk]))
    assert response.status_code == expected
    survey.refresh_from_db()
    allowed = expected == 302 and role != "anonymous"
    moved = {"open": NeedsSurvey.State.OPEN, "close": NeedsSurvey.State.CLOSED}[action]
    unchanged = {"open": NeedsSurvey.State.DESIGN, "close": NeedsSurvey.State.OPEN}[action]
    assert survey.state == (moved if allowed else unchanged)


def test_refused_topic_post_changes_nothing(net, login, design_survey):
    for user, status in ((net.users.reviewer, 403), (net.users.teacher, 404)):
        response = login(user).post(
            reverse("growth:topic_add", args=[design_survey.pk]), {"area": "Оценивание", "title": "Новая"}
        )
        assert response.status_code == status
    assert design_survey.topics.count() == 2


# --- transitions


def test_open_needs_a_topic(net, login):
    survey = make_survey(net.terek, NeedsSurvey.State.DESIGN, topics=0)
    client = login(net.users.methodist)
    response = client.post(reverse("growth:survey_open", args=[survey.pk]), follow=True)
    assert services.NO_TOPICS in response.content.decode()
    survey.refresh_from_db()
    assert survey.state == NeedsSurvey.State.DESIGN and survey.opened_at is None


def test_open_refused_after_the_closing_date(net):
    survey = make_survey(
        net.terek,
        NeedsSurvey.State.DESIGN,
        year=2025,
        opens_on=datetime.date(2025, 3, 1),
        closes_on=datetime.date(2025, 3, 31),
    )
    with pytest.raises(Exception, match="измените сроки"):
        services.open_survey(survey, datetime.date(2025, 4, 1))
    survey.refresh_from_db()
    assert survey.state == NeedsSurvey.State.DESIGN


def test_opening_notifies_the_members_of_the_subtree(net, login, design_survey):
    login(net.users.secretary).post(reverse("growth:survey_open", args=[design_survey.pk]))
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert {"teacher", "shmo_secretary", "methodist", "secretary"} <= notified
    assert not notified & {"baksan_methodist", "admin", "reviewer", "outsider"}
    note = Notification.objects.get(user=net.users.teacher)
    assert note.url == reverse("growth:survey_answer", args=[design_survey.pk])


def test_close_only_an_open_survey(net, design_survey):
    with pytest.raises(Exception, match="только проводимую"):
        services.close_survey(design_survey)
    design_survey.refresh_from_db()
    assert design_survey.state == NeedsSurvey.State.DESIGN


# --- the survey and topic forms: bad input changes nothing


def test_survey_form_errors_in_russian(net, login):
    client = login(net.users.methodist)
    url = reverse("growth:survey_add", args=[net.terek.pk])
    cases = [
        (survey_post(title=""), "title", "Обязательное поле"),
        (survey_post(opens_on=f"{YEAR}-03-20", closes_on=f"{YEAR}-03-01"), "closes_on", "раньше даты начала"),
        (survey_post(closes_on=f"{YEAR + 1}-01-10"), "closes_on", f"в пределах {YEAR} года"),
        (survey_post(year="1999", opens_on="", closes_on=""), "year", "не раньше 2000"),
        (survey_post(opens_on="31.02.2026"), "opens_on", "Введите правильную дату"),
    ]
    for data, field, message in cases:
        response = client.post(url, data)
        assert response.status_code == 200
        assert any(message in e for e in response.context["form"].errors[field]), (
            field,
            response.context["form"].errors,
        )
    assert not NeedsSurvey.objects.exists()


def test_survey_dates_default_to_march(net, login):
    response = login(net.users.methodist).post(
        reverse("growth:survey_add", args=[net.terek.pk]), survey_post(opens_on="", closes_on="")
    )
    survey = NeedsSurvey.objects.get()
    assert response.url == survey.get_absolute_url()
    assert (survey.unit, survey.state) == (net.terek, NeedsSurvey.State.DESIGN)
    assert (survey.opens_on, survey.closes_on) == (datetime.date(YEAR, 3, 1), datetime.date(YEAR, 3, 31))


def test_survey_edit_with_a_stale_version_is_a_conflict(net, login, design_survey):
    client = login(net.users.methodist)
    design_survey.title = "Изменено другим"
    design_survey.save_versioned(1)
    response = client.post(reverse("growth:survey_edit", args=[design_survey.pk]), survey_post(title="Моё"))
    assert response.status_code == 200
    assert "другой пользователь" in response.content.decode()
    design_survey.refresh_from_db()
    assert design_survey.title == "Изменено другим"


def test_closed_survey_cannot_be_edited(net, login):
    survey = make_survey(net.terek, NeedsSurvey.State.CLOSED)
    response = login(net.users.methodist).post(
        reverse("growth:survey_edit", args=[survey.pk]), survey_post(title="Новое")
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title == f"Мониторинг потребностей {YEAR}"


def test_year_is_locked_once_open(net, open_survey):
    form = NeedsSurveyForm(data=survey_post(year=str(YEAR - 1)), instance=open_survey)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["year"] == YEAR


def test_topic_form_bad_input(net, login, design_survey):
    client = login(net.users.methodist)
    url = reverse("growth:topic_add", args=[design_survey.pk])
    response = client.post(url, {"area": "Оценивание", "title": "", "position": "1"})
    assert "Обязательное поле" in response.context["form"].errors["title"][0]
    response = client.post(url, {"area": "Оценивание", "title": " тема  1 ", "position": "1"})
    assert response.context["form"].errors["title"] == ["Такая тема уже есть в анкете."]
    response = client.post(url, {"area": "", "title": "Другая", "position": "-1"})
    assert set(response.context["form"].errors) == {"area", "position"}
    assert design_survey.topics.count() == 2
    response = client.post(url, {"area": "Оценивание", "title": "Формирующее оценивание", "position": "3"})
    assert response.status_code == 302
    assert design_survey.topics.count() == 3


def test_topics_are_frozen_once_open(net, login, open_survey):
    client = login(net.users.methodist)
    topic = open_survey.topics.first()
    response = client.post(reverse("growth:topic_add", args=[open_survey.pk]), {"area": "А", "title": "Новая"})
    assert response.status_code == 302
    response = client.post(reverse("growth:topic_delete", args=[topic.pk]))
    assert response.status_code == 302
    assert open_survey.topics.count() == 2


def test_topic_delete_in_design(net, login, design_survey):
    topic = design_survey.topics.first()
    client = login(net.users.secretary)
    assert client.get(reverse("growth:topic_delete", args=[topic.pk])).status_code == 200
    client.post(reverse("growth:topic_delete", args=[topic.pk]))
    assert not SurveyTopic.objects.filter(pk=topic.pk).exists()


def test_area_suggestions_come_from_the_regions_diagnostics(net, design_survey):
    d = Diagnostic.objects.create(person=net.users.teacher_person, date=TODAY, instrument="ЕФОМ")
    DiagnosticResult.objects.create(diagnostic=d, area="Читательская грамотность", percent=40)
    elsewhere = f.PersonFactory(region=f.RegionFactory(code="bur"))
    d2 = Diagnostic.objects.create(person=elsewhere, date=TODAY, instrument="ЕФОМ")
    DiagnosticResult.objects.create(diagnostic=d2, area="Чужая область", percent=40)
    form = SurveyTopicForm(survey=design_survey)
    assert "Читательская грамотность" in form.area_suggestions
    assert "Предметные компетенции" in form.area_suggestions
    assert "Чужая область" not in form.area_suggestions


# --- who answers


def test_respondents_are_active_members_of_the_subtree_with_a_login(net, open_survey):
    assert services.is_respondent(net.users.teacher_person, open_survey)
    no_login = f.PersonFactory(region=net.region)
    f.member(no_login, net.terek_rmo)
    assert not services.is_respondent(no_login, open_survey)
    former = f.PersonFactory(region=net.region, user=f.UserFactory(username="former"))
    f.member(former, net.terek_rmo, left_on=datetime.date(2026, 12, 1))
    assert not services.is_respondent(former, open_survey)
    baksan = member_with_login(net, net.baksan_rmo, "baksan_teacher")
    assert not services.is_respondent(baksan, open_survey)


def test_teacher_answers_and_changes_the_answer(net, login, open_survey):
    t1, t2 = open_survey.topics.all()
    client = login(net.users.teacher)
    url = reverse("growth:survey_answer", args=[open_survey.pk])
    response = client.post(url, answer_post([t1], difficulties="Нет времени"))
    assert response.status_code == 302
    a = NeedsAnswer.objects.get()
    assert (a.person, list(a.topics.all()), a.preferred_format) == (net.users.teacher_person, [t1], "blended")
    assert list(a.units.all()) == [net.terek_rmo]  # the MO the teacher sits in
    assert PersonalDataAccess.objects.filter(person=a.person, action="change").exists()
    response = client.post(url, answer_post([t2], fmt="remote", version=a.version))
    assert response.status_code == 302
    a.refresh_from_db()
    assert (list(a.topics.all()), a.preferred_format, a.version) == ([t2], "remote", 2)
    assert NeedsAnswer.objects.count() == 1


def test_answer_page_shows_the_current_answer(net, login, open_survey):
    t1, t2 = open_survey.topics.all()
    url = reverse("growth:survey_answer", args=[open_survey.pk])
    client = login(net.users.teacher)
    assert 'name="expected_version" value="1"' in client.get(url).content.decode()
    a = answer(open_survey, net.users.teacher_person, [t2], "in_person", "Нет времени")
    a.save_versioned(1)
    page = client.get(url).content.decode()
    assert f'value="{t2.pk}" id="id_topics_1" checked' in page
    assert f'value="{t1.pk}" id="id_topics_0" checked' not in page
    assert 'value="in_person" required id="id_preferred_format_0" checked' in page
    assert 'name="expected_version" value="2"' in page and "Нет времени" in page


def test_answer_form_bad_input_changes_nothing(net, login, open_survey):
    t1 = open_survey.topics.first()
    other = make_survey(net.baksan, title="Баксан")
    client = login(net.users.teacher)
    url = reverse("growth:survey_answer", args=[open_survey.pk])
    cases = [
        (answer_post([]), "topics", "хотя бы одну тему"),
        (answer_post([t1], fmt="by_mail"), "preferred_format", "очно, дистанционно или смешанно"),
        (answer_post([t1], fmt=""), "preferred_format", "Выберите формат"),
        (answer_post([other.topics.first()]), "topics", "из списка анкеты"),
        ({**answer_post([t1]), "topics": ["abc"]}, "topics", "из списка анкеты"),
        (answer_post([t1], difficulties="я" * 2001), "difficulties", "2000"),
    ]
    for data, field, message in cases:
        response = client.post(url, data)
        assert response.status_code == 200
        errors = response.context["form"].errors[field]
        assert any(message in e for e in errors), (field, errors)
    assert not NeedsAnswer.objects.exists()


def test_difficulties_alone_are_an_answer(net, login, open_survey):
    response = login(net.users.teacher).post(
        reverse("growth:survey_answer", args=[open_survey.pk]), answer_post([], difficulties="Работа с ОВЗ")
    )
    assert response.status_code == 302
    assert NeedsAnswer.objects.get().difficulties == "Работа с ОВЗ"


def test_stale_answer_is_a_conflict(net, login, open_survey):
    t1, t2 = open_survey.topics.all()
    a = answer(open_survey, net.users.teacher_person, [t1])
    a.save_versioned(1)  # changed in another tab
    client = login(net.users.teacher)
    response = client.post(reverse("growth:survey_answer", args=[open_survey.pk]), answer_post([t2], version=1))
    assert response.status_code == 200
    assert "другой пользователь" in response.content.decode()
    assert list(a.topics.all()) == [t1]
    # a second "first" answer (two tabs, both new) is the same conflict, not a duplicate
    other = member_with_login(net, net.terek_rmo, "newcomer")
    answer(open_survey, other, [t1])
    response = login(other.user).post(
        reverse("growth:survey_answer", args=[open_survey.pk]), answer_post([t2], version=2)
    )
    assert response.status_code == 200
    assert NeedsAnswer.objects.filter(person=other).count() == 1


def test_one_answer_per_person_in_the_database(net, open_survey):
    answer(open_survey, net.users.teacher_person, [])
    with pytest.raises(IntegrityError), transaction.atomic():
        answer(open_survey, net.users.teacher_person, [])


@pytest.mark.parametrize(
    ("state", "opens", "closes"),
    [
        (NeedsSurvey.State.CLOSED, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)),
        (NeedsSurvey.State.OPEN, TODAY + datetime.timedelta(days=1), TODAY + datetime.timedelta(days=2)),
        (NeedsSurvey.State.OPEN, TODAY - datetime.timedelta(days=2), TODAY - datetime.timedelta(days=1)),
    ],
    ids=["closed", "not-yet", "expired"],
)
def test_no_answers_outside_the_window(net, login, state, opens, closes):
    survey = make_survey(net.terek, state, year=opens.year, opens_on=opens, closes_on=closes)
    t1, t2 = survey.topics.all()
    client = login(net.users.teacher)
    url = reverse("growth:survey_answer", args=[survey.pk])
    if state == NeedsSurvey.State.CLOSED:
        existing = answer(survey, net.users.teacher_person, [t1])
        page = client.get(url)
        assert page.status_code == 200 and "завершено" in page.content.decode()
        response = client.post(url, answer_post([t2], version=existing.version))
        assert list(existing.topics.all()) == [t1]
    else:
        response = client.post(url, answer_post([t2]))
        assert not NeedsAnswer.objects.exists()
    assert response.status_code == 302


# --- «Мои анкеты» and the portfolio block


def test_my_surveys_lists_what_is_addressed_to_me(net, login, open_survey, design_survey):
    baksan_survey = make_survey(net.baksan, title="Баксанская анкета")
    regional = make_survey(net.rumo, title="Региональная анкета")
    answer(regional, net.users.teacher_person, [regional.topics.first()])
    page = login(net.users.teacher).get(reverse("growth:my_surveys")).content.decode()
    assert open_survey.title in page and regional.title in page
    assert "Изменить ответ" in page and "Ответить" in page
    assert design_survey.title not in page and baksan_survey.title not in page


def test_portfolio_shows_awaiting_surveys_to_the_teacher_only(net, login, open_survey):
    url = reverse("growth:portfolio", args=[net.users.teacher_person.pk])
    answer_url = reverse("growth:survey_answer", args=[open_survey.pk])
    assert answer_url in login(net.users.teacher).get(url).content.decode()
    assert answer_url not in login(net.users.methodist).get(url).content.decode()
    answer(open_survey, net.users.teacher_person, [open_survey.topics.first()])
    assert answer_url not in login(net.users.teacher).get(url).content.decode()


def test_organised_list_and_picker(net, login, open_survey):
    make_survey(net.baksan, title="Баксанская анкета")
    client = login(net.users.methodist)
    page = client.get(reverse("growth:organised_surveys")).content.decode()
    assert open_survey.title in page and "Баксанская анкета" not in page
    response = client.get(reverse("growth:survey_pick"), {"unit": net.terek.pk})
    assert response.url == reverse("growth:survey_add", args=[net.terek.pk])
    assert client.get(reverse("growth:survey_pick"), {"unit": "x"}).status_code == 302
    assert client.get(reverse("growth:survey_pick"), {"unit": net.baksan.pk}, follow=True).status_code == 404


def test_lists_do_a_bounded_number_of_queries(net, login, django_assert_max_num_queries):
    def fill(n):
        for i in range(n):
            s = make_survey(net.terek, title=f"Анкета {NeedsSurvey.objects.count()}-{i}")
            answer(s, net.users.teacher_person, [s.topics.first()], units=[net.terek_rmo])

    pages = [
        ("teacher", reverse("growth:my_surveys")),
        ("methodist", reverse("growth:organised_surveys")),
        ("methodist", reverse("growth:unit_surveys", args=[net.terek.pk])),
    ]
    fill(2)
    counts = {}
    for role, url in pages:
        client = login(getattr(net.users, role))
        client.get(url)  # warm up
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    fill(15)
    for role, url in pages:
        client = login(getattr(net.users, role))
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


# --- results, plan-schedule, export


@pytest.fixture
def answered(net):
    """Four respondents: two in the Terek RMO, one in the ШМО (under the RMO), one in both."""
    survey = make_survey(net.terek, topics=3)
    t1, t2, t3 = survey.topics.all()
    rmo1 = member_with_login(net, net.terek_rmo, "rmo1")
    rmo2 = member_with_login(net, net.terek_rmo, "rmo2")
    answer(survey, rmo1, [t1, t2], "remote", "Мало времени", units=[net.terek_rmo])
    answer(survey, rmo2, [t1], "in_person", units=[net.terek_rmo])
    answer(survey, net.users.shmo_secretary.person, [t1, t3], "remote", units=[net.shmo])
    both = member_with_login(net, net.terek_rmo, "both")
    f.member(both, net.shmo)
    answer(survey, both, [t2], "blended", "Нет наставника", units=[net.terek_rmo, net.shmo])
    return survey, (t1, t2, t3)


def test_topic_counts_shares_and_plan(answered):
    survey, (t1, t2, t3) = answered
    total, rows = services.topic_results(survey)
    assert total == 4
    assert [(r.topic, r.count, r.share) for r in rows] == [(t1, 3, 75), (t2, 2, 50), (t3, 1, 25)]
    assert rows[0].formats == {"remote": 2, "in_person": 1} and rows[0].preferred == "remote"
    assert rows[1].preferred_label in ("дистанционно", "смешанно")
    assert [r.topic for r in services.plan_schedule(rows)] == [t1, t2, t3]
    assert services.format_totals(survey) == [("очно", 1), ("дистанционно", 2), ("смешанно", 1)]


def test_breakdown_by_mo(net, answered):
    survey, (t1, t2, t3) = answered
    units = list(services.unit_breakdown_units(survey))
    assert [(u, u.respondents) for u in units] == [(net.terek_rmo, 3), (net.shmo, 2)]
    counts = services.unit_topic_counts(survey, [u.pk for u in units])
    rows = services.unit_rows(units, [t1, t2, t3], counts)
    assert rows[0][2] == [(2, 67), (2, 67), (0, 0)]
    assert rows[1][2] == [(1, 50), (1, 50), (1, 50)]


def test_results_page_and_bounded_queries(net, login, answered, django_assert_max_num_queries):
    survey, topics = answered
    client = login(net.users.reviewer)
    url = reverse("growth:survey_results", args=[survey.pk])
    page = client.get(url).content.decode()
    assert "План-график курсовой подготовки" in page and "РМО учителей математики Терского района" in page
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        person = member_with_login(net, net.terek_rmo if i % 2 else net.shmo, f"many{i}")
        answer(survey, person, topics[: 1 + i % 3], units=[net.terek_rmo if i % 2 else net.shmo])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "34" in client.get(url).content.decode()


def test_export_xlsx(net, login, answered):
    survey, (t1, t2, t3) = answered
    t3.title = "=HYPERLINK(1)"
    t3.save()
    response = login(net.users.methodist).get(reverse("growth:survey_export", args=[survey.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    plan = list(wb["План-график КПК"].iter_rows(values_only=True))
    assert plan[2][:5] == (1, "Тема 1", "Область 0", 3, 75)
    assert plan[2][-1] == "дистанционно"
    assert plan[4][1] == "=HYPERLINK(1)" and wb["План-график КПК"].cell(5, 2).data_type == "s"  # text, not a formula
    by_mo = list(wb["По МО"].iter_rows(values_only=True))
    assert by_mo[2][:5] == ("РМО учителей математики Терского района", 3, 2, 2, 0)
    difficulties = [r[0] for r in wb["Затруднения"].iter_rows(min_row=3, values_only=True)]
    assert difficulties == ["Мало времени", "Нет наставника"]


def test_difficulties_page_has_no_names(net, login, answered):
    survey, _ = answered
    page = login(net.users.secretary).get(reverse("growth:survey_difficulties", args=[survey.pk])).content.decode()
    assert "Мало времени" in page and "Нет наставника" in page
    assert "rmo1" not in page and "Педагогова" not in page


# --- ИОМ suggestions


@pytest.fixture
def with_needs(net):
    person = net.users.teacher_person
    old = Diagnostic.objects.create(person=person, date=datetime.date(YEAR - 1, 1, 10), instrument="Старая")
    DiagnosticResult.objects.create(diagnostic=old, area="Старый дефицит", percent=30, is_deficit=True)
    latest = Diagnostic.objects.create(person=person, date=datetime.date(YEAR, 1, 20), instrument="ЕФОМ")
    DiagnosticResult.objects.create(diagnostic=latest, area="Оценивание", percent=38, is_deficit=True)
    DiagnosticResult.objects.create(diagnostic=latest, area="Предметные компетенции", percent=80, is_deficit=False)
    survey = make_survey(net.terek, topics=2)
    answer(survey, person, [survey.topics.get(title="Тема 2")], "blended")
    last_year = make_survey(net.terek, year=YEAR - 1, title="Прошлогодняя")
    answer(last_year, person, [last_year.topics.first()])
    return person, latest


def test_route_suggestions_from_latest_deficits_and_this_years_needs(net, with_needs):
    person, _ = with_needs
    texts = [s.text for s in growth_services.route_suggestions(person, YEAR)]
    assert texts == [
        "Устранить дефицит в области «Оценивание» (результат 38 %).",
        "Освоить тему «Тема 2» (Область 1); формат обучения — смешанно.",
    ]
    assert [s.text for s in growth_services.route_suggestions(person, YEAR - 1)] == [
        "Устранить дефицит в области «Старый дефицит» (результат 30 %).",
        "Освоить тему «Тема 1» (Область 0); формат обучения — дистанционно.",
    ]
    assert growth_services.route_suggestions(f.PersonFactory(region=net.region), YEAR) == []


def test_route_form_is_prefilled_and_the_edit_is_saved(net, login, with_needs):
    person, latest = with_needs
    client = login(net.users.admin)
    url = reverse("growth:route_add", args=[person.pk])
    response = client.get(url)
    form = response.context["form"]
    assert "— Устранить дефицит в области «Оценивание»" in form.initial["goals"]
    assert form.initial["diagnostic"] == latest
    assert "Предложения для ИОМ" in response.content.decode()
    response = client.post(url, {"year": str(YEAR), "goals": "Мои цели", "diagnostic": latest.pk, "unit": ""})
    assert response.status_code == 302
    assert Route.objects.get().goals == "Мои цели"


def test_route_form_computes_the_suggestions_once(net, login, with_needs, monkeypatch):
    person, _ = with_needs
    calls = []
    real = growth_services.route_suggestions
    monkeypatch.setattr(growth_services, "route_suggestions", lambda p, year: calls.append(year) or real(p, year))
    login(net.users.admin).get(reverse("growth:route_add", args=[person.pk]))
    assert calls == [YEAR]  # the prefilled goals and the card share one computation


def test_route_form_bad_input_changes_nothing(net, login, with_needs):
    person, _ = with_needs
    response = login(net.users.admin).post(
        reverse("growth:route_add", args=[person.pk]), {"year": "1999", "goals": "", "unit": ""}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"year", "goals"}
    assert not Route.objects.exists()


def test_who_sees_the_suggestions(net, login, with_needs):
    person, _ = with_needs
    portfolio = reverse("growth:portfolio", args=[person.pk])
    route_add = reverse("growth:route_add", args=[person.pk])
    own = login(net.users.teacher)
    assert "Устранить дефицит" in own.get(portfolio).content.decode()
    colleague = f.PersonFactory(region=net.region, school=net.school)
    assert own.get(reverse("growth:portfolio", args=[colleague.pk])).status_code == 404
    assert own.get(route_add).status_code == 403  # routes are kept by administrators
    methodist = login(net.users.methodist)  # their units' teacher
    assert "Устранить дефицит" in methodist.get(portfolio).content.decode()
    assert methodist.get(route_add).status_code == 403
    for user in (net.users.baksan_methodist, net.users.outsider):
        client = login(user)
        assert client.get(portfolio).status_code == 404
        assert client.get(route_add).status_code == 404


# --- demo


def test_demo_has_an_open_survey_for_the_teacher_and_a_closed_one(db, client):
    call_command("load_demo_network", "--date", TODAY.isoformat())
    current = NeedsSurvey.objects.get(year=YEAR)
    assert current.state == "open" and services.accepting_answers(current, TODAY) is None
    assert current.answers.count() >= 20
    assert NeedsSurvey.objects.get(year=YEAR - 1).state == "closed"
    client.login(request=HttpRequest(), username="teacher", password="metodset-demo")
    page = client.get(reverse("growth:my_surveys")).content.decode()
    assert current.title in page and "Изменить ответ" in page
    client.login(request=HttpRequest(), username="methodist", password="metodset-demo")
    assert "План-график" in client.get(reverse("growth:survey_results", args=[current.pk])).content.decode()


def test_demo_survey_is_open_even_before_march(db):
    call_command("load_demo_network", "--date", "2026-02-10")
    current = NeedsSurvey.objects.get(year=2026)
    assert services.accepting_answers(current, datetime.date(2026, 2, 10)) is None
    assert current.closes_on == datetime.date(2026, 3, 31)


def test_the_sweep_closes_a_survey_after_its_period_once(net):
    from network.models import Notification
    from submissions import deadlines

    survey = make_survey(net.terek, closes_on=datetime.date(YEAR, 3, 31))
    first = deadlines.run_sweep(datetime.date(YEAR, 3, 31), send_email=False)
    survey.refresh_from_db()
    assert first.surveys_closed == 0 and survey.state == NeedsSurvey.State.OPEN  # the last day still counts
    second = deadlines.run_sweep(datetime.date(YEAR, 4, 1), send_email=False)
    survey.refresh_from_db()
    assert second.surveys_closed == 1 and survey.state == NeedsSurvey.State.CLOSED
    assert Notification.objects.filter(user=net.users.secretary, text__contains="завершена").count() == 1
    assert deadlines.run_sweep(datetime.date(YEAR, 4, 1), send_email=False).surveys_closed == 0
