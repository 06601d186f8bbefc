"""Orders: the one place that numbers, fills from templates, edits, signs, and counts renewal.

Views, the demo and tests call these. Numbers are sequential per issuing unit within the
calendar year of the order's date and are taken under a row lock (OrderCounter), so two
people creating orders at once never get one number. A signed order is frozen.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

import workflow
from history.tracker import record_field
from network.models import StaleVersionError
from network.numbering import next_number
from network.views import check_unit
from orgunits.access import access_for
from orgunits.models import Level, OrgUnit
from people.models import Membership, MembershipRole, Person
from submissions.models import State, Submission
from workflow.kinds import kind as document_kind

from .models import (
    CONTROL_SELF,
    HEADING_REQUIRED,
    Order,
    OrderAgreement,
    OrderCounter,
    OrderPoint,
    OrderStatus,
    OrderTemplate,
    is_control_text,
    purpose_rest,
)
from .wording import accusative, genitive, unit_genitive

FROZEN = "Приказ подписан: изменения не допускаются."
ON_AGREEMENT = (
    "Приказ направлен на согласование: его текст не меняется. Чтобы изменить его, верните приказ в проект "
    "(согласование придётся получить заново)."
)


# -- who may issue ---------------------------------------------------------------------------------


def may_issue(user, unit) -> bool:
    """Orders of a unit are prepared by its administrators and by those who file its documents."""
    return access_for(user).can("keep_records", unit)


def check_may_issue(user, unit) -> OrgUnit:
    """The portal's rule: an unseen unit is 404, a seen one without the right is 403."""
    check_unit(user, unit, "view")
    if not may_issue(user, unit):
        raise PermissionDenied("Приказы подразделения готовят его администраторы, председатель и секретарь.")
    return unit


# -- numbering -------------------------------------------------------------------------------------


def _next_number(unit, year: int) -> int:
    """The unit's next number in `year`; call inside a transaction (the counter row stays locked)."""
    OrderCounter.objects.get_or_create(unit=unit, year=year)  # a race on the first row ends in get()
    counter = OrderCounter.objects.select_for_update().get(unit=unit, year=year)
    # The counter row is the lock; its last_number keeps numbers of deleted drafts from coming back.
    number = next_number(Order.objects.filter(unit=unit, year=year), at_least=counter.last_number)
    counter.last_number = number
    counter.save(update_fields=["last_number"])
    return number


# -- templates -------------------------------------------------------------------------------------


@dataclass
class Draft:
    heading: str
    purpose: str  # what follows «В целях», which the order prints itself
    points: list[dict] = field(default_factory=list)
    subject: str = ""
    subject_unit: OrgUnit | None = None
    submission: Submission | None = None


def point(text: str, executor: str = "", term: str = "") -> dict:
    return {"text": text, "executor": executor, "term": term}


def control_point() -> dict:
    return point(CONTROL_SELF)


def active_on(unit, on: datetime.date):
    """Memberships of `unit` in force on `on`: started, not yet left, the term not yet over (001 §2.7) —
    a term past its end stops counting on that day, before the sweep records it."""
    return Membership.objects.filter(unit=unit).in_force_on(on).select_related("person")


def composition(unit, on: datetime.date) -> list[Membership]:
    return list(active_on(unit, on).in_role_order())


def chair_of(unit, on: datetime.date | None = None) -> Person | None:
    qs = active_on(unit, on) if on else unit.memberships.active().select_related("person")
    membership = qs.filter(role=MembershipRole.CHAIR).first()
    return membership.person if membership else None


def _chair_label(unit, chair: Person | None) -> str:
    label = f"председатель {unit_genitive(unit, short=True)}"
    return f"{label} {chair.short_name}" if chair else label


def _academic_year(year: int) -> str:
    return f"{year}/{year + 1}"


def _appoint_chair(unit, on, person=None, **_):
    if person is None:
        raise ValidationError({"person": "Выберите педагога, назначаемого председателем."})
    gen = unit_genitive(unit)
    details = ", ".join(p for p in (person.position, person.school.short_name if person.school_id else "") if p)
    who = f"{person.full_name}{f' ({details})' if details else ''}"
    return Draft(
        heading=f"О назначении председателя {gen}",
        purpose=f"организации деятельности {gen}",
        points=[
            point(f"Назначить председателем {gen} сроком на один год с {on:%d.%m.%Y}: {who}."),
            point(
                f"Председателю {gen} сформировать состав объединения, назначить ответственного секретаря "
                "из числа его членов и представить состав на утверждение.",
                person.short_name,
                f"до {on + datetime.timedelta(days=30):%d.%m.%Y}",
            ),
            control_point(),
        ],
        subject=person.full_name,
        subject_unit=unit,
    )


def composition_text(members: list[Membership]) -> str:
    lines = [f"{i}) {m.person.full_name} — {m.get_role_display()}" for i, m in enumerate(members, 1)]
    return ";\n".join(lines) + "." if lines else ""


def _approve_composition(unit, on, members=None, **_):
    members = composition(unit, on) if members is None else members
    if not members:
        raise ValidationError(f"В «{unit}» на {on:%d.%m.%Y} нет действующих участников: утверждать нечего.")
    gen = unit_genitive(unit)
    chair = next((m.person for m in members if m.role == MembershipRole.CHAIR), None)
    return Draft(
        heading=f"Об утверждении состава {gen} на {on.year} год",
        purpose=f"организации деятельности {gen} и обновления его состава",
        points=[
            point(f"Утвердить состав {gen} на {on.year} год (приложение):\n{composition_text(members)}"),
            point(
                f"Организовать работу {gen} в соответствии с планом работы, проводить заседания "
                "не реже одного раза в квартал.",
                chair.short_name if chair else "",
                "в течение года",
            ),
            control_point(),
        ],
        subject=f"Состав на {on.year} год ({len(members)} чел.)",
        subject_unit=unit,
    )


def _approve_plan(unit, on, submission=None, **_):
    if submission is None:
        raise ValidationError({"submission": "Выберите согласованный план работы."})
    if document_kind(submission.document_type).order_template != OrderTemplate.APPROVE_PLAN:
        raise ValidationError({"submission": "Это не план работы."})
    if submission.state != State.APPROVED:
        raise ValidationError({"submission": "Приказом утверждается только согласованный план."})
    planned = submission.unit
    if not unit.is_ancestor_of(planned, include_self=True):
        raise ValidationError({"submission": "План другого подразделения."})
    years = _academic_year(submission.campaign.year)
    gen = unit_genitive(planned)
    return Draft(
        heading=f"Об утверждении плана работы {gen} на {years} учебный год",
        purpose=f"организации методической работы {gen} в {years} учебном году",
        points=[
            point(f"Утвердить план работы {gen} на {years} учебный год (приложение)."),
            point(
                f"Обеспечить выполнение плана работы {gen} на {years} учебный год.",
                _chair_label(planned, chair_of(planned)),
                f"в течение {years} учебного года",
            ),
            control_point(),
        ],
        subject=str(submission),
        subject_unit=planned,
        submission=submission,
    )


def _approve_program(unit, on, program="", **_):
    program = " ".join((program or "").split()).strip(' .«»"')
    if not program:
        raise ValidationError({"program": "Укажите наименование программы."})
    gen = genitive(program)
    return Draft(
        heading=f"Об утверждении {gen} и «дорожной карты» её реализации",
        purpose="совершенствования научно-методического сопровождения педагогических работников",
        points=[
            point(f"Утвердить {accusative(program)} (приложение 1)."),
            point(f"Утвердить «дорожную карту» реализации {gen} (приложение 2)."),
            point(
                f"Обеспечить выполнение мероприятий «дорожной карты» реализации {gen}.",
                _chair_label(unit, chair_of(unit)),
                "в течение срока реализации программы",
            ),
            control_point(),
        ],
        subject=program,
        subject_unit=unit,
    )


def _free(unit, on, heading="", purpose="", **_):
    return Draft(heading=heading.strip(), purpose=purpose_rest(purpose), points=[control_point()])


FILLERS = {
    OrderTemplate.APPOINT_CHAIR: _appoint_chair,
    OrderTemplate.APPROVE_COMPOSITION: _approve_composition,
    OrderTemplate.APPROVE_PLAN: _approve_plan,
    OrderTemplate.APPROVE_PROGRAM: _approve_program,
    OrderTemplate.FREE: _free,
}


def default_place(unit) -> str:
    """Where the unit's orders are issued: as on its last order (empty for the first one)."""
    last = Order.objects.filter(unit=unit).exclude(place="").order_by("-date", "-pk").values("place").first()
    return last["place"] if last else ""


def default_executor(unit, by) -> Person | None:
    """Who prepared the order: the author if a member of the unit, else its secretary."""
    members = unit.memberships.active().select_related("person")
    if by is not None and getattr(by, "is_authenticated", False):
        mine = members.filter(person__user=by).first()
        if mine:
            return mine.person
    secretary = members.filter(role=MembershipRole.SECRETARY).first()
    return secretary.person if secretary else None


# -- creating --------------------------------------------------------------------------------------


@transaction.atomic
def create_order(unit, template: str, date: datetime.date, by, **context) -> Order:
    """A draft order of `unit`, filled from `template`, with the unit's next number of the year.

    context: person (appoint_chair), members (approve_composition, default: the composition on
    `date`), submission (approve_plan), program (approve_program), heading and purpose (free),
    and for any template place, signatory, signatory_position, executor, executor_phone.
    """
    if template not in FILLERS:
        raise ValidationError({"template": "Неизвестный вид приказа."})
    if not unit.is_active:
        raise ValidationError("Подразделение прекратило работу: приказы не издаются.")
    draft = FILLERS[template](unit, date, **context)
    if not draft.heading.strip():
        raise ValidationError({"heading": HEADING_REQUIRED})
    signatory = context.get("signatory") or chair_of(unit)
    executor = context.get("executor") or default_executor(unit, by)
    order = Order(
        unit=unit,
        date=date,
        year=date.year,
        place=context.get("place") or default_place(unit),
        heading=draft.heading.strip(),
        purpose=draft.purpose,
        signatory=signatory,
        signatory_position=context.get("signatory_position") or f"Председатель {unit_genitive(unit, short=True)}",
        executor=executor,
        executor_phone=context.get("executor_phone") or (executor.phone if executor else ""),
        template=template,
        submission=draft.submission,
        subject_unit=draft.subject_unit,
        subject=draft.subject[:500],
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    order.number = _next_number(unit, date.year)
    order.save()
    _replace_points(order, draft.points)
    workflow.record_start(order, by if getattr(by, "is_authenticated", False) else None, reason="проект создан")
    return order


@transaction.atomic
def order_for_plan(submission: Submission, by, date: datetime.date) -> tuple[Order, bool]:
    """The order approving an approved plan, issued by the plan's unit: (order, created).

    One per plan: a second click finds the first order instead of a duplicate.
    """
    submission = (
        Submission.objects.select_for_update(of=("self",)).select_related("campaign", "unit").get(pk=submission.pk)
    )
    existing = Order.objects.filter(submission=submission, template=OrderTemplate.APPROVE_PLAN).first()
    if existing is not None:
        return existing, False
    return create_order(submission.unit, OrderTemplate.APPROVE_PLAN, date, by, submission=submission), True


def order_for_candidacy(submission: Submission, by, date: datetime.date) -> tuple[Order, bool]:
    """The order appointing the chair of an approved candidacy, issued by its unit: (order, created).

    One per candidacy: a second click finds the first order instead of a duplicate.
    """
    submission = (
        Submission.objects.select_for_update(of=("self",)).select_related("campaign", "unit").get(pk=submission.pk)
    )
    existing = Order.objects.filter(submission=submission, template=OrderTemplate.APPOINT_CHAIR).first()
    if existing is not None:
        return existing, False
    candidacy = submission.candidacy
    on = candidacy.proposed_from or date
    order = create_order(submission.unit, OrderTemplate.APPOINT_CHAIR, on, by, person=candidacy.person)
    order.submission = submission
    order.save(update_fields=["submission"])
    return order, True


# -- editing and signing ---------------------------------------------------------------------------


POINT_FIELDS = ("text", "executor", "term")


def normalize_points(points: list[dict]) -> list[dict]:
    """Drop empty points and keep the point on control last (ГОСТ practice, seed 004)."""
    kept = []
    for p in points:
        text = str(p.get("text") or "").strip()
        if text:
            executor, term = (" ".join(str(p.get(k) or "").split()) for k in ("executor", "term"))
            kept.append({"text": text, "executor": executor, "term": term})
    return sorted(kept, key=lambda p: is_control_text(p["text"]))  # stable: the others keep their order


def _points_text(points) -> str:
    return "\n".join(
        f"{p.position}. {p.text}" + (f" ({p.executor}; {p.term})" if p.executor or p.term else "") for p in points
    )


def _replace_points(order: Order, points: list[dict]) -> None:
    before = _points_text(order.points.all())
    order.points.all().delete()
    created = OrderPoint.objects.bulk_create(
        [
            OrderPoint(order=order, position=i, text=p["text"], executor=p["executor"][:300], term=p["term"][:100])
            for i, p in enumerate(normalize_points(points), 1)
        ]
    )
    # bulk_create sends no signal: the order's history gets the points, old list → new list, here.
    record_field(order, "пункты приказа", before, _points_text(created))


EDITABLE_FIELDS = (
    "date",
    "place",
    "heading",
    "purpose",
    "signatory",
    "signatory_position",
    "executor",
    "executor_phone",
    "subject",
)


def _lock(order: Order) -> Order:
    return Order.objects.select_for_update().get(pk=order.pk)


@transaction.atomic
def update_order(order: Order, *, fields: dict, points: list[dict], expected_version: int, by=None) -> Order:
    """Save an edit of a draft made on `expected_version`; a signed order refuses it.

    A date moved into another calendar year takes the next number of that year.
    """
    locked = _lock(order)
    if locked.is_signed:
        raise ValidationError(FROZEN)
    if not locked.is_editable:
        raise ValidationError(ON_AGREEMENT)
    if locked.version != expected_version:
        raise StaleVersionError
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"not an editable field: {name}")
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    if not locked.heading:
        raise ValidationError({"heading": HEADING_REQUIRED})
    if locked.date.year != locked.year:
        locked.year = locked.date.year
        locked.number = _next_number(locked.unit, locked.year)
    locked.save_versioned(expected_version)
    _replace_points(locked, points)
    return locked


def sign_problems(order: Order) -> list[str]:
    """What stops the order from being signed (empty when it may be)."""
    problems = []
    if not order.heading.strip():
        problems.append(HEADING_REQUIRED)
    if order.signatory_id is None or not order.signatory_position.strip():
        problems.append("Укажите, кто подписывает приказ, и его должность.")
    points = list(order.points.all())
    if not any(not p.assigns_control for p in points):
        problems.append("Добавьте хотя бы один распорядительный пункт.")
    if not points or not points[-1].assigns_control:
        problems.append(
            "Последний пункт должен назначать контроль: «Контроль за исполнением настоящего приказа "
            "оставляю за собой» или «… возложить на …»."
        )
    return problems


# -- the agreement of a composition order (001 §2.2) ------------------------------------------------

AGREEMENT_REQUIRED = (
    "Состав МунУМО утверждается по согласованию с органом управления образованием (Положение о МунУМО, "
    "п. 2.2): направьте приказ на согласование и внесите письмо о согласовании, затем отмечайте подписание."
)
NO_AGREEMENT_NEEDED = "Этот приказ согласования с органом управления образованием не требует: его подписывают сразу."


def needs_agreement(order: Order) -> bool:
    """001 §2.2: the composition of a municipal unit (МунУМО, ММС) is approved «по согласованию» with the
    municipal education authority. The other orders — and compositions of the other levels — sign as before."""
    return order.template == OrderTemplate.APPROVE_COMPOSITION and order.unit.kind.level == Level.MUNICIPAL


def current_agreement(order: Order):
    """The agreement in force (not withdrawn), or None."""
    return order.agreements.filter(withdrawn_at__isnull=True).select_related("recorded_by").first()


def agreement_problems(order: Order) -> list[str]:
    """What the agreement step still lacks before signing (empty when nothing, or when not needed)."""
    if not needs_agreement(order):
        return []
    if order.status != OrderStatus.AGREED or current_agreement(order) is None:
        return [AGREEMENT_REQUIRED]
    return []


def default_authority(unit) -> dict:
    """The authority and official of the unit's last agreement (the same office agrees every year)."""
    last = (
        OrderAgreement.objects.filter(order__unit=unit)
        .order_by("-recorded_at", "-pk")
        .values("authority", "official_name", "official_position")
        .first()
    )
    return last or {}


def send_for_agreement(order: Order, by, now=None) -> Order:
    return workflow.perform(order, "send_for_agreement", by, now=now)


def record_agreement(order: Order, by, *, now=None, scan=None, **fields) -> Order:
    """Enter the authority's letter (authority, official_name, official_position, letter_number,
    letter_date; an optional scan): the order becomes «согласован» and may be signed."""
    return workflow.perform(order, "record_agreement", by, now=now, scan=scan, **fields)


def return_to_draft(order: Order, by, reason: str, now=None) -> Order:
    return workflow.perform(order, "return_to_draft", by, reason=reason, now=now)


def sign_order(order: Order, by, now) -> Order:
    """Register the signature: the order is frozen from now on (the move «sign» of orders/machines.py)."""
    return workflow.perform(order, "sign", by, now=now)


# -- renewal of a composition (001 §2.7–2.8) ------------------------------------------------------


@dataclass(frozen=True)
class Renewal:
    on: datetime.date
    total: int  # active members on `on`
    renewed: int  # of them, not in the previous term
    previous: int  # members of the previous term
    continuing: int

    @property
    def required(self) -> int:
        """At least a third of the members is renewed after a term."""
        return math.ceil(self.total / 3)

    @property
    def under_third(self) -> bool:
        return self.previous > 0 and self.renewed * 3 < self.total


def year_before(on: datetime.date) -> datetime.date:
    try:
        return on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        return on.replace(year=on.year - 1, day=28)


def renewal(unit, on: datetime.date) -> Renewal:
    """Compare the members active on `on` with those of the previous term.

    The previous term is the memberships that ended in the year before `on`: left the unit,
    or reached the end of their term (a member continuing on the same record counts as
    continuing, not renewed).
    """
    start = year_before(on)
    current = set(active_on(unit, on).values_list("person_id", flat=True))
    ended = Q(left_on__gt=start, left_on__lte=on) | Q(left_on__isnull=True, ends_on__gt=start, ends_on__lte=on)
    previous = set(Membership.objects.filter(unit=unit).filter(ended).values_list("person_id", flat=True))
    renewed = len(current - previous)
    return Renewal(
        on=on, total=len(current), renewed=renewed, previous=len(previous), continuing=len(current) - renewed
    )
