"""«Кампании» shows the state of the user's own document (issue 12): for every unit the user files
for and that owes the campaign's document — черновик, на согласовании, возвращён, согласован, or
не начат with «Начать» — in a number of queries that does not grow with the campaigns."""

import pytest
from django.urls import reverse

from people.services import sync_person_access
from submissions import services
from submissions.models import Campaign

from . import factories as f
from .workflow import OPEN_DAY, freeze, moment, report_campaign, submitted

pytestmark = pytest.mark.django_db

LIST = reverse("submissions:campaigns")


def own(response, campaign):
    return [(o["unit"].name, o["label"], o["can_start"]) for o in _campaign(response, campaign).own]


def _campaign(response, campaign):
    return next(c for c in response.context["page_obj"] if c.pk == campaign.pk)


@pytest.fixture
def campaign(net, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    return report_campaign(net)


def test_a_document_not_started_offers_start(client, net, campaign):
    client.force_login(net.users.secretary)

    response = client.get(LIST)

    assert own(response, campaign) == [("Терское МунУМО", "не начат", True)]
    html = response.content.decode()
    assert f'action="{reverse("submissions:start", args=[campaign.pk, net.terek.pk])}"' in html
    assert ">Начать</button>" in html


@pytest.mark.parametrize(
    ("steps", "label"),
    [
        ([], "черновик"),
        (["submit"], "на согласовании"),
        (["submit", "return"], "возвращён"),
        (["submit", "approve"], "согласован"),
    ],
)
def test_the_state_of_the_own_document(client, net, campaign, steps, label):
    document = services.start(campaign, net.terek, net.users.secretary, moment(OPEN_DAY))
    for step in steps:
        if step == "submit":
            services.submit(document, net.users.secretary, moment(OPEN_DAY), OPEN_DAY)
        elif step == "return":
            services.return_for_revision(document, net.users.reviewer, "Дополните.", moment(OPEN_DAY, 13))
        else:
            services.approve(document, net.users.reviewer, moment(OPEN_DAY, 13))
    client.force_login(net.users.secretary)

    response = client.get(LIST)

    assert own(response, campaign) == [("Терское МунУМО", label, False)]
    assert f'href="{document.get_absolute_url()}"' in response.content.decode()


def test_a_campaign_not_open_yet_says_when_it_opens(client, net, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    later = report_campaign(net, year=2027)  # opens 10.01.2028
    client.force_login(net.users.secretary)

    response = client.get(LIST)

    assert own(response, later) == [("Терское МунУМО", "не начат", False)]
    assert "откроется 10.01.2028" in response.content.decode()


def test_a_unit_that_does_not_file_in_the_campaign_is_not_listed(client, net, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    only_schools = report_campaign(net, kinds=("shmo",))
    client.force_login(net.users.secretary)
    assert own(client.get(LIST), only_schools) == []


def test_a_reviewer_files_for_nothing_and_sees_no_own_documents(client, net, campaign):
    client.force_login(net.users.reviewer)
    assert own(client.get(LIST), campaign) == []


def test_a_teacher_sees_no_own_documents(client, net, campaign):
    client.force_login(net.users.teacher)
    assert own(client.get(LIST), campaign) == []


def test_someone_filing_for_two_units_sees_both(client, net, campaign):
    f.member(net.users.secretary_person, net.shmo, "deputy")
    sync_person_access(net.users.secretary_person)
    submitted(campaign, net.shmo, net.users.shmo_secretary)
    client.force_login(net.users.secretary)

    rows = own(client.get(LIST), campaign)

    assert rows == [("Терское МунУМО", "не начат", True), ("ШМО математиков СОШ № 1", "на согласовании", False)]


def test_the_list_costs_the_same_queries_for_one_campaign_and_for_many(
    client, net, monkeypatch, django_assert_max_num_queries
):
    freeze(monkeypatch, OPEN_DAY)
    report_campaign(net, year=2026)
    client.force_login(net.users.secretary)
    client.get(LIST)
    with django_assert_max_num_queries(12) as one:
        client.get(LIST)
    for year in range(2015, 2026):
        campaign = report_campaign(net, year=year)
        services.start(campaign, net.terek, net.users.secretary, moment(campaign.opens_on))
    assert Campaign.objects.count() == 12
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(LIST)
