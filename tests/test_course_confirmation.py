"""A teacher adds their own КПК certificate; the MO confirms or rejects it (issue 12)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from growth import services
from growth.models import Course
from growth.worklist import GROUP, REJECTED_GROUP, courses_to_confirm, my_rejected_courses
from history.models import LogEntry
from network.models import Notification
from orgunits.access import access_for
from people.services import sync_person_access

from . import factories as f

TODAY = datetime.date(2026, 5, 20)


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
def mo(net):
    """The teacher is a member of the school MO (ШМО) whose chair confirms; a colleague of another school."""
    f.member(net.users.teacher_person, net.shmo)
    chair = f.UserFactory(username="shmo_chair")
    chair_person = f.PersonFactory(region=net.region, user=chair, school=net.school, last_name="Председателева")
    f.member(chair_person, net.shmo, "chair")
    sync_person_access(chair_person)
    sync_person_access(net.users.teacher_person)
    return chair


def add_url(net):
    return reverse("growth:course_add", args=[net.users.teacher_person.pk])


def pending_course(net, **kw):
    data = {
        "person": net.users.teacher_person,
        "title": "Функциональная грамотность",
        "provider": "ЦНППМ КБР",
        "hours": 72,
        "starts_on": datetime.date(2026, 3, 1),
        "ends_on": datetime.date(2026, 3, 20),
        "status": Course.Status.PENDING,
    }
    data.update(kw)
    return Course.objects.create(**data)


def test_teacher_adds_own_course_with_scan_and_it_waits(net, mo, login):
    client = login(net.users.teacher)
    scan = SimpleUploadedFile("udost.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post(add_url(net), course_post(file=scan))
    assert response.status_code == 302
    course = Course.objects.get()
    assert course.status == Course.Status.PENDING and course.file and course.submitted_at is not None
    page = client.get(reverse("growth:portfolio", args=[net.users.teacher_person.pk])).content.decode()
    assert "на подтверждении" in page
    assert LogEntry.objects.filter(action="transition", to_state="pending", object_id=course.pk).exists()


def test_the_teachers_form_says_the_course_will_wait_for_confirmation(net, mo, login):
    assert "на подтверждении" in login(net.users.teacher).get(add_url(net)).content.decode()
    assert "на подтверждении" not in login(mo).get(add_url(net)).content.decode()


def test_a_scan_of_a_wrong_type_is_refused(net, mo, login):
    client = login(net.users.teacher)
    bad = SimpleUploadedFile("udost.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(add_url(net), course_post(file=bad))
    assert response.status_code == 200
    assert "PDF, JPEG или PNG" in response.content.decode()
    assert not Course.objects.exists()


def test_teacher_cannot_add_a_course_to_a_colleagues_portfolio(net, mo, login):
    colleague = f.PersonFactory(region=net.region, school=net.school)
    f.member(colleague, net.shmo)
    client = login(net.users.teacher)
    response = client.post(reverse("growth:course_add", args=[colleague.pk]), course_post())
    assert response.status_code in (403, 404)
    assert not Course.objects.exists()


def test_course_added_by_the_mo_chair_is_confirmed_at_once(net, mo, login):
    response = login(mo).post(add_url(net), course_post())
    assert response.status_code == 302
    assert Course.objects.get().status == Course.Status.CONFIRMED


def test_pending_course_does_not_count_in_the_hours(net):
    pending_course(net, ends_on=datetime.date(2026, 3, 20))
    assert list(services.courses_in_last_years(net.users.teacher_person, TODAY)) == []


def test_chair_confirms_and_the_teacher_is_told(net, mo, login):
    course = pending_course(net)
    response = login(mo).post(reverse("growth:course_confirm", args=[course.pk]))
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == Course.Status.CONFIRMED and course.confirmed_by == mo and course.confirmed_at
    assert Notification.objects.filter(user=net.users.teacher, text__contains="подтверждён").exists()
    # The move is in the course's history, which the teacher reads from the portfolio.
    teacher = login(net.users.teacher)
    history = reverse("history:object", args=["growth.course", course.pk])
    assert history in teacher.get(reverse("growth:portfolio", args=[course.person_id])).content.decode()
    assert "подтверждён" in teacher.get(history).content.decode()


def test_reject_needs_a_reason_and_the_teacher_sees_it(net, mo, login):
    course = pending_course(net)
    client = login(mo)
    client.post(reverse("growth:course_reject", args=[course.pk]), {"reason": ""})
    course.refresh_from_db()
    assert course.status == Course.Status.PENDING
    client.post(reverse("growth:course_reject", args=[course.pk]), {"reason": "Нет скана удостоверения"})
    course.refresh_from_db()
    assert course.status == Course.Status.REJECTED
    page = login(net.users.teacher).get(reverse("growth:portfolio", args=[course.person_id])).content.decode()
    assert "Нет скана удостоверения" in page


def test_teacher_corrects_a_rejected_course_and_it_waits_again(net, mo, login):
    course = pending_course(net, status=Course.Status.REJECTED, reject_reason="Нет скана")
    response = login(net.users.teacher).post(
        reverse("growth:course_edit", args=[course.pk]), course_post(expected_version=course.version)
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == Course.Status.PENDING and course.reject_reason == ""


def test_teacher_cannot_confirm_own_course(net, mo, login):
    course = pending_course(net)
    response = login(net.users.teacher).post(reverse("growth:course_confirm", args=[course.pk]))
    assert response.status_code == 403
    course.refresh_from_db()
    assert course.status == Course.Status.PENDING


def test_teacher_cannot_edit_a_confirmed_course(net, mo, login):
    course = pending_course(net, status=Course.Status.CONFIRMED)
    client = login(net.users.teacher)
    assert client.get(reverse("growth:course_edit", args=[course.pk])).status_code == 403
    assert client.post(reverse("growth:course_delete", args=[course.pk])).status_code == 403
    assert Course.objects.filter(pk=course.pk).exists()


def test_a_secretary_of_another_unit_cannot_confirm(net, mo, login):
    # The Terek МунУМО secretary keeps that unit's composition only; the teacher is not its member.
    course = pending_course(net)
    response = login(net.users.secretary).post(reverse("growth:course_confirm", args=[course.pk]))
    assert response.status_code in (403, 404)
    course.refresh_from_db()
    assert course.status == Course.Status.PENDING


def test_outsider_gets_404(net, mo, login):
    course = pending_course(net)
    assert login(net.users.outsider).post(reverse("growth:course_confirm", args=[course.pk])).status_code == 404


def test_the_confirmation_task_is_on_the_chairs_list_not_the_teachers(net, mo):
    course = pending_course(net)
    tasks = list(courses_to_confirm(mo, access_for(mo), TODAY))
    assert [(t.group, t.decision, t.url) for t in tasks] == [(GROUP, True, course.get_absolute_url())]
    teacher = net.users.teacher
    assert list(courses_to_confirm(teacher, access_for(teacher), TODAY)) == []
    outsider = net.users.outsider
    assert list(courses_to_confirm(outsider, access_for(outsider), TODAY)) == []


def test_confirmed_courses_leave_the_task_list(net, mo):
    pending_course(net, status=Course.Status.CONFIRMED)
    assert list(courses_to_confirm(mo, access_for(mo), TODAY)) == []


def test_the_task_list_costs_a_bounded_number_of_queries(net, mo, django_assert_max_num_queries):
    for i in range(15):
        person = f.PersonFactory(region=net.region, school=net.school)
        f.member(person, net.shmo)
        pending_course(net, person=person, title=f"Курс {i}")
    access = access_for(mo)
    list(access.grants)  # the grants are loaded once per request, before any provider runs
    with django_assert_max_num_queries(2):
        tasks = list(courses_to_confirm(mo, access, TODAY))
    assert len(tasks) == 15


def test_an_administrator_confirms_for_a_teacher_with_no_mo(net):
    # A teacher of the region who belongs to no MO: the region's administrator keeps their card.
    loner = f.PersonFactory(region=net.region, school=net.school)
    course = pending_course(net, person=loner)
    admin = net.users.admin
    assert [t.url for t in courses_to_confirm(admin, access_for(admin), TODAY)] == [course.get_absolute_url()]
    methodist = net.users.methodist  # keeps the compositions of Terek's MOs, not this teacher's card
    assert list(courses_to_confirm(methodist, access_for(methodist), TODAY)) == []


def test_the_teacher_is_asked_to_correct_a_rejected_course(net, mo):
    teacher = net.users.teacher
    pending_course(net)
    assert list(my_rejected_courses(teacher, access_for(teacher), TODAY)) == []
    rejected = pending_course(net, status=Course.Status.REJECTED, reject_reason="Нет скана", title="Курс Б")
    [task] = my_rejected_courses(teacher, access_for(teacher), TODAY)
    assert task.group == REJECTED_GROUP and "Нет скана" in task.note
    assert task.url == reverse("growth:course_edit", args=[rejected.pk])
    assert list(my_rejected_courses(mo, access_for(mo), TODAY)) == []
