"""The campaign dashboard: every unit that owes the document, its state, the percentages.

Everything is computed by the database for a given `today` (the view reads the clock once):
the rows are one annotated query over the expected units, the totals one aggregate grouped
by level, so a region of 40 units and a region of 40 000 cost the same number of queries.
"""

import datetime

from django.db.models import Case, CharField, Count, F, FilteredRelation, Q, Value, When

from orgunits.models import Level

from .models import State, Submission
from .reminders import last_reminded

NOT_STARTED, OVERDUE, MISSING = "none", "overdue", "missing"  # the last two: Campaign.lateness

# The dashboard's states in the order of the legend: the workflow's four and three of the calendar.
DASH_STATES = [
    (NOT_STARTED, "не начат"),
    (State.DRAFT.value, "черновик"),
    (State.SUBMITTED.value, "на согласовании"),
    (State.RETURNED.value, "возвращён"),
    (State.APPROVED.value, "согласован"),
    (OVERDUE, "просрочен"),
    (MISSING, "не представлен"),
]
DASH_STATE_LABELS = dict(DASH_STATES)
LEVELS = list(Level.choices)
PAGE_SIZE = 50


def calendar_state(campaign, today: datetime.date) -> str | None:
    """What the calendar makes of a document not submitted yet: None while there is time."""
    return campaign.lateness(today)


def state_of(campaign, today: datetime.date, submission=None) -> str:
    """The dashboard state of one unit (the same rule as `state_expression`, in Python)."""
    if submission is None or submission.first_submitted_on is None:
        late = calendar_state(campaign, today)
        if late:
            return late
        return NOT_STARTED if submission is None else submission.state
    return submission.state


def state_expression(campaign, today: datetime.date):
    """`state_of` as SQL over the `sub` relation (the unit's submission in this campaign)."""
    whens = []
    late = calendar_state(campaign, today)
    if late:
        # Never submitted: a draft past the due date is as late as a document never started.
        whens.append(When(sub__first_submitted_on__isnull=True, then=Value(late)))
    whens.append(When(sub__id__isnull=True, then=Value(NOT_STARTED)))
    return Case(*whens, default=F("sub__state"), output_field=CharField())


def with_submission(units, campaign):
    """Join each unit's submission in this campaign (at most one: unique per campaign and unit)."""
    return units.annotate(sub=FilteredRelation("submissions", condition=Q(submissions__campaign=campaign)))


def expected(campaign, unit, user):
    """Units below `unit` that owe the document and that the user may see."""
    return campaign.expected_units(within=unit).restrict(user, "view")


def rows(campaign, unit, user, today, state: str = "", level: str = ""):
    """The dashboard's rows: OrgUnits with `dash_state`, `sub_id`, `submitted_on`, `on_time`,
    `approved_at`, `approver_id`, `last_reminded` (when its filers were last reminded), in tree order."""
    qs = with_submission(expected(campaign, unit, user), campaign).annotate(
        dash_state=state_expression(campaign, today),
        sub_id=F("sub__id"),
        submitted_on=F("sub__first_submitted_on"),
        on_time=F("sub__on_time"),
        approved_at=F("sub__approved_at"),
        approver_id=F("sub__approver_id"),
        historical=F("sub__historical"),
        last_reminded=last_reminded(campaign),
    )
    if state:
        qs = qs.filter(dash_state=state)
    if level:
        qs = qs.filter(kind__level=level)
    return qs.select_related("kind", "parent").order_by("tree_id", "lft")


def pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def summary(campaign, unit, user, today) -> dict:
    """Totals per level and overall, in one aggregate query.

    Completeness: units that have submitted (at any time) out of those expected.
    Timeliness: units whose first submission came by the due date out of those expected.
    """
    qs = with_submission(expected(campaign, unit, user), campaign).alias(dash_state=state_expression(campaign, today))
    counts = {f"n_{code}": Count("pk", filter=Q(dash_state=code)) for code, _ in DASH_STATES}
    grouped = (
        qs.values("kind__level")
        .annotate(
            total=Count("pk"),
            submitted=Count("pk", filter=Q(sub__first_submitted_on__isnull=False)),
            in_time=Count("pk", filter=Q(sub__on_time=True)),
            **counts,
        )
        .order_by()
    )
    by_level = {row["kind__level"]: row for row in grouped}
    keys = ["total", "submitted", "in_time", *counts]
    overall = {k: sum(row[k] for row in by_level.values()) for k in keys}

    def describe(label, row):
        return {
            "label": label,
            "total": row["total"],
            "submitted": row["submitted"],
            "in_time": row["in_time"],
            "completeness": pct(row["submitted"], row["total"]),
            "on_time": pct(row["in_time"], row["total"]),
            "states": [(code, name, row[f"n_{code}"]) for code, name in DASH_STATES],
        }

    return {
        "overall": describe("Всего", overall),
        "levels": [describe(name, by_level[code]) for code, name in LEVELS if code in by_level],
    }


def own_row(campaign, unit, today):
    """The dashboard unit itself, if it owes the document (its card with «Начать»)."""
    qs = with_submission(campaign.expected_units().filter(pk=unit.pk), campaign).annotate(
        dash_state=state_expression(campaign, today), sub_id=F("sub__id"), last_reminded=last_reminded(campaign)
    )
    return qs.first()


def owing(campaign, unit, user):
    """Units below `unit` that have not submitted yet."""
    # Only an exclusion list over `expected`, which is restricted already: no row of it is shown.
    submitted = Submission.objects.filter(campaign=campaign, first_submitted_on__isnull=False).values("unit_id")
    return expected(campaign, unit, user).exclude(pk__in=submitted)
