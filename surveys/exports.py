"""The needs survey's results as an .xlsx workbook: the plan-schedule suggestion, the MO breakdown
and the (anonymous) difficulties, written row by row as they are read."""

from openpyxl import Workbook

from network.spreadsheets import cell, filter_header, set_widths, temporary_workbook

from . import services
from .models import CourseFormat

UNITS_CHUNK = 500


def write_workbook(survey, file) -> None:
    total, rows = services.topic_results(survey)
    topics = [r.topic for r in rows]
    wb = Workbook(write_only=True)

    def sheet(title, widths):
        ws = wb.create_sheet(title)
        set_widths(ws, widths)
        ws.freeze_panes = "A3"
        return ws

    heading = f"{survey.title} — {survey.unit}, {survey.year} г.; респондентов: {total}"
    formats = [label for _, label in CourseFormat.choices]

    ws = sheet("План-график КПК", [6, 60, 36, 12, 10, *[14] * len(formats), 22])
    ws.append([cell(ws, heading, bold=True)])
    titles = ["№", "Тема", "Область компетенций", "Запросов", "Доля, %", *formats, "Предпочтительный формат"]
    ws.append([cell(ws, t, bold=True) for t in titles])
    number = 0
    for number, row in enumerate(services.plan_schedule(rows), start=1):
        ws.append(
            [
                cell(ws, number),
                cell(ws, row.topic.title),
                cell(ws, row.topic.area),
                cell(ws, row.count),
                cell(ws, row.share),
                *[cell(ws, n) for _, n in row.format_counts()],
                cell(ws, row.preferred_label),
            ]
        )
    filter_header(ws, 2, len(titles), number + 2)

    ws = sheet("По МО", [60, 14, *[16] * len(topics)])
    ws.append([cell(ws, heading, bold=True)])
    ws.append([cell(ws, t, bold=True) for t in ["Подразделение", "Респондентов", *[t.title for t in topics]]])
    written = 0
    unit_list = list(services.unit_breakdown_units(survey))
    for start in range(0, len(unit_list), UNITS_CHUNK):
        part = unit_list[start : start + UNITS_CHUNK]
        counts = services.unit_topic_counts(survey, [u.pk for u in part])
        for unit, respondents, cells in services.unit_rows(part, topics, counts):
            ws.append([cell(ws, str(unit)), cell(ws, respondents), *[cell(ws, n) for n, _ in cells]])
            written += 1
    filter_header(ws, 2, 2 + len(topics), written + 2)

    ws = sheet("Затруднения", [100])
    ws.append([cell(ws, heading, bold=True)])
    ws.append([cell(ws, "Профессиональные затруднения (без имён)", bold=True)])
    written = 0
    for text in (
        survey.answers.exclude(difficulties="").order_by("pk").values_list("difficulties", flat=True).iterator()
    ):
        ws.append([cell(ws, text)])
        written += 1
    filter_header(ws, 2, 1, written + 2)
    wb.save(file)


def workbook_file(survey):
    """The workbook in a temporary file, positioned at its start."""
    return temporary_workbook(write_workbook, survey)
