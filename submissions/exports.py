"""The campaign dashboard as an Excel workbook: the same rows, written as they are read."""

from django.utils import timezone
from openpyxl import Workbook

from network.spreadsheets import cell, set_widths, temporary_workbook

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


def timeliness(row) -> str:
    if row.on_time is None:
        return ""
    return "в срок" if row.on_time else "с опозданием"


def write_workbook(campaign, unit, rows, approvers: dict, file) -> None:
    """Write the rows (an iterable of dashboard rows) into `file` as an .xlsx workbook."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Свод")
    set_widths(ws, [width for _, width in COLUMNS])
    ws.freeze_panes = "A3"

    ws.append([cell(ws, f"{campaign} — {unit}", bold=True)])
    ws.append([cell(ws, title, bold=True) for title, _ in COLUMNS])
    for row in rows:
        approver = approvers.get(row.approver_id)
        approved_on = timezone.localdate(row.approved_at) if row.approved_at else None
        ws.append(
            [
                cell(ws, row.name),
                cell(ws, str(row.kind)),
                cell(ws, row.kind.get_level_display()),
                cell(ws, str(row.parent) if row.parent else ""),
                cell(ws, DASH_STATE_LABELS.get(row.dash_state, row.dash_state)),
                cell(ws, row.submitted_on),
                cell(ws, timeliness(row)),
                cell(ws, approved_on),
                cell(ws, str(approver) if approver else ""),
            ]
        )
    wb.save(file)


def workbook_file(campaign, unit, rows, approvers: dict):
    """The workbook in a temporary file, positioned at its start."""
    return temporary_workbook(write_workbook, campaign, unit, rows, approvers)
