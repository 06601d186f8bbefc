"""The expertise of a development as a machine of workflow.engine (see practices/models.py):

    черновик → на экспертизе → у экспертов → рекомендована → в банке практик
                                          ↘ на доработку → представлена повторно → у экспертов …
                                          ↘ отклонена

Assigning or withdrawing an expert and an expert's conclusion keep the development «у экспертов»
but are moves too: each is one entry of its history. Every move checks the version the user's
page was loaded on and bumps it, so two people acting on one development never overwrite each other.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from workflow.engine import Machine, Move, register

from . import services as s
from .models import Development, ExpertAssignment, State, Verdict

STALE = "Разработку в состоянии «{state}» нельзя перевести в состояние «{to}»."


def fresh(step) -> None:
    expected = step.params.get("expected_version")
    if expected is not None and step.obj.version != expected:
        raise ValidationError(s.CONFLICT)


def bump(step) -> None:
    step.obj.version += 1


def may_file(user, dev) -> bool:
    return s.can_file(user, dev)


def may_review(user, dev) -> bool:
    # The unit that runs (or, for a draft, would run) the expertise: asking it to publish a draft is a
    # wrong step («нельзя перевести…»), not a stranger's request.
    unit = s.expertise_unit_of(dev)
    return unit is not None and s.access_for(user).can("review", unit)


def authors(dev, step):
    return s._authors_users(dev)


def reviewers(dev, step):
    return s.reviewers_of(dev.expertise_unit)


# -- sending -----------------------------------------------------------------------------------------


def routed(step) -> None:
    approver = s.expertise_unit_of(step.obj)
    if approver is None:
        raise ValidationError(
            "Для этого подразделения не настроено, кто проводит экспертизу разработок. Обратитесь к администратору."
        )
    step.params["approver"] = approver


def on_submit(step) -> None:
    dev = step.obj
    dev.expertise_unit = step.params["approver"]
    dev.round = 1
    dev.submitted_at = step.now
    step.reason = step.reason or "направлена на экспертизу"


def on_resubmit(step) -> None:
    dev = step.obj
    dev.round += 1
    dev.submitted_at = step.now
    s._add_file(dev, step.params["uploaded"], step.user, step.now)
    step.reason = step.reason or "доработанная версия"


# -- experts ----------------------------------------------------------------------------------------


def experts_valid(step) -> None:
    dev = step.obj
    experts = list({u.pk: u for u in step.params["experts"]}.values())
    if not experts:
        raise ValidationError({"experts": "Выберите хотя бы одного эксперта."})
    allowed = set(s.expert_candidates(dev).filter(pk__in=[u.pk for u in experts]).values_list("pk", flat=True))
    if outside := [u for u in experts if u.pk not in allowed]:
        raise ValidationError({"experts": f"Не может быть экспертом этой разработки: {s._names(outside)}."})
    already = set(dev.assignments.filter(round=dev.round).values_list("expert_id", flat=True))
    if twice := [u for u in experts if u.pk in already]:
        raise ValidationError({"experts": f"Уже назначен(ы) в этом туре: {s._names(twice)}."})
    step.params["experts"] = experts


def on_assign(step) -> None:
    dev, experts = step.obj, step.params["experts"]
    ExpertAssignment.objects.bulk_create(
        [
            ExpertAssignment(development=dev, round=dev.round, expert=u, assigned_by=step.user, assigned_at=step.now)
            for u in experts
        ]
    )
    extra = step.from_state == State.IN_EXPERTISE
    step.reason = f"{'дополнительно назначены' if extra else 'назначены'} эксперты: {s._names(experts)}"


def withdrawable(step) -> None:
    dev = step.obj
    assignment = ExpertAssignment.objects.select_related("expert").get(pk=step.params["assignment"].pk)
    if assignment.round != dev.round:
        raise ValidationError("Снять эксперта можно только во время его экспертизы.")
    if assignment.is_concluded:
        raise ValidationError("Эксперт уже написал заключение: снять его нельзя.")
    if not dev.assignments.filter(round=dev.round).exclude(pk=assignment.pk).exists():
        raise ValidationError("Это единственный эксперт: сначала назначьте другого.")
    step.params["assignment"] = assignment


def on_unassign(step) -> None:
    assignment = step.params["assignment"]
    assignment.delete()
    step.reason = f"снят эксперт: {s._names([assignment.expert])}"


def conclusion_valid(step) -> None:
    dev = step.obj
    assignment = ExpertAssignment.objects.select_for_update().get(pk=step.params["assignment"].pk)
    if assignment.expert_id != step.user.pk:
        raise PermissionDenied(s.NOT_EXPERT)
    if assignment.round != dev.round:
        raise ValidationError(f"Экспертиза этой разработки не идёт: она — «{dev.get_state_display()}».")
    if assignment.is_concluded:
        raise ValidationError("Заключение уже написано: изменить его нельзя.")
    if step.params["verdict"] not in Verdict.values:
        raise ValidationError({"verdict": "Выберите заключение: рекомендовать, вернуть на доработку или отклонить."})
    if not (step.params.get("comment") or "").strip():
        raise ValidationError({"comment": "Напишите комментарий: заключение без обоснования не принимается."})
    step.params["assignment"] = assignment


def on_conclude(step) -> None:
    assignment, verdict = step.params["assignment"], step.params["verdict"]
    assignment.verdict, assignment.comment, assignment.concluded_at = verdict, step.params["comment"].strip(), step.now
    assignment.save()
    step.reason = f"заключение эксперта: {Verdict(verdict).label}"


def reviewers_when_all_concluded(dev, step):
    if dev.assignments.filter(round=dev.round, verdict="").exists():
        return []
    return s.reviewers_of(dev.expertise_unit)


# -- decision and the bank -----------------------------------------------------------------------------


def conclusions_in(step) -> None:
    round_ = step.obj.assignments.filter(round=step.obj.round)
    if not round_.exists():
        raise ValidationError("Экспертов не назначено: решение принимается по их заключениям.")
    if pending := list(round_.filter(verdict="").select_related("expert")):
        raise ValidationError(f"Ещё не все эксперты написали заключения: {s._names(a.expert for a in pending)}.")


def on_decide(step) -> None:
    step.obj.decided_at = step.now


def decision_text(dev, step) -> str:
    return f"Решение по разработке «{dev.title}»: {dev.get_state_display()}. {step.reason}".strip()


def on_publish(step) -> None:
    step.obj.published_at = step.now
    step.reason = "опубликована в банке успешных практик"


def on_unpublish(step) -> None:
    step.obj.published_at = None
    step.reason = f"снята с публикации: {step.reason}"


def decision(name, to_state, label, **kwargs) -> Move:
    return Move(
        name,
        (State.IN_EXPERTISE,),
        to_state,
        label,
        allowed=may_review,
        denied=s.NOT_REVIEWER,
        stale=STALE,
        requires=(conclusions_in,),
        apply=on_decide,
        notify=authors,
        message=decision_text,
        **kwargs,
    )


DEVELOPMENTS = register(
    Machine(
        kind="development",
        model=Development,
        state_field="state",
        related=("unit__kind", "expertise_unit", "author__user", "created_by"),
        precheck=fresh,
        apply=bump,
        moves=[
            Move(
                "submit",
                (State.DRAFT,),
                State.SUBMITTED,
                "Направить на экспертизу",
                allowed=may_file,
                denied=s.NOT_FILER,
                stale=STALE,
                requires=(routed,),
                apply=on_submit,
                notify=reviewers,
                notify_action=True,
                message=lambda dev, step: f"На экспертизу: «{dev.title}» ({dev.unit})",
            ),
            Move(
                "resubmit",
                (State.TO_REVISE,),
                State.RESUBMITTED,
                "Направить повторно",
                allowed=may_file,
                denied=s.NOT_FILER,
                stale=STALE,
                apply=on_resubmit,
                notify=reviewers,
                notify_action=True,
                message=lambda dev, step: f"Доработанная разработка на экспертизу: «{dev.title}» ({dev.unit})",
            ),
            Move(
                "assign",
                (State.SUBMITTED, State.RESUBMITTED, State.IN_EXPERTISE),
                State.IN_EXPERTISE,
                "Назначить экспертов",
                allowed=may_review,
                denied=s.NOT_REVIEWER,
                stale="Назначать экспертов нельзя: разработка — «{state}».",
                requires=(experts_valid,),
                apply=on_assign,
                notify=lambda dev, step: step.params["experts"],
                notify_action=True,
                message=lambda dev, step: f"Вы назначены экспертом: «{dev.title}» ({dev.unit})",
            ),
            Move(
                "unassign",
                (State.IN_EXPERTISE,),
                State.IN_EXPERTISE,
                "Снять эксперта",
                allowed=may_review,
                denied=s.NOT_REVIEWER,
                stale="Снять эксперта можно только во время его экспертизы.",
                requires=(withdrawable,),
                apply=on_unassign,
            ),
            Move(
                "conclude",
                (State.IN_EXPERTISE,),
                State.IN_EXPERTISE,
                "Написать заключение",
                # Only the assigned expert: checked against the assignment (conclusion_valid).
                stale="Экспертиза этой разработки не идёт: она — «{state}».",
                requires=(conclusion_valid,),
                apply=on_conclude,
                notify=reviewers_when_all_concluded,
                notify_action=True,
                message=lambda dev, step: f"Все заключения получены, нужно решение: «{dev.title}»",
            ),
            decision("recommend", State.RECOMMENDED, "Рекомендовать"),
            decision(
                "revise",
                State.TO_REVISE,
                "Вернуть на доработку",
                notify_action=True,
                requires_reason=True,
                reason_message="Напишите, что нужно доработать: без комментария вернуть нельзя.",
            ),
            decision(
                "reject",
                State.REJECTED,
                "Отклонить",
                requires_reason=True,
                reason_message="Укажите причину отклонения.",
            ),
            Move(
                "publish",
                (State.RECOMMENDED,),
                State.PUBLISHED,
                "Опубликовать в банке практик",
                allowed=may_review,
                denied=s.NOT_REVIEWER,
                stale=STALE,
                apply=on_publish,
                notify=authors,
                message=lambda dev, step: f"Разработка «{dev.title}» опубликована в банке практик",
                url=s.bank_url,
            ),
            Move(
                "unpublish",
                (State.PUBLISHED,),
                State.RECOMMENDED,
                "Снять с публикации",
                allowed=may_review,
                denied=s.NOT_REVIEWER,
                stale=STALE,
                requires_reason=True,
                reason_message="Укажите причину: практика снимается с публикации только с обоснованием.",
                apply=on_unpublish,
                notify=authors,
                message=lambda dev, step: (
                    f"Разработка «{dev.title}» снята с публикации в банке практик. "
                    + step.reason.removeprefix("снята с публикации: ")
                ),
            ),
        ],
    )
)
