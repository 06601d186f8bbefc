"""The confirmation of a protocol as a machine of workflow.engine (001 §2.4):

    черновик —(председатель и секретарь подтвердили)→ подтверждён (заморожен)

Each signer's confirmation is a move; the protocol becomes «подтверждён» with the second one.
An edit of a draft that someone had already confirmed withdraws the confirmations: that too
is a move («withdraw»), written in the history and told to those who had confirmed, so no
confirmation disappears silently.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from network.clock import today_of
from workflow.engine import Machine, Move, register

from .models import Meeting

ROLES = ("chair", "secretary")


def may_file(user, meeting) -> bool:
    from orgunits.access import access_for

    return access_for(user).can("file", meeting.unit)


def confirmable(step) -> None:
    from .services import CONFLICT_MESSAGE, NOT_A_SIGNER_MESSAGE, signer_roles

    meeting = step.obj
    roles = signer_roles(meeting, step.user)
    if not roles:
        raise PermissionDenied(NOT_A_SIGNER_MESSAGE)
    pending = [r for r in roles if getattr(meeting, f"{r}_confirmed_at") is None]
    if not pending:
        other = "председателя" if "secretary" in roles else "секретаря"
        raise ValidationError(f"Вы уже подтвердили протокол; ожидается подтверждение {other}.")
    problems = []
    if meeting.date > today_of(meeting, step.now):  # the date where the unit's region is (network.clock)
        problems.append("заседание ещё не состоялось")
    if not meeting.items.exists():
        problems.append("в повестке нет ни одного вопроса")
    if not meeting.attendance.filter(present=True).exists():
        problems.append("не отмечены присутствующие")
    if problems:
        raise ValidationError("Протокол нельзя подтвердить: " + "; ".join(problems) + ".")
    if meeting.version != step.params["expected_version"]:
        raise ValidationError(CONFLICT_MESSAGE)
    step.params["pending"] = pending


def on_confirm(step) -> None:
    meeting = step.obj
    for role in step.params["pending"]:
        setattr(meeting, f"{role}_confirmed_at", step.now)
        setattr(meeting, f"{role}_confirmed_by", step.user)
    meeting.version += 1
    step.reason = "подтверждён " + " и ".join(
        {"chair": "председателем", "secretary": "секретарём"}[r] for r in step.params["pending"]
    )


def confirmed_by_both(step) -> str:
    meeting = step.obj
    both = meeting.chair_confirmed_at and meeting.secretary_confirmed_at
    return Meeting.Status.CONFIRMED if both else Meeting.Status.DRAFT


def waiting_signer(meeting, step):
    """While one confirmation is missing, its signer is asked for it."""
    if not meeting.is_draft:
        return []
    waiting = meeting.secretary if meeting.chair_confirmed_at else meeting.chair
    return [waiting.user] if waiting is not None and waiting.user_id and waiting.user.is_active else []


def confirmed_before(step) -> None:
    meeting = step.obj
    if not any(getattr(meeting, f"{r}_confirmed_at") for r in ROLES):
        raise ValidationError("Протокол ещё никто не подтверждал: отзывать нечего.")
    step.params["confirmed_by"] = [
        getattr(meeting, f"{r}_confirmed_by") for r in ROLES if getattr(meeting, f"{r}_confirmed_at")
    ]


def on_withdraw(step) -> None:
    meeting = step.obj
    for role in ROLES:
        setattr(meeting, f"{role}_confirmed_at", None)
        setattr(meeting, f"{role}_confirmed_by", None)
    step.reason = step.reason or "протокол изменён после подтверждения"


def who_confirmed(meeting, step):
    return [u for u in step.params["confirmed_by"] if u is not None and u.is_active and u != step.user]


PROTOCOLS = register(
    Machine(
        kind="protocol",
        model=Meeting,
        state_field="status",
        related=("unit", "chair__user", "secretary__user", "chair_confirmed_by", "secretary_confirmed_by"),
        moves=[
            Move(
                "confirm",
                (Meeting.Status.DRAFT,),
                confirmed_by_both,
                "Подтвердить протокол",
                allowed=may_file,
                denied="Вести протоколы подразделения могут его председатель, заместитель, секретарь и методисты.",
                stale="Протокол подтверждён председателем и секретарём и больше не изменяется.",
                requires=(confirmable,),
                apply=on_confirm,
                notify=waiting_signer,
                notify_action=True,
                message=lambda m, step: f"«{m.unit}»: {m} ожидает вашего подтверждения.",
            ),
            Move(
                "withdraw",
                (Meeting.Status.DRAFT,),
                Meeting.Status.DRAFT,
                "Отозвать подтверждения",
                allowed=may_file,
                denied="Вести протоколы подразделения могут его председатель, заместитель, секретарь и методисты.",
                stale="Протокол подтверждён председателем и секретарём и больше не изменяется.",
                requires=(confirmed_before,),
                apply=on_withdraw,
                notify=who_confirmed,
                notify_action=True,
                message=lambda m, step: (
                    f"«{m.unit}»: {m} изменён после вашего подтверждения ({step.reason}). "
                    "Проверьте протокол и подтвердите его снова."
                ),
            ),
        ],
    )
)
