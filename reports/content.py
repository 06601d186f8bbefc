"""What a report contains, for the shared workflow: start, snapshot, figures from the portal."""

import datetime

from django.db.models import Count, Q

from .models import FIGURES, SECTIONS, ReportFigure, ReportSection


def compute_figures(submission) -> dict[str, int]:
    """Figures of the report's calendar year from what the portal already knows."""
    from people.models import Membership
    from plans.models import PlanItem

    unit, year = submission.unit, submission.campaign.year
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    members = Membership.objects.filter(unit=unit).aggregate(
        members_end=Count("pk", filter=Q(starts_on__lte=end) & (Q(left_on__isnull=True) | Q(left_on__gt=end))),
        members_joined=Count("pk", filter=Q(starts_on__range=(start, end))),
        members_left=Count("pk", filter=Q(left_on__range=(start, end))),
    )
    # The calendar year spans the end of one academic year's plan and the start of the next.
    items = PlanItem.objects.filter(
        submission__unit=unit,
        submission__campaign__document_type="plan",
        submission__campaign__year__in=[year - 1, year],
    ).aggregate(plan_items=Count("pk"), plan_items_done=Count("pk", filter=Q(done=True)))
    return {**members, **items, **activity_figures(unit, start, end)}


def activity_figures(unit, start: datetime.date, end: datetime.date) -> dict[str, int]:
    """Meetings, events, participation and courses of the year from the portal's registers."""
    from events.models import Event, Participation
    from growth.models import Course
    from meetings.models import Meeting
    from people.models import Membership

    # Members at any time of the year: who joined before its end and had not left before its start.
    members = (
        Membership.objects.filter(unit=unit, starts_on__lte=end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .values("person_id")
    )
    taking_part = Participation.objects.filter(person__in=members, event__starts_on__range=(start, end)).aggregate(
        participations=Count("pk"),
        places_won=Count("pk", filter=Q(result__in=["first", "second", "third", "prize"])),
    )
    return {
        "meetings_held": Meeting.objects.filter(unit=unit, date__range=(start, end), status="confirmed").count(),
        "events_organised": Event.objects.filter(unit=unit, starts_on__range=(start, end)).count(),
        **taking_part,
        "courses_finished": Course.objects.confirmed()
        .filter(person__in=members, ends_on__range=(start, end))
        .values("person")
        .distinct()
        .count(),
    }


def start(submission) -> None:
    ReportSection.objects.bulk_create(
        ReportSection(submission=submission, key=key, title=title, position=i)
        for i, (key, title) in enumerate(SECTIONS)
    )
    computed = compute_figures(submission)
    ReportFigure.objects.bulk_create(
        ReportFigure(submission=submission, key=key, label=label, computed=computed.get(key), position=i)
        for i, (key, label) in enumerate(FIGURES)
    )


def refresh_figures(submission) -> None:
    """Recompute what the portal knows; the methodist's corrections stay. A report started
    before a figure was added to FIGURES gets it now."""
    computed = compute_figures(submission)
    present = set()
    for figure in submission.report_figures.all():
        present.add(figure.key)
        if figure.key in computed and figure.computed != computed[figure.key]:
            figure.computed = computed[figure.key]
            figure.save(update_fields=["computed"])
    ReportFigure.objects.bulk_create(
        ReportFigure(submission=submission, key=key, label=label, computed=computed.get(key), position=i)
        for i, (key, label) in enumerate(FIGURES)
        if key not in present
    )


def snapshot(submission) -> dict:
    fields = {s.title: s.text for s in submission.report_sections.all()}
    for f in submission.report_figures.all():
        fields[f.label] = (
            "" if f.value is None and f.computed is None else str(f.value if f.value is not None else f.computed)
        )
    return {"fields": fields, "items": {}}


def detail_context(submission, user) -> dict:
    """What the document page shows of a report: its sections and figures."""
    return {"sections": list(submission.report_sections.all()), "figures": list(submission.report_figures.all())}


# Figures that cannot exceed another: (part, whole). «Из них выполнено» is a part of the plan's
# items, the prize places a part of the participations.
FIGURE_BOUNDS = [("plan_items_done", "plan_items"), ("places_won", "participations")]


def figure_value(figure):
    """What the report says: the methodist's number, else the portal's."""
    return figure.value if figure.value is not None else figure.computed


def send_problems(submission) -> list[str]:
    """Empty sections and impossible figures, in the words shown before sending."""
    sections = submission.report_sections.all()
    problems = [f"Раздел «{s.title}» не заполнен." for s in sections if not s.text.strip()]
    figures = {f.key: f for f in submission.report_figures.all()}
    for part_key, whole_key in FIGURE_BOUNDS:
        part, whole = figures.get(part_key), figures.get(whole_key)
        if part is None or whole is None:
            continue
        part_value, whole_value = figure_value(part), figure_value(whole)
        if part_value is not None and whole_value is not None and part_value > whole_value:
            problems.append(f"Показатель «{part.label}» ({part_value}) больше, чем «{whole.label}» ({whole_value}).")
    return problems
