"""A teacher's own КПК certificate as a machine of workflow.engine: на подтверждении → подтверждён or
отклонён (with the reason); a rejected course the teacher corrects goes back to «на подтверждении»."""

from django.urls import reverse

from workflow.engine import Machine, Move, register

from .confirmation import is_own, may_confirm
from .models import Course

S = Course.Status
NOT_CONFIRMER = "Подтверждать курсы педагога могут руководитель и секретарь его МО, методист или администратор."


def on_confirm(step) -> None:
    step.obj.confirmed_at = step.now
    step.obj.confirmed_by = step.user
    step.obj.reject_reason = ""


def on_reject(step) -> None:
    step.obj.reject_reason = step.reason
    step.obj.confirmed_at = None
    step.obj.confirmed_by = None


def on_resubmit(step) -> None:
    step.obj.submitted_at = step.now
    step.obj.reject_reason = ""


def bump(step) -> None:
    # A decision changes the record: an editor who loaded the course before it is warned.
    step.obj.version += 1


def the_teacher(course, step):
    user = course.person.user
    return [user] if user is not None and user.is_active else []


def portfolio(course) -> str:
    return reverse("growth:portfolio", args=[course.person_id]) + f"#course-{course.pk}"


COURSES = register(
    Machine(
        kind="course",
        model=Course,
        state_field="status",
        related=("person", "person__user"),
        apply=bump,
        moves=[
            Move(
                "confirm",
                (S.PENDING,),
                S.CONFIRMED,
                "Подтвердить",
                allowed=may_confirm,
                denied=NOT_CONFIRMER,
                stale="Курс уже «{state}»: подтвердить можно только курс на подтверждении.",
                apply=on_confirm,
                notify=the_teacher,
                message=lambda course, step: f"Курс «{course.title}» подтверждён.",
                url=portfolio,
            ),
            Move(
                "reject",
                (S.PENDING,),
                S.REJECTED,
                "Отклонить",
                allowed=may_confirm,
                denied=NOT_CONFIRMER,
                requires_reason=True,
                reason_message="Укажите причину: педагог увидит её и исправит сведения о курсе.",
                stale="Курс уже «{state}»: отклонить можно только курс на подтверждении.",
                apply=on_reject,
                notify=the_teacher,
                message=lambda course, step: f"Курс «{course.title}» не подтверждён: {step.reason}",
                url=portfolio,
            ),
            Move(
                "resubmit",
                (S.REJECTED,),
                S.PENDING,
                "Отправить на подтверждение снова",
                allowed=lambda user, course: is_own(user, course.person),
                denied="Снова отправить курс на подтверждение может сам педагог.",
                stale="Курс уже «{state}».",
                apply=on_resubmit,
            ),
        ],
    )
)
