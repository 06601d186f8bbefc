"""Per-year numbering (orders, meeting protocols): one rule for «the next number of the year».

ГОСТ Р 7.0.97: a registration number is sequential within a calendar year and restarts at 1
in the next one. Two concurrent creations must never get the same number, so the caller's
transaction first locks one row that stands for the sequence (the unit, or a counter row);
the second creation waits on that lock and then sees the first one's number. The unique
constraint on (unit, year, number) stays the backstop where a database cannot lock a row.
"""

from django.db import transaction
from django.db.models import Max, QuerySet


def next_number(numbered: QuerySet, *, lock: QuerySet | None = None, field: str = "number", at_least: int = 0) -> int:
    """The next free number of the sequence `numbered` (the rows of one unit and one year).

    `lock`: rows to lock first (select_for_update) so that concurrent callers take turns; omit it
    only if the caller already holds such a lock. `at_least`: a number already issued that must
    not come back (a counter that remembers numbers of deleted drafts).
    """
    if not transaction.get_connection(numbered.db).in_atomic_block:
        raise RuntimeError("next_number() must run inside transaction.atomic(): the lock lasts until it ends")
    if lock is not None:
        list(lock.select_for_update().values_list("pk", flat=True))
    # Under the lock every earlier number of the sequence is committed and visible.
    taken = numbered.aggregate(last=Max(field))["last"] or 0
    return max(taken, at_least) + 1
