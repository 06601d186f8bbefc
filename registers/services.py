"""Exports: one rule for «now or in the background» and one audit record per export."""

import logging
import tempfile
from operator import attrgetter

from django.conf import settings
from django.core.files import File
from django.utils import timezone

from people.models import PersonalDataAccess
from people.services import ExportAccessLog

from . import export as writer
from .base import get_register
from .models import Export, Format

log = logging.getLogger(__name__)


def sync_limit() -> int:
    """Up to this many rows an export is written while the user waits; above, Celery writes it."""
    return getattr(settings, "REGISTER_SYNC_ROWS", 20000)


def rows_for(register, user, params):
    return register.filter(register.queryset(user), params, user)


def filename(register, fmt, today) -> str:
    return f"{register.code}-{today:%Y-%m-%d}.{fmt}"


def start_export(user, register, fmt: str, params: dict) -> Export:
    """Count the rows, record who exports what (and in the 152-ФЗ log for personal data), and
    say whether the rows are written now (small) or queued to Celery (large)."""
    if fmt not in Format.values:
        fmt = Format.XLSX
    total = rows_for(register, user, params).count()
    background = total > sync_limit()
    export = Export.objects.create(
        user=user,
        register=register.code,
        format=fmt,
        params=params,
        rows_total=total,
        background=background,
        filename=filename(register, fmt, timezone.localdate()),
        status=Export.Status.PENDING if background else Export.Status.RUNNING,
    )
    if register.personal_data:
        # The summary entry (no person): who took the register, how many rows. Each person in the
        # file gets an entry of their own while the rows are written (personal_data_trail).
        PersonalDataAccess.objects.create(
            user=user,
            person=None,
            action=PersonalDataAccess.Action.EXPORT,
            details=f"{export_details(register, export)}: {total} строк"[:500],
            export=export,
        )
    if background:
        from network import jobs

        from .tasks import run_export

        # After the commit; when the broker is down the export waits («ждёт очереди») and
        # network.requeue_jobs sends it later: the request answers at once either way.
        jobs.enqueue(run_export, export.pk, job=export)
    return export


def export_details(register, export: Export) -> str:
    """What a person's log says of an export: the register, the format, the filters (so the
    selection can be replayed) and the export's number."""
    filters = ", ".join(f"{key}={value}" for key, value in sorted(export.params.items())) or "нет"
    fmt = Format(export.format).label if export.format in Format.values else export.format
    return f"выгрузка реестра «{register.title}» № {export.pk}, {fmt}, фильтры: {filters}"


def personal_data_trail(register, export: Export) -> ExportAccessLog | None:
    """For a register of personal data: the 152-ФЗ log the writer fills, one entry per person."""
    if not register.personal_data:
        return None
    return ExportAccessLog(
        export.user, export, export_details(register, export), person_of=attrgetter(register.person_field)
    )


def finish(export: Export, rows: int) -> None:
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.DONE, rows_done=rows, finished_at=timezone.now(), error=""
    )


def write_file(export: Export) -> str:
    """What the worker does: write the file with progress; safe to run again (a done export is
    left alone, a failed or interrupted one is written anew)."""
    claimed = Export.objects.filter(
        pk=export.pk, status__in=[Export.Status.PENDING, Export.Status.FAILED, Export.Status.RUNNING]
    ).update(status=Export.Status.RUNNING, rows_done=0, error="")
    if not claimed:
        return "nothing to do"
    register = get_register(export.register)
    resource = register.resource()
    queryset = rows_for(register, export.user, export.params)
    trail = personal_data_trail(register, export)

    def progress(done):
        Export.objects.filter(pk=export.pk).update(rows_done=done, touched_at=timezone.now())  # a sign of life

    try:
        with tempfile.TemporaryFile() as tmp:
            if export.format == Format.CSV:
                counted = [0]

                def count(done):
                    counted[0] = done
                    progress(done)

                for chunk in writer.csv_chunks(register, resource, queryset, progress=count, trail=trail):
                    tmp.write(chunk)
                rows = counted[0]
            else:
                rows = writer.write_xlsx(register, resource, queryset, tmp, progress=progress, trail=trail)
            tmp.seek(0)
            export.file.save(export.filename, File(tmp), save=False)
        Export.objects.filter(pk=export.pk).update(file=export.file.name)
        finish(export, rows)
        return "done"
    except Exception as exc:  # recorded for the user; the page offers to try again
        log.exception("export %s failed", export.pk)
        Export.objects.filter(pk=export.pk).update(status=Export.Status.FAILED, error=str(exc)[:2000])
        return "failed"
