"""The rules a region's own regulation may set (issue 13): escalation above the route (000), the
longest term of a member (001 §2.7), what the region publishes on its open pages (001 §1.3). The
defaults are the seeds': no escalation, a one-year term, nothing published."""

import pytest
from django.urls import reverse

from orgunits.models import Publication, Region

pytestmark = pytest.mark.django_db


def settings_url(net):
    return reverse("orgunits:region_settings", args=[net.region.pk])


def post(client, net, **changes):
    data = {"timezone": net.region.timezone, "max_term_months": "12", **changes}
    return client.post(settings_url(net), data)


def test_the_defaults_follow_the_seeds():
    region = Region.objects.create(code="new", name="Новый регион")
    assert (region.allow_escalation, region.max_term_months, region.published) == (False, 12, [])
    assert not region.publishes(Publication.PLANS)


def test_the_administrator_sets_the_regions_rules(net, login):
    response = post(
        login(net.users.admin), net, allow_escalation="on", max_term_months="24", published=["plans", "structure"]
    )
    assert response.status_code == 302
    net.region.refresh_from_db()
    assert net.region.allow_escalation and net.region.max_term_months == 24
    assert net.region.publishes(Publication.PLANS) and not net.region.publishes(Publication.ORDERS)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_term_months": "0"}, "не меньше 1 месяца"),
        ({"max_term_months": "61"}, "не больше 60 месяцев"),
        ({"published": ["everything"]}, "everything"),
    ],
)
def test_bad_rules_change_nothing(net, login, changes, message):
    response = post(login(net.users.admin), net, **changes)
    assert response.status_code == 200 and message in response.content.decode()
    net.region.refresh_from_db()
    assert (net.region.max_term_months, net.region.published) == (12, [])
