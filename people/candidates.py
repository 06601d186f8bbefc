"""What a candidacy contains, for the shared workflow (issue 4): start, snapshot.

A proposed chair of a МунУМО is agreed with РУМО like a plan: a Submission routed by
`approver_for` that belongs to no campaign (nobody is expected to file one, there is no
deadline); it names its kind and year itself, and a unique rule makes it one proposal per
unit a year, resubmitted after a return.

000 а: the municipality agrees with the РУМО not only its chairs but «членов РУМО от
муниципалитета» — its delegates. A delegate is proposed by the municipal unit at the top of
its municipality (the МунУМО, whose parent is a regional unit) as a candidacy with the role
«делегат в РУМО», routed like the others; when the approving РУМО agrees it, the person
becomes a member of that РУМО («участник»: no access beyond a member's) for one year.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from orgunits.models import DocumentType

from .models import Candidacy, Membership

NOT_A_MUNICIPALITY = (
    "Делегата в РУМО предлагает муниципальное объединение (МунУМО) — подразделение муниципального "
    "уровня, подчинённое региональному (Положение о РУМО, п. «а»)."
)


def may_propose_delegate(unit) -> bool:
    """000 а: delegates to the РУМО come from a municipality: its top municipal unit (МунУМО)."""
    from orgunits.models import Level

    if unit is None or unit.kind.level != Level.MUNICIPAL:
        return False
    return unit.parent is None or unit.parent.kind.level == Level.REGIONAL


def roles_for(unit) -> list[tuple[str, str]]:
    """The roles `unit` may propose a candidate for (all when the unit is not known)."""
    if unit is None or may_propose_delegate(unit):
        return list(Candidacy.Role.choices)
    return [c for c in Candidacy.Role.choices if c[0] != Candidacy.Role.DELEGATE]


ONE_A_YEAR = (
    "Кандидатура на {year} год уже предложена: одно предложение в год. "
    "Если её вернули на доработку, измените её и отправьте повторно."
)
DELEGATE_TAKEN = (
    "Кандидатура «{person}» делегатом в РУМО на {year} год уже предложена. "
    "Если её вернули на доработку, измените её и отправьте повторно."
)


def subject_of(role, person) -> str:
    """What the one-a-year rule counts (Submission.own_subject): a unit's proposal of its chair or deputy is
    one a year; its delegates to the РУМО (000 а) are several, each person once a year."""
    return f"delegate-{person.pk}" if role == Candidacy.Role.DELEGATE else ""


def start(submission) -> None:
    """Nothing to do: the proposing view creates the Candidacy with the submission."""


def snapshot(submission) -> dict:
    candidacy = Candidacy.objects.filter(submission=submission).select_related("person").first()
    if candidacy is None:
        return {"fields": {}, "items": {}}
    return {
        "fields": {
            "Кандидат": candidacy.person.full_name,
            "Роль": candidacy.get_role_display(),
            "Обоснование": candidacy.justification,
        },
        "items": {},
    }


def detail_context(submission, user) -> dict:
    """What the document page shows of a candidacy; an approved chair's offers the appointing order."""
    from orgunits.access import access_for

    candidacy = Candidacy.objects.filter(submission=submission).select_related("person").first()
    delegate_membership = None
    if candidacy is not None and candidacy.role == Candidacy.Role.DELEGATE and submission.approver_id:
        delegate_membership = (
            Membership.objects.active()
            .filter(unit_id=submission.approver_id, person_id=candidacy.person_id)
            .select_related("unit")
            .first()
        )
    return {
        "candidacy": candidacy,
        "delegate_membership": delegate_membership,
        "can_view_candidate": candidacy is not None and access_for(user).can("view_people", submission.unit),
        "order_action": (
            ("orders:from_candidacy", "Подготовить приказ о назначении")
            if candidacy is not None and candidacy.role == Candidacy.Role.CHAIR
            else None
        ),
    }


@transaction.atomic
def propose(
    unit, person, justification: str, by, now: datetime.datetime, role=Candidacy.Role.CHAIR, proposed_from=None
):
    """A new candidacy of `unit` for this year, as a draft submission (one a year per unit)."""
    from submissions import services
    from submissions.models import Submission

    justification = (justification or "").strip()
    if not justification:
        raise ValidationError({"justification": "Обоснуйте кандидатуру."})
    if services.approver_for(unit, DocumentType.CANDIDATE) is None:
        raise ValidationError("Для этого подразделения не определено, кто согласует кандидатуры руководителя.")
    if person.region_id != unit.region_id:
        raise ValidationError({"person": "Кандидат из другого региона."})
    if role == Candidacy.Role.DELEGATE and not may_propose_delegate(unit):
        raise ValidationError({"role": NOT_A_MUNICIPALITY})
    year = timezone.localdate(now).year
    subject = subject_of(role, person)
    refusal = (DELEGATE_TAKEN if subject else ONE_A_YEAR).format(year=year, person=person)
    taken = Submission.objects.filter(
        campaign=None, own_kind=DocumentType.CANDIDATE, own_year=year, own_subject=subject, unit=unit
    )
    if taken.exists():
        raise ValidationError(refusal)
    try:
        with transaction.atomic():
            submission = services.start_without_campaign(DocumentType.CANDIDATE, unit, year, by, now, subject)
            Candidacy.objects.create(
                submission=submission,
                person=person,
                role=role,
                justification=justification,
                proposed_from=proposed_from,
            )
    except IntegrityError:  # a concurrent proposal of the same unit won
        raise ValidationError(refusal) from None
    return submission


def enroll_delegate(submission) -> Membership | None:
    """An approved delegate candidacy makes the person a member of the approving РУМО (000 а).

    Idempotent (a second call finds the membership); None when there is nothing to do: not a
    delegate, not approved, already a member, or the РУМО closed."""
    from orgunits.models import DocumentType
    from submissions.models import State

    from . import services

    if submission.own_kind != DocumentType.CANDIDATE or submission.state != State.APPROVED:
        return None
    candidacy = Candidacy.objects.filter(submission=submission).select_related("person").first()
    if candidacy is None or candidacy.role != Candidacy.Role.DELEGATE or submission.approver_id is None:
        return None
    rumo = submission.approver
    if not rumo.is_active or rumo.memberships.active().filter(person=candidacy.person).exists():
        return None
    approved_on = timezone.localdate(submission.approved_at) if submission.approved_at else timezone.localdate()
    starts_on = max(candidacy.proposed_from or approved_on, approved_on)
    try:
        with transaction.atomic():
            return services.add_member(unit=rumo, person=candidacy.person, role="member", starts_on=starts_on)
    except ValidationError:
        return None  # e.g. the person moved to another region meanwhile: the approval itself stands


def on_submission_saved(sender, instance, **kwargs) -> None:
    """post_save of a Submission (connected in PeopleConfig.ready): the approval of a delegate enrolls them."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "state" not in update_fields:
        return
    if instance.campaign_id is None and instance.own_kind == "candidate" and instance.state == "approved":
        enroll_delegate(instance)
