"""The reviewer's inbox: what waits for my decision, what I returned; its cost does not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.services import sync_person_access
from submissions import services
from submissions.models import State, Submission

from . import factories as f
from .workflow import AFTER_DUE, OPEN_DAY, freeze, grow, moment, report_campaign, submitted


@pytest.fixture
def docs(net, monkeypatch):
    """On 27.02.2027: Terek's report on approval (on time), Baksan's on approval (late), the ШМО's a draft."""
    campaign = report_campaign(net)
    terek = submitted(campaign, net.terek, net.users.secretary, day=OPEN_DAY)
    baksan = submitted(campaign, net.baksan, net.users.baksan_methodist, day=AFTER_DUE)
    draft = services.start(campaign, net.shmo, net.users.shmo_secretary, moment(OPEN_DAY))
    freeze(monkeypatch, AFTER_DUE)
    return campaign, terek, baksan, draft


def inbox(client, user):
    client.force_login(user)
    response = client.get(reverse("submissions:inbox"))
    assert response.status_code == 200
    return response


def waiting(response):
    return [s.pk for s in response.context["page_obj"]]


def test_the_reviewers_of_rumo_see_what_waits_for_them(client, net, docs):
    _, terek, baksan, _ = docs
    for user in (net.users.reviewer, net.users.admin, net.users.superuser):
        assert waiting(inbox(client, user)) == [terek.pk, baksan.pk]  # the oldest first


@pytest.mark.parametrize(
    "role", ["methodist", "secretary", "baksan_methodist", "shmo_secretary", "teacher", "outsider"]
)
def test_filers_and_members_have_nothing_to_review(client, net, docs, role):
    response = inbox(client, getattr(net.users, role))
    assert waiting(response) == []
    assert "Документов на согласовании нет" in response.content.decode()


def test_a_chair_below_the_approver_does_not_see_documents_routed_above(client, net, docs):
    chair_user = f.UserFactory(username="terek_chair")
    chair = f.PersonFactory(region=net.region, user=chair_user)
    f.member(chair, net.terek, "chair")
    sync_person_access(chair)
    assert waiting(inbox(client, chair_user)) == []


def test_only_documents_on_approval_are_listed(client, net, docs):
    _, terek, baksan, draft = docs
    services.approve(terek, net.users.reviewer, moment(AFTER_DUE))
    assert waiting(inbox(client, net.users.reviewer)) == [baksan.pk]


def test_timeliness_is_shown(client, net, docs):
    text = inbox(client, net.users.reviewer).content.decode()
    assert "в срок" in text and "с опозданием" in text
    assert "Терское МунУМО" in text and "Баксанское МунУМО" in text


def test_returned_by_me_awaiting_resubmission(client, net, docs):
    _, terek, baksan, _ = docs
    services.return_for_revision(terek, net.users.reviewer, "Дополните раздел о молодых.", moment(AFTER_DUE))
    response = inbox(client, net.users.reviewer)
    assert waiting(response) == [baksan.pk]
    assert [s.pk for s in response.context["returned"]] == [terek.pk]
    assert "Дополните раздел о молодых." in response.content.decode()
    # Not the other reviewer's: the admin did not return it.
    assert inbox(client, net.users.admin).context["returned"] == []
    # Once resubmitted it leaves the list and is waiting again.
    services.submit(terek, net.users.secretary, moment(AFTER_DUE, 15), AFTER_DUE)
    response = inbox(client, net.users.reviewer)
    assert response.context["returned"] == [] and terek.pk in waiting(response)


def test_the_inbox_links_to_each_document(client, net, docs):
    _, terek, _, _ = docs
    assert reverse("submissions:submission", args=[terek.pk]) in inbox(client, net.users.reviewer).content.decode()


def test_the_inbox_is_paginated(client, net, monkeypatch):
    campaign = report_campaign(net)
    units = grow(net, 60)
    Submission.objects.bulk_create(
        [
            Submission(
                campaign=campaign,
                unit=u,
                approver=net.rumo,
                state=State.SUBMITTED,
                first_submitted_on=OPEN_DAY,
                on_time=True,
                submitted_at=moment(OPEN_DAY),
            )
            for u in units
        ]
    )
    freeze(monkeypatch, AFTER_DUE)
    response = inbox(client, net.users.reviewer)
    assert len(response.context["page_obj"].object_list) == 50
    assert response.context["page_obj"].paginator.count == 58


# -- the number of queries does not grow --------------------------------------------------------------

SMALL, BIG = 10, 2_000


def seed(campaign, units, approver, reviewer):
    """Every unit's document on approval; every tenth returned by `reviewer` (with its transition)."""
    from history.models import LogEntry
    from history.services import record

    subs = Submission.objects.bulk_create(
        [
            Submission(
                campaign=campaign,
                unit=u,
                approver=approver,
                state=State.RETURNED if i % 10 == 0 else State.SUBMITTED,
                first_submitted_on=OPEN_DAY,
                on_time=i % 2 == 0,
                submitted_at=moment(OPEN_DAY),
            )
            for i, u in enumerate(units)
        ]
    )
    for s in subs:
        if s.state == State.RETURNED:
            record(
                s,
                LogEntry.Action.TRANSITION,
                actor=reviewer,
                at=moment(OPEN_DAY, 15),
                kind="report",
                move="return",
                from_state=State.SUBMITTED,
                to_state=State.RETURNED,
                reason="Доработать.",
            )


def test_inbox_queries_do_not_grow_with_the_network(client, net, monkeypatch):
    campaign = report_campaign(net)
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    address = reverse("submissions:inbox")

    seed(campaign, [net.terek_rmo, *grow(net, SMALL)], net.rumo, net.users.reviewer)
    client.get(address)
    with CaptureQueriesContext(connection) as small:
        response = client.get(address)
    assert response.context["page_obj"].paginator.count > 0 and response.context["returned"]

    seed(campaign, grow(net, BIG), net.rumo, net.users.reviewer)
    with CaptureQueriesContext(connection) as big:
        response = client.get(address)
    assert response.context["page_obj"].paginator.count > 1_500

    print(f"inbox: {len(small)} queries at {SMALL} units, {len(big)} at {BIG}")
    assert len(big) == len(small), "\n".join(q["sql"] for q in big.captured_queries)
