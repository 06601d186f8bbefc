"""«Мои задачи» of plans and reports: documents to file, returned documents, documents to agree.

The rules are the machine's (submissions/machines.py): a unit's documents are filed by who may «file» at the
unit (may_file), agreed by who decides at the approving unit (may_review: submissions/routing.py — the routed
approver's own reviewers, those above it only where the region allows escalation; the restrict("review") of the
reviewer's inbox). A document is due from the day its campaign opens until it closes (after that it is
«не представлен»: there is nothing left to file).
"""

from __future__ import annotations

from django.db.models import Exists, Subquery
from django.urls import reverse

from orgunits.models import DocumentType
from workflow.engine import last_move_q
from worklist.registry import Task, limited, provider

from .models import Campaign, State, Submission

FILE = "Представить документы"
RETURNED = "Возвращены на доработку"
AGREE = "Согласовать документы"


def _kind(document_type: str) -> str:
    from workflow.kinds import kind

    label = kind(document_type).label
    return label[:1].upper() + label[1:]


def _title(document_type: str, year: int) -> str:
    from workflow.kinds import kind

    return f"{_kind(document_type)} {kind(document_type).period_label(year)}"


def _editor_url(submission) -> str:
    from workflow.kinds import kind

    return kind(submission.document_type).editor_url(submission) or submission.get_absolute_url()


@provider
def documents_to_file(user, access, today):
    """Open campaigns in which a unit the user files for owes a document not yet sent: «Начать» creates the
    draft (submissions:start), a draft is continued in its editor. One query per open campaign (a handful a
    year: one per document kind), plus two."""
    if access.superuser:
        return []  # the superuser files for no unit
    file_q = access.q_for_units("file")
    if file_q is None:
        return []
    from orgunits.models import OrgUnit

    regions = set(OrgUnit.objects.filter(file_q).values_list("region_id", flat=True))
    campaigns = list(
        Campaign.objects.filter(region_id__in=regions, opens_on__lte=today, closes_on__gte=today)
        .exclude(document_type=DocumentType.CANDIDATE)
        .order_by("due_on", "pk")
    )
    owed = []  # (campaign, unit)
    for campaign in campaigns:
        for unit in campaign.expected_units().filter(file_q).order_by("name"):
            owed.append((campaign, unit))
    if not owed:
        return []
    existing = {
        (s.campaign_id, s.unit_id): s
        for s in Submission.objects.filter(
            campaign__in=[c for c, _ in owed], unit__in={u.pk for _, u in owed}
        ).select_related("campaign")
    }
    tasks = []
    for campaign, unit in owed:
        submission = existing.get((campaign.pk, unit.pk))
        if submission is not None and submission.state != State.DRAFT:
            continue  # sent, agreed, or returned (the group below)
        started = submission is not None
        tasks.append(
            Task(
                group=FILE,
                title=_title(campaign.document_type, campaign.year),
                url=_editor_url(submission) if started else campaign.get_absolute_url() + f"?unit={unit.pk}",
                order=10,
                unit=str(unit),
                due_on=campaign.due_on,
                note="черновик начат" if started else "",
                action_url="" if started else reverse("submissions:start", args=[campaign.pk, unit.pk]),
                action_label="Продолжить" if started else "Начать",
                kind=_kind(campaign.document_type),
            )
        )
    return tasks


@provider
def returned_documents(user, access, today):
    """Documents of the user's units returned for revision (or reopened), with the reviewer's reason."""
    if access.superuser:
        return []
    file_q = access.q_for_units("file", prefix="unit__")
    if file_q is None:
        return []
    last_return = last_move_q(Submission, to_state=State.RETURNED)
    returned = (
        Submission.objects.filter(file_q, state=State.RETURNED)
        .annotate(
            returned_at=Subquery(last_return.values("at")[:1]),
            return_reason=Subquery(last_return.values("reason")[:1]),
        )
        .select_related("campaign", "unit")
        .order_by("returned_at", "pk")
    )
    return limited(
        returned,
        lambda s: Task(
            group=RETURNED,
            title=_title(s.document_type, s.year),
            url=_editor_url(s),
            order=5,
            unit=str(s.unit),
            since=s.returned_at,
            note=f"Причина возврата: {s.return_reason}" if s.return_reason else "",
            action_label="Доработать",
            kind=_kind(s.document_type),
        ),
    )


@provider
def documents_to_agree(user, access, today):
    """Documents on approval at a unit the user reviews for — the reviewer's inbox, oldest first; a document
    returned before and sent again is marked «повторно»."""
    from .routing import reviews_at_ids

    returned_before = last_move_q(Submission, to_state=State.RETURNED)
    waiting = (
        Submission.objects.restrict(user, "review")
        .filter(state=State.SUBMITTED)
        .annotate(resubmitted=Exists(returned_before))
        .select_related("campaign", "unit", "approver")
        .order_by("submitted_at", "pk")
    )
    own = None if access.superuser else reviews_at_ids(access)

    def note(s) -> str:
        # A decision above the route (the region allows escalation) is named as such.
        if own is None or s.approver_id in own:
            return ""
        return f"адресован: {s.approver.name} — решение выше адресата"

    return limited(
        waiting,
        lambda s: Task(
            group=AGREE,
            title=_title(s.document_type, s.year),
            url=s.get_absolute_url(),
            order=20,
            decision=True,
            unit=str(s.unit),
            since=s.submitted_at,
            resubmitted=s.resubmitted,
            note=note(s),
            kind=_kind(s.document_type),
            action_label="Рассмотреть",
        ),
        more_url=reverse("submissions:inbox"),
    )
