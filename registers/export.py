"""Writing a register as it is read: rows go from a server-side cursor to the file one by one,
so memory does not grow with the row count (django-import-export's Resource.export() builds a
whole tablib.Dataset first).

The values come from the register's import-export resource (its Russian headers, dehydrate
methods and widgets, with native types so that dates stay dates in Excel). A register that is
also loaded from files writes every lookup column (a school by its INN, a unit by its path, a
person by e-mail, a region by its code) the way its import reads it back: an export loaded back
unchanged changes nothing.
"""

import csv
import datetime
import io

from openpyxl import Workbook

from network.spreadsheets import cell, filter_header, neutralise, set_widths
from orgunits.models import OrgUnit

from .resources import UnitPathWidget, UserWidget

CHUNK_ROWS = 2000
DEFAULT_WIDTH = 18


def headers(register, resource) -> list[str]:
    return resource.get_export_headers()


def lookup_columns(register) -> dict:
    """Import columns of the register that name another record (by header): their import fields."""
    if not register.importable:
        return {}
    resource = register.import_resource_class()
    return {field.column_name: field for field in resource.get_import_fields() if isinstance(field.widget, UserWidget)}


def value_readers(register, resource, queryset) -> list:
    """One function per exported column: the row object → the cell's value."""
    lookups = lookup_columns(register)
    readers = []
    for field in resource.get_export_fields():
        lookup = lookups.get(field.column_name)
        if lookup is not None:
            if isinstance(lookup.widget, UnitPathWidget):
                # Every unit's path from one query, whatever the number of rows and units.
                lookup.widget.paths.load(OrgUnit.objects.filter(pk__in=queryset.order_by().values(lookup.attribute)))
            readers.append(lambda obj, lookup=lookup: lookup.widget.render(lookup.get_value(obj)))
        else:
            readers.append(lambda obj, field=field: resource.export_field(field, obj, force_native_type=True))
    return readers


def iter_rows(register, resource, queryset, trail=None):
    """Export values of each row. A queryset with prefetches still streams:
    Django ≥ 4.1 prefetches per chunk of iterator(chunk_size).

    `trail` (a people.services.ExportAccessLog, for registers of personal data) is told of each row
    before it is handed out and written when the rows end, also when the reader stops early (a
    download cut off midway): every row that may have left is on record."""
    readers = value_readers(register, resource, queryset)
    try:
        for obj in queryset.iterator(chunk_size=CHUNK_ROWS):
            if trail is not None:
                trail.add(obj)
            yield [read(obj) for read in readers]
    finally:
        if trail is not None:
            trail.close()


def write_xlsx(register, resource, queryset, file, progress=None, every=5000, trail=None) -> int:
    """Write the register into `file`; call progress(rows_done) every `every` rows. Returns the count.
    `trail`: the 152-ФЗ log of the people in the file (see iter_rows).

    The header row is frozen and carries an autofilter; text is written as text (no apostrophes)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(register.title[:31])
    names = headers(register, resource)
    set_widths(ws, [register.widths.get(name, DEFAULT_WIDTH) for name in names])
    ws.freeze_panes = "A2"
    ws.append([cell(ws, name, bold=True) for name in names])
    count = 0
    for row in iter_rows(register, resource, queryset, trail):
        ws.append([cell(ws, value) for value in row])
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    filter_header(ws, 1, len(names), count + 1)
    wb.save(file)
    return count


def csv_value(value):
    """A value as CSV text; one that a spreadsheet would run as a formula gets Excel's text mark."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return "да" if value else "нет"
    return neutralise(value)


def csv_chunks(register, resource, queryset, rows_per_chunk=500, progress=None, trail=None):
    """CSV as Russian Excel opens it: UTF-8 with a BOM, «;» between values. Yields bytes;
    progress(rows_done) is called after each chunk. `trail`: the 152-ФЗ log (see iter_rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    writer.writerow(headers(register, resource))
    pending = done = 0
    for row in iter_rows(register, resource, queryset, trail):
        writer.writerow([csv_value(v) for v in row])
        pending += 1
        if pending >= rows_per_chunk:
            done += pending
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
            if progress is not None:
                progress(done)
    if progress is not None:
        progress(done + pending)
    yield buffer.getvalue().encode("utf-8")
