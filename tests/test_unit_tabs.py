"""The unit page reads at a glance: tabs with counts, documents above the members, one toolbar
of actions; the counts cost one query whatever their sizes (issue 12)."""

import datetime
import itertools

import pytest
from django.urls import reverse

from events.models import Event
from meetings.models import Meeting
from orders.models import Order
from people import services as people_services

from . import factories as f

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 1)
_numbers = itertools.count(100)


def unit_url(unit, tab=None):
    return reverse("orgunits:unit", args=[unit.pk]) + (f"?tab={tab}" if tab else "")


def fill(net, n):
    """`n` meetings, orders, events and members of the Terek МунУМО."""
    for _ in range(n):
        i = next(_numbers)
        Meeting.objects.create(unit=net.terek, year=2026, number=i, date=DAY, title=f"Заседание {i}")
        Order.objects.create(unit=net.terek, year=2026, number=i, date=DAY, heading=f"О приказе {i}")
        Event.objects.create(unit=net.terek, title=f"Семинар {i}", starts_on=DAY)
        people_services.add_member(
            unit=net.terek, person=f.PersonFactory(region=net.region), role="member", starts_on=f.TERM_START
        )


def tabs_of(response):
    return {key: count for key, _, count, _ in response.context["tabs"]}


def test_the_tabs_show_counts(net, client):
    fill(net, 3)
    client.force_login(net.users.admin)
    counts = tabs_of(client.get(unit_url(net.terek)))
    assert (counts["meetings"], counts["orders"], counts["events"]) == (3, 3, 3)
    # methodist + secretary + the three new members
    assert counts["members"] == 5
    assert counts["children"] == 1


def test_the_counts_cost_the_same_queries_at_any_size(net, client, django_assert_max_num_queries):
    client.force_login(net.users.admin)
    client.get(unit_url(net.terek))
    fill(net, 2)
    with django_assert_max_num_queries(14):
        client.get(unit_url(net.terek))
    fill(net, 30)
    with django_assert_max_num_queries(14):
        response = client.get(unit_url(net.terek))
    assert tabs_of(response)["orders"] == 32


@pytest.mark.parametrize(
    "tab", ["documents", "members", "meetings", "orders", "events", "programs", "children", "history"]
)
def test_every_tab_is_bounded(net, client, django_assert_max_num_queries, tab):
    fill(net, 30)
    client.force_login(net.users.admin)
    client.get(unit_url(net.terek, tab))
    with django_assert_max_num_queries(20):
        response = client.get(unit_url(net.terek, tab))
    assert response.status_code == 200
    page = response.context.get("page_obj")
    if page is not None:
        assert len(page.object_list) <= 25


def test_the_current_tab_is_marked_for_screen_readers(net, client):
    client.force_login(net.users.admin)
    page = client.get(unit_url(net.terek, "orders")).content.decode()
    assert 'aria-label="Разделы подразделения"' in page
    assert f'href="{unit_url(net.terek, "orders")}" aria-current="page"' in page
    assert page.count('aria-current="page"') == 1


def test_an_unknown_tab_shows_the_overview(net, client):
    client.force_login(net.users.admin)
    response = client.get(unit_url(net.terek, "nonsense"))
    assert response.status_code == 200 and response.context["tab"] == "overview"


def test_documents_come_before_the_members(net, client):
    client.force_login(net.users.admin)
    page = client.get(unit_url(net.terek)).content.decode()
    assert page.index("<h2>Документы") < page.index("<h2>Состав")


def test_the_meetings_tab_lists_the_meetings(net, client):
    fill(net, 2)
    client.force_login(net.users.admin)
    page = client.get(unit_url(net.terek, "meetings")).content.decode()
    assert "Заседание " in page and reverse("meetings:list", args=[net.terek.pk]) in page


def test_the_toolbar_has_one_primary_action(net, client):
    client.force_login(net.users.admin)
    page = client.get(unit_url(net.terek_rmo)).content.decode()
    toolbar = page.split('class="unit-toolbar"', 1)[1].split("</div>", 1)[0]
    assert toolbar.count('class="button"') == 1  # «Добавить участника»; the rest are secondary
    assert "Перенести" in toolbar and "Изменить" in toolbar and "Доступ" in toolbar


def test_the_toolbar_offers_only_what_the_user_may_do(net, client):
    client.force_login(net.users.teacher)
    page = client.get(unit_url(net.terek_rmo)).content.decode()
    assert "Перенести" not in page and "Добавить участника" not in page


def test_a_unit_one_may_not_see_has_no_tabs(net, client):
    client.force_login(net.users.teacher)
    assert client.get(unit_url(net.baksan_rmo, "members")).status_code == 404
