"""A needs survey's life as a machine of workflow.engine: разработка → проводится → завершена.
Opening tells the respondents; the organiser closes it, or the daily sweep does (as the system)
once the answering period is over."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from workflow.engine import Machine, Move, register

from .models import NeedsSurvey

S = NeedsSurvey.State
NOT_ORGANISER = "Открывать и завершать анкету может её организатор."


def may_organise(user, survey) -> bool:
    from .services import can_organise

    return can_organise(user, survey.unit)


def ready_to_open(step) -> None:
    from .services import NO_TOPICS

    survey = step.obj
    if not survey.topics.exists():
        raise ValidationError(NO_TOPICS)
    if survey.closes_on < step.today:
        raise ValidationError(
            f"Срок приёма ответов закончился {survey.closes_on:%d.%m.%Y}: измените сроки, затем откройте анкету."
        )


def on_open(step) -> None:
    step.obj.opened_at = step.now
    step.obj.version += 1


def on_close(step) -> None:
    step.obj.closed_at = step.now
    step.obj.version += 1


def respondents(survey, step):
    from .services import respondent_users

    return respondent_users(survey)


SURVEYS = register(
    Machine(
        kind="survey",
        model=NeedsSurvey,
        state_field="state",
        related=("unit",),
        moves=[
            Move(
                "open",
                (S.DESIGN,),
                S.OPEN,
                "Открыть анкету",
                allowed=may_organise,
                denied=NOT_ORGANISER,
                stale="Открыть можно только анкету в разработке.",
                requires=(ready_to_open,),
                apply=on_open,
                notify=respondents,
                notify_action=True,
                message=lambda survey, step: (
                    f"Анкета «{survey.title}» ({survey.unit}): отметьте свои профессиональные потребности "
                    f"до {survey.closes_on:%d.%m.%Y}."
                ),
                url=lambda survey: reverse("growth:survey_answer", args=[survey.pk]),
            ),
            Move(
                "close",
                (S.OPEN,),
                S.CLOSED,
                "Завершить анкетирование",
                allowed=may_organise,
                denied=NOT_ORGANISER,
                stale="Завершить можно только проводимую анкету.",
                apply=on_close,
            ),
        ],
    )
)
