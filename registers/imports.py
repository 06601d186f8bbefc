"""Imports: read the file (refusing bad ones with a clear reason), preview every row's outcome in
a dry run, then write all rows in one transaction or none."""

import csv
import datetime
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import ParseError

import tablib
from defusedxml import DefusedXmlException
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from history.context import Via, acting, import_request_id
from history.context import current as current_actor
from network import jobs
from network.spreadsheets import BOLD, set_widths, unmark

from .models import Import
from .resources import CLEAR_MARKER

log = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = (".xlsx", ".csv")
MAX_ROWS = 50000
# More than any register has: a row is read no wider than this, whatever width the sheet declares
# (a declared A1:XFD1048576 would otherwise pad every row to 16 384 cells).
MAX_COLUMNS = 64
# The last row Excel can have: a sheet that numbers its rows further is forged.
EXCEL_MAX_ROW = 1_048_576
# An .xlsx is a zip of a dozen XML parts; thousands of parts is not a workbook.
MAX_PARTS = 500
# Real workbooks compress 5–20 times; a zip bomb, hundreds or thousands of times.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
# NUL can be stored nowhere (PostgreSQL text and jsonb refuse it): a cell with it is shown with
# this sign in the preview and its row is refused (resources.UserResource.import_row).
NUL_SIGN = "\u2400"
# A DTD in an XML part means entities (billion laughs) or external files (XXE): never in a workbook.
DTD_MARKERS = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
SCAN_CHUNK = 1024 * 1024
OUTCOME_LABELS = {
    "new": "новая запись",
    "update": "изменится",
    "skip": "без изменений",
    "error": "ошибка",
    "invalid": "ошибка",
}
# UTF-8 encodes Cyrillic as a lead byte D0/D1 followed by a continuation byte.
UTF8_CYRILLIC = re.compile(rb"[\xd0\xd1][\x80-\xbf]")

BROKEN_XLSX = "Файл повреждён или это не книга Excel (.xlsx): откройте его в Excel и сохраните заново как .xlsx."
FORBIDDEN_XML = (
    "В файле есть объявления DTD/сущностей XML, которых не бывает в книгах Excel (так устроены атаки на сервер): "
    "файл не принят. Откройте таблицу в Excel и сохраните её заново как .xlsx."
)


class BadFile(Exception):
    """A file that cannot be read as the register; the message is for the user."""


def max_bytes() -> int:
    return getattr(settings, "REGISTER_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


def max_unpacked_bytes() -> int:
    """The most an .xlsx may hold unpacked: 50 000 rows of a register are about 40 MB of XML."""
    return getattr(settings, "REGISTER_IMPORT_MAX_UNPACKED_BYTES", 100 * 1024 * 1024)


def too_many_rows() -> BadFile:
    return BadFile(f"В файле больше {MAX_ROWS} строк: разделите его на части.")


def check_upload(uploaded) -> None:
    name = uploaded.name or ""
    if not name.lower().endswith(ALLOWED_EXTENSIONS):
        raise BadFile("Загрузите файл Excel (.xlsx) или CSV (.csv).")
    if uploaded.size > max_bytes():
        raise BadFile(f"Файл больше {max_bytes() // (1024 * 1024)} МБ: разделите его на части.")
    if uploaded.size == 0:
        raise BadFile("Файл пустой.")
    if name.lower().endswith(".xlsx"):
        # Refused before it is stored or parsed: a zip bomb costs a look at the zip's table only.
        uploaded.seek(0)
        try:
            check_xlsx(uploaded)
        finally:
            uploaded.seek(0)


def check_xlsx(fileobj) -> None:
    """Refuse an .xlsx that would cost too much to open, or whose XML declares a DTD, before any
    XML is parsed. The sizes are the zip's own: Python's zipfile never unpacks more than a part
    declares, so the declared sizes bound the work."""
    head = fileobj.read(2)
    fileobj.seek(0)
    if head != b"PK":
        raise BadFile("Это не файл Excel (.xlsx): сохраните таблицу в формате .xlsx или CSV.")
    try:
        with zipfile.ZipFile(fileobj) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise BadFile(BROKEN_XLSX)
            unpacked = sum(part.file_size for part in parts)
            if unpacked > max_unpacked_bytes():
                raise BadFile(
                    f"Книга Excel в распакованном виде больше {max_unpacked_bytes() // (1024 * 1024)} МБ: "
                    "разделите таблицу на несколько файлов."
                )
            for part in parts:
                if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
                    raise BadFile(
                        "Файл сжат подозрительно сильно (так выглядят «zip-бомбы»): он не принят. "
                        "Откройте таблицу в Excel и сохраните её заново как .xlsx."
                    )
            for part in parts:
                # The parts openpyxl parses as XML; an embedded SVG picture may carry a harmless DOCTYPE.
                if part.filename.lower().endswith((".xml", ".rels")):
                    scan_for_dtd(archive, part)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError):
        # NotImplementedError: an unknown compression method; OSError/EOFError: a truncated zip.
        raise BadFile(BROKEN_XLSX) from None


def scan_for_dtd(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """A DTD in any part refuses the file (also checked by defusedxml while parsing; this one gives
    the reason and does not depend on which XML parser openpyxl picked)."""
    overlap = max(len(marker) for marker in DTD_MARKERS) - 1
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(SCAN_CHUNK):
            window = tail + chunk
            if any(marker in window for marker in DTD_MARKERS):
                raise BadFile(FORBIDDEN_XML)
            tail = window[-overlap:]


def decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if UTF8_CYRILLIC.search(data):
            raise BadFile(
                "В файле смешаны кодировки (часть строк в UTF-8, часть — в другой). "
                "Сохраните его заново как «CSV UTF-8»."
            ) from None
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError:
        raise BadFile("Не удалось прочитать текст файла: сохраните его как «CSV UTF-8».") from None


def _cell(value):
    if isinstance(value, str) and "\x00" in value:
        return value.replace("\x00", NUL_SIGN)
    return value


def _trimmed(values) -> list:
    """The row's cells up to the last filled one (NUL marked); [] for a blank row."""
    if values.count(None) == len(values):
        return []  # the common blank row (and a forged sheet's millions of them) at C speed
    row = [_cell(v) for v in values]
    while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
        row.pop()
    return row


def iter_csv(data: bytes) -> Iterator[tuple[int, list]]:
    """(number, cells) of every row that is not blank; the number counts records as the file has them."""
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    number, filled = 0, 0
    try:
        for number, values in enumerate(reader, start=1):
            row = _trimmed(values)
            if row:
                filled += 1
                if filled > MAX_ROWS + 1:
                    raise too_many_rows()
                yield number, row
    except csv.Error:
        # The csv module's own limit on a cell (csv.field_size_limit, 128 KiB), or a broken quote.
        raise BadFile(
            f"Не удалось прочитать строку {number + 1} файла: в ней слишком длинное значение или "
            "незакрытая кавычка. Проверьте эту строку или сохраните таблицу как .xlsx."
        ) from None


def iter_xlsx(data: bytes) -> Iterator[tuple[int, list]]:
    """(number, cells) of every row of the first sheet that is not blank, read as a stream."""
    check_xlsx(io.BytesIO(data))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            # The declared dimension may lie: read every row that is there, no wider than MAX_COLUMNS.
            ws.reset_dimensions()
            filled = 0
            for number, values in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
                if number > EXCEL_MAX_ROW:
                    raise BadFile(BROKEN_XLSX)
                row = _trimmed(values)
                if row:
                    filled += 1
                    if filled > MAX_ROWS + 1:
                        raise too_many_rows()
                    yield number, row
        finally:
            wb.close()
    except DefusedXmlException:
        raise BadFile(FORBIDDEN_XML) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError, ParseError):
        # ParseError: not well-formed XML (a raw NUL byte, say); openpyxl wraps some as ValueError.
        raise BadFile(BROKEN_XLSX) from None


def read_csv(data: bytes) -> list[list]:
    """The non-blank rows of a CSV file (see iter_csv for their numbers)."""
    return [row for _, row in iter_csv(data)]


def read_xlsx(data: bytes) -> list[list]:
    """The non-blank rows of the first sheet (see iter_xlsx for their numbers)."""
    return [row for _, row in iter_xlsx(data)]


def _names(headers: list[str]) -> str:
    shown = [f"«{h[:60]}»" for h in headers[:10]]
    more = f" и ещё {len(headers) - 10}" if len(headers) > 10 else ""
    return ", ".join(shown) + more


def read_rows(name: str, data: bytes, register) -> tuple[tablib.Dataset, list[int]]:
    """The rows as a dataset with the register's import headers, and each row's number in the file.

    Columns the import does not use (an export's «Школа», «ФИО»…) are left out, wherever they
    stand; a missing import column refuses the file. Blank rows are skipped (the numbers still
    count them); a row holding NUL keeps it as NUL_SIGN and is refused row by row. Excel's text mark
    that an export puts in front of a formula-like CSV value is taken off."""
    rows = iter_csv(data) if name.lower().endswith(".csv") else iter_xlsx(data)
    first = next(rows, None)
    if first is None:
        raise BadFile("В файле нет строк.")
    header = [str(h).strip() if h is not None else "" for h in first[1]]
    expected = register.import_headers()
    missing = [h for h in expected if h not in header]
    if missing:
        raise BadFile(
            "Заголовки не совпадают с шаблоном реестра — нет столбцов: "
            + _names(missing)
            + ". Скачайте шаблон или выгрузку реестра и заполните её."
        )
    positions = [header.index(h) for h in expected]  # the first column of that name
    dataset = tablib.Dataset(headers=expected)
    ignored = list(dict.fromkeys(h for h in header if h and h not in expected))
    dataset.ignored_columns = _names(ignored) if ignored else ""
    numbers = []
    for number, row in rows:
        values = [_value(row[i]) if i < len(row) else "" for i in positions]
        if all(str(v).strip() == "" for v in values):
            continue
        dataset.append(values)
        numbers.append(number)
    if len(numbers) > MAX_ROWS:
        raise too_many_rows()
    if not numbers:
        raise BadFile("В файле есть заголовки, но нет ни одной строки с данными.")
    return dataset, numbers


def _value(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return unmark(value.strip())
    return value


SERVER_ERROR = (
    "Строку не удалось обработать из-за ошибки на сервере. Проверьте значения строки; "
    "если ошибка повторится, сообщите администратору."
)


def error_messages(row_result) -> list[str]:
    """Every error of the row, each named by the file's column («Телефон: …»)."""
    messages = []
    if row_result.validation_error is not None:
        error = row_result.validation_error
        if hasattr(error, "message_dict"):
            for field, errors in error.message_dict.items():
                for message in errors:
                    messages.append(message if field == NON_FIELD_ERRORS else f"{field}: {message}")
        else:
            messages.extend(error.messages)
    for error in row_result.errors:
        exc = error.error
        if isinstance(exc, ValidationError):
            messages.extend(exc.messages)
        elif type(exc) is ValueError:
            messages.append(str(exc))  # the lookups' own words («Подразделение … не найдено …»)
        else:
            log.error("import row failed: %r", exc, exc_info=exc)
            messages.append(SERVER_ERROR)
    return messages


def _attribute_rows(resource, numbers, progress=None) -> None:
    """Each row's history entries name the row of the file they came from (history.context); each row
    done advances the job's progress (network.jobs.Progress), when there is one."""
    import_row = resource.import_row

    def attributed(row, instance_loader, **kwargs):
        n = kwargs.get("row_number") or 0
        line = numbers[n - 1] if 0 < n <= len(numbers) else n
        with acting(detail=f"{current_actor().detail}, строка {line}"):
            result = import_row(row, instance_loader, **kwargs)
        if progress is not None:
            progress.advance()
        return result

    resource.import_row = attributed


def shown(value) -> str:
    """A cell as the preview shows it (a date read from Excel as a date, not «2026-09-01 00:00:00»)."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y %H:%M") if value.time() != datetime.time(0) else value.strftime("%d.%m.%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def run(register, user, dataset, numbers, dry_run: bool, progress=None):
    """Import (or try) every row; returns (rows, totals). Rows: number, outcome, label, errors, values."""
    resource = register.import_resource(user)
    _attribute_rows(resource, numbers, progress)
    result = resource.import_data(dataset, dry_run=dry_run, use_transactions=True, raise_errors=False)
    rows, totals = [], {"new": 0, "update": 0, "skip": 0, "error": 0}
    for index, row_result in enumerate(result.rows):
        outcome = row_result.import_type
        errors = error_messages(row_result) if outcome in ("error", "invalid") else []
        outcome = "error" if errors or outcome in ("error", "invalid") else outcome
        totals[outcome] = totals.get(outcome, 0) + 1
        rows.append(
            {
                "row": numbers[index] if index < len(numbers) else index + 2,
                "outcome": outcome,
                "label": OUTCOME_LABELS.get(outcome, outcome),
                "errors": errors or ([] if outcome != "error" else ["Строку не удалось обработать."]),
                "values": [shown(v) for v in dataset[index]],
                "changes": getattr(row_result, "changes", []) if outcome == "update" else [],
            }
        )
    # Errors of the whole file (e.g. a broken header) come without a row.
    for error in getattr(result, "base_errors", []):
        totals["error"] += 1
        rows.append({"row": 0, "outcome": "error", "label": "ошибка", "errors": [str(error.error)], "values": []})
    return rows, totals


CHECK_FAILED = (
    "Проверка файла прервалась из-за ошибки на сервере: ничего не записано. "
    "Загрузите файл ещё раз; если ошибка повторится, сообщите администратору."
)
LOAD_FAILED = (
    "Загрузка прервалась из-за ошибки на сервере: ничего не записано. "
    "Загрузите файл ещё раз; если ошибка повторится, сообщите администратору."
)


def read_upload(upload: Import, register):
    with upload.file.open("rb") as fh:
        data = fh.read()
    return read_rows(upload.original_name, data, register)


def _store_preview(upload: Import, rows, totals, expected=None, ignored="") -> Import:
    """Record the dry run's outcome; `expected`: only if the row is still in that state (a
    background check of an import cancelled meanwhile records nothing)."""
    status = Import.Status.INVALID if totals.get("error") else Import.Status.PREVIEW
    updated = Import.objects.filter(pk=upload.pk)
    if expected is not None:
        updated = updated.filter(status=expected)
    done = len(rows)
    fields = {"rows": rows, "totals": totals, "status": status, "ignored_columns": ignored, "rows_done": done}
    if updated.update(**fields, touched_at=timezone.now()):
        upload.rows, upload.totals, upload.status, upload.ignored_columns = rows, totals, status, ignored
        upload.rows_done = done
    return upload


def check_rows(upload: Import, register, expected=None) -> Import:
    """The dry run: every row's outcome, nothing written; rows checked so far in `rows_done` as it goes."""
    dataset, numbers = read_upload(upload, register)
    progress = jobs.Progress(Import, upload.pk, len(numbers))
    progress.start()
    rows, totals = run(register, upload.user, dataset, numbers, dry_run=True, progress=progress)
    return _store_preview(upload, rows, totals, expected, getattr(dataset, "ignored_columns", ""))


def preview(upload: Import, register) -> Import:
    """The dry run, now (a worker's; tests)."""
    return check_rows(upload, register)


def start_preview(upload: Import, register) -> Import:
    """Read the file (a bad one is refused at once, BadFile), then check it in the background (queue
    «exports»): a 5 000-row dry run takes longer than a request may, and holds a web worker meanwhile."""
    _, numbers = read_upload(upload, register)
    upload.rows_total = len(numbers)
    from .tasks import run_preview

    upload.status, upload.background, upload.touched_at = Import.Status.CHECK, True, timezone.now()
    upload.save(update_fields=["rows_total", "status", "background", "touched_at"])
    jobs.enqueue(run_preview, upload.pk, job=upload)
    return upload


class ImportRefused(Exception):
    pass


def refusal(upload: Import) -> str:
    """Why this import cannot be confirmed now, in words for its page."""
    return {
        Import.Status.CHECK: "Файл ещё проверяется: дождитесь конца проверки, затем подтвердите загрузку.",
        Import.Status.CHECKING: "Файл ещё проверяется: дождитесь конца проверки, затем подтвердите загрузку.",
        Import.Status.LOAD: "Загрузка уже запущена: дождитесь её окончания.",
        Import.Status.LOADING: "Загрузка уже запущена: дождитесь её окончания.",
        Import.Status.FAILED: "Проверка файла не завершилась: его нельзя загрузить. Загрузите файл заново.",
    }.get(upload.status, "Эта загрузка уже выполнена, отменена или содержит ошибки.")


def write_rows(upload: Import, register, expected=Import.Status.PREVIEW) -> Import:
    """Write all rows in one transaction, or nothing when any row fails (the file or the data may
    have changed since the preview, so the rows are checked again)."""
    # Not locked FOR UPDATE: the worker claimed it (LOAD → LOADING, network.jobs.claim), so no other run writes
    # it, and its progress is written on this row from a second connection (network.jobs.report) meanwhile.
    claimed = Import.objects.filter(pk=upload.pk, status=expected)
    with transaction.atomic():
        if not claimed.exists():
            upload.refresh_from_db(fields=["status"])
            raise ImportRefused(refusal(upload))
        dataset, numbers = read_upload(upload, register)
        progress = jobs.Progress(Import, upload.pk, len(numbers))
        progress.start()
        sid = transaction.savepoint()
        # What the rows write is the import's, on behalf of its author; its trace page reads it back.
        with acting(
            user=upload.user, via=Via.IMPORT, detail=f"загрузка № {upload.pk}", request_id=import_request_id(upload.pk)
        ):
            rows, totals = run(register, upload.user, dataset, numbers, dry_run=False, progress=progress)
        if totals.get("error"):
            transaction.savepoint_rollback(sid)
            upload.status = Import.Status.INVALID
        else:
            transaction.savepoint_commit(sid)
            upload.status = Import.Status.DONE
            upload.finished_at = timezone.now()
        upload.rows, upload.totals, upload.rows_done = rows, totals, len(rows)
        upload.save(update_fields=["rows", "totals", "status", "finished_at", "rows_done"])
    return upload


def confirm(upload: Import, register) -> Import:
    """Load a checked file in the background (LOAD → a worker's write_rows), every file: the load checks
    every row again and writes them in one transaction."""
    from .tasks import run_confirm

    now = timezone.now()
    if not Import.objects.filter(pk=upload.pk, status=Import.Status.PREVIEW).update(
        status=Import.Status.LOAD, queued_at=None, touched_at=now, rows_done=0, background=True
    ):
        upload.refresh_from_db(fields=["status"])
        raise ImportRefused(refusal(upload))
    upload.status, upload.queued_at, upload.touched_at, upload.rows_done = Import.Status.LOAD, None, now, 0
    jobs.enqueue(run_confirm, upload.pk, job=upload)
    return upload


HOW_TO_FILL = [
    "Первая строка — заголовки столбцов, как на листе с реестром; их порядок не важен.",
    "Лишние столбцы (например, из выгрузки реестра) не мешают: при загрузке они пропускаются.",
    "Можно загрузить выгрузку реестра, исправив в ней нужные ячейки: неизменённые строки останутся «без изменений».",
    "Пустая ячейка — «не менять»: значение в портале останется прежним.",
    f"Чтобы стереть значение, напишите в ячейке {CLEAR_MARKER} (со скобками).",
    "Даты — в виде ДД.ММ.ГГГГ (например, 01.09.2026) или ячейкой с датой Excel.",
    "Перед записью портал покажет, что станет с каждой строкой: новая запись, что изменится "
    "(было → станет), без изменений или ошибки. Запишутся все строки сразу или ни одной.",
]


def template_workbook(register, file) -> None:
    """An empty workbook with the register's import headers, and a sheet «Как заполнять»."""
    wb = Workbook()
    ws = wb.active
    ws.title = register.title[:31]
    ws.append(register.import_headers())
    for header in ws[1]:
        header.font = BOLD
    ws.freeze_panes = "A2"
    set_widths(ws, [24] * len(register.import_headers()))
    notes = wb.create_sheet("Как заполнять")
    notes.append(["Как заполнять"])
    notes["A1"].font = BOLD
    for line in HOW_TO_FILL:
        notes.append([line])
    set_widths(notes, [120])
    wb.save(file)
