"""Shared primitives exist once (issue 11): per-year numbering, optimistic locking, spreadsheet
cells and the registered document kinds are asked, not re-implemented at each call site."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from network.models import StaleVersionError
from network.numbering import next_number
from orders import services as orders
from orders.models import Order, OrderCounter, OrderTemplate
from orgunits.models import OrgUnit, School
from orgunits.subtree import ancestors_q, subtree_q
from people.models import Membership
from programs.models import RoadmapItem
from submissions.forms import DOCUMENT_TYPES
from workflow import kinds

from . import documents as d
from . import factories as f

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


# -- the registered kind is asked, not the document type ------------------------------------------


@pytest.fixture
def approved_plan(net):
    f.member(f.PersonFactory(region=net.region, last_name="Председателева"), net.terek, "chair")
    plan = d.plan(net)
    d.item(plan)
    return d.approve(plan, net)


def test_the_order_from_a_document_follows_its_kinds_order_template(net, login, approved_plan, monkeypatch):
    client = login(net.users.secretary)
    url = reverse("orders:from_plan", args=[approved_plan.pk])
    # A kind that no longer leads to an approval order: the page refuses, nothing is created.
    monkeypatch.setitem(kinds.KINDS, "plan", dataclasses.replace(kinds.kind("plan"), order_template=""))
    response = client.post(url, follow=True)
    assert "только по согласованному плану" in response.content.decode() and not Order.objects.exists()
    assert kinds.codes_where(order_template=OrderTemplate.APPROVE_PLAN) == []
    # The registered kind says «approved by order»: the order is prepared.
    monkeypatch.undo()
    assert kinds.codes_where(order_template=OrderTemplate.APPROVE_PLAN) == ["plan"]
    assert client.post(url).status_code == 302
    assert Order.objects.get(submission=approved_plan).template == OrderTemplate.APPROVE_PLAN


def test_a_candidacy_is_not_approved_by_a_plan_order(net, approved_plan):
    candidate = dataclasses.replace(kinds.kind("plan"), order_template=OrderTemplate.APPOINT_CHAIR)
    kinds.KINDS["plan"], original = candidate, kinds.KINDS["plan"]
    try:
        with pytest.raises(ValidationError, match="Это не план работы"):
            orders.create_order(net.terek, OrderTemplate.APPROVE_PLAN, D(2026, 9, 20), None, submission=approved_plan)
    finally:
        kinds.KINDS["plan"] = original


def test_campaigns_are_offered_for_the_kinds_with_campaign_deadlines():
    assert [code for code, _ in DOCUMENT_TYPES] == [k.code for k in kinds.KINDS.values() if k.deadlines]
    assert [code for code, _ in DOCUMENT_TYPES] == ["plan", "report"]


# -- optimistic locking: one mechanism (network.models.VersionedModel) ----------------------------


def test_a_versioned_delete_refuses_a_stale_version_and_changes_nothing(net):
    school = f.SchoolFactory(municipality=net.terek, short_name="СОШ № 7")
    school.save_versioned(1)  # somebody else's edit: version 2
    with pytest.raises(StaleVersionError):
        School.objects.get(pk=school.pk).delete_versioned(1)
    assert School.objects.filter(pk=school.pk, version=2).exists()
    school.delete_versioned(2)
    assert not School.objects.filter(pk=school.pk).exists()


def test_claiming_a_version_moves_it_once_and_a_second_claim_is_stale(net):
    school = f.SchoolFactory(municipality=net.terek, short_name="СОШ № 8")
    school.claim_version(1)
    assert (school.version, School.objects.get(pk=school.pk).version) == (2, 2)
    with pytest.raises(StaleVersionError):
        School.objects.get(pk=school.pk).claim_version(1)
    school.bump_version()  # a change saved without a check still warns the editors who loaded version 2
    assert School.objects.get(pk=school.pk).version == 3


def test_a_roadmap_item_deleted_from_a_stale_page_stays_and_the_user_is_told(net, login):
    from tests.test_programs import item_data, make_item, make_program

    item = make_item(make_program(net.terek))
    client = login(net.users.methodist)
    client.post(reverse("plans:roadmap_item_edit", args=[item.pk]), item_data(item, activity="Правка"))
    url = reverse("plans:roadmap_item_delete", args=[item.pk])
    response = client.post(url, {"expected_version": "1"}, follow=True)
    assert "изменил другой пользователь" in response.content.decode()
    assert RoadmapItem.objects.filter(pk=item.pk, activity="Правка").exists()
    client.post(url, {"expected_version": "2"})
    assert not RoadmapItem.objects.filter(pk=item.pk).exists()


# -- the subtree filter: one Q builder (orgunits.subtree) -----------------------------------------


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_the_subtree_of_a_unit_is_itself_and_everything_below_it(net):
    below_terek = [net.terek.name, net.terek_rmo.name, net.shmo.name]
    assert names(OrgUnit.objects.filter(subtree_q(net.terek))) == sorted(below_terek)
    assert names(OrgUnit.objects.filter(subtree_q(net.terek, include_self=False))) == sorted(below_terek[1:])
    above_shmo = [net.rumo.name, net.cnppm.name, net.terek.name, net.terek_rmo.name]
    assert names(OrgUnit.objects.filter(ancestors_q(net.shmo))) == sorted([*above_shmo, net.shmo.name])
    assert names(OrgUnit.objects.filter(ancestors_q(net.shmo, include_self=False))) == sorted(above_shmo)
    # Across a relation: the memberships held in Terek's subtree, not Baksan's.
    held = Membership.objects.filter(subtree_q(net.terek, "unit__")).values_list("person__user", flat=True)
    assert net.users.teacher.pk in held and net.users.baksan_methodist.pk not in held


# -- spreadsheet cells: one helper (network.spreadsheets.cell) -------------------------------------


def test_one_cell_rule_neutralises_formulas_formats_dates_and_bolds_headers():
    from openpyxl import Workbook

    from network.spreadsheets import DATE_FORMAT, DATETIME_FORMAT, cell

    ws = Workbook(write_only=True).create_sheet("Лист")
    formula_like = cell(ws, "=HYPERLINK(1)")  # a string cell, shown as it is: never a formula
    assert (formula_like.value, formula_like.data_type) == ("=HYPERLINK(1)", "s") and cell(ws, 7) == 7
    assert formula_like.quotePrefix  # Excel keeps it text when the cell is edited
    assert cell(ws, "+7 900 000-00-00") == "+7 900 000-00-00"
    on = cell(ws, D(2026, 3, 1))
    assert (on.value, on.number_format) == (D(2026, 3, 1), DATE_FORMAT)
    moscow = datetime.timezone(datetime.timedelta(hours=3))
    at = cell(ws, datetime.datetime(2026, 3, 1, 9, 30, tzinfo=moscow))
    assert (at.value, at.number_format) == (datetime.datetime(2026, 3, 1, 9, 30), DATETIME_FORMAT)
    head = cell(ws, "-Итого", bold=True)
    assert (head.value, head.font.bold) == ("-Итого", True)
