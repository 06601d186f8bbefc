"""What a plan contains, for the shared workflow: start, snapshot."""

import datetime

from history.tracker import record_field

from .models import PlanItem, Timing


def start(submission) -> None:
    """A new plan starts empty; `copy_previous` fills it from last year's on request."""


def previous_plan(submission):
    from submissions.models import Submission

    return (
        Submission.objects.filter(
            unit=submission.unit,
            campaign__document_type=submission.campaign.document_type,
            campaign__year=submission.campaign.year - 1,
        )
        .select_related("campaign")
        .first()
    )


def _shift_year(day: datetime.date | None) -> datetime.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def copy_previous(submission) -> int:
    """Copy last year's items into this plan, dates moved a year on; done marks cleared."""
    previous = previous_plan(submission)
    if previous is None:
        return 0
    items = [
        PlanItem(
            submission=submission,
            direction=item.direction,
            activity=item.activity,
            form=item.form,
            timing=item.timing,
            date=_shift_year(item.date) if item.timing == Timing.DATE else None,
            month=item.month,
            responsible=item.responsible,
            expected_result=item.expected_result,
            position=item.position,
        )
        for item in previous.plan_items.all()
    ]
    PlanItem.objects.bulk_create(items)
    # bulk_create sends no signal: the plan's history names what was copied, here.
    copied = "\n".join(f"{i.activity} ({i.get_direction_display()})" for i in items)
    record_field(submission, "пункты плана, скопированные из прошлогоднего", "", copied)
    return len(items)


def snapshot(submission) -> dict:
    return {"fields": {}, "items": {str(i.pk): i.snapshot() for i in submission.plan_items.all()}}


def detail_context(submission, user) -> dict:
    """What the document page shows of a plan: its items grouped by direction, in the order of
    the directions of 001; an approved plan offers the order approving it."""
    from .models import Direction

    groups: dict[str, list] = {}
    for item in submission.plan_items.select_related("recommendation__row__campaign"):
        groups.setdefault(item.direction, []).append(item)
    return {
        "plan_groups": [(label, groups[code]) for code, label in Direction.choices if code in groups],
        "order_action": ("orders:from_plan", "Подготовить приказ об утверждении плана"),
    }


def send_problems(submission) -> list[str]:
    """What to look at before sending a plan: an empty one."""
    if not submission.plan_items.exists():
        return ["В плане нет ни одного пункта."]
    return []
