"""Membership rules: one chair and one secretary, terms, history of terms, grants and the log."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from orgunits.access import Access
from people import services
from people.models import Membership, PersonalDataAccess

from . import factories as f

TERM_START = f.TERM_START  # 01.09.2026


def teacher(net, **kwargs):
    return f.PersonFactory(region=net.region, **kwargs)


# -- one active chair and one active secretary -------------------------------------------------


def test_database_refuses_second_active_chair(net):
    f.member(teacher(net), net.terek, "chair")
    second = teacher(net)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            person=second, unit=net.terek, role="chair", starts_on=TERM_START, ends_on=datetime.date(2027, 8, 31)
        )
    assert net.terek.memberships.filter(role="chair").count() == 1


def test_database_refuses_second_active_secretary(net):
    # Терское МунУМО already has its secretary (the `secretary` login).
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            person=teacher(net), unit=net.terek, role="secretary", starts_on=TERM_START, ends_on=TERM_START
        )
    assert list(net.terek.memberships.filter(role="secretary").values_list("person", flat=True)) == [
        net.users.secretary_person.pk
    ]


def test_database_allows_chairs_in_different_units(net):
    f.member(teacher(net), net.terek, "chair")
    f.member(teacher(net), net.baksan, "chair")
    assert Membership.objects.filter(role="chair").count() == 2


def test_add_member_refuses_second_chair_with_clear_message(net):
    first = teacher(net, last_name="Хамурзова", first_name="Залина", middle_name="Мухамедовна")
    services.add_member(unit=net.terek, person=first, role="chair", starts_on=TERM_START)
    with pytest.raises(ValidationError) as exc:
        services.add_member(unit=net.terek, person=teacher(net), role="chair", starts_on=TERM_START)
    assert exc.value.message_dict["role"] == [
        "В подразделении уже есть действующий председатель: Хамурзова Залина Мухамедовна. Сначала завершите его срок."
    ]
    assert list(net.terek.memberships.filter(role="chair").values_list("person", flat=True)) == [first.pk]


def test_add_member_refuses_second_secretary_with_clear_message(net):
    with pytest.raises(ValidationError) as exc:
        services.add_member(unit=net.terek, person=teacher(net), role="secretary", starts_on=TERM_START)
    (message,) = exc.value.message_dict["role"]
    assert message.startswith("В подразделении уже есть действующий ответственный секретарь: Фамилия-secretary")
    assert net.terek.memberships.filter(role="secretary").count() == 1


def test_change_role_refuses_a_second_chair(net):
    f.member(teacher(net), net.terek, "chair")
    membership = f.member(teacher(net), net.terek, "member")
    with pytest.raises(ValidationError) as exc:
        services.change_role(membership, "chair", TERM_START)
    assert "В подразделении уже есть действующий председатель" in exc.value.message_dict["role"][0]
    membership.refresh_from_db()
    assert membership.left_on is None
    assert membership.role == "member"


def test_former_chair_does_not_block_a_new_chair(net):
    former = f.member(teacher(net), net.terek, "chair", left_on=datetime.date(2026, 12, 31))
    successor = teacher(net)
    new = services.add_member(unit=net.terek, person=successor, role="chair", starts_on=datetime.date(2027, 1, 10))
    assert new.role == "chair"
    assert new.is_active
    assert set(net.terek.memberships.filter(role="chair").values_list("pk", flat=True)) == {former.pk, new.pk}


def test_ended_chair_term_frees_the_role(net):
    chair = services.add_member(unit=net.terek, person=teacher(net), role="chair", starts_on=TERM_START)
    services.end_membership(chair, datetime.date(2026, 12, 31))
    services.add_member(unit=net.terek, person=teacher(net), role="chair", starts_on=datetime.date(2027, 1, 1))
    assert net.terek.memberships.active().filter(role="chair").count() == 1


# -- terms -------------------------------------------------------------------------------------


def test_default_term_is_one_year():
    assert Membership.default_term_end(datetime.date(2026, 9, 1)) == datetime.date(2027, 8, 31)


def test_default_term_from_29_february():
    assert Membership.default_term_end(datetime.date(2028, 2, 29)) == datetime.date(2029, 2, 28)


def test_add_member_uses_default_term(net):
    membership = services.add_member(unit=net.baksan_rmo, person=teacher(net), role="member", starts_on=TERM_START)
    membership.refresh_from_db()
    assert (membership.starts_on, membership.ends_on) == (datetime.date(2026, 9, 1), datetime.date(2027, 8, 31))


def test_add_member_keeps_an_explicit_term(net):
    membership = services.add_member(
        unit=net.baksan_rmo,
        person=teacher(net),
        role="member",
        starts_on=TERM_START,
        ends_on=datetime.date(2027, 6, 30),
    )
    membership.refresh_from_db()
    assert membership.ends_on == datetime.date(2027, 6, 30)


def test_person_cannot_hold_two_active_places_in_one_unit(net):
    person = net.users.teacher_person
    with pytest.raises(ValidationError) as exc:
        services.add_member(unit=net.terek_rmo, person=person, role="deputy", starts_on=TERM_START)
    assert exc.value.message_dict["person"] == [f"{person.full_name} уже состоит в этом подразделении."]
    assert net.terek_rmo.memberships.filter(person=person).count() == 1


def test_closed_unit_takes_no_new_members(net):
    net.baksan_rmo.closed_on = datetime.date(2026, 6, 30)
    net.baksan_rmo.save()
    with pytest.raises(ValidationError) as exc:
        services.add_member(unit=net.baksan_rmo, person=teacher(net), role="member", starts_on=TERM_START)
    assert exc.value.messages == ["Подразделение прекратило работу: новых участников добавить нельзя."]
    assert not net.baksan_rmo.memberships.exists()


# -- history: ending a term, changing a role ---------------------------------------------------


def test_end_membership_keeps_the_record(net):
    membership = f.member(teacher(net), net.baksan_rmo, "member")
    services.end_membership(membership, datetime.date(2027, 3, 15))
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2027, 3, 15)
    assert list(net.baksan_rmo.memberships.former()) == [membership]
    assert not net.baksan_rmo.memberships.active().exists()


def test_ending_an_ended_term_is_refused(net):
    membership = f.member(teacher(net), net.baksan_rmo, "member", left_on=datetime.date(2027, 3, 15))
    with pytest.raises(ValidationError) as exc:
        services.end_membership(membership, datetime.date(2027, 4, 1))
    assert exc.value.messages == ["Срок уже завершён."]
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2027, 3, 15)


def test_former_members_are_shown_on_the_unit_page(net, client):
    person = teacher(net, last_name="Бывшева")
    services.end_membership(f.member(person, net.baksan_rmo, "member"), datetime.date(2027, 3, 15))
    client.force_login(net.users.admin)
    page = client.get(reverse("orgunits:unit", args=[net.baksan_rmo.pk])).content.decode()
    assert "Бывшие участники" in page
    former_section = page.split("Бывшие участники", 1)[1]
    assert person.full_name in former_section
    assert "15.03.2027" in former_section
    assert "Участников нет." in page  # and no longer among the current members


def test_change_role_closes_the_old_record_and_opens_a_new_one(net):
    person = teacher(net)
    old = f.member(person, net.baksan_rmo, "member")
    new = services.change_role(old, "deputy", datetime.date(2027, 1, 20))
    old.refresh_from_db()
    assert old.role == "member"
    assert old.left_on == datetime.date(2027, 1, 20)
    assert new.pk != old.pk
    assert (new.role, new.starts_on, new.left_on) == ("deputy", datetime.date(2027, 1, 20), None)
    assert new.ends_on == old.ends_on
    assert list(person.memberships.order_by("starts_on").values_list("role", "left_on")) == [
        ("member", datetime.date(2027, 1, 20)),
        ("deputy", None),
    ]


def test_change_role_to_the_same_role_is_refused(net):
    membership = f.member(teacher(net), net.baksan_rmo, "member")
    with pytest.raises(ValidationError) as exc:
        services.change_role(membership, "member", datetime.date(2027, 1, 20))
    assert exc.value.message_dict["role"] == ["Выбрана та же роль."]
    assert net.baksan_rmo.memberships.count() == 1


# -- grants follow memberships -----------------------------------------------------------------


def test_add_member_grants_access_and_end_membership_takes_it_away(net, client):
    user = net.users.outsider
    person = user.person
    unit_url = reverse("orgunits:unit", args=[net.baksan_rmo.pk])
    client.force_login(user)
    assert client.get(unit_url).status_code == 404
    assert not Access.load(user).can("view", net.baksan_rmo)

    membership = services.add_member(unit=net.baksan_rmo, person=person, role="member", starts_on=TERM_START)
    assert Access.load(user).can("view", net.baksan_rmo)
    assert client.get(unit_url).status_code == 200

    services.end_membership(membership, datetime.date(2027, 3, 15))
    assert not Access.load(user).can("view", net.baksan_rmo)
    assert client.get(unit_url).status_code == 404


def test_change_role_moves_the_grants(net):
    user = net.users.outsider
    membership = services.add_member(unit=net.baksan_rmo, person=user.person, role="member", starts_on=TERM_START)
    assert not Access.load(user).can("manage_members", net.baksan_rmo)
    services.change_role(membership, "secretary", datetime.date(2027, 1, 20))
    access = Access.load(user)
    assert access.can("manage_members", net.baksan_rmo)
    assert access.can("view", net.baksan_rmo)


# -- the personal-data access log --------------------------------------------------------------


def test_viewing_a_person_card_is_logged(net, client):
    person = net.users.teacher_person
    client.force_login(net.users.admin)
    response = client.get(reverse("people:person", args=[person.pk]))
    assert response.status_code == 200
    entry = PersonalDataAccess.objects.get(person=person)
    assert (entry.user, entry.action, entry.details) == (net.users.admin, "view", "карточка")


def test_editing_a_person_is_logged(net, client):
    person = net.users.teacher_person
    client.force_login(net.users.admin)
    response = client.post(
        reverse("people:edit", args=[person.pk]),
        {
            "last_name": person.last_name,
            "first_name": person.first_name,
            "middle_name": person.middle_name,
            "position": "заместитель директора",
            "school": person.school_id,
            "qualification_category": person.qualification_category,
            "teaching_since": "",
            "email": person.email,
            "phone": "",
            "expected_version": person.version,
        },
    )
    assert response.status_code == 302
    entry = PersonalDataAccess.objects.get(person=person)
    assert (entry.user, entry.action) == (net.users.admin, "change")
    assert "position" in entry.details


def test_membership_changes_are_logged(net):
    person = teacher(net)
    admin = net.users.admin
    membership = services.add_member(unit=net.baksan_rmo, person=person, role="member", starts_on=TERM_START, by=admin)
    services.change_role(membership, "deputy", datetime.date(2027, 1, 20), by=admin)
    services.end_membership(person.memberships.active().get(), datetime.date(2027, 5, 1), by=admin)
    entries = list(PersonalDataAccess.objects.filter(person=person).order_by("pk").values_list("action", "details"))
    unit_name = str(net.baksan_rmo)
    assert entries == [
        ("change", f"включён в «{unit_name}»: член"),
        ("change", f"роль в «{unit_name}»: заместитель председателя"),
        ("change", f"выбыл из «{unit_name}»"),
    ]


def test_model_validation_names_the_single_chair_rule(net):
    f.member(f.PersonFactory(region=net.region), net.baksan_rmo, "chair")
    second = Membership(
        person=f.PersonFactory(region=net.region),
        unit=net.baksan_rmo,
        role="chair",
        starts_on=f.TERM_START,
        ends_on=Membership.default_term_end(f.TERM_START),
    )
    with pytest.raises(ValidationError, match="одна такая роль на подразделение"):
        second.full_clean()
