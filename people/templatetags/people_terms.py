"""{% renewal_warning unit %}: the last composition of a unit renewed by less than a third (001 §2.8),
as the daily sweep recorded it (people.terms), for the unit page and the composition page."""

from django import template

from people.terms import last_under_third

register = template.Library()


@register.inclusion_tag("people/_renewal_warning.html")
def renewal_warning(unit):
    return {"check": last_under_third(unit), "unit": unit}
