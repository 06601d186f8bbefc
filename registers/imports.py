"""Imports: read the file (refusing bad ones with a clear reason), preview every row's outcome in
a dry run, then write all rows in one transaction or none."""

import csv
import io
import re
import zipfile

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .models import Import

ALLOWED_EXTENSIONS = (".xlsx", ".csv")
MAX_ROWS = 50000
OUTCOME_LABELS = {
    "new": "новая запись",
    "update": "изменится",
    "skip": "без изменений",
    "error": "ошибка",
    "invalid": "ошибка",
}
# UTF-8 encodes Cyrillic as a lead byte D0/D1 followed by a continuation byte.
UTF8_CYRILLIC = re.compile(rb"[\xd0\xd1][\x80-\xbf]")


class BadFile(Exception):
    """A file that cannot be read as the register; the message is for the user."""


def max_bytes() -> int:
    return getattr(settings, "REGISTER_IMPORT_MAX_BYTES", 10 * 1024 * 1024)


def check_upload(uploaded) -> None:
    name = (uploaded.name or "").lower()
    if not name.endswith(ALLOWED_EXTENSIONS):
        raise BadFile("Загрузите файл Excel (.xlsx) или CSV (.csv).")
    if uploaded.size > max_bytes():
        raise BadFile(f"Файл больше {max_bytes() // (1024 * 1024)} МБ: разделите его на части.")
    if uploaded.size == 0:
        raise BadFile("Файл пустой.")


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


def read_csv(data: bytes) -> list[list]:
    text = decode_csv(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";"
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def read_xlsx(data: bytes) -> list[list]:
    if not data.startswith(b"PK"):
        raise BadFile("Это не файл Excel (.xlsx): сохраните таблицу в формате .xlsx или CSV.")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        wb.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError):
        raise BadFile("Файл повреждён или это не книга Excel (.xlsx).") from None
    return rows


def read_rows(name: str, data: bytes, register) -> tuple[tablib.Dataset, list[int]]:
    """The rows as a dataset with the register's headers, and each row's number in the file."""
    rows = read_csv(data) if name.lower().endswith(".csv") else read_xlsx(data)
    if not rows:
        raise BadFile("В файле нет строк.")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    expected = register.import_headers()
    missing = [h for h in expected if h not in header]
    unknown = [h for h in header if h and h not in expected]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("нет столбцов: " + ", ".join(f"«{h}»" for h in missing))
        if unknown:
            parts.append("лишние столбцы: " + ", ".join(f"«{h}»" for h in unknown))
        raise BadFile(
            "Заголовки не совпадают с шаблоном реестра — " + "; ".join(parts) + ". Скачайте шаблон и заполните его."
        )
    dataset = tablib.Dataset(headers=header)
    numbers = []
    for number, row in enumerate(rows[1:], start=2):
        values = [("" if v is None else v) for v in row[: len(header)]]
        values += [""] * (len(header) - len(values))
        if all(str(v).strip() == "" for v in values):
            continue
        dataset.append([v.strip() if isinstance(v, str) else v for v in values])
        numbers.append(number)
    if len(numbers) > MAX_ROWS:
        raise BadFile(f"В файле больше {MAX_ROWS} строк: разделите его на части.")
    if not numbers:
        raise BadFile("В файле есть заголовки, но нет ни одной строки с данными.")
    return dataset, numbers


def error_messages(row_result) -> list[str]:
    messages = []
    if row_result.validation_error is not None:
        error = row_result.validation_error
        if hasattr(error, "message_dict"):
            for field, errors in error.message_dict.items():
                for message in errors:
                    messages.append(message if field == "__all__" else f"{field}: {message}")
        else:
            messages.extend(error.messages)
    for error in row_result.errors:
        exc = error.error
        if isinstance(exc, ValidationError):
            messages.extend(exc.messages)
        else:
            messages.append(str(exc))
    return messages


def run(register, user, dataset, numbers, dry_run: bool):
    """Import (or try) every row; returns (rows, totals). Rows: number, outcome, label, errors, values."""
    resource = register.import_resource(user)
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
                "values": [str(v) for v in dataset[index]],
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


def sync_rows() -> int:
    """Up to this many rows a file is checked (and loaded) while the user waits; above, by Celery."""
    return getattr(settings, "REGISTER_IMPORT_SYNC_ROWS", 2000)


def read_upload(upload: Import, register):
    with upload.file.open("rb") as fh:
        data = fh.read()
    return read_rows(upload.original_name, data, register)


def _store_preview(upload: Import, rows, totals, expected=None) -> Import:
    """Record the dry run's outcome; `expected`: only if the row is still in that state (a
    background check of an import cancelled meanwhile records nothing)."""
    status = Import.Status.INVALID if totals.get("error") else Import.Status.PREVIEW
    updated = Import.objects.filter(pk=upload.pk)
    if expected is not None:
        updated = updated.filter(status=expected)
    if updated.update(rows=rows, totals=totals, status=status, touched_at=timezone.now()):
        upload.rows, upload.totals, upload.status = rows, totals, status
    return upload


def check_rows(upload: Import, register, expected=None, dataset=None) -> Import:
    """The dry run: every row's outcome, nothing written."""
    if dataset is None:
        dataset, numbers = read_upload(upload, register)
    else:
        dataset, numbers = dataset
    rows, totals = run(register, upload.user, dataset, numbers, dry_run=True)
    return _store_preview(upload, rows, totals, expected)


def preview(upload: Import, register) -> Import:
    """The dry run, now (the file has been read by `start_preview`, or is read here)."""
    return check_rows(upload, register)


def start_preview(upload: Import, register) -> Import:
    """Read the file (a bad one is refused at once, BadFile), then check a small file now and a
    large one in the background: a 10 000-row dry run outlives the web server's timeout."""
    dataset, numbers = read_upload(upload, register)
    upload.rows_total = len(numbers)
    if upload.rows_total <= sync_rows():
        Import.objects.filter(pk=upload.pk).update(rows_total=upload.rows_total)
        return check_rows(upload, register, dataset=(dataset, numbers))
    from network import jobs

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
    locked = Import.objects.select_for_update().filter(pk=upload.pk, status=expected)
    with transaction.atomic():
        if not locked.exists():
            upload.refresh_from_db(fields=["status"])
            raise ImportRefused(refusal(upload))
        dataset, numbers = read_upload(upload, register)
        sid = transaction.savepoint()
        rows, totals = run(register, upload.user, dataset, numbers, dry_run=False)
        if totals.get("error"):
            transaction.savepoint_rollback(sid)
            upload.status = Import.Status.INVALID
        else:
            transaction.savepoint_commit(sid)
            upload.status = Import.Status.DONE
            upload.finished_at = timezone.now()
        upload.rows, upload.totals = rows, totals
        upload.save(update_fields=["rows", "totals", "status", "finished_at"])
    return upload


def confirm(upload: Import, register) -> Import:
    """Load a checked file: now when it is small, in the background (LOAD) when it was checked there."""
    if not upload.background:
        return write_rows(upload, register)
    from network import jobs

    from .tasks import run_confirm

    now = timezone.now()
    if not Import.objects.filter(pk=upload.pk, status=Import.Status.PREVIEW).update(
        status=Import.Status.LOAD, queued_at=None, touched_at=now
    ):
        upload.refresh_from_db(fields=["status"])
        raise ImportRefused(refusal(upload))
    upload.status, upload.queued_at, upload.touched_at = Import.Status.LOAD, None, now
    jobs.enqueue(run_confirm, upload.pk, job=upload)
    return upload


def template_workbook(register, file) -> None:
    """An empty workbook with the register's import headers."""
    wb = Workbook()
    ws = wb.active
    ws.title = register.title[:31]
    ws.append(register.import_headers())
    for index, _ in enumerate(register.import_headers(), start=1):
        ws.column_dimensions[ws.cell(row=1, column=index).column_letter].width = 24
    wb.save(file)
