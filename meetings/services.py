"""The rules of meetings and protocols (001 §2.4), in one place for the views, the demo and the sweep.

* quorum: more than half of the members on the meeting date are present;
* a decision is adopted by a simple majority of those present (votes «за» > half of them);
* votes never exceed those present; an inquorate meeting is recorded but adopts nothing;
* a protocol is a draft until both the chair and the secretary of the meeting confirmed it
  in the portal, then it is frozen. Any edit of a draft withdraws earlier confirmations:
  each signer confirms the text as it finally stands.

Every change goes through `edit()`: under the row lock, the meeting must still be a draft
and still at the version the editor loaded; the version is bumped in the same transaction,
so two editors never overwrite each other and the PDF of a version is rendered once.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q

import workflow
from history.tracker import record_change
from network.models import StaleVersionError
from network.numbering import next_number
from orgunits.access import access_for
from orgunits.models import OrgUnit
from people.models import Membership, MembershipRole, Person

from .models import AgendaItem, Attendance, Meeting

T = TypeVar("T")

FROZEN_MESSAGE = "Протокол подтверждён председателем и секретарём и больше не изменяется."
CONFLICT_MESSAGE = (
    "Пока вы редактировали, протокол изменил другой пользователь. "
    "Обновите страницу, проверьте изменения и внесите свои ещё раз."
)
MISSING_VERSION_MESSAGE = "Форма устарела: обновите страницу и повторите действие."
NOT_A_FILER_MESSAGE = "Вести протоколы подразделения могут его председатель, заместитель, секретарь и методисты."
NOT_A_SIGNER_MESSAGE = "Подтвердить протокол могут только председатель и секретарь этого заседания."
EDITED_AFTER_CONFIRMATION = "протокол изменён после подтверждения"
NUMBER_ATTEMPTS = 3


# -- members, quorum, majority -----------------------------------------------------------------


def members_on(unit, day: datetime.date):
    """Memberships of `unit` in force on `day`: started by then, not left and their term not over
    (001 §2.7: a member whose term ended before the meeting is not in its quorum base)."""
    return Membership.objects.filter(unit=unit).in_force_on(day)


def member_people(unit, day: datetime.date):
    return Person.objects.filter(pk__in=members_on(unit, day).values("person_id"))


def default_officers(unit, day: datetime.date) -> tuple[Person | None, Person | None]:
    """The unit's chair and secretary on `day` (else the active ones): the meeting's defaults."""
    found: dict[str, Person] = {}
    for qs in (members_on(unit, day), unit.memberships.active()):
        for m in qs.filter(role__in=[MembershipRole.CHAIR, MembershipRole.SECRETARY]).select_related("person"):
            found.setdefault(m.role, m.person)
    return found.get(MembershipRole.CHAIR), found.get(MembershipRole.SECRETARY)


def has_quorum(present: int, members: int) -> bool:
    """More than half of the members (001 §2.4): of 10, 6 are a quorum and 5 are not; of 7, 4 are."""
    return members > 0 and 2 * present > members


def is_adopted(votes_for: int, present: int) -> bool:
    """A simple majority of those present: of 6 present, 4 «за» adopt and 3 do not."""
    return present > 0 and 2 * votes_for > present


@dataclass(frozen=True)
class Quorum:
    present: int
    members: int

    @property
    def quorate(self) -> bool:
        return has_quorum(self.present, self.members)

    @property
    def needed(self) -> int:
        return self.members // 2 + 1

    @property
    def label(self) -> str:
        if self.quorate:
            return f"кворум есть: {self.present} из {self.members}"
        return f"кворума нет: {self.present} из {self.members} (нужно не менее {self.needed})"


def quorum_of(meeting: Meeting) -> Quorum:
    counts = meeting.attendance.aggregate(
        members=models.Count("pk"), present=models.Count("pk", filter=Q(present=True))
    )
    return Quorum(present=counts["present"], members=counts["members"])


class Outcome:
    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    NO_DECISION = "none"

    LABELS = {
        ADOPTED: "решение принято",
        REJECTED: "решение не принято",
        NO_QUORUM: "не принято: нет кворума",
        NO_DECISION: "без решения",
    }


def outcome(item: AgendaItem, quorum: Quorum) -> str:
    if not item.decision.strip():
        return Outcome.NO_DECISION
    if not quorum.quorate:
        return Outcome.NO_QUORUM
    return Outcome.ADOPTED if is_adopted(item.votes_for, quorum.present) else Outcome.REJECTED


def check_votes(votes_for: int, votes_against: int, votes_abstained: int, present: int, title: str = "") -> None:
    total = votes_for + votes_against + votes_abstained
    if total > present:
        where = f"По вопросу «{title}» голосов" if title else "Голосов"
        raise ValidationError(
            {
                "votes_for": f"{where} (за, против, воздержались) — {total}, а присутствовало {present}: "
                "голосов не может быть больше, чем присутствующих."
            }
        )


# -- permissions and the one door for edits ----------------------------------------------------


def check_can_file(user, meeting_or_unit) -> None:
    unit = getattr(meeting_or_unit, "unit", meeting_or_unit)
    if not access_for(user).can("file", unit):
        raise PermissionDenied(NOT_A_FILER_MESSAGE)


def check_editable(meeting: Meeting) -> None:
    if not meeting.is_draft:
        raise ValidationError(FROZEN_MESSAGE)


def not_editable_message(meeting: Meeting) -> str | None:
    return None if meeting.is_draft else FROZEN_MESSAGE


def edit(meeting: Meeting, user, expected_version, change: Callable[[Meeting], T]) -> T:
    """Apply `change(locked_meeting)` as one edit of the protocol.

    PermissionDenied if the user does not file for the unit; ValidationError (with a message
    for the user) if the protocol is frozen, was changed since `expected_version`, or `change`
    refuses. Nothing is written in those cases. An edit withdraws earlier confirmations.
    """
    check_can_file(user, meeting)
    if expected_version is None:
        raise ValidationError(MISSING_VERSION_MESSAGE)
    try:
        with transaction.atomic():
            locked = Meeting.objects.select_for_update(of=("self",)).select_related("unit").get(pk=meeting.pk)
            check_editable(locked)
            locked.claim_version(expected_version)
            result = change(locked)
            if locked.chair_confirmed_at or locked.secretary_confirmed_at:
                # Withdrawing the confirmations is itself a move: logged, and told to who had confirmed.
                workflow.perform(locked, "withdraw", user, reason=EDITED_AFTER_CONFIRMATION)
    except StaleVersionError:
        raise ValidationError(CONFLICT_MESSAGE) from None
    meeting.refresh_from_db()
    return result


# -- creating and changing a meeting -----------------------------------------------------------

DETAIL_FIELDS = ("date", "time", "kind", "place", "online_link", "title", "chair", "secretary", "guests")


def validate_details(unit, data: dict) -> None:
    errors: dict[str, str] = {}
    day = data["date"]
    kind = data.get("kind") or Meeting.Kind.IN_PERSON
    place, link = (data.get("place") or "").strip(), (data.get("online_link") or "").strip()
    if kind == Meeting.Kind.IN_PERSON and not place:
        errors["place"] = "Укажите место проведения очного заседания."
    if kind == Meeting.Kind.REMOTE and not (link or place):
        errors["online_link"] = "Укажите ссылку на подключение к дистанционному заседанию."
    members = set(members_on(unit, day).values_list("person_id", flat=True))
    if not members:
        errors["date"] = f"На {day:%d.%m.%Y} в «{unit}» нет ни одного члена: заседание провести некому."
    for field, label in (("chair", "Председатель"), ("secretary", "Секретарь")):
        person = data.get(field)
        if person is not None and person.pk not in members:
            errors[field] = f"{label} заседания {person.full_name} не состоит в «{unit}» на {day:%d.%m.%Y}."
    chair, secretary = data.get("chair"), data.get("secretary")
    if chair is not None and chair == secretary and "secretary" not in errors:
        errors["secretary"] = "Председатель и секретарь заседания — разные люди: протокол подписывают оба."
    if errors:
        raise ValidationError(errors)


def sync_attendance(meeting: Meeting) -> None:
    """Attendance rows = the members on the meeting date; marks of those still members are kept."""
    wanted = set(members_on(meeting.unit, meeting.date).values_list("person_id", flat=True))
    have = set(meeting.attendance.values_list("person_id", flat=True))
    meeting.attendance.exclude(person_id__in=wanted).delete()
    Attendance.objects.bulk_create([Attendance(meeting=meeting, person_id=pk) for pk in sorted(wanted - have)])


def create_meeting(*, unit: OrgUnit, by, **data) -> Meeting:
    """A new draft protocol with the next number of the unit's year and the members of that date."""
    check_can_file(by, unit)
    if not unit.is_active:
        raise ValidationError("Подразделение прекратило работу: новые заседания не записываются.")
    data = {k: data.get(k) for k in DETAIL_FIELDS}
    chair, secretary = default_officers(unit, data["date"])
    data["chair"] = data["chair"] or chair
    data["secretary"] = data["secretary"] or secretary
    validate_details(unit, data)
    fields = {k: ("" if v is None and k in ("place", "online_link", "title", "guests") else v) for k, v in data.items()}
    fields["kind"] = fields["kind"] or Meeting.Kind.IN_PERSON
    year = data["date"].year
    for attempt in range(NUMBER_ATTEMPTS):
        try:
            with transaction.atomic():
                # The unit's row lock serialises numbering: a second creation waits, then sees our number.
                number = next_number(
                    Meeting.objects.filter(unit=unit, year=year), lock=OrgUnit.objects.filter(pk=unit.pk)
                )
                meeting = Meeting.objects.create(unit=unit, year=year, number=number, created_by=by, **fields)
                sync_attendance(meeting)
                return meeting
        except IntegrityError:
            # Where the database cannot lock a row, the unique number decides; try the next one.
            if attempt == NUMBER_ATTEMPTS - 1:
                raise ValidationError("Не удалось присвоить номер протоколу: повторите сохранение.") from None
    raise AssertionError("unreachable")


def _check_all_votes(meeting: Meeting) -> None:
    present = meeting.attendance.filter(present=True).count()
    for item in meeting.items.all():
        check_votes(item.votes_for, item.votes_against, item.votes_abstained, present, item.title)


def update_details(meeting: Meeting, user, expected_version, **data) -> Meeting:
    check_can_file(user, meeting)
    data = {k: data.get(k) for k in DETAIL_FIELDS}
    if data["date"].year != meeting.year:
        raise ValidationError(
            {
                "date": f"Протокол № {meeting.number} зарегистрирован в {meeting.year} году: "
                "перенести заседание на другой год нельзя — запишите новое заседание."
            }
        )
    validate_details(meeting.unit, data)

    def change(locked):
        for field, value in data.items():
            if value is None and field in ("place", "online_link", "title", "guests"):
                value = ""
            setattr(locked, field, value)
        locked.kind = locked.kind or Meeting.Kind.IN_PERSON
        locked.save()
        sync_attendance(locked)
        try:
            _check_all_votes(locked)
        except ValidationError as exc:
            raise ValidationError({"date": exc.messages}) from None
        return locked

    return edit(meeting, user, expected_version, change)


def set_attendance(meeting: Meeting, user, expected_version, present_ids) -> Quorum:
    present_ids = {int(pk) for pk in present_ids}

    def change(locked):
        rows = locked.attendance.all()
        rows.filter(person_id__in=present_ids).update(present=True)
        rows.exclude(person_id__in=present_ids).update(present=False)
        _check_all_votes(locked)
        return quorum_of(locked)

    return edit(meeting, user, expected_version, change)


def mark_all_present(meeting: Meeting, user, expected_version) -> Quorum:
    """«Отметить всех»: every member on the meeting's list present, as one recorded edit."""

    def change(locked):
        locked.attendance.update(present=True)
        _check_all_votes(locked)
        return quorum_of(locked)

    return edit(meeting, user, expected_version, change)


ITEM_FIELDS = ("title", "speaker", "heard", "discussion", "decision", "votes_for", "votes_against", "votes_abstained")


def _check_item_votes(locked: Meeting, data: dict) -> None:
    present = locked.attendance.filter(present=True).count()
    check_votes(data.get("votes_for") or 0, data.get("votes_against") or 0, data.get("votes_abstained") or 0, present)


def add_item(meeting: Meeting, user, expected_version, **data) -> AgendaItem:
    data = {k: data[k] for k in ITEM_FIELDS if k in data}

    def change(locked):
        _check_item_votes(locked, data)
        last = locked.items.aggregate(last=Max("position"))["last"]
        return AgendaItem.objects.create(meeting=locked, position=(last or 0) + 1, **data)

    return edit(meeting, user, expected_version, change)


def update_item(item: AgendaItem, user, expected_version, **data) -> AgendaItem:
    data = {k: data[k] for k in ITEM_FIELDS if k in data}

    def change(locked):
        _check_item_votes(locked, data)
        AgendaItem.objects.filter(pk=item.pk, meeting=locked).update(**data)
        record_change(item, data)  # an UPDATE sends no signal: the item's history is written here
        item.refresh_from_db()
        return item

    return edit(item.meeting, user, expected_version, change)


def delete_item(item: AgendaItem, user, expected_version) -> None:
    def change(locked):
        AgendaItem.objects.filter(pk=item.pk, meeting=locked).delete()
        for n, pk in enumerate(locked.items.values_list("pk", flat=True), start=1):
            AgendaItem.objects.filter(pk=pk).update(position=n)

    edit(item.meeting, user, expected_version, change)


# -- confirmation ------------------------------------------------------------------------------


def signer_roles(meeting: Meeting, user) -> list[str]:
    """Which of the meeting's signatures this login holds: "chair", "secretary" or neither."""
    roles = []
    if not getattr(user, "is_authenticated", False):
        return roles
    if meeting.chair_id and meeting.chair.user_id == user.pk:
        roles.append("chair")
    if meeting.secretary_id and meeting.secretary.user_id == user.pk:
        roles.append("secretary")
    return roles


def confirm(meeting: Meeting, user, expected_version, now: datetime.datetime) -> Meeting:
    """The chair or the secretary confirms the protocol; with both confirmations it is frozen
    (the move «confirm» of meetings/machines.py)."""
    check_can_file(user, meeting)
    if expected_version is None:
        raise ValidationError(MISSING_VERSION_MESSAGE)
    workflow.perform(meeting, "confirm", user, now=now, expected_version=expected_version)
    meeting.refresh_from_db()
    return meeting
