"""The demo regional administrator exports the people register, changes one phone in Excel and loads
the file back: the preview shows that one change, old → new, and every other row «без изменений»."""

import io
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import expect

from people.models import Person
from tests.background import run_waiting_jobs

pytestmark = pytest.mark.django_db(transaction=True)

DEMO_PASSWORD = "metodset-demo"
NEW_PHONE = "+7 928 555-12-34"
SHOTS = "test-artifacts/roundtrip"


def shot(page, name, full_page=True):
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=full_page)


def open_registers(page):
    link = page.get_by_role("link", name="Реестры", exact=True)
    if not link.is_visible():  # under «Ещё» in the menu bar
        page.get_by_role("button", name="Ещё").click()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Реестры")


def change_one_phone(content: bytes) -> tuple[bytes, str, str, int]:
    """The file with the first filled phone changed: (file, e-mail, old phone, data rows)."""
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    header = [c.value for c in ws[1]]
    email, old = None, None
    for row in ws.iter_rows(min_row=2):
        phone = row[header.index("Телефон")]
        if phone.value:
            email, old = row[header.index("E-mail")].value, phone.value
            phone.value = NEW_PHONE
            break
    assert email, "в выгрузке нет ни одного телефона"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), email, old, ws.max_row - 1


def test_admin_exports_edits_and_loads_back_the_people_register(live_server, page, tmp_path):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    call_command("load_demo_network", "--date", "2026-11-24", stdout=io.StringIO())

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    open_registers(page)
    shot(page, "1-registers")

    people_row = page.get_by_role("row").filter(has_text=re.compile(r"^\s*Педагоги"))
    with page.expect_download() as download_info:
        people_row.get_by_role("link", name=".xlsx").click()
    download = download_info.value
    assert download.suggested_filename.startswith("people-") and download.suggested_filename.endswith(".xlsx")
    exported = tmp_path / "people.xlsx"
    download.save_as(exported)

    # In «Excel»: one phone changed, nothing else touched.
    content, email, old_phone, rows = change_one_phone(exported.read_bytes())
    edited = tmp_path / "people-edited.xlsx"
    edited.write_bytes(content)
    assert not old_phone.startswith("'")  # the export writes the phone as it is

    people_row.get_by_role("link", name="Загрузить из файла").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Загрузка реестра «Педагоги»")
    expect(page.get_by_text("Пустая ячейка — «не менять»")).to_be_visible()
    page.get_by_label("Файл (.xlsx или .csv)").set_input_files(str(edited))
    shot(page, "2-import-form")
    page.get_by_role("button", name="Проверить").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("people-edited.xlsx")
    # The file is checked by a worker (issue 14); the page follows it and reloads when the check ends.
    expect(page.locator("#import-progress")).to_contain_text(f"строк в файле — {rows}")
    assert run_waiting_jobs() == 1
    summary = page.locator("main p").filter(has_text="Новых:")
    expect(summary).to_contain_text(f"Новых: 0, изменится: 1, без изменений: {rows - 1}, с ошибками: 0.")
    expect(page.get_by_text("Столбцы, которые загрузка не использует, пропущены: «Школа», «Предметы».")).to_be_visible()
    changed = page.get_by_role("row").filter(has_text="изменится")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text(f"Телефон: {old_phone} → {NEW_PHONE}")
    expect(changed).to_contain_text(email)
    shown = page.get_by_role("row").filter(has_text="без изменений")
    assert shown.count() == min(rows - 1, 99)  # the first page of 100 rows, less the changed one
    shot(page, "3-preview", full_page=False)

    # The one change, without the unchanged rows around it.
    page.get_by_role("link", name="только новые, изменённые и с ошибками").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text(f"Телефон: {old_phone} → {NEW_PHONE}")
    shot(page, "4-changes-only")

    page.get_by_role("button", name="Загрузить все строки").click()
    expect(page.locator(".messages")).to_contain_text("Строки записываются в фоне")
    assert run_waiting_jobs() == 1
    expect(page.locator("main")).to_contain_text(f"Записано: новых 0, изменено 1, без изменений {rows - 1}.")
    expect(page.get_by_role("link", name="Что записала загрузка: изменения по строкам")).to_be_visible()
    shot(page, "5-done", full_page=False)
    assert Person.objects.get(email=email).phone == NEW_PHONE
