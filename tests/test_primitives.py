"""Shared primitives exist once (issue 11): per-year numbering, optimistic locking, spreadsheet
cells and the registered document kinds are asked, not re-implemented at each call site."""

import datetime

from django.db import transaction

from network.numbering import next_number
from orders import services as orders
from orders.models import Order, OrderCounter, OrderTemplate

D = datetime.date


def order(net, on):
    return orders.create_order(net.terek, OrderTemplate.FREE, on, None, heading="О семинаре")


# -- per-year numbering ---------------------------------------------------------------------------


def test_numbers_of_one_year_are_sequential_and_a_new_year_restarts_at_one(net):
    got = [
        (o.year, o.number) for o in (order(net, D(2026, 3, 1)), order(net, D(2026, 2, 1)), order(net, D(2027, 1, 9)))
    ]
    assert got == [(2026, 1), (2026, 2), (2027, 1)]


def test_the_helper_numbers_after_the_last_row_and_after_a_counters_floor(net):
    order(net, D(2026, 3, 1))
    numbered = Order.objects.filter(unit=net.terek, year=2026)
    with transaction.atomic():
        assert next_number(numbered) == 2
        assert next_number(numbered, at_least=7) == 8  # a deleted draft's number never comes back
        assert next_number(Order.objects.filter(unit=net.terek, year=2031)) == 1
        assert next_number(numbered, lock=OrderCounter.objects.filter(unit=net.terek, year=2026)) == 2


def test_a_deleted_drafts_number_is_not_issued_again(net):
    first, second = order(net, D(2026, 3, 1)), order(net, D(2026, 3, 2))
    second.delete()
    assert (first.number, order(net, D(2026, 3, 3)).number) == (1, 3)
