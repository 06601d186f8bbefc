"""Login, logout, password change and reset: Russian pages that work end to end."""

from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD


def test_login_page_is_russian_and_wrong_password_says_so(client, net):
    response = client.post(reverse("login"), {"username": "teacher", "password": "wrong"})
    assert "Неверный логин или пароль" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_then_logout(client, net):
    response = client.post(reverse("login"), {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, net):
    client.force_login(net.users.teacher)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Novyj-parol-2026", "new_password2": "Novyj-parol-2026"},
    )
    assert response.status_code == 302
    net.users.teacher.refresh_from_db()
    assert net.users.teacher.check_password("Novyj-parol-2026")


def test_password_reset_mails_a_link(client, net):
    net.users.teacher.email = "teacher@example.org"
    net.users.teacher.save()
    response = client.post(reverse("password_reset"), {"email": "teacher@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body
