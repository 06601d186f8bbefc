"""A person gets a login; their memberships then grant them access."""

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests import factories as f


def test_admin_creates_login_and_a_password_link_is_mailed(net, login):
    person = f.PersonFactory(region=net.region, school=net.school, email="new.teacher@example.org")
    f.member(person, net.terek_rmo, "member")
    response = login(net.users.admin).post(reverse("people:login", args=[person.pk]), {"username": "new.teacher"})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="new.teacher")
    person.refresh_from_db()
    assert person.user == user and not user.has_usable_password()
    assert len(mail.outbox) == 1 and "new.teacher@example.org" in mail.outbox[0].to


def test_new_login_sees_the_units_of_its_memberships(net, client):
    person = f.PersonFactory(region=net.region, school=net.school, email="member@example.org")
    f.member(person, net.terek_rmo, "member")
    client.force_login(net.users.admin)
    client.post(reverse("people:login", args=[person.pk]), {"username": "member1"})
    client.force_login(get_user_model().objects.get(username="member1"))
    assert client.get(reverse("orgunits:unit", args=[net.terek_rmo.pk])).status_code == 200
    assert client.get(reverse("orgunits:unit", args=[net.baksan_rmo.pk])).status_code == 404


def test_login_of_another_person_is_refused(net, login):
    person = f.PersonFactory(region=net.region, email="x@example.org")
    response = login(net.users.admin).post(reverse("people:login", args=[person.pk]), {"username": "teacher"})
    assert "уже принадлежит другому педагогу" in response.content.decode()
    person.refresh_from_db()
    assert person.user is None


def test_unlinking_removes_membership_access(net, client):
    client.force_login(net.users.admin)
    client.post(reverse("people:login", args=[net.users.teacher_person.pk]), {"unlink": "1"})
    client.force_login(net.users.teacher)
    assert client.get(reverse("orgunits:unit", args=[net.terek_rmo.pk])).status_code == 404


def test_methodist_may_not_give_logins(net, login):
    person = f.PersonFactory(region=net.region, school=net.school)
    f.member(person, net.terek_rmo, "member")
    response = login(net.users.methodist).post(reverse("people:login", args=[person.pk]), {"username": "zz"})
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="zz").exists()
