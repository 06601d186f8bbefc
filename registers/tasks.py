from celery import shared_task

from .models import Export


@shared_task(name="registers.run_export", acks_late=True)
def run_export(export_id: int) -> str:
    """Write a large export in the background. Idempotent: a finished export is not written twice."""
    export = Export.objects.select_related("user").filter(pk=export_id).first()
    if export is None:
        return "gone"
    from .services import write_file

    return write_file(export)
