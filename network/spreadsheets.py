"""What every Excel/CSV file the portal writes shares: cells that never run as formulas, and
workbooks written to a temporary file so that memory does not grow with the rows."""

import datetime
import tempfile

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A spreadsheet runs a cell that starts with one of these as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
BOLD = Font(bold=True)


def neutralise(value):
    """A text cell never starts a formula: such a value gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def temporary_workbook(write, *args):
    """Call write(*args, file) on a temporary file (deleted when closed) and return it at its start.

    Not a `with`: the FileResponse that sends the file closes it."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    try:
        write(*args, handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def cell(ws, value, *, bold=False, number_format=None):
    """One cell of a write-only sheet: text neutralised, dates in the Russian format (Excel cannot
    store a time zone: a datetime is written as its wall-clock time), headers bold.

    A value that needs no style goes out as it is: a styled cell object costs memory per cell."""
    value = neutralise(value)
    if isinstance(value, datetime.datetime):
        value, number_format = value.replace(tzinfo=None), number_format or DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        number_format = number_format or DATE_FORMAT
    if not bold and not number_format:
        return value
    styled = WriteOnlyCell(ws, value=value)
    if bold:
        styled.font = BOLD
    if number_format:
        styled.number_format = number_format
    return styled


def set_widths(ws, widths) -> None:
    """Column widths from the first column on (in characters)."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
