"""«Создать приказ» in the orders register: shown to those who prepare orders of some unit, leading
to the unit's page of templates (after a choice of the unit when there are several)."""

import datetime

import pytest
from django.urls import reverse

from orders.views import issuing_units

from . import factories as f


def register_page(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("orders:register")).content.decode()


def test_the_register_offers_the_button_to_whoever_prepares_orders(client, net):
    assert "Создать приказ" in register_page(client, net.users.secretary)
    assert "Создать приказ" not in register_page(client, net.users.teacher)
    assert "Создать приказ" not in register_page(client, net.users.reviewer)  # sees, prepares nothing


def test_one_unit_leads_straight_to_its_templates(client, net):
    client.force_login(net.users.shmo_secretary)
    assert list(issuing_units(net.users.shmo_secretary)) == [net.shmo]
    response = client.get(reverse("orders:new"))
    assert response.status_code == 302
    assert response.url == reverse("orders:create", args=[net.shmo.pk])


def test_several_units_are_chosen_among_those_one_may_issue_for(client, net):
    client.force_login(net.users.admin)  # administers the whole КБР subtree
    page = client.get(reverse("orders:new")).content.decode()
    assert "Подразделение, издающее приказ" in page
    assert str(net.terek) in page and str(net.baksan_rmo) in page
    response = client.get(reverse("orders:new"), {"unit": net.baksan.pk})
    assert response.status_code == 302 and response.url == reverse("orders:create", args=[net.baksan.pk])


def test_a_unit_one_may_not_issue_for_is_not_accepted(client, net):
    other = f.unit(f.RegionFactory(code="bur"), net.kinds["munumo"], name="Чужое МунУМО")
    client.force_login(net.users.admin)
    response = client.get(reverse("orders:new"), {"unit": other.pk})
    assert response.status_code == 200
    assert "Выберите подразделение из списка" in response.content.decode()
    assert "Чужое МунУМО" not in response.content.decode()


def test_who_prepares_no_orders_is_refused(client, net):
    client.force_login(net.users.teacher)
    assert client.get(reverse("orders:new")).status_code == 403
    client.logout()
    assert client.get(reverse("orders:new")).status_code == 302  # to the login


@pytest.mark.parametrize("user", ["admin", "secretary"])
def test_the_register_takes_a_bounded_number_of_queries(client, net, user, django_assert_max_num_queries):
    from orders import services
    from orders.models import OrderTemplate

    for i in range(30):
        services.create_order(
            net.terek, OrderTemplate.FREE, datetime.date(2026, 9, i % 28 + 1), None, heading=f"О семинаре {i}"
        )
    client.force_login(getattr(net.users, user))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("orders:register"))
    assert response.status_code == 200 and "О семинаре 29" in response.content.decode()
