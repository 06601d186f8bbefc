"""Membership rules (001 §2.1–2.8): who sits in a unit, with which role, for which term.

Every change goes through here so the database constraints, the history of terms and the
access grants (role groups) never drift apart.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from network.models import normalize_search
from orgunits.access import sync_membership_roles

from .models import SINGLE_HOLDER_ROLES, Membership, MembershipRole, Person, PersonalDataAccess
from .terms import check_term, default_term_end


def sync_person_access(person, *, by=None, via=None) -> None:
    """Give the person's login exactly the grants of their active memberships.

    `by` is who changed the memberships (None: the system); what changes goes to the grant log.
    """
    if person.user_id:
        sync_membership_roles(person.user, list(person.memberships.active().select_related("unit")), by=by, via=via)


def _single_holder_error(unit, role, exclude_pk=None):
    if role not in SINGLE_HOLDER_ROLES:
        return None
    holder = unit.memberships.active().filter(role=role).exclude(pk=exclude_pk).select_related("person").first()
    if holder:
        return (
            f"В подразделении уже есть действующий {MembershipRole(role).label}: {holder.person.full_name}. "
            "Сначала завершите его срок."
        )
    return None


@transaction.atomic
def add_member(*, unit, person, role, starts_on: datetime.date, ends_on: datetime.date | None = None, by=None):
    if not unit.is_active:
        raise ValidationError("Подразделение прекратило работу: новых участников добавить нельзя.")
    if person.region_id != unit.region_id:
        raise ValidationError({"person": "Педагог зарегистрирован в другом регионе."})
    if unit.memberships.active().filter(person=person).exists():
        raise ValidationError({"person": f"{person.full_name} уже состоит в этом подразделении."})
    ends_on = ends_on or default_term_end(unit, starts_on)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "Окончание срока раньше его начала."})
    check_term(unit, starts_on, ends_on)  # 001 §2.7: one year, or the region's longest term
    error = _single_holder_error(unit, role)
    if error:
        raise ValidationError({"role": error})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                unit=unit, person=person, role=role, starts_on=starts_on, ends_on=ends_on
            )
    except IntegrityError as exc:
        # Two people adding a chair at the same moment: the database keeps only one.
        raise ValidationError(
            {"role": _single_holder_error(unit, role) or "Состав изменился, обновите страницу."}
        ) from exc
    sync_person_access(person, by=by)
    if by is not None:
        log_personal_data(
            by, person, PersonalDataAccess.Action.CHANGE, f"включён в «{unit}»: {membership.get_role_display()}"
        )
    return membership


@transaction.atomic
def end_membership(membership: Membership, left_on: datetime.date, by=None, via=None) -> Membership:
    """End a term on `left_on` (the first day out). `by` None is the system (the sweep ends expired
    terms through here, with `via` GrantVia.SYSTEM, so the grant log says who revoked the role)."""
    membership = Membership.objects.select_for_update().select_related("person", "unit").get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError("Срок уже завершён.")
    if left_on < membership.starts_on:
        raise ValidationError({"left_on": "Дата выбытия раньше начала срока."})
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    sync_person_access(membership.person, by=by, via=via)
    if by is not None:
        log_personal_data(by, membership.person, PersonalDataAccess.Action.CHANGE, f"выбыл из «{membership.unit}»")
    return membership


@transaction.atomic
def change_role(membership: Membership, role: str, on: datetime.date, by=None) -> Membership:
    """A new role is a new term: the old record ends, history keeps both."""
    membership = Membership.objects.select_for_update().select_related("person", "unit").get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError("Срок уже завершён: роль изменить нельзя.")
    if role == membership.role:
        raise ValidationError({"role": "Выбрана та же роль."})
    if on < membership.starts_on:
        raise ValidationError({"on": "Дата изменения раньше начала срока."})
    error = _single_holder_error(membership.unit, role, exclude_pk=membership.pk)
    if error:
        raise ValidationError({"role": error})
    if on > membership.ends_on:
        raise ValidationError(
            {"on": f"Срок полномочий закончился {membership.ends_on:%d.%m.%Y}: новый срок — через «Добавить в состав»."}
        )
    # The new role keeps the remaining term: a change of role does not extend it (001 §2.7).
    ends_on = membership.ends_on
    check_term(membership.unit, on, ends_on, field="on")
    membership.left_on = on
    membership.save(update_fields=["left_on"])
    new = Membership.objects.create(
        unit=membership.unit,
        person=membership.person,
        role=role,
        starts_on=on,
        ends_on=ends_on,
    )
    sync_person_access(membership.person, by=by)
    if by is not None:
        log_personal_data(
            by,
            membership.person,
            PersonalDataAccess.Action.CHANGE,
            f"роль в «{membership.unit}»: {new.get_role_display()}",
        )
    return new


def link_user(person, user, *, by=None) -> None:
    """Attach a login to a person (or detach with None) and move their grants along (`by` acted)."""
    with transaction.atomic():
        previous = person.user
        person.user = user
        person.save(update_fields=["user"])
        if previous is not None and previous != user:
            sync_membership_roles(previous, [], by=by)
        sync_person_access(person, by=by)


def give_login(person, username: str, request=None, by=None):
    """Link an existing login to the person, or create one and mail a link to set the password."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User.objects.create_user(
            username, person.email, password=None, first_name=person.first_name, last_name=person.last_name
        )
    link_user(person, user, by=by)
    if created and request is not None:
        send_password_link(user, person.email, request)
    if by is not None:
        log_personal_data(by, person, PersonalDataAccess.Action.CHANGE, f"учётная запись: {username}")
    return user, created


def send_password_link(user, email: str, request) -> None:
    """Django's reset form skips users without a usable password, so a new login is mailed here."""
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = request.build_absolute_uri(
        reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    )
    send_mail(
        "Методсеть: ваша учётная запись",
        f"Здравствуйте, {user.get_full_name() or user.username}!\n\n"
        f"Для вас создана учётная запись в Методсети. Логин: {user.username}.\n"
        f"Задайте пароль по ссылке (она действует ограниченное время):\n{link}\n",
        None,
        [email],
    )


def log_personal_data(user, person, action, details="") -> None:
    PersonalDataAccess.objects.create(user=user, person=person, action=action, details=details[:500])


def log_personal_data_many(user, person_ids, action, details="") -> None:
    """The same entry for each of many people shown at once (a list page): one insert."""
    PersonalDataAccess.objects.bulk_create(
        PersonalDataAccess(user=user, person_id=pk, action=action, details=details[:500]) for pk in person_ids
    )


class ExportAccessLog:
    """152-ФЗ for an export: one «выгрузка» entry per person whose data is in the file, written while
    the file is written, so a person's own log shows that their data left the portal.

    Memory stays flat whatever the export size: only the current batch of ids is kept. Each batch is
    one INSERT … SELECT that skips people already logged for this export, so a person listed in
    several rows (memberships, courses) gets one entry, and a failed background export that is
    written again does not log its people twice. One statement per batch also keeps the query count
    of an export independent of the row count within a batch (Django's bulk_create on SQLite would
    split it by 999 parameters)."""

    BATCH = 2000

    def __init__(self, user, export, details, person_of, batch=BATCH):
        self.user_id = user.pk
        self.export_id = export.pk
        self.details = details[:500]
        self.person_of = person_of
        self.batch = batch
        self.pending: set[int] = set()

    def add(self, row) -> None:
        person_id = self.person_of(row)
        if person_id is None:
            return
        self.pending.add(int(person_id))
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        ids = ",".join(str(pk) for pk in sorted(self.pending))  # integers only: safe to inline
        self.pending = set()
        qn = connection.ops.quote_name
        meta = PersonalDataAccess._meta
        names = ("at", "user", "action", "details", "export", "person")
        col = {name: qn(meta.get_field(name).column) for name in names}
        log, people, pk = qn(meta.db_table), qn(Person._meta.db_table), qn(Person._meta.pk.column)
        # Only people who still exist are logged (one deleted meanwhile cannot break the export).
        sql = (
            f"INSERT INTO {log} ({col['at']}, {col['user']}, {col['action']}, {col['details']}, {col['export']}, "
            f"{col['person']}) SELECT %s, %s, %s, %s, %s, p.{pk} FROM {people} p WHERE p.{pk} IN ({ids}) "
            f"AND NOT EXISTS (SELECT 1 FROM {log} l WHERE l.{col['export']} = %s AND l.{col['person']} = p.{pk})"
        )
        at = connection.ops.adapt_datetimefield_value(timezone.now())
        params = [at, self.user_id, PersonalDataAccess.Action.EXPORT.value, self.details, self.export_id]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, self.export_id])

    close = flush


SIMILAR_LIMIT = 50  # people with one name at one school: a handful; the bound keeps the check cheap


def similar_people(*, last_name: str, first_name: str, middle_name: str = "", school=None, subjects=()) -> list:
    """Cards that may be the same person as a new one: the same surname, first name and patronymic
    (case and ё aside), the same school, and — when subjects are given — a subject in common.

    Not restricted: the caller shows the ones the user may see and only counts the others."""
    name = normalize_search(last_name, first_name, middle_name)
    if not name:
        return []
    candidates = Person.objects.filter(search__startswith=name)
    candidates = candidates.filter(school=school) if school is not None else candidates.filter(school__isnull=True)
    subject_ids = [getattr(s, "pk", s) for s in subjects]
    if subject_ids:
        candidates = candidates.filter(subjects__in=subject_ids).distinct()
    # The search column continues with the e-mail (and a longer patronymic): compare the whole name.
    return [
        p
        for p in candidates.select_related("school").order_by("pk")[:SIMILAR_LIMIT]
        if normalize_search(p.last_name, p.first_name, p.middle_name) == name
    ]
