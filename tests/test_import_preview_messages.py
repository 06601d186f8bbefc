"""The import preview (issue 12): every error of a row at once, each named by the file's column
header, in Russian words; for a changed row, the fields that change, old → new."""

import re

import pytest
from django.urls import reverse

from registers.models import Import

from . import factories as f
from .background import eager_worker  # noqa: F401 (the fixture of pytestmark)
from .test_registers import upload, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_worker")]  # imports run in Celery

PEOPLE = [
    "Фамилия",
    "Имя",
    "Отчество",
    "E-mail",
    "Телефон",
    "Должность",
    "Регион (код)",
    "ИНН школы",
    "Квалификационная категория",
    "Год начала педагогической работы",
]
FIELD_NAMES = ("email", "phone", "school", "region", "qualification_category", "teaching_since", "last_name")


def person_row(**values):
    row = dict.fromkeys(PEOPLE, "")
    row.update({"Фамилия": "Иванова", "Имя": "Анна", "E-mail": "anna@example.ru", "Регион (код)": "kbr"})
    row.update(values)
    return [row[h] for h in PEOPLE]


def preview(client, *rows) -> Import:
    upload(client, "people", xlsx_bytes([PEOPLE, *rows]), "people.xlsx")
    return Import.objects.latest("pk")


def test_every_error_of_a_row_is_shown_at_once_named_by_its_column(net, login):
    row = person_row(
        **{
            "Регион (код)": "xx",
            "ИНН школы": "0000000000",
            "Квалификационная категория": "высочайшая",
            "Год начала педагогической работы": "давно",
        }
    )
    errors = preview(login(net.users.admin), row).rows[0]["errors"]
    columns = sorted(e.split(":")[0] for e in errors)
    assert columns == sorted(
        ["Регион (код)", "ИНН школы", "Квалификационная категория", "Год начала педагогической работы"]
    )


def test_a_refusal_before_the_cells_comes_with_the_cells_errors(net, login):
    # An empty e-mail is refused by the resource before any cell is read: the bad year is still told.
    errors = preview(
        login(net.users.admin), person_row(**{"E-mail": "", "Год начала педагогической работы": "x"})
    ).rows[0]["errors"]
    assert any(e.startswith("E-mail: Укажите e-mail") for e in errors)
    assert any(e.startswith("Год начала педагогической работы: «x» — не целое число") for e in errors)


def test_a_model_check_is_named_by_the_column_too(net, login):
    errors = preview(
        login(net.users.admin), person_row(**{"E-mail": "не-адрес", "Год начала педагогической работы": "x"})
    )
    messages = errors.rows[0]["errors"]
    assert any(m.startswith("E-mail: ") for m in messages) and any(m.startswith("Год начала") for m in messages)


def test_no_field_names_or_english_exception_text_reach_the_user(net, login):
    rows = [
        person_row(**{"Год начала педагогической работы": "1e5000000"}),
        person_row(**{"E-mail": "b@example.ru", "Год начала педагогической работы": "две тысячи"}),
        person_row(**{"E-mail": "c@example.ru", "ИНН школы": "123"}),
    ]
    for row in preview(login(net.users.admin), *rows).rows:
        assert row["errors"]
        for message in row["errors"]:
            assert not re.search(r"[A-Za-z]{4,}", message.replace("E-mail", "")), message
            assert not message.startswith(FIELD_NAMES), message


def test_a_date_that_is_not_a_date_says_how_to_write_it(net, login):
    person = f.PersonFactory(region=net.region, email="m@example.ru")
    f.member(person, net.terek_rmo)
    headers = ["E-mail педагога", "Подразделение (путь)", "Роль", "Срок с", "Срок по", "Выбыл"]
    path = "РУМО КБР / ЦНППМ КБР / Терское МунУМО / РМО учителей математики Терского района"
    upload(
        login(net.users.admin),
        "memberships",
        xlsx_bytes([headers, ["m@example.ru", path, "член", "1 сентября", "", ""]]),
        "m.xlsx",
    )
    errors = Import.objects.latest("pk").rows[0]["errors"]
    assert "Срок с: «1 сентября» — не дата: укажите дату в виде ДД.ММ.ГГГГ (например, 01.09.2026)." in errors


def test_a_changed_row_lists_each_change_old_to_new(net, login):
    f.PersonFactory(
        region=net.region,
        school=net.school,
        last_name="Петрова",
        first_name="Анна",
        middle_name="",
        email="p@example.ru",
        phone="+7 900 000-00-00",
    )
    row = person_row(
        **{
            "Фамилия": "Петрова-Сидорова",
            "E-mail": "p@example.ru",
            "Телефон": "+7 900 111-11-11",
            "Квалификационная категория": "высшая",
        }
    )
    result = preview(login(net.users.admin), row).rows[0]
    assert result["label"] == "изменится"
    assert result["changes"] == [
        ["Фамилия", "Петрова", "Петрова-Сидорова"],
        ["Телефон", "+7 900 000-00-00", "+7 900 111-11-11"],
        ["Квалификационная категория", "без категории", "высшая"],
    ]


def test_the_preview_page_shows_the_changes_and_the_errors(net, login):
    f.PersonFactory(region=net.region, school=net.school, email="p@example.ru", phone="+7 900 000-00-00")
    client = login(net.users.admin)
    upload_ = preview(
        client,
        person_row(**{"E-mail": "p@example.ru", "Телефон": "+7 900 111-11-11"}),
        person_row(**{"E-mail": "q@example.ru", "Год начала педагогической работы": "давно"}),
    )
    page = client.get(reverse("registers:import_preview", args=[upload_.pk])).content.decode()
    assert re.search(r"Телефон:</span>\s*\+7 900 000-00-00 → \+7 900 111-11-11", page)
    assert "Год начала педагогической работы: «давно» — не целое число" in page
