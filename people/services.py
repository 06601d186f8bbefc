"""Membership rules (001 §2.1–2.8): who sits in a unit, with which role, for which term.

Every change goes through here so the database constraints, the history of terms and the
access grants (role groups) never drift apart.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from orgunits.access import sync_membership_roles

from .models import SINGLE_HOLDER_ROLES, Membership, MembershipRole, PersonalDataAccess


def sync_person_access(person) -> None:
    """Give the person's login exactly the grants of their active memberships."""
    if person.user_id:
        sync_membership_roles(person.user, list(person.memberships.active().select_related("unit")))


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
    ends_on = ends_on or Membership.default_term_end(starts_on)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "Окончание срока раньше его начала."})
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
    sync_person_access(person)
    if by is not None:
        log_personal_data(
            by, person, PersonalDataAccess.Action.CHANGE, f"включён в «{unit}»: {membership.get_role_display()}"
        )
    return membership


@transaction.atomic
def end_membership(membership: Membership, left_on: datetime.date, by=None) -> Membership:
    membership = Membership.objects.select_for_update().select_related("person", "unit").get(pk=membership.pk)
    if membership.left_on is not None:
        raise ValidationError("Срок уже завершён.")
    if left_on < membership.starts_on:
        raise ValidationError({"left_on": "Дата выбытия раньше начала срока."})
    membership.left_on = left_on
    membership.save(update_fields=["left_on"])
    sync_person_access(membership.person)
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
    membership.left_on = on
    membership.save(update_fields=["left_on"])
    new = Membership.objects.create(
        unit=membership.unit,
        person=membership.person,
        role=role,
        starts_on=on,
        ends_on=max(membership.ends_on, on),
    )
    sync_person_access(membership.person)
    if by is not None:
        log_personal_data(
            by,
            membership.person,
            PersonalDataAccess.Action.CHANGE,
            f"роль в «{membership.unit}»: {new.get_role_display()}",
        )
    return new


def link_user(person, user) -> None:
    """Attach a login to a person (or detach with None) and move their grants along."""
    with transaction.atomic():
        previous = person.user
        person.user = user
        person.save(update_fields=["user"])
        if previous is not None and previous != user:
            sync_membership_roles(previous, [])
        sync_person_access(person)


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
    link_user(person, user)
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
