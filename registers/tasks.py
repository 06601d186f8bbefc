"""Background work of the registers: large exports, and the check and load of large imports.

Each task starts by claiming its row (network.jobs.claim), so a message sent twice — by the
requeue after a broker outage, or redelivered after a crash — does the work once."""

import logging

from celery import shared_task
from django.db.models import Q
from django.utils import timezone

from network import jobs

from .models import Export, Import

log = logging.getLogger(__name__)

EXPORT_JOB = jobs.register(
    jobs.JobKind(
        name="export",
        model=Export,
        task="registers.tasks.run_export",
        ready=Export.Status.PENDING,
        running=Export.Status.RUNNING,
        failed=Export.Status.FAILED,
        scope=Q(background=True),  # a small export is written in its request, not a job
    )
)
PREVIEW_JOB = jobs.register(
    jobs.JobKind(
        name="import-preview",
        model=Import,
        task="registers.tasks.run_preview",
        ready=Import.Status.CHECK,
        running=Import.Status.CHECKING,
        failed=Import.Status.FAILED,
    )
)
LOAD_JOB = jobs.register(
    jobs.JobKind(
        name="import-load",
        model=Import,
        task="registers.tasks.run_confirm",
        ready=Import.Status.LOAD,
        running=Import.Status.LOADING,
        failed=Import.Status.FAILED,
    )
)


@shared_task(name="registers.run_export", acks_late=True, ignore_result=True)
def run_export(export_id: int) -> str:
    """Write a large export in the background. Idempotent: a finished export is not written twice."""
    if not jobs.claim(EXPORT_JOB, export_id):
        return "nothing to do"
    export = Export.objects.select_related("user").get(pk=export_id)
    from network.clock import viewer_zone_name

    from .services import write_file

    # The file is the requester's: its times read as their pages do, in their region (issue 13).
    with timezone.override(viewer_zone_name(export.user)):
        return write_file(export)


def _run_import_job(job, upload_id: int, step: str, refused: tuple, suffix: str, fallback: str, done: str) -> str:
    """Claim the import, run `imports.<step>` on it, and on failure mark it failed with a message for
    the user (a refusal's own words, or `fallback` for anything unexpected). The check and the load
    differ only in these arguments."""
    if not jobs.claim(job, upload_id):
        return "nothing to do"
    from . import imports
    from .base import get_register

    running = job.running
    upload = Import.objects.select_related("user").get(pk=upload_id)
    try:
        getattr(imports, step)(upload, get_register(upload.register), expected=running)
    except refused as exc:
        message = f"{exc}{suffix}"
    except Exception:
        log.exception("import %s: %s failed", upload_id, step)
        message = getattr(imports, fallback)
    else:
        return done
    Import.objects.filter(pk=upload_id, status=running).update(
        status=Import.Status.FAILED, error=message[:2000], touched_at=timezone.now()
    )
    return "failed"


@shared_task(name="registers.run_preview", acks_late=True, ignore_result=True)
def run_preview(upload_id: int) -> str:
    """The dry run of a large file: every row's outcome, nothing written."""
    from .imports import BadFile

    return _run_import_job(PREVIEW_JOB, upload_id, "check_rows", (BadFile,), "", "CHECK_FAILED", "checked")


@shared_task(name="registers.run_confirm", acks_late=True, ignore_result=True)
def run_confirm(upload_id: int) -> str:
    """Load a large confirmed file: every row in one transaction, or nothing."""
    from .imports import BadFile, ImportRefused

    return _run_import_job(
        LOAD_JOB, upload_id, "write_rows", (BadFile, ImportRefused), " Ничего не записано.", "LOAD_FAILED", "loaded"
    )
