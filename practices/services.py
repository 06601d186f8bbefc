"""The rules of expertise: who may do what, and every change of a development's state.

Views, the demo and tests call these; time comes in as an argument. Each change runs under the
row lock and checks the version the user's page was loaded on, so two people acting on one
development never overwrite each other; each is recorded in `Transition` (who, when, from, to,
comment).

The decision offered to the reviewer is the most severe of the experts' conclusions
(reject > revise > recommend): one «отклонить» outweighs the others until the reviewer, who
decides, chooses otherwise.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse

from network.notify import notify
from orgunits.access import access_for
from orgunits.models import DocumentType, OrgUnit
from people.models import Membership, Person
from submissions.services import approver_for, reviewers_of

from . import files
from .models import SEVERITY, Development, DevelopmentFile, ExpertAssignment, State, Transition, Verdict

CONFLICT = (
    "Пока вы открывали страницу, разработку изменил другой пользователь. "
    "Обновите страницу, проверьте изменения и повторите действие."
)
NOT_FILER = "Направлять разработку и дорабатывать её могут её автор и те, кто представляет документы подразделения."
NOT_REVIEWER = "Назначать экспертов и принимать решение может только подразделение, проводящее экспертизу."
NOT_EXPERT = "Заключение пишет эксперт, назначенный на эту разработку."

# Which state may follow which (an expert added to a running expertise keeps it «у экспертов»).
NEXT = {
    State.DRAFT: {State.SUBMITTED},
    State.SUBMITTED: {State.IN_EXPERTISE},
    State.RESUBMITTED: {State.IN_EXPERTISE},
    State.IN_EXPERTISE: {State.IN_EXPERTISE, State.RECOMMENDED, State.TO_REVISE, State.REJECTED},
    State.TO_REVISE: {State.RESUBMITTED},
    State.RECOMMENDED: {State.PUBLISHED},
    State.PUBLISHED: {State.RECOMMENDED},
    State.REJECTED: set(),
}
DECISION_STATE = {
    Verdict.RECOMMEND: State.RECOMMENDED,
    Verdict.REVISE: State.TO_REVISE,
    Verdict.REJECT: State.REJECTED,
}


# -- who may do what -------------------------------------------------------------------------------


def can_view(user, dev: Development) -> bool:
    """The one rule of who sees a development: DevelopmentQuerySet.restrict (lists use it too)."""
    return Development.objects.restrict(user, "view").filter(pk=dev.pk).exists()


def can_file(user, dev: Development) -> bool:
    return (dev.author.user_id is not None and dev.author.user_id == user.pk) or access_for(user).can("file", dev.unit)


def can_review(user, dev: Development) -> bool:
    return dev.expertise_unit_id is not None and access_for(user).can("review", dev.expertise_unit)


def open_assignment(user, dev: Development, round_assignments=None) -> ExpertAssignment | None:
    """The user's assignment in the running round with no conclusion yet (looked up among
    `round_assignments` when the caller has them loaded)."""
    if dev.state != State.IN_EXPERTISE or not getattr(user, "is_authenticated", False):
        return None
    if round_assignments is not None:
        return next((a for a in round_assignments if a.expert_id == user.pk and not a.verdict), None)
    return dev.assignments.filter(expert=user, round=dev.round, verdict="").first()


def check_can_file(user, dev):
    if not can_file(user, dev):
        raise PermissionDenied(NOT_FILER)


def check_can_review(user, dev):
    if not can_review(user, dev):
        raise PermissionDenied(NOT_REVIEWER)


def sending_units(user):
    """Units the user may send a development from: those they are an active member of (as the
    author) and those they file documents for (on behalf of their teachers)."""
    access = access_for(user)
    q = Q(pk__in=Membership.objects.active().filter(person__user=user).values("unit_id"))
    file_q = access.q_for_units("file")
    if file_q is not None:
        q |= file_q
    return OrgUnit.objects.active().filter(q).select_related("kind").order_by("name")


def may_send_from(user, unit) -> bool:
    if access_for(user).can("file", unit):
        return True
    return Membership.objects.active().filter(person__user=user, unit=unit).exists()


def author_choices(user, unit):
    """A filer chooses the author among the unit's active members; a member sends their own work."""
    members = Person.objects.filter(pk__in=unit.memberships.active().values("person_id"))
    if access_for(user).can("file", unit):
        return members.order_by("last_name", "first_name", "pk")
    return members.filter(user=user)


def expert_candidates(dev: Development):
    """Logins that may be assigned: active members of the expertise unit and those who may review
    at it — never the author."""
    unit = dev.expertise_unit
    User = get_user_model()
    if unit is None:
        return User.objects.none()
    members = Membership.objects.active().filter(unit=unit, person__user__isnull=False).values("person__user_id")
    reviewers = [u.pk for u in reviewers_of(unit)]
    candidates = User.objects.filter(is_active=True).filter(Q(pk__in=members) | Q(pk__in=reviewers))
    if dev.author.user_id:
        candidates = candidates.exclude(pk=dev.author.user_id)
    return candidates.order_by("last_name", "first_name", "username")


def expertise_unit_of(dev: Development) -> OrgUnit | None:
    """Where the development goes (or went) for expertise: the nearest unit above the sending one
    that approves developments."""
    return dev.expertise_unit or approver_for(dev.unit, DocumentType.DEVELOPMENT)


def awaiting_decision(dev: Development, round_assignments) -> bool:
    """Every expert of the running round has written a conclusion: the reviewer decides now."""
    return dev.state == State.IN_EXPERTISE and bool(round_assignments) and all(a.verdict for a in round_assignments)


def suggested_verdict(round_assignments) -> str | None:
    """The most severe conclusion among the round's assignments (None before any)."""
    verdicts = {a.verdict for a in round_assignments}
    return next((v for v in SEVERITY if v in verdicts), None)


# -- changes ---------------------------------------------------------------------------------------


def _lock(dev: Development, expected_version: int | None) -> Development:
    locked = (
        Development.objects.select_for_update(of=("self",))
        .select_related("unit__kind", "expertise_unit", "author__user", "created_by")
        .get(pk=dev.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError(CONFLICT)
    return locked


def _save(dev: Development) -> Development:
    dev.version += 1
    dev.save()
    return dev


def _record(dev, from_state, to_state, by, now, comment=""):
    Transition.objects.create(
        development=dev, from_state=from_state, to_state=to_state, by=by, at=now, comment=comment.strip()
    )


def _move(dev: Development, to_state: str, by, now, comment: str = "") -> None:
    if to_state not in NEXT[State(dev.state)]:
        raise ValidationError(
            f"Разработку в состоянии «{dev.get_state_display()}» "
            f"нельзя перевести в состояние «{State(to_state).label}»."
        )
    _record(dev, dev.state, to_state, by, now, comment)
    dev.state = to_state


def _add_file(dev: Development, uploaded, by, now) -> DevelopmentFile:
    files.validate(uploaded)
    number = (dev.files.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    stored = DevelopmentFile(
        development=dev,
        number=number,
        round=dev.round,
        name=files.display_name(uploaded),
        size=uploaded.size,
        uploaded_by=by,
        uploaded_at=now,
    )
    stored.file.save(files.storage_name(uploaded), uploaded, save=False)
    try:
        stored.save()
    except Exception:
        stored.file.storage.delete(stored.file.name)
        raise
    return stored


def _names(users) -> str:
    return ", ".join(u.get_full_name() or u.username for u in users)


def _authors_users(dev):
    return [u for u in (dev.author.user, dev.created_by) if u is not None and u.is_active]


def _notify_author(dev, text):
    notify(_authors_users(dev), text, dev.get_absolute_url())


@transaction.atomic
def create(*, unit, author, by, data: dict, uploaded, now: datetime.datetime) -> Development:
    """A new draft with its first file. `data`: title, annotation, subject, level, material, topic."""
    if not unit.is_active:
        raise ValidationError("Подразделение прекратило работу: направить разработку от него нельзя.")
    if not unit.memberships.active().filter(person=author).exists():
        raise ValidationError({"author": f"{author.full_name} не состоит в «{unit}»."})
    dev = Development.objects.create(unit=unit, author=author, created_by=by, **data)
    _add_file(dev, uploaded, by, now)
    _record(dev, "", State.DRAFT, by, now, "разработка создана")
    return dev


@transaction.atomic
def edit(dev, by, data: dict, expected_version: int, now: datetime.datetime, uploaded=None) -> Development:
    """Change the description (a draft or one being revised); a draft may take a new file."""
    dev = _lock(dev, expected_version)
    if not dev.is_editable:
        raise ValidationError(f"Разработку в состоянии «{dev.get_state_display()}» изменить нельзя.")
    for name, value in data.items():
        setattr(dev, name, value)
    if uploaded is not None:
        if dev.state != State.DRAFT:
            raise ValidationError("Новую версию файла доработанной разработки прикрепляют при повторной отправке.")
        _add_file(dev, uploaded, by, now)
    return _save(dev)


@transaction.atomic
def submit(dev, by, now: datetime.datetime, expected_version: int | None) -> Development:
    dev = _lock(dev, expected_version)
    approver = expertise_unit_of(dev)
    if dev.state == State.DRAFT and approver is None:
        raise ValidationError(
            "Для этого подразделения не настроено, кто проводит экспертизу разработок. Обратитесь к администратору."
        )
    _move(dev, State.SUBMITTED, by, now, "направлена на экспертизу")
    dev.expertise_unit = approver
    dev.round = 1
    dev.submitted_at = now
    _save(dev)
    notify(reviewers_of(approver), f"На экспертизу: «{dev.title}» ({dev.unit})", dev.get_absolute_url())
    return dev


@transaction.atomic
def resubmit(dev, by, uploaded, comment: str, now: datetime.datetime, expected_version: int | None) -> Development:
    """After «на доработку»: a new version of the file (the old ones are kept) and a new round."""
    dev = _lock(dev, expected_version)
    _move(dev, State.RESUBMITTED, by, now, comment or "доработанная версия")
    dev.round += 1
    dev.submitted_at = now
    _add_file(dev, uploaded, by, now)
    _save(dev)
    notify(
        reviewers_of(dev.expertise_unit),
        f"Доработанная разработка на экспертизу: «{dev.title}» ({dev.unit})",
        dev.get_absolute_url(),
    )
    return dev


@transaction.atomic
def assign(dev, experts, by, now: datetime.datetime, expected_version: int | None) -> Development:
    dev = _lock(dev, expected_version)
    if dev.state not in (State.SUBMITTED, State.RESUBMITTED, State.IN_EXPERTISE):
        raise ValidationError(f"Назначать экспертов нельзя: разработка — «{dev.get_state_display()}».")
    experts = list({u.pk: u for u in experts}.values())
    if not experts:
        raise ValidationError({"experts": "Выберите хотя бы одного эксперта."})
    allowed = set(expert_candidates(dev).filter(pk__in=[u.pk for u in experts]).values_list("pk", flat=True))
    if outside := [u for u in experts if u.pk not in allowed]:
        raise ValidationError({"experts": f"Не может быть экспертом этой разработки: {_names(outside)}."})
    already = set(dev.assignments.filter(round=dev.round).values_list("expert_id", flat=True))
    if twice := [u for u in experts if u.pk in already]:
        raise ValidationError({"experts": f"Уже назначен(ы) в этом туре: {_names(twice)}."})
    ExpertAssignment.objects.bulk_create(
        [ExpertAssignment(development=dev, round=dev.round, expert=u, assigned_by=by, assigned_at=now) for u in experts]
    )
    extra = dev.state == State.IN_EXPERTISE
    _move(
        dev,
        State.IN_EXPERTISE,
        by,
        now,
        f"{'дополнительно назначены' if extra else 'назначены'} эксперты: {_names(experts)}",
    )
    _save(dev)
    notify(experts, f"Вы назначены экспертом: «{dev.title}» ({dev.unit})", dev.get_absolute_url())
    return dev


@transaction.atomic
def unassign(assignment: ExpertAssignment, by, now: datetime.datetime, expected_version: int | None) -> Development:
    """Withdraw an expert who has not written a conclusion, while another one remains."""
    dev = _lock(assignment.development, expected_version)
    assignment = ExpertAssignment.objects.select_related("expert").get(pk=assignment.pk)
    if dev.state != State.IN_EXPERTISE or assignment.round != dev.round:
        raise ValidationError("Снять эксперта можно только во время его экспертизы.")
    if assignment.is_concluded:
        raise ValidationError("Эксперт уже написал заключение: снять его нельзя.")
    if not dev.assignments.filter(round=dev.round).exclude(pk=assignment.pk).exists():
        raise ValidationError("Это единственный эксперт: сначала назначьте другого.")
    assignment.delete()
    _move(dev, State.IN_EXPERTISE, by, now, f"снят эксперт: {_names([assignment.expert])}")
    return _save(dev)


@transaction.atomic
def conclude(assignment: ExpertAssignment, by, verdict: str, comment: str, now: datetime.datetime) -> ExpertAssignment:
    dev = _lock(assignment.development, None)
    assignment = ExpertAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.expert_id != by.pk:
        raise PermissionDenied(NOT_EXPERT)
    if dev.state != State.IN_EXPERTISE or assignment.round != dev.round:
        raise ValidationError(f"Экспертиза этой разработки не идёт: она — «{dev.get_state_display()}».")
    if assignment.is_concluded:
        raise ValidationError("Заключение уже написано: изменить его нельзя.")
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "Выберите заключение: рекомендовать, вернуть на доработку или отклонить."})
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Напишите комментарий: заключение без обоснования не принимается."})
    assignment.verdict, assignment.comment, assignment.concluded_at = verdict, comment, now
    assignment.save()
    _move(dev, State.IN_EXPERTISE, by, now, f"заключение эксперта: {Verdict(verdict).label}")
    _save(dev)
    if not dev.assignments.filter(round=dev.round, verdict="").exists():
        notify(
            reviewers_of(dev.expertise_unit),
            f"Все заключения получены, нужно решение: «{dev.title}»",
            dev.get_absolute_url(),
        )
    return assignment


@transaction.atomic
def decide(dev, by, verdict: str, comment: str, now: datetime.datetime, expected_version: int | None) -> Development:
    dev = _lock(dev, expected_version)
    if verdict not in DECISION_STATE:
        raise ValidationError({"verdict": "Выберите решение: рекомендовать, вернуть на доработку или отклонить."})
    if dev.state == State.IN_EXPERTISE:
        round_ = dev.assignments.filter(round=dev.round)
        if not round_.exists():
            raise ValidationError("Экспертов не назначено: решение принимается по их заключениям.")
        if pending := list(round_.filter(verdict="").select_related("expert")):
            raise ValidationError(f"Ещё не все эксперты написали заключения: {_names(a.expert for a in pending)}.")
    comment = (comment or "").strip()
    if verdict == Verdict.REVISE and not comment:
        raise ValidationError({"comment": "Напишите, что нужно доработать: без комментария вернуть нельзя."})
    if verdict == Verdict.REJECT and not comment:
        raise ValidationError({"comment": "Укажите причину отклонения."})
    _move(dev, DECISION_STATE[verdict], by, now, comment)
    dev.decided_at = now
    _save(dev)
    _notify_author(dev, f"Решение по разработке «{dev.title}»: {dev.get_state_display()}. {comment}".strip())
    return dev


@transaction.atomic
def publish(dev, by, now: datetime.datetime, expected_version: int | None) -> Development:
    dev = _lock(dev, expected_version)
    _move(dev, State.PUBLISHED, by, now, "опубликована в банке успешных практик")
    dev.published_at = now
    _save(dev)
    notify(_authors_users(dev), f"Разработка «{dev.title}» опубликована в банке практик", bank_url(dev))
    return dev


@transaction.atomic
def unpublish(dev, by, comment: str, now: datetime.datetime, expected_version: int | None) -> Development:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Укажите причину: практика снимается с публикации только с обоснованием."})
    dev = _lock(dev, expected_version)
    _move(dev, State.RECOMMENDED, by, now, f"снята с публикации: {comment}")
    dev.published_at = None
    _save(dev)
    _notify_author(dev, f"Разработка «{dev.title}» снята с публикации в банке практик. {comment}")
    return dev


# -- pages ----------------------------------------------------------------------------------------


def bank_url(dev) -> str:
    return reverse("practices:practice", args=[dev.pk])


def review_scope(user):
    """Developments whose expertise the user runs."""
    q = access_for(user).q_for_units("review", prefix="expertise_unit__")
    return Development.objects.none() if q is None else Development.objects.filter(q)


def inbox(user) -> dict:
    """The reviewer's and the expert's queues, as querysets (each one page of a tab)."""
    scope = review_scope(user)
    pending = Count("assignments", filter=Q(assignments__round=F("round"), assignments__verdict=""))
    in_expertise = scope.filter(state=State.IN_EXPERTISE).annotate(pending=pending)
    mine = ExpertAssignment.objects.filter(
        expert=user, verdict="", development__state=State.IN_EXPERTISE, round=F("development__round")
    )
    return {
        "assign": scope.filter(state__in=[State.SUBMITTED, State.RESUBMITTED]).order_by("submitted_at", "pk"),
        "conclusions": in_expertise.filter(pending__gt=0).order_by("submitted_at", "pk"),
        "decide": in_expertise.filter(pending=0).order_by("submitted_at", "pk"),
        "publish": scope.filter(state=State.RECOMMENDED).order_by("decided_at", "pk"),
        "mine": Development.objects.filter(pk__in=mine.values("development_id")).order_by("submitted_at", "pk"),
    }


def portfolio_developments(person, user) -> list[Development]:
    """A person's developments for their portfolio: those the viewer may open (with `link`), and
    the published ones (linked to the bank)."""
    visible = set(Development.objects.restrict(user, "view").filter(author=person).values_list("pk", flat=True))
    rows = list(
        Development.objects.filter(author=person)
        .filter(Q(pk__in=visible) | Q(state=State.PUBLISHED))
        .select_related("subject", "unit")
        .order_by("-created_at", "-pk")
    )
    for dev in rows:
        dev.link = dev.get_absolute_url() if dev.pk in visible else bank_url(dev)
    return rows
