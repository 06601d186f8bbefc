"""What a candidacy contains, for the shared workflow (issue 4): start, snapshot.

A proposed chair of a МунУМО is agreed with РУМО like a plan: a Submission routed by
`approver_for` that belongs to no campaign (nobody is expected to file one, there is no
deadline); it names its kind and year itself, and a unique rule makes it one proposal per
unit a year, resubmitted after a return.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from orgunits.models import DocumentType

from .models import Candidacy

ONE_A_YEAR = (
    "Кандидатура на {year} год уже предложена: одно предложение в год. "
    "Если её вернули на доработку, измените её и отправьте повторно."
)


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
    return {
        "candidacy": candidacy,
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
    year = timezone.localdate(now).year
    taken = Submission.objects.filter(campaign=None, own_kind=DocumentType.CANDIDATE, own_year=year, unit=unit)
    if taken.exists():
        raise ValidationError(ONE_A_YEAR.format(year=year))
    try:
        with transaction.atomic():
            submission = services.start_without_campaign(DocumentType.CANDIDATE, unit, year, by, now)
            Candidacy.objects.create(
                submission=submission,
                person=person,
                role=role,
                justification=justification,
                proposed_from=proposed_from,
            )
    except IntegrityError:  # a concurrent proposal of the same unit won
        raise ValidationError(ONE_A_YEAR.format(year=year)) from None
    return submission
