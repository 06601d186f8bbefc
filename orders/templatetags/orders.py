from django import template

from orders.services import may_issue

register = template.Library()


@register.filter
def can_issue_orders(user, unit) -> bool:
    """{% if user|can_issue_orders:unit %}: may prepare the unit's orders (no queries once loaded)."""
    return bool(getattr(user, "is_authenticated", False)) and may_issue(user, unit)
