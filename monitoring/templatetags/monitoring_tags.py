from django import template

from monitoring.scoring import format_percent

register = template.Library()


@register.filter
def pct(value):
    """A share as the monitoring shows it: truncated to one decimal, «69,9 %»."""
    return format_percent(value)


@register.filter
def signed(value):
    if value is None or value == "":
        return ""
    return f"+{value}" if value > 0 else ("±0" if value == 0 else f"−{abs(value)}")


@register.filter
def score_css(score):
    return "sn" if score is None else f"s{score}"


@register.filter
def score_label(result):
    """2 / 1 / 0, «н/д» (no data: not scored), or «не внесено» (a hand-entered value still missing)."""
    if result.score is not None:
        return str(result.score)
    if result.source == "manual" and not result.entered_at:
        return "не внесено"
    return "н/д"
