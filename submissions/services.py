"""The workflow of DESIGN.md: черновик → на согласовании → согласован, or возвращён with a
comment → на согласовании again. Views, commands and tasks all call these; time comes in
as an argument and is read once per step."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

import workflow
from network.clock import today_of
from orgunits.access import access_for
from orgunits.models import OrgUnit
from workflow.kinds import kind

from .models import Campaign, State, Submission

FILING_ROLES = ("chair", "deputy", "secretary", "methodist")


def content_module(document_type: str):
    """What the document kind contains (plans.content, reports.content, people.candidates)."""
    return kind(document_type).content_module()


def approver_for(unit: OrgUnit, document_type: str) -> OrgUnit | None:
    """The nearest ancestor whose kind approves this document type: routing by kind, not by
    depth, so an uneven tree (a school MO right under a municipal service) routes correctly."""
    return kind(document_type).approver(unit)


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


def check_can_file(user, submission) -> None:
    if not access_for(user).can("file", submission.unit):
        raise PermissionDenied(
            "Представлять документы подразделения могут председатель, заместитель, секретарь и методист."
        )


@transaction.atomic
def start(campaign, unit, by, now: datetime.datetime) -> Submission:
    """Open the unit's document for the campaign (idempotent: the existing one is returned)."""
    if not campaign.filer_kinds.filter(pk=unit.kind_id).exists():
        raise ValidationError(f"«{unit.kind.name}» не представляет документы в кампании «{campaign}».")
    if today_of(campaign, now) < campaign.opens_on:  # the campaign's region's date (network.clock)
        raise ValidationError(f"Кампания «{campaign}» откроется {campaign.opens_on:%d.%m.%Y}.")
    submission, created = Submission.objects.get_or_create(
        campaign=campaign, unit=unit, defaults={"approver": approver_for(unit, campaign.document_type)}
    )
    if created:
        content_module(campaign.document_type).start(submission)
        workflow.record_start(submission, by, now=now, reason="документ создан")
    return submission


@transaction.atomic
def start_without_campaign(
    document_type: str, unit, year: int, by, now: datetime.datetime, subject: str = ""
) -> Submission:
    """Open a document that belongs to no campaign (a candidacy): one of its kind and `subject` a year per
    unit.

    IntegrityError if the unit already has one (the caller words the refusal)."""
    submission = Submission.objects.create(
        campaign=None,
        own_kind=document_type,
        own_year=year,
        own_subject=subject,
        unit=unit,
        approver=approver_for(unit, document_type),
    )
    content_module(document_type).start(submission)
    workflow.record_start(submission, by, now=now, reason="документ создан")
    return submission


def snapshot(submission) -> dict:
    return content_module(submission.document_type).snapshot(submission)


# The steps of the workflow are moves of the machine in submissions/machines.py, made by
# workflow.perform (lock, check, apply, one history entry, notifications); these keep the
# signatures the views, commands and tests call.


def submit(submission, by, now: datetime.datetime, today: datetime.date | None = None) -> Submission:
    """Send for approval; `today` defaults to the date at `now` in the document's region (workflow.engine)."""
    return workflow.perform(submission, "submit", by, now=now, today=today)


def return_for_revision(submission, by, comment: str, now: datetime.datetime) -> Submission:
    return workflow.perform(submission, "return", by, reason=comment, now=now)


def approve(submission, by, now: datetime.datetime, comment: str = "") -> Submission:
    return workflow.perform(submission, "approve", by, reason=comment, now=now)


def reopen(submission, by, reason: str, now: datetime.datetime) -> Submission:
    """Only the approver unfreezes an approved document, and says why."""
    return workflow.perform(submission, "reopen", by, reason=reason, now=now)


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
    workflow.record_start(submission, by, now=now, reason="перенесён с бумажного носителя (исторический)")
    return submission


def diff_since_return(submission) -> list[dict] | None:
    """What changed since the document was last returned: field by field, item by item."""
    last_return = workflow.moves_of(submission).filter(to_state=State.RETURNED).last()
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


def return_entry(submission):
    """Why a returned document came back: the last move into «возвращён» (a return by the
    reviewer or a reopening of an approved document), with who, when and the comment; None for
    a document that is not returned now."""
    if submission.state != State.RETURNED:
        return None
    return workflow.moves_of(submission).filter(to_state=State.RETURNED).last()


def was_returned(submission) -> bool:
    """The document has been returned (or reopened) at least once: a submission now is a resubmission."""
    return workflow.moves_of(submission).filter(to_state=State.RETURNED).exists()


def send_problems(submission) -> list[str]:
    """What a filer should look at before sending: the kind's own check of its content (empty
    sections, impossible figures, an empty plan). Advisory: the filer may send all the same."""
    check = getattr(content_module(submission.document_type), "send_problems", None)
    return list(check(submission)) if check is not None else []


def visible_regions(user) -> set[int] | None:
    """Regions where the user sees at least one unit (None: every region, for a superuser)."""
    access = access_for(user)
    if access.superuser:
        return None
    return {span.region_id for span in access.top_spans()}


def campaigns_for(user):
    """The campaigns a user sees, for the pages and the API alike. Campaigns have no `restrict()`: a campaign
    is regional, not a unit's row — it is seen wherever one sees a unit of its region."""
    qs = Campaign.objects.select_related("region")
    regions = visible_regions(user)
    return qs if regions is None else qs.filter(region_id__in=regions)
