import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from growth import services
from growth.forms import CourseForm, MentoringForm
from growth.models import Course, Diagnostic, Mentoring, Route, RouteStep
from people.models import Person, PersonalDataAccess

from . import factories as f

TODAY = datetime.date(2026, 5, 20)


def course(person, **kw):
    data = {
        "person": person,
        "title": "Функциональная грамотность",
        "provider": "ЦНППМ КБР",
        "hours": 72,
        "starts_on": datetime.date(2025, 3, 1),
        "ends_on": datetime.date(2025, 3, 20),
    }
    data.update(kw)
    return Course.objects.create(**data)


def course_post(**kw):
    data = {
        "title": "Цифровая дидактика",
        "provider": "ЦНППМ КБР",
        "hours": "36",
        "starts_on": "2026-02-01",
        "ends_on": "2026-02-10",
        "certificate_number": "07-123",
    }
    data.update(kw)
    return data


@pytest.fixture
def other_teacher(net):
    return f.PersonFactory(region=net.region, school=net.school, last_name="Другая")


def portfolio(pk):
    return reverse("growth:portfolio", args=[pk])


# --- young specialist


@pytest.mark.django_db
def test_young_specialist_boundary(settings):
    settings.YOUNG_SPECIALIST_YEARS = 3
    year = datetime.date.today().year
    today = datetime.date.today()
    assert services.is_young_specialist(Person(teaching_since=year - 2), today)
    assert services.is_young_specialist(Person(teaching_since=year), today)
    assert not services.is_young_specialist(Person(teaching_since=year - 3), today)
    assert not services.is_young_specialist(Person(teaching_since=None), today)


def test_courses_in_last_years(net):
    person = net.users.teacher_person
    recent = course(person, starts_on=datetime.date(2024, 1, 10), ends_on=datetime.date(2024, 1, 20))
    course(person, starts_on=datetime.date(2022, 1, 10), ends_on=datetime.date(2022, 1, 20))
    assert list(services.courses_in_last_years(person, TODAY)) == [recent]


# --- validation


def test_course_hours_and_dates_validated_in_russian(net):
    form = CourseForm(data=course_post(hours="0", starts_on="2026-02-10", ends_on="2026-02-01"))
    form.instance.person = net.users.teacher_person
    assert not form.is_valid()
    assert "не меньше 1 часа" in form.errors["hours"][0]
    assert "раньше даты начала" in form.errors["ends_on"][0]
    form = CourseForm(data=course_post(hours="2001"))
    form.instance.person = net.users.teacher_person
    assert not form.is_valid()
    assert "не больше 2000 часов" in form.errors["hours"][0]


def test_certificate_must_be_pdf_jpeg_png(net, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    person = net.users.teacher_person
    docx = SimpleUploadedFile("cert.docx", b"PK\x03\x04rest")
    form = CourseForm(data=course_post(), files={"file": docx}, instance=Course(person=person))
    assert not form.is_valid()
    assert "PDF, JPEG или PNG" in form.errors["file"][0]
    fake = SimpleUploadedFile("cert.pdf", b"MZ not a pdf")
    form = CourseForm(data=course_post(), files={"file": fake}, instance=Course(person=person))
    assert not form.is_valid()
    assert "не соответствует расширению" in form.errors["file"][0]
    pdf = SimpleUploadedFile("cert.pdf", b"%PDF-1.4 test")
    form = CourseForm(data=course_post(), files={"file": pdf}, instance=Course(person=person))
    assert form.is_valid(), form.errors
    assert form.save().file.name.endswith(".pdf")


def test_mentor_cannot_be_mentee(net):
    person = net.users.teacher_person
    form = MentoringForm(
        data={"mentor": person.pk, "mentee": person.pk, "kind": "peer", "starts_on": "2026-01-01"},
        people=Person.objects.all(),
    )
    assert not form.is_valid()
    assert "один и тот же педагог" in form.errors["mentee"][0]
    with pytest.raises(ValidationError):
        Mentoring(mentor=person, mentee=person, kind="peer", starts_on=TODAY).full_clean()


# --- permissions


def test_teacher_sees_own_portfolio_not_colleagues(net, login, other_teacher):
    client = login(net.users.teacher)
    response = client.get(portfolio(net.users.teacher_person.pk))
    assert response.status_code == 200
    assert PersonalDataAccess.objects.filter(
        person=net.users.teacher_person, action="view", details="портфолио"
    ).exists()
    assert client.get(portfolio(other_teacher.pk)).status_code == 404


def test_methodist_sees_but_may_not_edit(net, login, other_teacher):
    client = login(net.users.methodist)
    assert client.get(portfolio(other_teacher.pk)).status_code == 200
    add = reverse("growth:course_add", args=[other_teacher.pk])
    assert client.get(add).status_code == 403
    assert client.post(add, course_post()).status_code == 403
    assert not Course.objects.exists()


def test_baksan_methodist_and_outsider_get_404(net, login, other_teacher):
    for user in (net.users.baksan_methodist, net.users.outsider):
        client = login(user)
        assert client.get(portfolio(other_teacher.pk)).status_code == 404
        assert client.get(reverse("growth:course_add", args=[other_teacher.pk])).status_code == 404


def test_admin_adds_course_and_it_shows(net, login, other_teacher):
    client = login(net.users.admin)
    response = client.post(reverse("growth:course_add", args=[other_teacher.pk]), course_post())
    assert response.status_code == 302
    assert Course.objects.get().person == other_teacher
    assert "Цифровая дидактика" in client.get(portfolio(other_teacher.pk)).content.decode()


def test_admin_adds_diagnostic_with_results(net, login, other_teacher):
    client = login(net.users.admin)
    data = {
        "date": "2026-01-15",
        "instrument": "ЕФОМ",
        "results-TOTAL_FORMS": "2",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "1000",
        "results-0-area": "Предметные компетенции",
        "results-0-percent": "45",
        "results-0-is_deficit": "on",
        "results-1-area": "",
        "results-1-percent": "",
    }
    response = client.post(reverse("growth:diagnostic_add", args=[other_teacher.pk]), data)
    assert response.status_code == 302
    diagnostic = Diagnostic.objects.get()
    assert [(r.area, r.percent, r.is_deficit) for r in diagnostic.results.all()] == [
        ("Предметные компетенции", 45, True)
    ]
    data["results-0-percent"] = "120"
    response = client.post(reverse("growth:diagnostic_add", args=[other_teacher.pk]), data)
    assert response.status_code == 200
    assert "от 0 до 100" in response.content.decode()


def test_teacher_changes_own_step_status_and_adds_a_course_to_confirm(net, login, other_teacher):
    own = Route.objects.create(person=net.users.teacher_person, year=2026, goals="Цифровые навыки")
    step = RouteStep.objects.create(route=own, text="Пройти КПК", due_on=TODAY)
    foreign = Route.objects.create(person=other_teacher, year=2026, goals="Цели")
    foreign_step = RouteStep.objects.create(route=foreign, text="Открытый урок", due_on=TODAY)
    client = login(net.users.teacher)
    response = client.post(reverse("growth:step_status", args=[step.pk]), {"status": "done"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == RouteStep.Status.DONE
    assert client.post(reverse("growth:step_edit", args=[step.pk]), {"text": "x"}).status_code == 403
    add = reverse("growth:course_add", args=[net.users.teacher_person.pk])
    # Issue 12: the teacher adds their own course; it waits for the MO's confirmation.
    assert client.post(add, course_post()).status_code == 302
    assert Course.objects.get(person=net.users.teacher_person).status == Course.Status.PENDING
    response = client.post(reverse("growth:step_status", args=[foreign_step.pk]), {"status": "done"})
    assert response.status_code == 404
    foreign_step.refresh_from_db()
    assert foreign_step.status == RouteStep.Status.PLANNED


def test_methodist_may_not_change_step_status(net, login, other_teacher):
    route = Route.objects.create(person=other_teacher, year=2026, goals="Цели")
    step = RouteStep.objects.create(route=route, text="Открытый урок", due_on=TODAY)
    client = login(net.users.methodist)
    assert client.post(reverse("growth:step_status", args=[step.pk]), {"status": "done"}).status_code == 403


def test_admin_adds_mentoring_pair(net, login, other_teacher):
    client = login(net.users.admin)
    mentor = net.users.teacher_person
    response = client.post(
        reverse("growth:mentoring_add", args=[other_teacher.pk]),
        {"mentor": mentor.pk, "mentee": other_teacher.pk, "kind": "young", "starts_on": "2026-09-01"},
    )
    assert response.status_code == 302
    assert "наставник – молодой специалист" in client.get(portfolio(mentor.pk)).content.decode()


def test_young_specialist_badge(net, login, other_teacher):
    other_teacher.teaching_since = datetime.date.today().year - 1
    other_teacher.save()
    client = login(net.users.admin)
    assert "молодой специалист" in client.get(portfolio(other_teacher.pk)).content.decode()


def test_portfolio_queries_do_not_grow(net, login, other_teacher, django_assert_max_num_queries):
    def fill(n):
        for i in range(n):
            course(other_teacher, title=f"Курс {i}")
        d = Diagnostic.objects.create(person=other_teacher, date=TODAY, instrument=f"Тест {n}")
        d.results.create(area="Область", percent=50)
        r = Route.objects.create(person=other_teacher, year=2026, goals="Цели", diagnostic=d)
        RouteStep.objects.create(route=r, text="Шаг", due_on=TODAY)
        Mentoring.objects.create(mentor=net.users.teacher_person, mentee=other_teacher, kind="peer", starts_on=TODAY)

    client = login(net.users.admin)
    fill(2)
    client.get(portfolio(other_teacher.pk))  # warm up
    with CaptureQueriesContext(connection) as few:
        assert client.get(portfolio(other_teacher.pk)).status_code == 200
    fill(28)
    with django_assert_max_num_queries(len(few.captured_queries)), CaptureQueriesContext(connection) as many:
        assert client.get(portfolio(other_teacher.pk)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_certificate_scan_is_served_only_to_those_who_see_the_person(net, client):
    from django.core.files.base import ContentFile

    from growth.models import Course

    course = Course(
        person=net.users.teacher_person,
        title="ФГОС",
        provider="ЦНППМ",
        hours=36,
        starts_on="2026-03-01",
        ends_on="2026-03-10",
    )
    course.file.save("scan.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
    url = f"/portfolio/courses/{course.pk}/file/"
    client.force_login(net.users.teacher)
    assert client.get(url).status_code == 200
    client.force_login(net.users.baksan_methodist)
    assert client.get(url).status_code == 404


# --- concurrent edits


def test_a_stale_course_edit_is_refused_and_changes_nothing(net, login, other_teacher):
    record = course(other_teacher, title="Старое название")
    client = login(net.users.admin)
    url = reverse("growth:course_edit", args=[record.pk])
    assert client.post(url, course_post(title="Первая правка", expected_version=1)).status_code == 302
    response = client.post(url, course_post(title="Правка по старой странице", expected_version=1))
    assert response.status_code == 200 and "изменил другой пользователь" in response.content.decode()
    record.refresh_from_db()
    assert record.title == "Первая правка" and record.version == 2


def test_a_status_change_makes_an_open_step_editor_stale(net, login, other_teacher):
    route = Route.objects.create(person=other_teacher, year=2026, goals="Цель")
    step = RouteStep.objects.create(route=route, text="Шаг", due_on=datetime.date(2026, 12, 1))
    client = login(net.users.admin)
    client.post(reverse("growth:step_status", args=[step.pk]), {"status": "done"})
    data = {"text": "Шаг, поправленный", "due_on": "2026-12-01", "status": "planned", "expected_version": 1}
    response = client.post(reverse("growth:step_edit", args=[step.pk]), data)
    assert "изменил другой пользователь" in response.content.decode()
    step.refresh_from_db()
    assert step.status == "done" and step.text == "Шаг"
