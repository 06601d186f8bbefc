"""Official documents as PDF (ГОСТ Р 7.0.97-2025, DESIGN.md), rendered by WeasyPrint.

An app registers each kind of document once (`register`): how to build its template
context, its file name, its version, whether it is long. `pdf_response` then serves the
PDF of the current version from storage, renders it now, or — for a long document —
queues it for Celery and shows a page that follows its progress. The caller checks
permissions before calling.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from .models import RenderedDocument

FONT_DIR = settings.BASE_DIR / "static" / "fonts"


@dataclass(frozen=True)
class PdfDocument:
    kind: str
    model: type
    # obj -> (template name, context, file name without extension)
    build: Callable[[object], tuple[str, dict, str]]
    version: Callable[[object], int]
    background: Callable[[object], bool] = lambda obj: False


REGISTRY: dict[str, PdfDocument] = {}


def register(document: PdfDocument) -> PdfDocument:
    REGISTRY[document.kind] = document
    return document


def render_pdf(template_name: str, context: dict) -> bytes:
    """HTML → PDF with the fonts shipped in static/fonts, never the host's."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template_name, {**context, "font_dir": FONT_DIR.as_uri()})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=FontConfiguration())


def render_and_store(rendered: RenderedDocument) -> RenderedDocument:
    document = REGISTRY[rendered.kind]
    obj = document.model._default_manager.get(pk=rendered.object_id)
    RenderedDocument.objects.filter(pk=rendered.pk).update(status=RenderedDocument.Status.RUNNING)
    started = time.monotonic()
    try:
        template_name, context, filename = document.build(obj)
        data = render_pdf(template_name, context)
    except Exception as exc:
        RenderedDocument.objects.filter(pk=rendered.pk).update(
            status=RenderedDocument.Status.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        raise
    rendered.filename = f"{filename}.pdf"
    rendered.file.save(f"v{rendered.version}.pdf", ContentFile(data), save=False)
    rendered.status = RenderedDocument.Status.DONE
    rendered.rendered_at = timezone.now()
    rendered.seconds = time.monotonic() - started
    rendered.save()
    return rendered


def _get_or_create(kind: str, obj, version: int) -> RenderedDocument:
    try:
        with transaction.atomic():
            return RenderedDocument.objects.get_or_create(kind=kind, object_id=obj.pk, version=version)[0]
    except IntegrityError:  # two first requests at once
        return RenderedDocument.objects.get(kind=kind, object_id=obj.pk, version=version)


def pdf_response(request, kind: str, obj) -> HttpResponse:
    """The PDF of the document's current version: from storage, rendered now, or queued."""
    document = REGISTRY[kind]
    rendered = _get_or_create(kind, obj, document.version(obj))
    if rendered.status == RenderedDocument.Status.DONE and rendered.file:
        return FileResponse(rendered.file.open("rb"), content_type="application/pdf", filename=rendered.filename)
    retry = rendered.status == RenderedDocument.Status.FAILED and request.method == "POST"
    if rendered.status == RenderedDocument.Status.FAILED and not retry:
        return render(request, "pdf/progress.html", {"rendered": rendered, "obj": obj}, status=500)
    if not document.background(obj):
        rendered = render_and_store(rendered)
        return FileResponse(rendered.file.open("rb"), content_type="application/pdf", filename=rendered.filename)
    # A long document: queue it once and show its progress; the page polls this same URL.
    queued = RenderedDocument.objects.filter(pk=rendered.pk, queued_at__isnull=True)
    if retry:
        queued = RenderedDocument.objects.filter(pk=rendered.pk)
    if queued.update(queued_at=timezone.now(), status=RenderedDocument.Status.PENDING, error=""):
        from .tasks import render_document

        transaction.on_commit(lambda: render_document.delay(rendered.pk))
        rendered.refresh_from_db()
    template = "pdf/_progress_fragment.html" if getattr(request, "htmx", False) else "pdf/progress.html"
    return render(request, template, {"rendered": rendered, "obj": obj})
