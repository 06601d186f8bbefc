"""Renewal by a third (Положение о МунУМО, 001 §2.8: «По истечении срока полномочий состав МунУМО
обновляется не менее, чем на одну треть»): checked by the sweep when a new composition year starts,
recorded once, reported upward, and shown on the unit's pages — with the composition page's computation."""

import datetime

import pytest
from django.template import Context, Template

from network.models import Notification
from orders.services import renewal
from people import terms
from people.models import RenewalCheck
from people.services import sync_person_access
from submissions import deadlines

from . import factories as f

pytestmark = pytest.mark.django_db
D = datetime.date
NEW_YEAR = D(2027, 9, 1)  # the old terms (01.09.2026–31.08.2027) ran out the day before


def sweep(day):
    report = deadlines.SweepReport(day=day)
    terms.step(day, report)
    return report


def login_member(net, unit, role, starts_on, username):
    user = f.UserFactory(username=username)
    person = f.PersonFactory(region=net.region, user=user)
    f.member(person, unit, role, starts_on=starts_on)
    sync_person_access(person)
    return user


@pytest.fixture
def rmo(net):
    """The Baksan РМО: six members of 2026/27; the new composition of 2027/28 keeps `kept` of them."""
    unit = net.baksan_rmo
    old = [f.PersonFactory(region=net.region, last_name=f"Прежняя{i}") for i in range(6)]
    for person in old:
        f.member(person, unit)
    # The parent МунУМО has a methodist elected for 2027/28 (the parent's filer told of the renewal).
    net.users.baksan_filer = login_member(net, net.baksan, "methodist", NEW_YEAR, "baksan_filer")

    def new_composition(kept: int, new: int):
        sweep(NEW_YEAR)  # the old terms end (left_on 01.09.2027)
        chair = login_member(net, unit, "chair", NEW_YEAR, "rmo_chair")
        for person in old[:kept]:
            f.member(person, unit, starts_on=NEW_YEAR)
        for i in range(new - 1):  # the chair is new too
            f.member(f.PersonFactory(region=net.region, last_name=f"Новая{i}"), unit, starts_on=NEW_YEAR)
        return chair

    net.new_composition = new_composition
    return net


def test_a_composition_renewed_by_less_than_a_third_is_recorded_and_reported_upward(rmo):
    """001 §2.8: 5 of 6 continuing, 1 new — fewer than the 2 required; the unit and its parent are told."""
    chair = rmo.new_composition(kept=5, new=1)
    report = sweep(NEW_YEAR + datetime.timedelta(days=terms.RENEWAL_GRACE_DAYS))
    check = RenewalCheck.objects.get(unit=rmo.baksan_rmo)
    assert (check.starts_on, check.total, check.renewed, check.required, check.under_third) == (
        NEW_YEAR,
        6,
        1,
        2,
        True,
    )
    assert report.renewal_under_third == 1
    own = Notification.objects.get(user=chair, text__contains="обновлён меньше чем на треть")
    assert "новых 1 из 6, нужно не менее 2 (Положение, п. 2.8)" in own.text and own.needs_action
    assert f"/units/{rmo.baksan_rmo.pk}/orders/composition/" in own.url
    parent = Notification.objects.get(user=rmo.users.baksan_filer, text__contains="обновлён меньше чем на треть")
    assert parent.text.startswith("Нижестоящее подразделение") and not parent.needs_action


def test_the_renewal_is_judged_once(rmo):
    """001 §2.8: one composition year, one record and one report — however many sweeps follow."""
    rmo.new_composition(kept=5, new=1)
    for days in (30, 31, 45):
        sweep(NEW_YEAR + datetime.timedelta(days=days))
    assert RenewalCheck.objects.filter(unit=rmo.baksan_rmo).count() == 1
    assert Notification.objects.filter(text__contains="обновлён меньше чем на треть").count() == 2  # unit + parent


def test_the_renewal_waits_for_the_new_members_to_be_elected(rmo):
    """001 §2.8 is judged on the composition RENEWAL_GRACE_DAYS after the old term ran out, not on its first day."""
    rmo.new_composition(kept=5, new=1)
    sweep(NEW_YEAR + datetime.timedelta(days=terms.RENEWAL_GRACE_DAYS - 1))
    assert not RenewalCheck.objects.exists()


def test_a_composition_renewed_by_a_third_is_recorded_without_a_warning(rmo):
    """001 §2.8: 4 continuing and 2 new of 6 — a third is renewed, nobody is warned."""
    rmo.new_composition(kept=4, new=2)
    sweep(NEW_YEAR + datetime.timedelta(days=terms.RENEWAL_GRACE_DAYS))
    check = RenewalCheck.objects.get(unit=rmo.baksan_rmo)
    assert (check.renewed, check.total, check.under_third) == (2, 6, False)
    assert not Notification.objects.filter(text__contains="обновлён меньше чем на треть").exists()


def test_the_sweep_uses_the_composition_pages_computation(rmo):
    """001 §2.8 in one place: the record holds what orders.services.renewal says for that date."""
    rmo.new_composition(kept=5, new=1)
    sweep(NEW_YEAR + datetime.timedelta(days=terms.RENEWAL_GRACE_DAYS))
    check = RenewalCheck.objects.get(unit=rmo.baksan_rmo)
    r = renewal(rmo.baksan_rmo, check.on)
    assert (check.total, check.renewed, check.previous, check.required, check.under_third) == (
        r.total,
        r.renewed,
        r.previous,
        r.required,
        r.under_third,
    )


def test_the_unit_pages_show_the_recorded_warning(rmo, django_assert_max_num_queries):
    """001 §2.8: the recorded under-third renewal is shown on the unit's pages (one query)."""
    rmo.new_composition(kept=5, new=1)
    template = Template("{% load people_terms %}{% renewal_warning unit %}")
    assert "меньше чем на треть" not in template.render(Context({"unit": rmo.baksan_rmo}))
    sweep(NEW_YEAR + datetime.timedelta(days=terms.RENEWAL_GRACE_DAYS))
    with django_assert_max_num_queries(1):
        html = template.render(Context({"unit": rmo.baksan_rmo}))
    assert "Состав на 01.10.2027 обновлён меньше чем на треть: новых 1 из 6" in html
    assert "меньше чем на треть" not in template.render(Context({"unit": rmo.terek_rmo}))


def test_the_step_keeps_to_its_region(rmo):
    rmo.new_composition(kept=5, new=1)
    other = f.RegionFactory(code="other", name="Другой регион")
    terms.step(NEW_YEAR + datetime.timedelta(days=30), deadlines.SweepReport(day=NEW_YEAR), region=other)
    assert not RenewalCheck.objects.exists()


def test_a_composition_not_entered_yet_is_judged_when_it_is(rmo):
    """001 §2.8: a month after the term the new members may still be missing — judged once they are entered."""
    sweep(NEW_YEAR)
    sweep(NEW_YEAR + datetime.timedelta(days=terms.RENEWAL_GRACE_DAYS))
    assert not RenewalCheck.objects.filter(unit=rmo.baksan_rmo).exists()
    rmo.new_composition(kept=5, new=1)
    sweep(NEW_YEAR + datetime.timedelta(days=terms.RENEWAL_GRACE_DAYS + 10))
    check = RenewalCheck.objects.get(unit=rmo.baksan_rmo)
    assert check.under_third and check.on == NEW_YEAR + datetime.timedelta(days=terms.RENEWAL_GRACE_DAYS)


def test_a_composition_entered_from_a_later_date_is_judged_on_the_day_of_the_sweep(rmo):
    """001 §2.8: members elected on 15.10.2027 (after the month of grace) are judged as they stand then."""
    later = D(2027, 10, 15)
    sweep(NEW_YEAR)
    for _ in range(3):
        f.member(f.PersonFactory(region=rmo.region), rmo.baksan_rmo, starts_on=later)
    sweep(later)
    check = RenewalCheck.objects.get(unit=rmo.baksan_rmo)
    assert (check.on, check.total, check.renewed, check.under_third) == (later, 3, 3, False)


def test_the_unit_page_and_the_composition_page_show_the_warning(rmo, client):
    """001 §2.8: where the composition is read and approved, the recorded warning stands above it."""
    from django.urls import reverse

    rmo.new_composition(kept=5, new=1)
    sweep(NEW_YEAR + datetime.timedelta(days=terms.RENEWAL_GRACE_DAYS))
    client.force_login(rmo.users.admin)
    unit_page = client.get(rmo.baksan_rmo.get_absolute_url()).content.decode()
    composition = client.get(reverse("orders:composition", args=[rmo.baksan_rmo.pk])).content.decode()
    assert "обновлён меньше чем на треть" in unit_page and "обновлён меньше чем на треть" in composition
