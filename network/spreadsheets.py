"""What every Excel/CSV file the portal writes shares: cells that never run as formulas, and
workbooks written to a temporary file so that memory does not grow with the rows."""

import tempfile

# A spreadsheet runs a cell that starts with one of these as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
