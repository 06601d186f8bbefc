"""A monitoring campaign's one move (workflow.engine): открыта → закрыта. Closing freezes the
year's values and records; it needs a computed campaign and a reviewer of its subtree."""

from django.core.exceptions import ValidationError

from workflow.engine import Machine, Move, register

from .models import MonitoringCampaign


def may_review(user, campaign) -> bool:
    from orgunits.access import access_for

    return access_for(user).can("review", campaign.root)


def computed(step) -> None:
    if step.obj.computed_at is None:
        raise ValidationError("Кампания ещё не рассчитана: сначала рассчитайте значения.")


def on_close(step) -> None:
    step.obj.closed_at = step.now
    step.obj.closed_by = step.user


CAMPAIGNS = register(
    Machine(
        kind="monitoring",
        model=MonitoringCampaign,
        state_field="state",
        related=("root",),
        moves=[
            Move(
                "close",
                (MonitoringCampaign.State.OPEN,),
                MonitoringCampaign.State.CLOSED,
                "Закрыть кампанию",
                allowed=may_review,
                denied="Закрыть кампанию может проверяющий её подразделения.",
                stale="Кампания уже закрыта.",
                requires=(computed,),
                apply=on_close,
            )
        ],
    )
)
