"""The campaign dashboard as an Excel workbook: the same rows, written as they are read."""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from network.spreadsheets import neutralise, temporary_workbook

from .dashboard import DASH_STATE_LABELS

COLUMNS = [
    ("Подразделение", 60),
    ("Вид", 14),
    ("Уровень", 16),
    ("Вышестоящее", 40),
    ("Состояние", 18),
    ("Представлен", 14),
    ("Своевременность", 18),
    ("Согласован", 14),
    ("Согласующее", 30),
]
DATE_FORMAT = "DD.MM.YYYY"


def timeliness(row) -> str:
    if row.on_time is None:
        return ""
    return "в срок" if row.on_time else "с опозданием"


def write_workbook(campaign, unit, rows, approvers: dict, file) -> None:
    """Write the rows (an iterable of dashboard rows) into `file` as an .xlsx workbook."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Свод")
    for index, (_, width) in enumerate(COLUMNS):
        ws.column_dimensions[chr(ord("A") + index)].width = width
    ws.freeze_panes = "A3"

    def cell(value, date=False, bold=False):
        c = WriteOnlyCell(ws, value=neutralise(value))
        if date:
            c.number_format = DATE_FORMAT
        if bold:
            c.font = Font(bold=True)
        return c

    ws.append([cell(f"{campaign} — {unit}", bold=True)])
    ws.append([cell(title, bold=True) for title, _ in COLUMNS])
    for row in rows:
        approver = approvers.get(row.approver_id)
        approved_on = timezone.localdate(row.approved_at) if row.approved_at else None
        ws.append(
            [
                cell(row.name),
                cell(str(row.kind)),
                cell(row.kind.get_level_display()),
                cell(str(row.parent) if row.parent else ""),
                cell(DASH_STATE_LABELS.get(row.dash_state, row.dash_state)),
                cell(row.submitted_on, date=True),
                cell(timeliness(row)),
                cell(approved_on, date=True),
                cell(str(approver) if approver else ""),
            ]
        )
    wb.save(file)


def workbook_file(campaign, unit, rows, approvers: dict):
    """The workbook in a temporary file, positioned at its start."""
    return temporary_workbook(write_workbook, campaign, unit, rows, approvers)
