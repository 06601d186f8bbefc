"""A program's life as a machine of workflow.engine: проект → реализуется → завершена (and back
to «реализуется», with a reason). The state is never a form field: only these moves change it,
each written once in the program's history. Only a program «реализуется» has overdue items."""

from workflow.engine import Machine, Move, register

from .models import Program

S = Program.State
STALE = "Программа уже «{state}»: действие «{label}» недоступно. Обновите страницу."


NOT_ALLOWED = "Программы подразделения ведут его методисты, секретари и администраторы."


def may_edit(user, program) -> bool:
    from .services import can_edit

    return can_edit(user, program.unit)


def bump(step) -> None:
    step.obj.version += 1


PROGRAMS = register(
    Machine(
        kind="program",
        model=Program,
        state_field="state",
        related=("unit",),
        apply=bump,
        moves=[
            Move(
                "start",
                (S.DRAFT,),
                S.ACTIVE,
                "Начать реализацию",
                allowed=may_edit,
                denied=NOT_ALLOWED,
                stale=STALE,
            ),
            Move(
                "finish",
                (S.ACTIVE,),
                S.FINISHED,
                "Завершить",
                allowed=may_edit,
                denied=NOT_ALLOWED,
                stale=STALE,
            ),
            Move(
                "resume",
                (S.FINISHED,),
                S.ACTIVE,
                "Возобновить",
                allowed=may_edit,
                denied=NOT_ALLOWED,
                stale=STALE,
                requires_reason=True,
                reason_message="Укажите причину: завершённая программа возобновляется только с обоснованием.",
            ),
        ],
    )
)
