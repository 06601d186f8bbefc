"""The workflow of plans, reports and candidacies (DESIGN.md), as a machine of workflow.engine:
черновик → на согласовании → согласован, or возвращён with a comment → на согласовании again;
the approver reopens an approved document only with a reason."""

from orgunits.access import access_for
from workflow.engine import Machine, Move, register
from workflow.kinds import kind

from .models import State, Submission
from .routing import DECISIONS, mark_above_route, may_decide, reviewers_at

TO_APPROVER = "Согласовывать этот документ может только согласующее подразделение."


def may_file(user, submission) -> bool:
    return access_for(user).can("file", submission.unit)


def may_review(user, submission) -> bool:
    """Decides the routed approver's own reviewers — above it only where the region allows escalation
    (submissions/routing.py, 000 б, в)."""
    return may_decide(user, submission).allowed


def named_refusal(step) -> None:
    """A reviewer above the route who may not decide is told who does (403 naming the approver)."""
    from django.core.exceptions import PermissionDenied

    if step.user is not None and step.move.name in DECISIONS:
        decision = may_decide(step.user, step.obj)
        if decision.refusal:
            raise PermissionDenied(decision.refusal)


def filers(submission, step):
    from .services import unit_filers

    return unit_filers([submission.unit_id]).get(submission.unit_id, [])


def reviewers(submission, step):
    """Who is asked to decide: the approver's own reviewers; if it has none and the region allows
    escalation, the reviewers above it."""
    from .services import reviewers_of

    own = reviewers_at(submission.approver)
    if own or not submission.approver.region.allow_escalation:
        return own
    return reviewers_of(submission.approver)


def routed(step) -> None:
    """A document goes to whoever approves its kind for its unit now (the tree may have changed)."""
    from django.core.exceptions import ValidationError

    submission = step.obj
    approver = kind(submission.document_type).approver(submission.unit)
    if approver is None:
        raise ValidationError(
            "Для этого подразделения не настроено согласующее подразделение. Обратитесь к администратору."
        )
    step.params["approver"] = approver


def on_submit(step) -> None:
    submission = step.obj
    submission.approver = step.params["approver"]
    submission.submitted_at = step.now
    if submission.first_submitted_on is None:
        # Timeliness is decided by the first submission and never changes afterwards; a document
        # without a campaign (a candidacy) has no due date and no timeliness.
        submission.first_submitted_on = step.today
        if submission.campaign_id:
            submission.on_time = step.today <= submission.campaign.due_on


def on_approve(step) -> None:
    step.obj.approved_at = step.now
    mark_above_route(step)


def on_return(step) -> None:
    mark_above_route(step)


def on_reopen(step) -> None:
    step.obj.approved_at = None
    mark_above_route(step)


def snapshot(submission) -> dict:
    return kind(submission.document_type).content_module().snapshot(submission)


SUBMISSIONS = register(
    Machine(
        kind="submission",
        model=Submission,
        state_field="state",
        kind_of=lambda s: s.document_type,
        snapshot=snapshot,
        related=("campaign", "unit__kind", "approver"),
        precheck=named_refusal,
        moves=[
            Move(
                "submit",
                (State.DRAFT, State.RETURNED),
                State.SUBMITTED,
                "Отправить на согласование",
                allowed=may_file,
                denied="Представлять документы подразделения могут председатель, заместитель, секретарь и методист.",
                stale="Документ в состоянии «{state}» отправить нельзя.",
                requires=(routed,),
                apply=on_submit,
                notify=reviewers,
                notify_action=True,
                message=lambda s, step: f"На согласование: {s}",
            ),
            Move(
                "approve",
                (State.SUBMITTED,),
                State.APPROVED,
                "Согласовать",
                allowed=may_review,
                denied=TO_APPROVER,
                stale="Согласовать можно только документ на согласовании, а он — «{state}».",
                apply=on_approve,
                notify=filers,
                message=lambda s, step: f"Согласован: {s}",
            ),
            Move(
                "return",
                (State.SUBMITTED,),
                State.RETURNED,
                "Вернуть на доработку",
                allowed=may_review,
                denied=TO_APPROVER,
                requires_reason=True,
                reason_message="Напишите, что нужно доработать: без комментария вернуть нельзя.",
                stale="Вернуть можно только документ на согласовании, а он — «{state}».",
                apply=on_return,
                notify=filers,
                notify_action=True,
                message=lambda s, step: f"Возвращён на доработку: {s}. {step.reason}",
            ),
            Move(
                "reopen",
                (State.APPROVED,),
                State.RETURNED,
                "Открыть повторно",
                allowed=may_review,
                denied=TO_APPROVER,
                requires_reason=True,
                reason_message="Укажите причину: согласованный документ открывается только с обоснованием.",
                stale="Открыть повторно можно только согласованный документ.",
                apply=on_reopen,
                notify=filers,
                notify_action=True,
                message=lambda s, step: f"Открыт повторно для доработки: {s}. {step.reason}",
            ),
        ],
    )
)
