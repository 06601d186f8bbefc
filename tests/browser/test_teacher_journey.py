"""A teacher adds their own КПК certificate with a scan; the chair of their school MO confirms it from
«Мои задачи» (issue 12). Screenshots go to test-artifacts/teacher/."""

import os
import re

import pytest
from playwright.sync_api import expect

from growth.models import Course
from people.services import sync_person_access
from tests import factories as f
from tests.browser.axe import axe_source, describe, violations
from tests.browser.session import open_logged_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.path.join("test-artifacts", "teacher")
TASK_GROUP = "Подтвердить курсы повышения квалификации"


def log_in(browser, live_server, username, width=1366):
    return open_logged_in(browser, live_server.url, username, PASSWORD, width=width)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


@pytest.fixture
def school_mo_chair(net):
    f.member(net.users.teacher_person, net.shmo)
    sync_person_access(net.users.teacher_person)
    chair = f.UserFactory(username="shmo_chair", first_name="Мадина", last_name="Председателева")
    person = f.PersonFactory(region=net.region, user=chair, school=net.school, last_name="Председателева")
    f.member(person, net.shmo, "chair")
    sync_person_access(person)
    return chair


def test_teacher_adds_a_course_and_the_school_mo_chair_confirms_it(net, live_server, browser, school_mo_chair):
    context, teacher = log_in(browser, live_server, "teacher")
    nav = teacher.get_by_role("navigation", name="Основное меню")
    for label in ("Главная", "Моё портфолио", "Анкеты", "Мои разработки", "Банк практик"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_be_visible()
    for label in ("Реестры", "Входящие", "Экспертиза", "Приказы"):
        expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)
    shot(teacher, "1-teacher-home.png")

    nav.get_by_role("link", name="Моё портфолио").click()
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("Портфолио")
    teacher.get_by_role("link", name="Добавить курс").click()
    teacher.get_by_label("Название программы").fill("Школа современного учителя математики")
    teacher.get_by_label("Организация").fill("ЦНППМ КБР")
    teacher.get_by_label("Объём, часов").fill("36")
    teacher.get_by_label("Начало").fill("2026-02-01")
    teacher.get_by_label("Окончание").fill("2026-02-10")
    teacher.get_by_label("Номер удостоверения").fill("07-0412")
    teacher.get_by_label("Скан удостоверения").set_input_files(
        {"name": "udostoverenie.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%test\n"}
    )
    teacher.get_by_role("button", name="Сохранить").click()

    expect(teacher.locator(".messages")).to_contain_text("отправлен на подтверждение")
    row = teacher.locator("tr", has_text="Школа современного учителя математики")
    expect(row).to_contain_text("на подтверждении")
    expect(row.get_by_role("link", name="скан")).to_be_visible()
    expect(row.get_by_role("button", name="Подтвердить")).to_have_count(0)  # not one's own
    found = violations(teacher, axe_source())
    assert not found, describe("портфолио учителя", found)
    shot(teacher, "2-teacher-pending.png")

    chair_context, chair = log_in(browser, live_server, "shmo_chair")
    task = chair.get_by_role("link", name=re.compile("Школа современного учителя математики"))
    expect(chair.get_by_text(TASK_GROUP)).to_be_visible()
    shot(chair, "3-chair-task.png")
    task.click()
    course_row = chair.locator("tr", has_text="Школа современного учителя математики")
    expect(course_row).to_contain_text("на подтверждении")
    course_row.get_by_role("button", name="Подтвердить").click()
    expect(chair.locator(".messages")).to_contain_text("подтверждён")
    chair.goto(f"{live_server.url}/")
    expect(chair.get_by_text(TASK_GROUP)).to_have_count(0)
    chair_context.close()

    teacher.reload()
    expect(teacher.locator("tr", has_text="Школа современного учителя математики")).to_contain_text("подтверждён")
    expect(teacher.locator(".props")).to_contain_text("36 ч.")
    shot(teacher, "4-teacher-confirmed.png")
    course = Course.objects.get()
    assert course.status == Course.Status.CONFIRMED and course.confirmed_by == school_mo_chair
    context.close()
