"""`{% load practices %}{% practices_portfolio person %}`: a person's developments in their portfolio."""

from django import template

from practices.services import portfolio_developments

register = template.Library()


@register.inclusion_tag("practices/_portfolio.html", takes_context=True)
def practices_portfolio(context, person):
    return {"developments": portfolio_developments(person, context["request"].user)}
