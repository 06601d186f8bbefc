"""The campaign dashboard as an Excel workbook: the same rows, written as they are read, with a
filter on the header; and the dashboard's «Итоги по нижестоящим» (by level and «Всего») on a
sheet of their own, counted over the same rows while they are written."""

from django.utils import timezone
from openpyxl import Workbook

from network.spreadsheets import cell, filter_header, set_widths, temporary_workbook

from .dashboard import DASH_STATE_LABELS, DASH_STATES, LEVELS, pct

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
TOTALS_SHEET = "Итоги"
TOTAL_LABEL = "Всего"


def timeliness(row) -> str:
    if row.on_time is None:
        return ""
    return "в срок" if row.on_time else "с опозданием"


class Totals:
    """The dashboard summary's figures (dashboard.summary) for the rows of the file."""

    def __init__(self):
        self.levels: dict[str, dict] = {}

    def add(self, row) -> None:
        for key in (row.kind.level, None):
            counts = self.levels.setdefault(key, {"total": 0, "submitted": 0, "in_time": 0})
            counts["total"] += 1
            counts["submitted"] += row.submitted_on is not None
            counts["in_time"] += row.on_time is True
            counts[f"n_{row.dash_state}"] = counts.get(f"n_{row.dash_state}", 0) + 1  # «submitted» is a state too

    def lines(self):
        """(label, counts) by level in the dashboard's order, then «Всего»."""
        for code, name in LEVELS:
            if code in self.levels:
                yield name, self.levels[code]
        yield TOTAL_LABEL, self.levels.get(None, {"total": 0, "submitted": 0, "in_time": 0})


def write_totals(ws, heading, totals: Totals) -> None:
    head = ["Уровень", "Ожидается", "Представлено", "Представлено, %", "В срок", "В срок, %"]
    head += [name for _, name in DASH_STATES]
    set_widths(ws, [18, 12, 14, 16, 10, 10, *[16] * len(DASH_STATES)])
    ws.freeze_panes = "B3"
    ws.append([cell(ws, heading, bold=True)])
    ws.append([cell(ws, title, bold=True) for title in head])
    for label, counts in totals.lines():
        bold = label == TOTAL_LABEL
        values = [
            counts["total"],
            counts["submitted"],
            pct(counts["submitted"], counts["total"]),
            counts["in_time"],
            pct(counts["in_time"], counts["total"]),
            *[counts.get(f"n_{code}", 0) for code, _ in DASH_STATES],
        ]
        ws.append([cell(ws, label, bold=bold), *[cell(ws, v, bold=bold) if v is not None else "" for v in values]])


def write_workbook(campaign, unit, rows, approvers: dict, file) -> None:
    """Write the rows (an iterable of dashboard rows) into `file` as an .xlsx workbook."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Свод")
    summary = wb.create_sheet(TOTALS_SHEET)
    set_widths(ws, [width for _, width in COLUMNS])
    ws.freeze_panes = "A3"

    heading = f"{campaign} — {unit}"
    ws.append([cell(ws, heading, bold=True)])
    ws.append([cell(ws, title, bold=True) for title, _ in COLUMNS])
    totals = Totals()
    count = 0
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
        totals.add(row)
        count += 1
    filter_header(ws, 2, len(COLUMNS), count + 2)
    write_totals(summary, heading, totals)
    wb.save(file)


def workbook_file(campaign, unit, rows, approvers: dict):
    """The workbook in a temporary file, positioned at its start."""
    return temporary_workbook(write_workbook, campaign, unit, rows, approvers)
