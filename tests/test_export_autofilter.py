"""Every exported sheet (issue 12) has a frozen header row and an autofilter over its table; the
campaign dashboard's file carries the dashboard's «Итоги по нижестоящим» too."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from growth.models import Route
from registers.base import REGISTRY
from submissions import dashboard

from .test_monitoring_rules import YEAR, make_campaign, make_set, teachers
from .test_needs_survey import answered  # noqa: F401 - a fixture
from .workflow import AFTER_DUE, OPEN_DAY, freeze, report_campaign, submitted

pytestmark = pytest.mark.django_db


def workbook(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def assert_filtered(ws, header_row: int):
    """The filter spans the header and every row below it, every column; the header is frozen."""
    ref = ws.auto_filter.ref
    assert ref, f"no autofilter on «{ws.title}»"
    start, end = ref.split(":")
    assert start == f"A{header_row}"
    assert end == f"{ws.cell(header_row, ws.max_column).column_letter}{ws.max_row}"
    assert ws.freeze_panes and int("".join(c for c in ws.freeze_panes if c.isdigit())) == header_row + 1


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_every_register_export_has_a_filter_and_a_frozen_header(net, login, code):
    ws = workbook(login(net.users.admin).get(reverse("registers:export", args=[code]))).active
    assert_filtered(ws, 1)


def test_the_import_template_freezes_its_header(net, login):
    response = login(net.users.admin).get(reverse("registers:import_template", args=["schools"]))
    assert workbook(response).active.freeze_panes == "A2"


@pytest.fixture
def report(net):
    return report_campaign(net)


def test_the_campaign_export_has_a_filter_and_the_dashboard_totals(client, net, report, monkeypatch):
    submitted(report, net.terek, net.users.secretary, day=OPEN_DAY)
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    wb = workbook(client.get(reverse("submissions:campaign_export", args=[report.pk])))
    assert wb.sheetnames == ["Свод", "Итоги"]
    assert_filtered(wb["Свод"], 2)
    lines = list(wb["Итоги"].iter_rows(min_row=2, values_only=True))
    header, body = lines[0], {line[0]: line for line in lines[1:]}
    assert header[:6] == ("Уровень", "Ожидается", "Представлено", "Представлено, %", "В срок", "В срок, %")
    # The same figures as the dashboard page's summary table, level by level and «Всего».
    shown = dashboard.summary(report, net.rumo, net.users.reviewer, AFTER_DUE)
    for s in [*shown["levels"], shown["overall"]]:
        expected = (
            s["label"],
            s["total"],
            s["submitted"],
            s["completeness"],
            s["in_time"],
            s["on_time"],
            *[n for _, _, n in s["states"]],
        )
        assert body[s["label"]] == expected, (body, expected)
    assert body["Всего"][1] == 5 and body["Всего"][2] == 1


@pytest.fixture
def monitoring(net):
    indicator_set = make_set(
        net.region,
        ("routes", "routes", {}, {"short_name": "ИОМ"}),
        ("assessment", "", {}, {"short_name": "Оценка компетенций"}),
    )
    people = teachers(net.region, net.terek_rmo, 4)
    Route.objects.create(person=people[0], year=YEAR, goals="ИОМ")
    return make_campaign(indicator_set, net.terek, today=datetime.date.today())


def test_the_monitoring_export_sheets_have_filters(net, login, monitoring):
    wb = workbook(login(net.users.reviewer).get(reverse("monitoring:export", args=[monitoring.pk])))
    assert_filtered(wb["Итоги"], 2)
    assert_filtered(wb["Значения"], 1)


def test_the_needs_survey_export_sheets_have_filters(net, login, answered):  # noqa: F811
    survey, _ = answered
    wb = workbook(login(net.users.methodist).get(reverse("growth:survey_export", args=[survey.pk])))
    for ws in wb.worksheets:
        assert_filtered(ws, 2)
