"""Bad input on every form: a clear Russian message, and nothing changes in the database."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from orgunits.models import OrgUnit, School
from people.models import Membership, Person, Subject

from . import factories as f

CONFLICT = "Пока вы редактировали, запись изменил другой пользователь."


@pytest.fixture
def admin(net, client):
    client.force_login(net.users.admin)
    return client


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# -- the unit form -----------------------------------------------------------------------------


def unit_data(unit_obj=None, **changes):
    data = {
        "kind": "",
        "name": "",
        "short_name": "",
        "school": "",
        "description": "",
        "opened_on": "",
        "closed_on": "",
        "expected_version": 1,
    }
    if unit_obj is not None:
        data.update(
            kind=unit_obj.kind_id,
            name=unit_obj.name,
            short_name=unit_obj.short_name,
            school=unit_obj.school_id or "",
            description=unit_obj.description,
            expected_version=unit_obj.version,
        )
    data.update(changes)
    return data


def test_unit_create_with_empty_name(net, admin):
    before = OrgUnit.objects.count()
    response = admin.post(
        reverse("orgunits:unit_add_child", args=[net.baksan.pk]), unit_data(kind=net.kinds["rmo"].pk, name="  ")
    )
    assert "Обязательное поле." in page(response)
    assert OrgUnit.objects.count() == before


@pytest.mark.parametrize("kind_id", ["abc", "999999", "-1"])
def test_unit_create_with_bad_kind_id(net, admin, kind_id):
    before = OrgUnit.objects.count()
    response = admin.post(
        reverse("orgunits:unit_add_child", args=[net.baksan.pk]), unit_data(kind=kind_id, name="РМО физиков")
    )
    assert "Этот вид подразделения не может входить в «МунУМО»: выберите вид из списка." in page(response)
    assert OrgUnit.objects.count() == before


def test_unit_edit_with_empty_name(net, admin):
    response = admin.post(reverse("orgunits:unit_edit", args=[net.terek_rmo.pk]), unit_data(net.terek_rmo, name=""))
    assert "Обязательное поле." in page(response)
    saved = OrgUnit.objects.get(pk=net.terek_rmo.pk)
    assert saved.name == net.terek_rmo.name
    assert saved.version == net.terek_rmo.version


def test_unit_edit_ignores_another_kind_id(net, admin):
    # The kind stays with the unit: a new kind would bypass the placement rules (moves check them).
    response = admin.post(
        reverse("orgunits:unit_edit", args=[net.terek_rmo.pk]), unit_data(net.terek_rmo, kind=net.kinds["rumo"].pk)
    )
    assert response.status_code == 302
    assert OrgUnit.objects.get(pk=net.terek_rmo.pk).kind == net.kinds["rmo"]


def test_unit_edit_closed_before_opened(net, admin):
    response = admin.post(
        reverse("orgunits:unit_edit", args=[net.terek_rmo.pk]),
        unit_data(net.terek_rmo, opened_on="2026-09-01", closed_on="2026-01-01"),
    )
    content = page(response)
    assert "Дата прекращения работы раньше даты начала." in content
    assert "orgunit_closed_after_opened" not in content
    saved = OrgUnit.objects.get(pk=net.terek_rmo.pk)
    assert (saved.opened_on, saved.closed_on, saved.version) == (None, None, 1)


def test_unit_edit_with_bad_version_field(net, admin):
    response = admin.post(
        reverse("orgunits:unit_edit", args=[net.terek_rmo.pk]),
        unit_data(net.terek_rmo, name="Новое имя", expected_version="abc"),
    )
    assert "Введите целое число." in page(response)
    assert OrgUnit.objects.get(pk=net.terek_rmo.pk).name == net.terek_rmo.name


# -- the school form ---------------------------------------------------------------------------


def school_data(net, **changes):
    data = {
        "name": "Средняя общеобразовательная школа № 2 г. Терека",
        "short_name": "СОШ № 2 г. Терека",
        "inn": "0712345679",  # a valid checksum
        "municipality": net.terek.pk,
        "address": "",
        "expected_version": 1,
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("inn", "message"),
    [
        ("071234567", "ИНН организации — 10 цифр."),
        ("07123456ab", "ИНН организации — 10 цифр."),
        ("07123456790", "Убедитесь, что это значение содержит не более 10 символов (сейчас 11)."),
    ],
)
def test_school_with_bad_inn_length(net, admin, inn, message):
    before = School.objects.count()
    response = admin.post(reverse("orgunits:school_add"), school_data(net, inn=inn))
    assert message in page(response)
    assert School.objects.count() == before


def test_school_with_bad_inn_checksum(net, admin):
    before = School.objects.count()
    response = admin.post(reverse("orgunits:school_add"), school_data(net, inn="0712345670"))
    assert "ИНН 0712345670 не проходит проверку контрольной цифры." in page(response)
    assert School.objects.count() == before


def test_school_with_duplicate_inn(net, admin):
    before = School.objects.count()
    response = admin.post(reverse("orgunits:school_add"), school_data(net, inn=net.baksan_school.inn))
    assert "Школа с таким ИНН уже есть в реестре." in page(response)
    assert School.objects.count() == before
    assert School.objects.get(inn=net.baksan_school.inn) == net.baksan_school


def test_school_edit_with_duplicate_inn(net, admin):
    school = net.school
    response = admin.post(
        reverse("orgunits:school_edit", args=[school.pk]),
        school_data(net, name=school.name, short_name=school.short_name, inn=net.baksan_school.inn, expected_version=1),
    )
    assert "Школа с таким ИНН уже есть в реестре." in page(response)
    school.refresh_from_db()
    assert school.inn != net.baksan_school.inn
    assert school.version == 1


def test_school_under_a_unit_that_is_not_a_municipality(net, admin):
    before = School.objects.count()
    response = admin.post(reverse("orgunits:school_add"), school_data(net, municipality=net.cnppm.pk))
    assert "Выберите корректный вариант." in page(response)
    assert School.objects.count() == before


# -- the person form ---------------------------------------------------------------------------


def person_data(person=None, **changes):
    data = {
        "last_name": "Шогенова",
        "first_name": "Асият",
        "middle_name": "Хасановна",
        "position": "учитель математики",
        "school": "",
        "qualification_category": "first",
        "teaching_since": "2010",
        "email": "shogenova@example.org",
        "phone": "+7 (866) 312-34-56",
        "expected_version": 1,
    }
    if person is not None:
        data.update(
            last_name=person.last_name,
            first_name=person.first_name,
            middle_name=person.middle_name,
            position=person.position,
            school=person.school_id or "",
            qualification_category=person.qualification_category,
            teaching_since=person.teaching_since or "",
            email=person.email,
            phone=person.phone,
            expected_version=person.version,
        )
    data.update(changes)
    return data


def test_person_create_with_bad_email(net, admin):
    before = Person.objects.count()
    response = admin.post(reverse("people:add"), person_data(school=net.school.pk, email="shogenova@"))
    assert "Введите правильный адрес электронной почты." in page(response)
    assert Person.objects.count() == before


def test_person_create_with_duplicate_email(net, admin):
    before = Person.objects.count()
    taken = net.users.teacher_person.email
    response = admin.post(reverse("people:add"), person_data(school=net.school.pk, email=f"  {taken.upper()} "))
    assert "Педагог с таким e-mail уже есть в реестре." in page(response)
    assert Person.objects.count() == before


def test_person_edit_with_duplicate_email(net, admin):
    person = net.users.teacher_person
    response = admin.post(
        reverse("people:edit", args=[person.pk]), person_data(person, email=net.users.secretary_person.email)
    )
    assert "Педагог с таким e-mail уже есть в реестре." in page(response)
    saved = Person.objects.get(pk=person.pk)
    assert (saved.email, saved.version) == (person.email, person.version)


def test_person_with_future_teaching_year(net, admin):
    person = net.users.teacher_person
    next_year = datetime.date.today().year + 1
    response = admin.post(reverse("people:edit", args=[person.pk]), person_data(person, teaching_since=next_year))
    assert "Год начала работы не может быть в будущем." in page(response)
    saved = Person.objects.get(pk=person.pk)
    assert (saved.teaching_since, saved.version) == (person.teaching_since, person.version)


@pytest.mark.parametrize("phone", ["позвонить директору", "12", "+7 866 312 34 56 78 90 12 34"])
def test_person_with_bad_phone(net, admin, phone):
    before = Person.objects.count()
    response = admin.post(reverse("people:add"), person_data(school=net.school.pk, phone=phone))
    assert "Телефон: цифры, пробелы, скобки и дефисы, например +7 (866) 312-34-56." in page(response)
    assert Person.objects.count() == before


def test_person_with_school_the_admin_does_not_keep(net, admin, kinds):
    other = f.RegionFactory(code="kchr", name="Карачаево-Черкесская Республика")
    rumo = f.unit(other, kinds["rumo"], name="РУМО КЧР")
    foreign_school = f.SchoolFactory(municipality=f.unit(other, kinds["munumo"], rumo, name="Черкесское МунУМО"))
    before = Person.objects.count()
    response = admin.post(reverse("people:add"), person_data(school=foreign_school.pk))
    assert "Выберите корректный вариант." in page(response)
    assert Person.objects.count() == before


# -- membership forms --------------------------------------------------------------------------


def member_data(person=None, **changes):
    data = {"person": person.pk if person else "", "role": "member", "starts_on": "2026-09-01", "ends_on": ""}
    data.update(changes)
    return data


def test_add_member_without_a_person(net, admin):
    before = Membership.objects.count()
    response = admin.post(reverse("people:member_add", args=[net.baksan_rmo.pk]), member_data())
    assert "Выберите педагога в поиске выше." in page(response)
    assert Membership.objects.count() == before


def test_add_member_from_another_region(net, admin):
    foreigner = f.PersonFactory(region=f.RegionFactory(code="kchr", name="Карачаево-Черкесская Республика"))
    before = Membership.objects.count()
    response = admin.post(reverse("people:member_add", args=[net.baksan_rmo.pk]), member_data(foreigner))
    assert "Этот педагог недоступен: выберите его в поиске выше." in page(response)
    assert Membership.objects.count() == before


def test_add_member_the_manager_cannot_see(net, client):
    # The Терское МунУМО methodist does not see the people of Баксан.
    baksan_person = net.users.baksan_methodist.person
    client.force_login(net.users.methodist)
    before = Membership.objects.count()
    response = client.post(reverse("people:member_add", args=[net.terek.pk]), member_data(baksan_person))
    assert "Этот педагог недоступен: выберите его в поиске выше." in page(response)
    assert Membership.objects.count() == before


@pytest.mark.parametrize("person_id", ["abc", "999999"])
def test_add_member_with_a_guessed_person_id(net, admin, person_id):
    before = Membership.objects.count()
    response = admin.post(
        reverse("people:member_add", args=[net.baksan_rmo.pk]), {**member_data(), "person": person_id}
    )
    assert "Этот педагог недоступен: выберите его в поиске выше." in page(response)
    assert Membership.objects.count() == before


def test_add_member_with_term_ending_before_it_starts(net, admin):
    person = net.users.teacher_person
    response = admin.post(
        reverse("people:member_add", args=[net.baksan_rmo.pk]),
        member_data(person, starts_on="2026-09-01", ends_on="2026-08-31"),
    )
    assert "Окончание срока раньше его начала." in page(response)
    assert not net.baksan_rmo.memberships.exists()


def test_add_member_with_bad_date(net, admin):
    response = admin.post(
        reverse("people:member_add", args=[net.baksan_rmo.pk]),
        member_data(net.users.teacher_person, starts_on="31.02.2026"),
    )
    assert "Введите правильную дату." in page(response)
    assert not net.baksan_rmo.memberships.exists()


def test_add_second_chair(net, admin):
    chair = f.PersonFactory(region=net.region, last_name="Кушхова", first_name="Мадина", middle_name="")
    f.member(chair, net.terek, "chair")
    response = admin.post(
        reverse("people:member_add", args=[net.terek.pk]), member_data(net.users.teacher_person, role="chair")
    )
    assert "В подразделении уже есть действующий председатель: Кушхова Мадина. Сначала завершите его срок." in page(
        response
    )
    assert not net.terek.memberships.filter(person=net.users.teacher_person).exists()


def test_end_membership_before_it_started(net, admin):
    membership = net.users.teacher_person.memberships.get()
    response = admin.post(reverse("people:membership_end", args=[membership.pk]), {"left_on": "2026-08-31"})
    assert "Дата выбытия раньше начала срока." in page(response)
    membership.refresh_from_db()
    assert membership.left_on is None


def test_end_membership_with_bad_date(net, admin):
    membership = net.users.teacher_person.memberships.get()
    response = admin.post(reverse("people:membership_end", args=[membership.pk]), {"left_on": "вчера"})
    assert "Введите правильную дату." in page(response)
    membership.refresh_from_db()
    assert membership.left_on is None


def test_change_role_to_the_same_role(net, admin):
    membership = net.users.teacher_person.memberships.get()
    response = admin.post(
        reverse("people:membership_role", args=[membership.pk]), {"role": "member", "on": "2027-01-20"}
    )
    assert "Выберите новую роль: она должна отличаться от текущей." in page(response)
    assert list(Membership.objects.filter(person=net.users.teacher_person)) == [membership]
    membership.refresh_from_db()
    assert (membership.role, membership.left_on) == ("member", None)


def test_change_role_before_the_term_started(net, admin):
    membership = net.users.teacher_person.memberships.get()
    response = admin.post(
        reverse("people:membership_role", args=[membership.pk]), {"role": "deputy", "on": "2026-08-01"}
    )
    assert "Дата изменения раньше начала срока." in page(response)
    assert Membership.objects.filter(person=net.users.teacher_person).count() == 1


def test_action_on_an_ended_membership(net, admin):
    membership = net.users.teacher_person.memberships.get()
    membership.left_on = datetime.date(2027, 1, 1)
    membership.save()
    response = admin.post(
        reverse("people:membership_end", args=[membership.pk]), {"left_on": "2027-02-01"}, follow=True
    )
    assert "Срок уже завершён." in page(response)
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2027, 1, 1)


# -- the grant form ----------------------------------------------------------------------------


def test_grant_to_unknown_user(net, admin):
    groups_before = Group.objects.count()
    response = admin.post(reverse("orgunits:access", args=[net.terek.pk]), {"username": "nobody", "role": "reviewer"})
    assert "Пользователь «nobody» не найден или отключён." in page(response)
    assert Group.objects.count() == groups_before


def test_grant_without_username(net, admin):
    groups_before = Group.objects.count()
    response = admin.post(reverse("orgunits:access", args=[net.terek.pk]), {"username": "   ", "role": "reviewer"})
    assert "Обязательное поле." in page(response)
    assert Group.objects.count() == groups_before


def test_grant_to_disabled_user(net, admin):
    net.users.outsider.is_active = False
    net.users.outsider.save()
    response = admin.post(
        reverse("orgunits:access", args=[net.terek.pk]), {"username": "outsider", "role": "administrator"}
    )
    assert "Пользователь «outsider» не найден или отключён." in page(response)
    assert not net.users.outsider.groups.exists()


def test_grant_unknown_role(net, admin):
    response = admin.post(reverse("orgunits:access", args=[net.terek.pk]), {"username": "outsider", "role": "chair"})
    assert "Выберите корректный вариант." in page(response)
    assert not net.users.outsider.groups.exists()


# -- two editors at once -----------------------------------------------------------------------


def two_editors(net):
    first, second = Client(), Client()
    first.force_login(net.users.admin)
    second.force_login(net.users.superuser)
    return first, second


def loaded_version(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["form"]["expected_version"].value()


def test_concurrent_unit_edit_keeps_the_first_save(net):
    first, second = two_editors(net)
    url = reverse("orgunits:unit_edit", args=[net.terek_rmo.pk])
    version_first, version_second = loaded_version(first, url), loaded_version(second, url)
    assert version_first == version_second == 1

    response = first.post(url, unit_data(net.terek_rmo, name="РМО математиков (первый)", expected_version=1))
    assert response.status_code == 302
    response = second.post(url, unit_data(net.terek_rmo, name="РМО математиков (второй)", expected_version=1))
    assert CONFLICT in page(response)

    saved = OrgUnit.objects.get(pk=net.terek_rmo.pk)
    assert (saved.name, saved.version) == ("РМО математиков (первый)", 2)


def test_concurrent_person_edit_keeps_the_first_save(net):
    person = net.users.teacher_person
    algebra = Subject.objects.create(name="алгебра")
    geometry = Subject.objects.create(name="геометрия")
    first, second = two_editors(net)
    url = reverse("people:edit", args=[person.pk])
    version_first, version_second = loaded_version(first, url), loaded_version(second, url)
    assert version_first == version_second == person.version

    response = first.post(url, {**person_data(person, position="учитель алгебры"), "subjects": [algebra.pk]})
    assert response.status_code == 302
    response = second.post(url, {**person_data(person, position="учитель геометрии"), "subjects": [geometry.pk]})
    assert CONFLICT in page(response)

    saved = Person.objects.get(pk=person.pk)
    assert (saved.position, saved.version) == ("учитель алгебры", person.version + 1)
    assert list(saved.subjects.all()) == [algebra]


def test_concurrent_school_edit_keeps_the_first_save(net):
    school = net.school
    first, second = two_editors(net)
    url = reverse("orgunits:school_edit", args=[school.pk])
    assert loaded_version(first, url) == loaded_version(second, url) == 1
    data = school_data(net, name=school.name, inn=school.inn)
    assert first.post(url, {**data, "short_name": "СОШ № 1 (первый)"}).status_code == 302
    assert CONFLICT in page(second.post(url, {**data, "short_name": "СОШ № 1 (второй)"}))
    school.refresh_from_db()
    assert (school.short_name, school.version) == ("СОШ № 1 (первый)", 2)


# -- ids in URLs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/units/abc/",
        "/units/999999/",
        "/units/99999999999999999999/",
        "/units/-1/",
        "/units/999999/edit/",
        "/units/999999/move/",
        "/units/999999/add-child/",
        "/units/999999/access/",
        "/units/999999/members/add/",
        "/tree/999999/children/",
        "/tree/abc/children/",
        "/schools/999999/",
        "/schools/abc/edit/",
        "/people/999999/",
        "/people/1e3/",
        "/people/999999/edit/",
        "/people/999999/access-log/",
        "/memberships/999999/end/",
        "/memberships/999999/role/",
        "/memberships/x/end/",
    ],
)
def test_bad_or_guessed_ids_in_urls_give_404(net, admin, path):
    assert admin.get(path).status_code == 404
    assert admin.post(path, {}).status_code in (404, 405)


def test_guessed_id_of_a_person_out_of_sight_gives_404(net, client):
    hidden = f.PersonFactory(region=net.region)
    client.force_login(net.users.teacher)
    assert client.get(reverse("people:person", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("people:edit", args=[hidden.pk])).status_code == 404
