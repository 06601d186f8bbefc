"""Delegates of a municipality to the РУМО (Положение о РУМО, 000 а: «Согласование МунМО с РУМО
кандидатур руководителей МунМО и членов РУМО от муниципалитета»): proposed as candidacies, routed
like the others, and on approval the delegate becomes a member of the РУМО."""

import pytest
from django.urls import reverse

from orgunits.access import access_for
from orgunits.models import DocumentType
from people import candidates
from people.models import Candidacy, Membership
from people.services import sync_person_access
from submissions.models import State, Submission

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def delegate(net):
    user = f.UserFactory(username="delegate")
    person = f.PersonFactory(region=net.region, last_name="Делегатова", user=user, school=net.school)
    f.member(person, net.terek, "member")
    sync_person_access(person)
    return person


def propose(client, unit, person, role="delegate"):
    return client.post(
        reverse("people:candidacy_new", args=[unit.pk]),
        {"person": person.pk, "role": role, "justification": "Руководит РМО математиков, победитель конкурса."},
    )


def test_a_municipality_may_propose_a_delegate(net, login, delegate):
    """000 а: the МунУМО (a municipal unit under a regional one) proposes its delegates to the РУМО."""
    client = login(net.users.methodist)
    page = client.get(reverse("people:candidacy_new", args=[net.terek.pk])).content.decode()
    assert "делегат в РУМО" in page
    response = propose(client, net.terek, delegate)
    submission = Submission.objects.get(unit=net.terek, own_kind=DocumentType.CANDIDATE)
    assert response.status_code == 302
    assert (submission.candidacy.role, submission.approver) == (Candidacy.Role.DELEGATE, net.rumo)


def test_a_unit_below_the_municipality_may_not_propose_a_delegate(net, login, delegate):
    """000 а names the municipality's delegates: an РМО inside it proposes none of its own."""
    client = login(net.users.admin)
    page = client.get(reverse("people:candidacy_new", args=[net.terek_rmo.pk])).content.decode()
    assert "делегат в РУМО" not in page
    response = propose(client, net.terek_rmo, delegate)
    assert response.status_code == 200
    assert not Submission.objects.filter(unit=net.terek_rmo).exists()
    # The service refuses it too, whatever the page offered.
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    with pytest.raises(ValidationError) as exc:
        candidates.propose(
            net.terek_rmo, delegate, "Обоснование", net.users.admin, timezone.now(), role=Candidacy.Role.DELEGATE
        )
    assert "Делегата в РУМО предлагает муниципальное объединение" in str(exc.value)


def test_an_approved_delegate_becomes_a_member_of_the_rumo(net, login, delegate):
    """000 а: once the РУМО agrees the candidacy, the delegate is a member of the РУМО — a member's
    access, nothing more — and only after the approval."""
    propose(login(net.users.methodist), net.terek, delegate)
    submission = Submission.objects.get(unit=net.terek, own_kind=DocumentType.CANDIDATE)
    login(net.users.methodist).post(reverse("submissions:submit", args=[submission.pk]))
    submission.refresh_from_db()
    assert submission.state == State.SUBMITTED
    assert not Membership.objects.filter(unit=net.rumo, person=delegate).exists()

    login(net.users.reviewer).post(reverse("submissions:approve", args=[submission.pk]), {"comment": ""})
    submission.refresh_from_db()
    assert submission.state == State.APPROVED
    membership = Membership.objects.active().get(unit=net.rumo, person=delegate)
    assert membership.role == "member"
    assert membership.ends_on == Membership.default_term_end(membership.starts_on)  # one year, 001 §2.7
    page = login(net.users.methodist).get(submission.get_absolute_url()).content.decode()
    assert f"в составе «{net.rumo}» с {membership.starts_on:%d.%m.%Y}" in page
    access = access_for(delegate.user)
    assert access.can("view", net.rumo) and not access.can("manage_members", net.rumo)
    # Idempotent: another save of the approved document adds nobody twice.
    submission.save()
    assert candidates.enroll_delegate(submission) is None
    assert Membership.objects.filter(unit=net.rumo, person=delegate).count() == 1


def test_an_approved_chair_candidacy_does_not_enroll_anybody_in_the_rumo(net, login, delegate):
    """000 а: a chair's candidacy ends in an appointment order of the МунУМО, not in the РУМО's composition."""
    propose(login(net.users.methodist), net.terek, delegate, role="chair")
    submission = Submission.objects.get(unit=net.terek, own_kind=DocumentType.CANDIDATE)
    login(net.users.methodist).post(reverse("submissions:submit", args=[submission.pk]))
    login(net.users.reviewer).post(reverse("submissions:approve", args=[submission.pk]), {"comment": ""})
    submission.refresh_from_db()
    assert submission.state == State.APPROVED
    assert not Membership.objects.filter(unit=net.rumo, person=delegate).exists()


def test_several_delegates_and_the_chair_are_proposed_in_one_year(net, login, delegate):
    """000 а: «кандидатур руководителей МунМО и членов РУМО от муниципалитета» — several members a year, each
    its own candidacy; the chair's candidacy keeps its own one-a-year rule beside them."""
    second = f.PersonFactory(region=net.region, last_name="Второва", school=net.school)
    client = login(net.users.methodist)
    assert propose(client, net.terek, delegate).status_code == 302
    assert propose(client, net.terek, second).status_code == 302
    assert propose(client, net.terek, second, role="chair").status_code == 302
    roles = sorted(Candidacy.objects.filter(submission__unit=net.terek).values_list("role", flat=True))
    assert roles == ["chair", "delegate", "delegate"]


def test_the_same_delegate_is_proposed_once_a_year(net, login, delegate):
    client = login(net.users.methodist)
    assert propose(client, net.terek, delegate).status_code == 302
    response = propose(client, net.terek, delegate)
    assert response.status_code == 200
    assert "делегатом в РУМО" in response.content.decode() and "уже предложена" in response.content.decode()
    assert Candidacy.objects.filter(submission__unit=net.terek).count() == 1
