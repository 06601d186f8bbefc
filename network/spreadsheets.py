"""What every Excel/CSV file the portal writes shares: cells that never run as formulas (without
visible marks where nothing could run), a filter and a frozen header on every table, and workbooks
written to a temporary file so that memory does not grow with the rows."""

import datetime
import re
import tempfile

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# …but a sign followed only by digits, spaces, brackets, dots, commas and dashes («+7 (900) 000-00-00»,
# «-5», «+1,5») can call no function and reach no other program: it is written as it is.
PLAIN_NUMBER = re.compile(r"[+-][\d\s().,\-]*\Z")
# The mark put in front of a CSV value that would run as a formula; the importer takes it off again.
TEXT_MARK = "'"
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
BOLD = Font(bold=True)


def starts_formula(value) -> bool:
    """Would a spreadsheet run this text (from a CSV, or typed into a cell) as a formula?"""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.match(value)


def neutralise(value):
    """A CSV value never starts a formula: such a value gets a leading apostrophe, as Excel's «text»
    mark. A phone number or a signed number is left alone (nothing in it can run).

    Not for .xlsx: a string cell of a workbook is never a formula (see cell())."""
    if starts_formula(value):
        return TEXT_MARK + value
    return value


def unmark(value):
    """The value as it was before neutralise() (for a cell read back from an exported file)."""
    if isinstance(value, str) and value.startswith(TEXT_MARK) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
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
    """One cell of a write-only sheet: text is always a string cell (openpyxl would make «=…» a
    formula: such a text is typed as a string, shown as it is, with no apostrophe; a text that would
    run as a formula if typed in also carries Excel's own «quote prefix» flag, so that editing the cell
    keeps it text — the apostrophe Excel shows in the formula bar is not part of the value), dates in the
    Russian format (Excel cannot store a time zone: a datetime is written as its wall-clock time in the
    active time zone — the reader's region in a request, the requester's in a background export),
    headers bold.

    A value that needs no style goes out as it is: a styled cell object costs memory per cell."""
    as_text = starts_formula(value)
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value, number_format = value.replace(tzinfo=None), number_format or DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        number_format = number_format or DATE_FORMAT
    if not bold and not number_format and not as_text:
        return value
    styled = WriteOnlyCell(ws, value=value)
    if as_text:
        styled.data_type = "s"
        styled.quotePrefix = True
    if bold:
        styled.font = BOLD
    if number_format:
        styled.number_format = number_format
    return styled


def set_widths(ws, widths) -> None:
    """Column widths from the first column on (in characters)."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def filter_header(ws, header_row: int, columns: int, last_row: int) -> None:
    """An autofilter on the table whose header is `header_row` (call after the last row is
    appended; the header is frozen by `ws.freeze_panes`, set before the first row)."""
    if columns:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{max(last_row, header_row)}"
