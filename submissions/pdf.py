"""The work plan and the annual report as PDF (DESIGN.md, "Documents rendered with WeasyPrint").

Both print on the ГОСТ Р 7.0.97-2025 base (templates/pdf/document.html): the unit as the
organisation, «ПЛАН РАБОТЫ» or «ОТЧЁТ», the date, a heading, the content, the chair's
signature and the secretary as the executor. An approved document carries the approval
stamp; any other is marked «ПРОЕКТ». Registered from SubmissionsConfig.ready().
"""

import re

from django.utils import timezone

from network.pdf import PdfDocument, register
from orgunits.models import DocumentType
from workflow.engine import moves_of

from .models import State, Submission

# A plan longer than this is rendered by Celery while the page shows its progress.
BACKGROUND_ITEMS = 60


def pdf_version(submission: Submission) -> int:
    """A number that is new after every change the printout shows.

    A content edit bumps `submission.version`; a change of state adds a workflow entry. Both only
    grow and every change moves one of them, so their sum never repeats. (A `version * 10 +
    state` key would: reopen an approved plan and approve it again without an edit, and the
    first approval's PDF, with its date, would be served again.)
    """
    return submission.version + moves_of(submission).count()


def is_long(submission: Submission) -> bool:
    return submission.plan_items.count() > BACKGROUND_ITEMS


def local_date(moment):
    return timezone.localdate(moment) if moment else None


def _person_name(user) -> str:
    from people.models import Person

    person = Person.objects.filter(user=user).first()
    if person is not None:
        return person.short_name
    return user.get_full_name() or user.username


# The role in which someone signs for a unit, most senior first (orgunits.access.ROLES).
STAMP_ROLES = ("chair", "deputy", "administrator", "reviewer", "secretary", "methodist")


def _position(user, unit) -> str:
    """The signer's position for the stamp: their role in the approving unit, else their own position."""
    from orgunits.access import ROLES, role_group_name
    from people.models import Membership, Person

    if unit is not None:
        held = set(
            Membership.objects.active()
            .filter(unit=unit, person__user=user, role__in=STAMP_ROLES)
            .values_list("role", flat=True)
        )
        names = {role_group_name(unit.pk, code): code for code in STAMP_ROLES}
        held |= {names[name] for name in user.groups.filter(name__in=names).values_list("name", flat=True)}
        for code in STAMP_ROLES:
            if code in held:
                return ROLES[code].label[:1].upper() + ROLES[code].label[1:]
    person = Person.objects.filter(user=user).first()
    position = person.position.strip() if person is not None else ""
    return position[:1].upper() + position[1:]


def approval(submission: Submission, label: str) -> dict | None:
    """The approval stamp (гриф утверждения): who approved, in which position, and when; None unless approved.

    ГОСТ Р 7.0.97-2016 §5.23: «УТВЕРЖДАЮ» (or «СОГЛАСОВАНО»), the position, the organisation (in the
    genitive: «Председатель / Регионального учебно-методического объединения …»), the signature with
    И.О. Фамилия, the date. A requisite the portal does not know is left out, never replaced by a dash.
    """
    from network.russian import unit_genitive

    if submission.state != State.APPROVED:
        return None
    step = moves_of(submission).filter(from_state=State.SUBMITTED, to_state=State.APPROVED).last()
    actor = step.actor if step is not None else None
    unit = submission.approver
    return {
        "label": label,
        "position": _position(actor, unit) if actor is not None else "",
        "organisation": unit_genitive(unit) if unit is not None else "",
        "name": _person_name(actor) if actor is not None else "",
        "date": local_date(submission.approved_at),
    }


def signers(submission: Submission) -> tuple[list[dict], str]:
    """The chair signs; the secretary is the executor (full name and phone, as ГОСТ asks)."""
    from people.models import Membership, MembershipRole

    holders = {
        m.role: m.person
        for m in Membership.objects.active()
        .filter(unit=submission.unit, role__in=[MembershipRole.CHAIR, MembershipRole.SECRETARY])
        .select_related("person")
    }
    kind = submission.unit.kind
    chair = holders.get(MembershipRole.CHAIR)
    from network.russian import genitive

    signatures = [
        {
            "position": f"Председатель {genitive(kind.short_name or kind.name)}",
            "name": chair.short_name if chair else "",
        }
    ]
    secretary = holders.get(MembershipRole.SECRETARY)
    executor = ""
    if secretary is not None:
        executor = secretary.full_name + (f", тел. {secretary.phone}" if secretary.phone else "")
    return signatures, executor


def file_name(title: str, submission: Submission) -> str:
    """«План работы 2026-2027 Терское МунУМО»: no path separators, quotes or control characters."""
    name = f"{title} {submission.campaign.period_label} {submission.unit.short_name or submission.unit.name}"
    name = re.sub(r'[\x00-\x1f\\/:*?"<>|]+', "-", name)
    return " ".join(name.split())[:150]


def common_context(submission: Submission, doc_type: str, heading: str, stamp_label: str) -> dict:
    signatures, executor = signers(submission)
    return {
        "submission": submission,
        "organisation": submission.unit.name,
        "doc_type": doc_type,
        # The day it was approved, else last sent, else last changed: fixed for one version.
        "date": local_date(submission.approved_at or submission.submitted_at or submission.updated_at),
        "number": "",
        "place": "",
        "heading": heading,
        "approval": approval(submission, stamp_label),
        "signatures": signatures,
        "executor": executor,
    }


def _load(submission: Submission) -> Submission:
    return Submission.objects.select_related("campaign", "unit__kind", "approver").get(pk=submission.pk)


def plan_groups(submission: Submission) -> list[dict]:
    """Items by direction in the order of 001 §3.2, numbered 1, 1.1, 1.2, 2, 2.1 …"""
    from plans.models import Direction

    by_direction: dict[str, list] = {}
    for item in submission.plan_items.all():
        by_direction.setdefault(item.direction, []).append(item)
    groups = [(label, by_direction[code]) for code, label in Direction.choices if code in by_direction]
    return [{"number": n, "label": label, "items": items} for n, (label, items) in enumerate(groups, start=1)]


def build_plan(submission: Submission):
    submission = _load(submission)
    period = submission.campaign.period_label
    ctx = common_context(submission, "ПЛАН РАБОТЫ", f"на {period} учебный год", "УТВЕРЖДАЮ")
    ctx["groups"] = plan_groups(submission)
    return "submissions/plan_pdf.html", ctx, file_name("План работы", submission)


def build_report(submission: Submission):
    submission = _load(submission)
    year = submission.campaign.year
    ctx = common_context(submission, "ОТЧЁТ", f"о работе за {year} год", "СОГЛАСОВАНО")
    # An empty section is left out of the official text (no «Не заполнено»); the rest keep their order.
    sections = [section for section in submission.report_sections.all() if section.text.strip()]
    figures = list(submission.report_figures.all())
    for figure in figures:
        figure.shown = figure.value if figure.value is not None else figure.computed
    ctx.update(sections=sections, figures=figures, figures_number=len(sections) + 1)
    return "submissions/report_pdf.html", ctx, file_name("Отчёт", submission)


PLAN_PDF = register(
    PdfDocument(
        kind=DocumentType.PLAN.value, model=Submission, build=build_plan, version=pdf_version, background=is_long
    )
)
REPORT_PDF = register(
    PdfDocument(kind=DocumentType.REPORT.value, model=Submission, build=build_report, version=pdf_version)
)
