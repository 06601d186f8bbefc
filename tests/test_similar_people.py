"""A new card with the name, school and subject of an existing one gets the «Похожие карточки»
warning; the user sees links to the cards they may see, a count of the others, and saves anyway
only by ticking «Это другой человек, сохранить» (issue 12)."""

import pytest
from django.urls import reverse

from people import services
from people.models import Person, Subject

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def maths(db):
    return Subject.objects.get_or_create(name="Математика")[0]


@pytest.fixture
def existing(net, maths):
    person = f.PersonFactory(
        region=net.region, last_name="Ёлкина", first_name="Анна", middle_name="Петровна", school=net.school
    )
    person.subjects.add(maths)
    return person


def card(net, maths, **overrides):
    data = {
        "last_name": "елкина",
        "first_name": "Анна",
        "middle_name": "Петровна",
        "position": "учитель",
        "school": net.school.pk,
        "subjects": [maths.pk],
        "qualification_category": "none",
        "teaching_since": "",
        "email": "",
        "phone": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_same_name_school_and_subject_is_similar(net, maths, existing):
    found = services.similar_people(
        last_name="ЕЛКИНА", first_name="анна", middle_name="Петровна", school=net.school, subjects=[maths]
    )
    assert found == [existing]


@pytest.mark.parametrize(
    "change",
    [{"middle_name": "Петровнаа"}, {"middle_name": ""}, {"first_name": "Анастасия"}, {"school": "other"}],
)
def test_a_different_name_or_school_is_not_similar(net, maths, existing, change):
    args = {"last_name": "Ёлкина", "first_name": "Анна", "middle_name": "Петровна", "school": net.school}
    args.update(change)
    if args["school"] == "other":
        args["school"] = net.baksan_school
    assert services.similar_people(**args, subjects=[maths]) == []


def test_a_different_subject_is_not_similar(net, maths, existing):
    physics = Subject.objects.create(name="Физика")
    assert (
        services.similar_people(
            last_name="Ёлкина", first_name="Анна", middle_name="Петровна", school=net.school, subjects=[physics]
        )
        == []
    )


def test_the_form_warns_and_saves_nothing(net, maths, existing, client):
    client.force_login(net.users.admin)
    response = client.post(reverse("people:add"), card(net, maths))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Похожие карточки" in page and existing.get_absolute_url() in page
    assert "Это другой человек, сохранить" in page
    assert Person.objects.filter(last_name="елкина").count() == 0


def test_ticking_the_box_saves_the_new_card(net, maths, existing, client):
    client.force_login(net.users.admin)
    response = client.post(reverse("people:add"), card(net, maths, not_duplicate="on"))
    assert response.status_code == 302
    assert Person.objects.filter(search__startswith="елкина анна петровна").count() == 2


def test_a_card_without_a_twin_is_saved_at_once(net, maths, existing, client):
    client.force_login(net.users.admin)
    response = client.post(reverse("people:add"), card(net, maths, first_name="Ольга"))
    assert response.status_code == 302


def test_cards_the_user_may_not_see_are_counted_not_named(net, maths, client):
    other_region = f.RegionFactory(code="rb", name="Республика Бурятия")
    hidden = f.PersonFactory(region=other_region, last_name="Безшкольная", first_name="Анна", middle_name="Петровна")
    client.force_login(net.users.admin)
    response = client.post(reverse("people:add"), card(net, maths, last_name="Безшкольная", school="", subjects=[]))
    page = response.content.decode()
    assert "Похожие карточки" in page
    assert "которые вам не видны: 1" in page
    assert hidden.get_absolute_url() not in page
    assert response.context["similar"] == []


def test_editing_an_existing_card_is_not_warned(net, maths, existing, client):
    twin = f.PersonFactory(
        region=net.region, last_name="Ёлкина", first_name="Анна", middle_name="Петровна", school=net.school
    )
    twin.subjects.add(maths)
    client.force_login(net.users.admin)
    data = card(net, maths, last_name="Ёлкина", expected_version=twin.version)
    response = client.post(reverse("people:edit", args=[twin.pk]), data)
    assert response.status_code == 302
