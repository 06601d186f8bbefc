"""An order's one move (workflow.engine): проект → подписан. Signing registers that the paper
original is signed; the order is frozen from then on (orders.services refuses edits)."""

from django.core.exceptions import ValidationError

from workflow.engine import Machine, Move, register

from .models import Order, OrderStatus


def may_issue(user, order) -> bool:
    from .services import may_issue

    return may_issue(user, order.unit)


def signable(step) -> None:
    from .services import sign_problems

    if problems := sign_problems(step.obj):
        raise ValidationError(problems)


def on_sign(step) -> None:
    order = step.obj
    order.signed_at = step.now
    order.signed_by = step.user
    # A new version: the PDF loses its «проект» mark.
    order.version += 1


ORDERS = register(
    Machine(
        kind="order",
        model=Order,
        state_field="status",
        related=("unit",),
        moves=[
            Move(
                "sign",
                (OrderStatus.DRAFT,),
                OrderStatus.SIGNED,
                "Отметить как подписанный",
                allowed=may_issue,
                denied="Приказы подразделения готовят его администраторы, председатель и секретарь.",
                stale="Приказ уже подписан.",
                requires=(signable,),
                apply=on_sign,
            )
        ],
    )
)
