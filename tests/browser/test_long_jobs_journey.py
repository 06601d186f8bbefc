"""Long jobs in the background (issue 14): an administrator uploads a people file and watches it being checked,
then reads the preview; a reviewer presses «Рассчитать» and watches the computation's steps, then the results.

The live server has no Celery worker of its own: the test does the worker's part (tests/background.py runs
the waiting jobs through their tasks, as a worker would, or one task in a thread while the page polls).
"""

import os
import threading

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from growth.models import Route
from monitoring import rules
from monitoring.models import Computation, MonitoringCampaign
from monitoring.tasks import compute_campaign
from tests.background import run_waiting_jobs
from tests.conftest import PASSWORD
from tests.test_import_security import PEOPLE_HEADERS
from tests.test_monitoring_rules import make_set, teachers

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("LONG_JOBS_SHOTS", "test-artifacts/long-jobs")
ROWS = 40


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def login(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Здравствуйте")


def people_file(tmp_path, net):
    wb = Workbook()
    wb.active.append(PEOPLE_HEADERS)
    for i in range(ROWS):
        row = [f"Новикова{i}", "Анна", "Петровна", f"novikova{i}@example.ru", "", "учитель", "kbr", net.school.inn]
        wb.active.append(row)
    path = tmp_path / "педагоги.xlsx"
    wb.save(path)
    return path


def test_admin_watches_a_people_file_being_checked_then_reads_the_preview(net, live_server, page, tmp_path):
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/registers/people/import/")
    page.get_by_label("Файл (.xlsx или .csv)").set_input_files(str(people_file(tmp_path, net)))
    page.get_by_role("button", name="Проверить").click()

    progress = page.locator("#import-progress")
    expect(page.get_by_role("heading", level=1)).to_contain_text("педагоги.xlsx")
    expect(progress).to_contain_text(f"Ждёт проверки: строк в файле — {ROWS}")
    expect(progress).to_contain_text("ничего не записывается, пока вы не подтвердите")
    expect(page.get_by_role("button", name="Загрузить все строки")).to_have_count(0)
    shot(page, "1-import-progress")

    assert run_waiting_jobs() == 1  # the worker checks the file
    # The fragment polls every 2 s; when the check has ended the page reloads with the rows.
    expect(page.locator("main")).to_contain_text(
        f"Новых: {ROWS}, изменится: 0, без изменений: 0, с ошибками: 0.", timeout=10_000
    )
    expect(page.locator("#import-progress")).to_have_count(0)
    expect(page.get_by_role("button", name="Загрузить все строки")).to_be_visible()
    shot(page, "2-import-preview")

    page.get_by_role("button", name="Загрузить все строки").click()
    expect(page.locator(".messages")).to_contain_text("Строки записываются в фоне")
    expect(page.locator("#import-progress")).to_contain_text("одной транзакцией")
    shot(page, "3-import-loading")
    assert run_waiting_jobs() == 1
    expect(page.locator("main")).to_contain_text(f"Записано: новых {ROWS}", timeout=10_000)
    shot(page, "4-import-done")


def test_reviewer_presses_compute_watches_the_steps_then_sees_the_results(net, live_server, page, monkeypatch):
    indicator_set = make_set(
        net.region, ("routes", "routes", {}, {"short_name": "ИОМ"}), ("courses", "courses", {}), mo_kinds=("rmo",)
    )
    people = teachers(net.region, net.terek_rmo, 3)
    Route.objects.create(person=people[0], year=2026, goals="Функциональная грамотность")
    campaign = MonitoringCampaign.objects.create(
        region=net.region, indicator_set=indicator_set, year=2026, root=net.terek, title="Мониторинг РМО 2026"
    )

    # The worker's second rule waits until the test has looked at the page: the progress is seen mid-way.
    looked, waiting = threading.Event(), threading.Event()
    courses = rules.RULES["courses"]

    def held(scope, keys, params, compute=courses.compute):
        waiting.set()
        assert looked.wait(30)
        return compute(scope, keys, params)

    monkeypatch.setattr(courses, "compute", held)

    login(page, live_server.url, "reviewer")
    page.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text("ещё не рассчитана")
    page.get_by_role("button", name="Рассчитать").click()

    progress = page.locator("#compute-progress")
    expect(page.locator(".messages")).to_contain_text("Расчёт запущен в фоне")
    expect(progress).to_contain_text("В очереди")
    shot(page, "5-compute-queued")

    job = Computation.objects.get(campaign=campaign)
    worker = threading.Thread(target=compute_campaign, args=(campaign.pk, job.day.isoformat()))
    worker.start()
    try:
        assert waiting.wait(30)
        expect(progress).to_contain_text("Выполнено шагов: 2 из 4 — Показатель «courses»", timeout=10_000)
        shot(page, "6-compute-running")
    finally:
        looked.set()
        worker.join(60)
    # Ended: the page reloads with the results and how the computation ended.
    expect(page.locator("main")).to_contain_text("Последний расчёт", timeout=10_000)
    expect(page.locator("#compute-progress")).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text=net.terek_rmo.name)).to_be_visible()
    shot(page, "7-compute-done")
    job.refresh_from_db()
    assert job.status == Computation.Status.DONE and job.steps_done == job.steps_total == 4
