"""Demo orders for `make run`: the Terek МунУМО appoints its chair at the start of the academic
year, and a work plan is approved by an order prepared from it; both are signed.

Runs on the demo network of orgunits.demo and the campaigns of submissions.demo. The plan is
the Terek МунУМО's when it is approved; submissions.demo approves the first МунУМО by name
(Баксанское) and leaves the Terek one on approval, so then the approved МунУМО plan of the
region is used and its own unit issues the order (a demo never moves a workflow on its own).
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from orders import services
from orders.models import Order, OrderTemplate
from orgunits.models import DocumentType, OrgUnit
from submissions.models import State, Submission

PLACES = {"Терск": "г. Терек", "Баксан": "г. Баксан", "Чегем": "г. Чегем"}


def place_of(unit) -> str:
    return next((place for key, place in PLACES.items() if key in unit.name), "")


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(15)))


@transaction.atomic
def load_demo_orders(today: datetime.date) -> bool:
    """Create the demo orders; False when the region already has orders."""
    unit = OrgUnit.objects.get(region__code="kbr", kind__code="munumo", name__contains="Терск")
    if Order.objects.filter(unit__region=unit.region).exists():
        return False
    secretary = get_user_model().objects.get(username="secretary")
    start = datetime.date(today.year if today.month >= 9 else today.year - 1, 9, 1)

    chair = services.chair_of(unit, start)
    if chair is not None:
        order = services.create_order(
            unit, OrderTemplate.APPOINT_CHAIR, start, secretary, person=chair, place=place_of(unit)
        )
        services.sign_order(order, secretary, _at(start))

    approved_plans = (
        Submission.objects.filter(
            unit__region=unit.region,
            unit__kind__code="munumo",
            state=State.APPROVED,
            campaign__document_type=DocumentType.PLAN,
        )
        .select_related("campaign", "unit")
        .order_by("-campaign__year", "unit__name")
    )
    plan = approved_plans.filter(unit=unit).first() or approved_plans.first()
    if plan is not None:
        # Prepared by a filer of the plan's unit: the Terek secretary for Terek, else the administrator.
        by = secretary if plan.unit_id == unit.pk else get_user_model().objects.get(username="admin")
        approved_on = timezone.localdate(plan.approved_at) if plan.approved_at else today
        on = max(start, approved_on + datetime.timedelta(days=2))
        order, _ = services.order_for_plan(plan, by, on)
        Order.objects.filter(pk=order.pk).update(place=place_of(plan.unit))
        order.refresh_from_db()
        services.sign_order(order, by, _at(on))
    return True
