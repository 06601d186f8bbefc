"""Forms that do not lose work (issue 12): a new card like an existing one shows «Похожие карточки»
and saves only when the administrator says it is another person; a scan chosen on a form with a
wrong date is kept, named on the form, and saved on the next submit without choosing it again."""

import os

import pytest
from playwright.sync_api import expect

from people.models import Consent, Person, Subject
from tests import factories as f
from tests.browser.axe import axe_source, describe, violations
from tests.browser.session import submit_login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.path.join("test-artifacts", "glance")
PDF = b"%PDF-1.4\n% a scan of the consent\n"


def log_in(page, live_server, username):
    submit_login(page, live_server.url, username, PASSWORD)


@pytest.mark.parametrize("width", [1366, 390])
def test_similar_cards_and_a_kept_scan(net, live_server, page, width, tmp_path):
    source = axe_source()
    os.makedirs(SHOTS, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    maths = Subject.objects.get_or_create(name="Математика")[0]
    twin = f.PersonFactory(
        region=net.region, last_name="Ёлкина", first_name="Анна", middle_name="Петровна", school=net.school
    )
    twin.subjects.add(maths)
    log_in(page, live_server, "admin")

    page.goto(f"{live_server.url}/people/new/")
    page.get_by_label("Фамилия").fill("Елкина")
    page.get_by_label("Имя").fill("Анна")
    page.get_by_label("Отчество").fill("Петровна")
    page.get_by_label("Место работы (ОО)").select_option(value=str(net.school.pk))
    page.get_by_label("Математика").check()
    page.get_by_role("button", name="Сохранить").click()
    warning = page.get_by_role("alert").filter(has_text="Похожие карточки")
    expect(warning).to_contain_text("Ёлкина Анна Петровна")
    assert violations(page, source) == [], describe("similar cards", violations(page, source))
    page.screenshot(path=os.path.join(SHOTS, f"similar-cards-{width}.png"), full_page=True)
    page.get_by_label("Это другой человек, сохранить").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("main")).to_contain_text("сохранена")
    assert Person.objects.filter(last_name="Елкина").count() == 1

    scan = tmp_path / "согласие.pdf"
    scan.write_bytes(PDF)
    teacher = net.users.teacher_person
    page.goto(f"{live_server.url}/people/{teacher.pk}/consents/new/")
    page.get_by_label("Скан согласия").set_input_files(str(scan))
    page.get_by_label("Подписано").fill("2099-01-01")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("main")).to_contain_text("Выбран файл: согласие.pdf (сохранён, выбирать заново не нужно)")
    assert violations(page, source) == [], describe("kept scan", violations(page, source))
    page.screenshot(path=os.path.join(SHOTS, f"kept-scan-{width}.png"), full_page=True)
    page.get_by_label("Подписано").fill("2026-09-01")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("main")).to_contain_text("Согласие внесено")
    consent = Consent.objects.get(person=teacher)
    with consent.file.open("rb") as saved:
        assert saved.read() == PDF
