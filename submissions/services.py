"""The workflow of DESIGN.md: черновик → на согласовании → согласован, or возвращён with a
comment → на согласовании again. Views, commands and tasks all call these; time comes in
as an argument and is read once per step."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from network.notify import notify
from orgunits.access import access_for
from orgunits.models import DocumentType, OrgUnit

from .models import State, Submission, Transition

FILING_ROLES = ("chair", "deputy", "secretary", "methodist")


def content_module(document_type: str):
    if document_type == DocumentType.PLAN:
        from plans import content
    elif document_type == DocumentType.CANDIDATE:
        from people import candidates as content
    else:
        from reports import content
    return content


def approver_for(unit: OrgUnit, document_type: str) -> OrgUnit | None:
    """The nearest ancestor whose kind approves this document type: routing by kind, not by
    depth, so an uneven tree (a school MO right under a municipal service) routes correctly."""
    for ancestor in unit.get_ancestors(ascending=True).select_related("kind"):
        if ancestor.kind.approves(document_type):
            return ancestor
    return None


def unit_filers(units) -> dict[int, list]:
    """Logins of the people who file for each unit (chair, deputy, secretary, methodist)."""
    from people.models import Membership

    result: dict[int, list] = {}
    rows = (
        Membership.objects.active()
        .filter(unit__in=units, role__in=FILING_ROLES, person__user__isnull=False, person__user__is_active=True)
        .select_related("person__user")
    )
    for m in rows:
        result.setdefault(m.unit_id, []).append(m.person.user)
    return result


def reviewers_of(unit: OrgUnit):
    """Logins that may review at `unit`: holders of a review grant there or above."""
    from django.contrib.auth import get_user_model
    from guardian.models import GroupObjectPermission, UserObjectPermission

    ancestors = [str(pk) for pk in unit.get_ancestors(include_self=True).values_list("pk", flat=True)]
    groups = GroupObjectPermission.objects.filter(
        object_pk__in=ancestors, permission__codename="review_subtree", content_type__app_label="orgunits"
    ).values("group_id")
    direct = UserObjectPermission.objects.filter(
        object_pk__in=ancestors, permission__codename="review_subtree", content_type__app_label="orgunits"
    ).values("user_id")
    User = get_user_model()
    return list(User.objects.filter(is_active=True).filter(groups__in=groups).distinct()) + list(
        User.objects.filter(is_active=True, pk__in=direct)
    )


def _record(submission, from_state, to_state, by, now, comment="", snapshot=None):
    Transition.objects.create(
        submission=submission,
        from_state=from_state,
        to_state=to_state,
        by=by,
        at=now,
        comment=comment,
        snapshot=snapshot if snapshot is not None else {},
    )


def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("campaign", "unit__kind")
        .get(pk=submission.pk)
    )


def check_can_file(user, submission) -> None:
    if not access_for(user).can("file", submission.unit):
        raise PermissionDenied(
            "Представлять документы подразделения могут председатель, заместитель, секретарь и методист."
        )


def check_can_review(user, submission) -> None:
    if submission.approver is None or not access_for(user).can("review", submission.approver):
        raise PermissionDenied("Согласовывать этот документ может только согласующее подразделение.")


@transaction.atomic
def start(campaign, unit, by, now: datetime.datetime) -> Submission:
    """Open the unit's document for the campaign (idempotent: the existing one is returned)."""
    # A candidacy campaign has no filers: any unit routed to an approver of candidates proposes.
    if campaign.document_type != DocumentType.CANDIDATE and not campaign.filer_kinds.filter(pk=unit.kind_id).exists():
        raise ValidationError(f"«{unit.kind.name}» не представляет документы в кампании «{campaign}».")
    if timezone.localdate(now) < campaign.opens_on:
        raise ValidationError(f"Кампания «{campaign}» откроется {campaign.opens_on:%d.%m.%Y}.")
    submission, created = Submission.objects.get_or_create(
        campaign=campaign, unit=unit, defaults={"approver": approver_for(unit, campaign.document_type)}
    )
    if created:
        content_module(campaign.document_type).start(submission)
        _record(submission, "", State.DRAFT, by, now, "документ создан")
    return submission


def snapshot(submission) -> dict:
    return content_module(submission.campaign.document_type).snapshot(submission)


@transaction.atomic
def submit(submission, by, now: datetime.datetime, today: datetime.date) -> Submission:
    submission = _lock(submission)
    if not submission.is_editable:
        raise ValidationError(f"Документ в состоянии «{submission.get_state_display()}» отправить нельзя.")
    approver = approver_for(submission.unit, submission.campaign.document_type)
    if approver is None:
        raise ValidationError(
            "Для этого подразделения не настроено согласующее подразделение. Обратитесь к администратору."
        )
    previous = submission.state
    submission.approver = approver
    submission.state = State.SUBMITTED
    submission.submitted_at = now
    if submission.first_submitted_on is None:
        # Timeliness is decided by the first submission and never changes afterwards.
        submission.first_submitted_on = today
        submission.on_time = today <= submission.campaign.due_on
    submission.save()
    _record(submission, previous, State.SUBMITTED, by, now, snapshot=snapshot(submission))
    notify(
        reviewers_of(approver),
        f"На согласование: {submission}",
        submission.get_absolute_url(),
    )
    return submission


@transaction.atomic
def return_for_revision(submission, by, comment: str, now: datetime.datetime) -> Submission:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Напишите, что нужно доработать: без комментария вернуть нельзя."})
    submission = _lock(submission)
    if submission.state != State.SUBMITTED:
        raise ValidationError(
            f"Вернуть можно только документ на согласовании, а он — «{submission.get_state_display()}»."
        )
    submission.state = State.RETURNED
    submission.save()
    _record(submission, State.SUBMITTED, State.RETURNED, by, now, comment, snapshot(submission))
    users = unit_filers([submission.unit_id]).get(submission.unit_id, [])
    notify(users, f"Возвращён на доработку: {submission}. {comment}", submission.get_absolute_url())
    return submission


@transaction.atomic
def approve(submission, by, now: datetime.datetime, comment: str = "") -> Submission:
    submission = _lock(submission)
    if submission.state != State.SUBMITTED:
        raise ValidationError(
            f"Согласовать можно только документ на согласовании, а он — «{submission.get_state_display()}»."
        )
    submission.state = State.APPROVED
    submission.approved_at = now
    submission.save()
    _record(submission, State.SUBMITTED, State.APPROVED, by, now, comment.strip(), snapshot(submission))
    users = unit_filers([submission.unit_id]).get(submission.unit_id, [])
    notify(users, f"Согласован: {submission}", submission.get_absolute_url())
    return submission


@transaction.atomic
def reopen(submission, by, reason: str, now: datetime.datetime) -> Submission:
    """Only the approver unfreezes an approved document, and says why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"comment": "Укажите причину: согласованный документ открывается только с обоснованием."})
    submission = _lock(submission)
    if submission.state != State.APPROVED:
        raise ValidationError("Открыть повторно можно только согласованный документ.")
    submission.state = State.RETURNED
    submission.approved_at = None
    submission.save()
    _record(submission, State.APPROVED, State.RETURNED, by, now, reason, snapshot(submission))
    users = unit_filers([submission.unit_id]).get(submission.unit_id, [])
    notify(users, f"Открыт повторно для доработки: {submission}. {reason}", submission.get_absolute_url())
    return submission


def check_editable(submission, user) -> None:
    """Content may change only in a draft or a returned document, by those who file it."""
    check_can_file(user, submission)
    if not submission.is_editable:
        raise ValidationError(
            f"Документ в состоянии «{submission.get_state_display()}» изменить нельзя"
            + (": он согласован и заморожен." if submission.state == State.APPROVED else ".")
        )


def touch(submission, expected_version: int) -> None:
    """Every content edit bumps the document's version: two editors never overwrite each other."""
    submission.save_versioned(expected_version)


@transaction.atomic
def load_historical(*, campaign, unit, submitted_on: datetime.date, approved_on: datetime.date, by, now) -> Submission:
    """A paper report of a past year, recorded as approved with its real dates."""
    if approved_on < submitted_on:
        raise ValidationError({"approved_on": "Дата согласования раньше даты представления."})
    if Submission.objects.filter(campaign=campaign, unit=unit).exists():
        raise ValidationError("У подразделения уже есть документ в этой кампании.")
    approver = approver_for(unit, campaign.document_type)
    submission = Submission.objects.create(
        campaign=campaign,
        unit=unit,
        approver=approver,
        state=State.APPROVED,
        historical=True,
        first_submitted_on=submitted_on,
        on_time=submitted_on <= campaign.due_on,
        submitted_at=datetime.datetime.combine(submitted_on, datetime.time(12), tzinfo=now.tzinfo),
        approved_at=datetime.datetime.combine(approved_on, datetime.time(12), tzinfo=now.tzinfo),
    )
    content_module(campaign.document_type).start(submission)
    _record(submission, "", State.APPROVED, by, now, "перенесён с бумажного носителя (исторический)")
    return submission


def diff_since_return(submission) -> list[dict] | None:
    """What changed since the document was last returned: field by field, item by item."""
    last_return = submission.transitions.filter(to_state=State.RETURNED).order_by("-at", "-pk").first()
    if last_return is None:
        return None
    return diff(last_return.snapshot, snapshot(submission))


def diff(before: dict, after: dict) -> list[dict]:
    changes = []
    fb, fa = before.get("fields", {}), after.get("fields", {})
    for name in [*fb, *[k for k in fa if k not in fb]]:
        if fb.get(name) != fa.get(name):
            changes.append({"kind": "field", "name": name, "before": fb.get(name, ""), "after": fa.get(name, "")})
    ib, ia = before.get("items", {}), after.get("items", {})
    for key, item in ia.items():
        if key not in ib:
            changes.append({"kind": "added", "name": item.get("Мероприятие", key), "after": item})
        else:
            fields = [
                {"name": f, "before": ib[key].get(f, ""), "after": v} for f, v in item.items() if ib[key].get(f) != v
            ]
            if fields:
                changes.append({"kind": "changed", "name": item.get("Мероприятие", key), "fields": fields})
    for key, item in ib.items():
        if key not in ia:
            changes.append({"kind": "removed", "name": item.get("Мероприятие", key), "before": item})
    return changes
