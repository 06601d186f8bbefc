"""The menu of each role (network/context_processors.py, base.html), the skip link and the menu button (issue 12)."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from network.context_processors import SESSION_KEY, portal
from orgunits.access import grant_role


def nav_keys(html: str) -> list[str]:
    return re.findall(r'data-nav="([a-z_]+)"', html)


def home(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_teacher_sees_their_own_pages_only(net, login):
    html = home(login(net.users.teacher))
    assert nav_keys(html) == ["home", "portfolio", "surveys", "mine", "bank", "events"]
    assert f'href="{reverse("growth:my_portfolio")}" data-nav="portfolio"' in html
    for label in ("Реестры", "Входящие", "Экспертиза", "Приказы", "Кампании"):
        assert f">{label}</a>" not in html


def test_reviewer_gets_the_inbox_and_the_expertise(net, login):
    keys = nav_keys(home(login(net.users.reviewer)))
    assert "inbox" in keys and "expertise" in keys and "registers" in keys


def test_methodist_gets_registers_but_no_inbox(net, login):
    keys = nav_keys(home(login(net.users.methodist)))
    assert "registers" in keys and "campaigns" in keys
    assert "inbox" not in keys and "expertise" not in keys


def test_my_portfolio_leads_to_the_users_own_card(net, login):
    response = login(net.users.teacher).get(reverse("growth:my_portfolio"))
    assert response.status_code == 302
    assert response.url == reverse("growth:portfolio", args=[net.users.teacher_person.pk])


def test_my_portfolio_without_a_card_explains_itself(net, login):
    from tests import factories as f

    response = login(f.UserFactory(username="bare")).get(reverse("growth:my_portfolio"), follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "не привязана карточка педагога" in response.content.decode()


def test_the_menu_follows_a_new_grant_on_the_next_page_that_loads_the_grants(net, login):
    client = login(net.users.teacher)
    assert "registers" not in nav_keys(home(client))
    grant_role(net.users.teacher, net.rumo, "reviewer")
    # The people list loads the grants: the menu is refreshed from them.
    html = client.get(reverse("people:list")).content.decode()
    assert "inbox" in nav_keys(html)
    assert client.session[SESSION_KEY]["review"] is True


def test_skip_link_is_first_and_main_is_its_target(net, login):
    html = home(login(net.users.teacher))
    body = html[html.index("<body") :]
    first_focusable = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body).group(0)
    assert 'href="#content"' in first_focusable and "skip-link" in first_focusable
    assert re.search(r'<main[^>]*id="content"', html)
    assert "Перейти к содержанию" in html


def test_a_real_menu_button_controls_the_menu(net, login):
    html = home(login(net.users.teacher))
    button = re.search(r"<button[^>]*data-menu-button[^>]*>", html).group(0)
    assert 'aria-expanded="false"' in button and 'aria-controls="mainnav"' in button
    assert 'id="mainnav"' in html
    assert "nav-toggle" not in html  # the checkbox hack is gone


def test_the_menu_costs_no_query_once_remembered(net, login, django_assert_num_queries):
    client = login(net.users.teacher)
    home(client)  # the menu is in the session from the login on
    session = client.session
    assert SESSION_KEY in session
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=net.users.teacher.pk)  # a fresh user: no grants loaded
    request.session = session
    with django_assert_num_queries(0):
        menu = portal(request)["menu"]
        assert [item.key for item in menu["bar"]][0] == "home"


@pytest.mark.parametrize("username", ["teacher", "methodist", "reviewer", "admin"])
def test_every_menu_item_opens(net, login, username):
    client = login(getattr(net.users, username))
    html = home(client)
    for url in re.findall(r'<a href="([^"]+)" data-nav=', html):
        assert client.get(url, follow=True).status_code == 200, url
