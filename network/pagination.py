"""Pagination that stays fast on a national register."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows (COUNT over a LIMIT subquery): counting a million teachers
    exactly costs more than the page itself, and nobody pages past the first ten thousand — they
    narrow the filters. `capped` says the real number is larger."""

    cap = COUNT_CAP

    capped = False

    @cached_property
    def count(self):
        queryset = self.object_list
        # django-tables2 hands over its rows: the queryset is under BoundRows → TableQuerysetData.
        while not hasattr(queryset, "query") and hasattr(queryset, "data"):
            queryset = queryset.data
        if not hasattr(queryset, "query"):
            return len(self.object_list)
        counted = queryset.order_by()[: self.cap + 1].count()  # order is irrelevant to a count
        self.capped = counted > self.cap
        return min(counted, self.cap)
