"""«Мои задачи»: hand-entered indicators of open monitoring campaigns still to be filled for the units the
user files for or administers (monitoring.services.FILL_ACTION — the rule of can_enter and campaigns_to_fill)."""

from __future__ import annotations

from django.db.models import Count

from worklist.registry import LIMIT, Task, provider

from .models import Method, MonitoringCampaign, Result
from .services import FILL_ACTION

GROUP = "Внести показатели мониторинга"


@provider
def manual_values_to_enter(user, access, today):
    if access.superuser:
        return []
    q = access.q_for_units(FILL_ACTION, prefix="row__guard__")
    if q is None:
        return []
    missing = (
        Result.objects.filter(
            q,
            indicator__method=Method.MANUAL,
            row__campaign__state=MonitoringCampaign.State.OPEN,
            entered_at__isnull=True,
        )
        .values("row__campaign_id")
        .annotate(n=Count("pk"))
        .order_by("row__campaign_id")[:LIMIT]
    )
    counts = {row["row__campaign_id"]: row["n"] for row in missing}
    if not counts:
        return []
    campaigns = MonitoringCampaign.objects.select_related("root").in_bulk(list(counts))
    return [
        Task(
            group=GROUP,
            title=str(campaign),
            url=campaign.get_absolute_url(),
            order=55,
            unit=str(campaign.root),
            note=f"не внесено значений: {counts[pk]}",
            since=campaign.computed_on,
            kind="Мониторинг",
            action_label="Внести значения",
        )
        for pk, campaign in campaigns.items()
    ]
