"""«Мои задачи»: draft orders of the units the user files for, to be marked signed.

The machine (orders/machines.py) lets whoever keeps the unit's records sign (may_issue, «keep_records»):
those who file for the unit and the administrators above it. The task goes to the former — the unit's own
chair, deputy, secretary and methodists — so that a regional administrator's home page is not the list of
every draft in the region; the administrators still sign from the order's page.
"""

from __future__ import annotations

from django.urls import reverse

from worklist.registry import Task, limited, provider

from .models import Order, OrderStatus

GROUP = "Подписать приказы"


@provider
def orders_to_sign(user, access, today):
    if access.superuser:
        return []
    file_q = access.q_for_units("file", prefix="unit__")
    if file_q is None:
        return []
    drafts = (
        Order.objects.restrict(user, "keep_records")
        .filter(file_q, status__in=(OrderStatus.DRAFT, OrderStatus.AGREED))
        .select_related("unit")
        .order_by("date", "pk")
    )
    return limited(
        drafts,
        lambda order: Task(
            group=GROUP,
            title=str(order),
            url=order.get_absolute_url(),
            order=35,
            decision=True,
            unit=str(order.unit),
            since=order.date,
            kind="Приказ",
            action_label="Подписать",
        ),
        more_url=reverse("orders:register") + "?status=draft",
    )
