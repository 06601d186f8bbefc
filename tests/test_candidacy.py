"""Issue 4: a candidate for the chair of a МунУМО is agreed with РУМО, on the workflow of plans."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from network.models import Notification
from orders.models import Order
from orgunits.models import DocumentType
from people import candidates
from people.models import Candidacy
from submissions import deadlines, services
from submissions.models import Campaign, DeadlineEvent, State, Submission
from workflow.engine import moves_of

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate(net):
    person = f.PersonFactory(region=net.region, last_name="Кандидатова", school=net.school)
    f.member(person, net.terek, "member")
    return person


def propose(client, net, person, text="Опыт руководства РМО пять лет."):
    return client.post(
        reverse("people:candidacy_new", args=[net.terek.pk]),
        {"person": person.pk, "role": "chair", "justification": text},
    )


def test_unit_page_offers_the_proposal_to_those_who_manage_members(net, login):
    url = reverse("orgunits:unit", args=[net.terek.pk])
    assert "Предложить кандидатуру председателя" in login(net.users.methodist).get(url).content.decode()
    assert "Предложить кандидатуру председателя" not in login(net.users.teacher).get(url).content.decode()
    # РУМО itself has nobody above that approves candidates.
    rumo = login(net.users.admin).get(reverse("orgunits:unit", args=[net.rumo.pk])).content.decode()
    assert "Предложить кандидатуру председателя" not in rumo


def test_propose_return_resubmit_approve(net, login, candidate):
    client = login(net.users.methodist)
    assert client.get(reverse("people:candidacy_new", args=[net.terek.pk])).status_code == 200
    response = propose(client, net, candidate)
    submission = Submission.objects.get(unit=net.terek, own_kind=DocumentType.CANDIDATE)
    assert response.status_code == 302 and response.url == submission.get_absolute_url()
    # A candidacy belongs to no campaign: it names its kind and year itself.
    year = timezone.localdate().year
    assert (submission.campaign, submission.document_type, submission.year) == (None, DocumentType.CANDIDATE, year)
    assert not Campaign.objects.exists()
    assert submission.state == State.DRAFT and submission.approver == net.rumo
    assert services.approver_for(net.terek, "candidate") == net.rumo
    candidacy = submission.candidacy
    assert (candidacy.person, candidacy.role) == (candidate, "chair")

    page = client.get(submission.get_absolute_url()).content.decode()
    assert "Кандидатова" in page and candidate.get_absolute_url() in page
    assert "Опыт руководства РМО" in page and "Отправить на согласование" in page
    assert reverse("people:candidacy_edit", args=[submission.pk]) in page

    client.post(reverse("submissions:submit", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.state == State.SUBMITTED and submission.approver == net.rumo
    assert Notification.objects.filter(user=net.users.reviewer, text__contains="На согласование").exists()

    reviewer = login(net.users.reviewer)
    assert "Согласовать" in reviewer.get(submission.get_absolute_url()).content.decode()
    reviewer.post(reverse("submissions:return", args=[submission.pk]), {"comment": "Приложите сведения о стаже."})
    submission.refresh_from_db()
    assert submission.state == State.RETURNED
    assert moves_of(submission).filter(to_state=State.RETURNED, reason="Приложите сведения о стаже.").exists()

    # The methodist edits the justification (a versioned edit) and submits again.
    client = login(net.users.methodist)
    edit_url = reverse("people:candidacy_edit", args=[submission.pk])
    assert client.get(edit_url).status_code == 200
    response = client.post(
        edit_url,
        {
            "person": candidate.pk,
            "role": "chair",
            "justification": "Стаж 12 лет, высшая категория.",
            "expected_version": submission.version,
        },
    )
    assert response.status_code == 302
    candidacy.refresh_from_db()
    assert candidacy.justification == "Стаж 12 лет, высшая категория."
    client.post(reverse("submissions:submit", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.state == State.SUBMITTED

    reviewer = login(net.users.reviewer)
    page = reviewer.get(submission.get_absolute_url()).content.decode()
    assert "Изменения после возврата" in page and "Стаж 12 лет" in page
    reviewer.post(reverse("submissions:approve", args=[submission.pk]), {"comment": ""})
    submission.refresh_from_db()
    assert submission.state == State.APPROVED

    # Approved: frozen, and the appointment order is one click away.
    client = login(net.users.methodist)
    page = client.get(submission.get_absolute_url()).content.decode()
    assert "Подготовить приказ о назначении" in page
    assert (
        client.post(
            edit_url, {"person": candidate.pk, "role": "chair", "justification": "x", "expected_version": 99}
        ).status_code
        == 200
    )
    candidacy.refresh_from_db()
    assert candidacy.justification == "Стаж 12 лет, высшая категория."
    response = client.post(reverse("orders:from_candidacy", args=[submission.pk]))
    order = Order.objects.get(submission=submission)
    assert response.status_code == 302 and response.url == order.get_absolute_url()
    assert (
        order.unit == net.terek
        and order.template == "appoint_chair"
        and "Кандидатова" in str(list(order.points.values_list("text", flat=True)))
    )
    client.post(reverse("orders:from_candidacy", args=[submission.pk]))
    assert Order.objects.filter(submission=submission).count() == 1


def test_second_candidacy_in_the_same_year_is_refused(net, login, candidate):
    client = login(net.users.methodist)
    propose(client, net, candidate)
    response = propose(client, net, net.users.secretary_person)
    assert response.status_code == 200
    assert "уже предложена: одно предложение в год" in response.content.decode()
    assert Candidacy.objects.filter(submission__unit=net.terek).count() == 1


def test_justification_is_required(net, login, candidate):
    response = propose(login(net.users.methodist), net, candidate, text="  ")
    assert response.status_code == 200 and "Обоснуйте кандидатуру" in response.content.decode()
    assert not Submission.objects.filter(unit=net.terek).exists()


def test_other_municipality_gets_404_and_a_teacher_403(net, login, candidate):
    propose(login(net.users.methodist), net, candidate)
    submission = Submission.objects.get(unit=net.terek)
    baksan = login(net.users.baksan_methodist)
    assert baksan.get(submission.get_absolute_url()).status_code == 404
    assert baksan.get(reverse("people:candidacy_edit", args=[submission.pk])).status_code == 404
    assert baksan.get(reverse("people:candidacy_new", args=[net.terek.pk])).status_code == 404
    teacher = login(net.users.teacher)
    assert teacher.get(reverse("people:candidacy_new", args=[net.terek.pk])).status_code == 403
    assert propose(teacher, net, candidate).status_code == 403


def test_deadline_sweep_sends_nothing_for_a_candidacy(net):
    now = timezone.make_aware(datetime.datetime(2027, 3, 1, 10))
    person = f.PersonFactory(region=net.region)
    submission = candidates.propose(net.terek, person, "Обоснование.", net.users.methodist, now)
    assert submission.campaign is None and submission.year == 2027
    notes = Notification.objects.count()
    for day in (datetime.date(2027, 12, 30), datetime.date(2027, 12, 31), datetime.date(2028, 1, 2)):
        report = deadlines.run_sweep(day, send_email=False)
        assert (report.reminders, report.late, report.missing) == (0, 0, 0)
    assert not DeadlineEvent.objects.exists()
    assert Notification.objects.filter(text__contains=str(submission)).count() == 0
    assert Notification.objects.count() >= notes  # governance checks may notify; never about candidacies
    assert not Campaign.objects.exists()
