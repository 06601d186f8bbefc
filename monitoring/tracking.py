"""001 §5.2: «По результатам мониторинга осуществляется анализ, разрабатываются адресные рекомендации» — and
they are carried out: a recommendation is tracked to the unit's next plan of work.

A plan item names the recommendation it carries out (plans.PlanItem.recommendation); the plan editor offers
the recommendations of the unit's last closed campaign (of a year not after the plan's academic year).
A recommendation to a unit, from a campaign of year Y, is
- «учтена в плане» when a plan item names it (the link leads to the item's plan);
- «не учтена» when the unit's next plan — the plan of the academic year that starts in September of Y + 1,
  the first one written after the year's results (taken on 31 December of Y) — has been sent for approval or
  approved with no item naming it;
- «следующий план ещё не представлен» otherwise.
Schools are assessed in campaigns but file no plans in the portal: their recommendations are not tracked.
"""

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Max

from .models import MonitoringCampaign, Recommendation


class Taken(models.TextChoices):
    TAKEN = "taken", "учтена в плане"
    NOT_TAKEN = "not_taken", "не учтена"
    WAITING = "waiting", "следующий план ещё не представлен"


@dataclass
class Tracking:
    recommendation: Recommendation
    status: str
    items: list = field(default_factory=list)
    plan: object = None  # the next plan (Submission), if the unit has one

    @property
    def label(self) -> str:
        return Taken(self.status).label

    @property
    def plans(self) -> list:
        """The plans whose items carry the recommendation out, each once."""
        seen = {}
        for item in self.items:
            seen.setdefault(item.submission_id, item.submission)
        return list(seen.values())


def recommendations_for_plan(submission, keep=None):
    """What a plan item of `submission` may carry out: the recommendations to its unit of the unit's last
    closed campaign (of a year not after the plan's), and the one the item already names (`keep`)."""
    base = Recommendation.objects.filter(
        row__unit_id=submission.unit_id,
        row__campaign__state=MonitoringCampaign.State.CLOSED,
        row__campaign__year__lte=submission.year,
    )
    last = base.aggregate(last=Max("row__campaign__year"))["last"]
    chosen = base.filter(row__campaign__year=last) if last is not None else base.none()
    if keep is not None:
        chosen = chosen | Recommendation.objects.filter(pk=keep)
    return chosen.select_related("row__campaign").order_by("-row__campaign__year", "pk").distinct()


def tracking(campaign) -> list[Tracking]:
    """Each recommendation of the campaign to a unit, with whether the unit's next plan took it (3 queries)."""
    from orgunits.models import DocumentType
    from plans.models import PlanItem
    from submissions.models import State, Submission

    recommendations = list(
        Recommendation.objects.filter(row__campaign=campaign, row__unit__isnull=False)
        .select_related("row")
        .order_by("row__label", "pk")
    )
    if not recommendations:
        return []
    items: dict[int, list] = {}
    for item in (
        PlanItem.objects.filter(recommendation__in=recommendations)
        .select_related("submission__campaign", "submission__unit")
        .order_by("submission__campaign__year", "direction", "position", "pk")
    ):
        items.setdefault(item.recommendation_id, []).append(item)
    plans = {
        s.unit_id: s
        for s in Submission.objects.filter(
            unit_id__in={r.row.unit_id for r in recommendations},
            campaign__document_type=DocumentType.PLAN,
            campaign__year=campaign.year + 1,
        ).select_related("campaign")
    }
    result = []
    for rec in recommendations:
        linked = items.get(rec.pk, [])
        plan = plans.get(rec.row.unit_id)
        if linked:
            status = Taken.TAKEN
        elif plan is not None and plan.state in (State.SUBMITTED, State.APPROVED):
            status = Taken.NOT_TAKEN
        else:
            status = Taken.WAITING
        result.append(Tracking(rec, status, linked, plan))
    return result
