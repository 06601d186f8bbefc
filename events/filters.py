"""The filters of the events list (level, kind, organiser, year, words), shared by the page and
its Excel export so that the file holds what the page shows."""

from network.models import normalize_search
from network.views import parse_int

from .models import Event


def filter_events(queryset, params, prefix=""):
    for name, choices in (("level", Event.Level), ("kind", Event.Kind)):
        if params.get(name) in choices.values:
            queryset = queryset.filter(**{f"{prefix}{name}": params[name]})
    if (unit := parse_int(params.get("unit"))) is not None:
        queryset = queryset.filter(**{f"{prefix}unit_id": unit})
    if (year := parse_int(params.get("year"))) is not None:
        queryset = queryset.filter(**{f"{prefix}starts_on__year": year})
    if query := str(params.get("q", "")).strip():
        queryset = queryset.filter(**{f"{prefix}search__contains": normalize_search(query)})
    return queryset
