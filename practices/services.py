"""The rules of expertise: who may do what, and every change of a development's state.

Views, the demo and tests call these; time comes in as an argument. Each change runs under the
row lock and checks the version the user's page was loaded on, so two people acting on one
development never overwrite each other; each is a move of workflow.engine (practices/machines.py),
recorded in the one history (who, when, from, to, comment).

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

import workflow
from orgunits.access import access_for
from orgunits.models import DocumentType, OrgUnit
from people.models import Membership, Person
from submissions.services import approver_for, reviewers_of

from . import files
from .models import SEVERITY, Development, DevelopmentFile, ExpertAssignment, State, Verdict

CONFLICT = (
    "Пока вы открывали страницу, разработку изменил другой пользователь. "
    "Обновите страницу, проверьте изменения и повторите действие."
)
NOT_FILER = "Направлять разработку и дорабатывать её могут её автор и те, кто представляет документы подразделения."
NOT_REVIEWER = "Назначать экспертов и принимать решение может только подразделение, проводящее экспертизу."
NOT_EXPERT = "Заключение пишет эксперт, назначенный на эту разработку."

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


@transaction.atomic
def create(*, unit, author, by, data: dict, uploaded, now: datetime.datetime) -> Development:
    """A new draft with its first file. `data`: title, annotation, subject, level, material, topic."""
    if not unit.is_active:
        raise ValidationError("Подразделение прекратило работу: направить разработку от него нельзя.")
    if not unit.memberships.active().filter(person=author).exists():
        raise ValidationError({"author": f"{author.full_name} не состоит в «{unit}»."})
    dev = Development.objects.create(unit=unit, author=author, created_by=by, **data)
    _add_file(dev, uploaded, by, now)
    workflow.record_start(dev, by, now=now, reason="разработка создана")
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


# Every change of state is a move of the machine in practices/machines.py, made by
# workflow.perform (lock, version, who may, state, requirements, one history entry, notices).


def submit(dev, by, now: datetime.datetime, expected_version: int | None) -> Development:
    return workflow.perform(dev, "submit", by, now=now, expected_version=expected_version)


def resubmit(dev, by, uploaded, comment: str, now: datetime.datetime, expected_version: int | None) -> Development:
    """After «на доработку»: a new version of the file (the old ones are kept) and a new round."""
    return workflow.perform(
        dev, "resubmit", by, reason=comment, now=now, uploaded=uploaded, expected_version=expected_version
    )


def assign(dev, experts, by, now: datetime.datetime, expected_version: int | None) -> Development:
    return workflow.perform(dev, "assign", by, now=now, experts=list(experts), expected_version=expected_version)


def unassign(assignment: ExpertAssignment, by, now: datetime.datetime, expected_version: int | None) -> Development:
    """Withdraw an expert who has not written a conclusion, while another one remains."""
    return workflow.perform(
        assignment.development, "unassign", by, now=now, assignment=assignment, expected_version=expected_version
    )


def conclude(assignment: ExpertAssignment, by, verdict: str, comment: str, now: datetime.datetime) -> ExpertAssignment:
    workflow.perform(
        assignment.development, "conclude", by, now=now, assignment=assignment, verdict=verdict, comment=comment
    )
    return ExpertAssignment.objects.get(pk=assignment.pk)


def decide(dev, by, verdict: str, comment: str, now: datetime.datetime, expected_version: int | None) -> Development:
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": "Выберите решение: рекомендовать, вернуть на доработку или отклонить."})
    return workflow.perform(dev, verdict, by, reason=comment, now=now, expected_version=expected_version)


def publish(dev, by, now: datetime.datetime, expected_version: int | None) -> Development:
    return workflow.perform(dev, "publish", by, now=now, expected_version=expected_version)


def unpublish(dev, by, comment: str, now: datetime.datetime, expected_version: int | None) -> Development:
    return workflow.perform(dev, "unpublish", by, reason=comment, now=now, expected_version=expected_version)


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
