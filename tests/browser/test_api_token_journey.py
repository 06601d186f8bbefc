"""A municipal methodist opens «Доступ к API» from the user menu, makes a key, reads the API with it as a
regional system would (over HTTP, with the header), sees the key only once, and revokes it."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from api.models import ApiToken
from tests.browser.session import submit_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def api_get(base_url, path, key):
    request = urllib.request.Request(f"{base_url}{path}", headers={"Authorization": f"Token {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_methodist_makes_reads_with_and_revokes_an_api_key(net, live_server, page):
    submit_login(page, live_server.url, "methodist", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Здравствуйте")

    page.locator("button.who").click()
    page.get_by_role("link", name="Доступ к API").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Доступ к API")
    expect(page.get_by_text("Ключа API у вас нет.")).to_be_visible()

    page.get_by_role("button", name="Создать ключ").click()
    expect(page.get_by_role("heading", name="Ваш новый ключ")).to_be_visible()
    key = page.get_by_label("Ключ API").input_value()
    assert key.startswith("mts_")
    assert ApiToken.objects.filter(user=net.users.methodist).count() == 1

    status, body = api_get(live_server.url, "/api/v1/units/", key)
    assert status == 200
    names = {row["name"] for row in body["results"]}
    assert net.terek.name in names and net.baksan.name not in names
    status, body = api_get(live_server.url, f"/api/v1/units/{net.baksan.pk}/", key)
    assert status == 404

    page.goto(f"{live_server.url}/accounts/api-token/")  # shown once: later only its first characters
    expect(page.get_by_role("heading", name="Ваш новый ключ")).to_have_count(0)
    expect(page.locator("code", has_text=key[:8] + "…")).to_be_visible()
    assert key not in page.content()

    page.get_by_role("link", name="Описание API").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Методсеть API")
    expect(page.get_by_text("GET /api/v1/units/").first).to_be_visible()
    page.go_back()

    page.get_by_role("button", name="Отозвать ключ").click()
    expect(page.locator(".messages")).to_contain_text("Ключ API отозван")
    status, body = api_get(live_server.url, "/api/v1/units/", key)
    assert status == 401 and body["detail"] == "Ключ API не найден или отозван."
