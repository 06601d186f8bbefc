"""Official documents as PDF (ГОСТ Р 7.0.97-2025, DESIGN.md), rendered by WeasyPrint.

An app registers each kind of document once (`register`): how to build its template
context, its file name, its version, whether it is long. `pdf_response` then serves the
PDF of the current version from storage, renders it now, or — for a long document —
queues it for Celery and shows a page that follows its progress. The caller checks
permissions before calling.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from . import clock, jobs
from .models import RenderedDocument

# network/static, inside the package, so an installed wheel prints with the same fonts.
ASSET_DIR = (Path(__file__).resolve().parent / "static").resolve()
FONT_DIR = ASSET_DIR / "fonts"
# The only files a document may load (fonts, a logo); everything else is refused.

logger = logging.getLogger(__name__)


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


def _url_fetcher():
    """A fetcher that loads `data:` URLs and files under static/ only.

    Templates escape what users type, so no user text becomes a URL; this is the second
    wall: a `|safe` slip cannot make the server read /etc/passwd or call an internal host.
    """
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint before URLFetcher: its default fetcher
        return None

    class AssetsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(ASSET_DIR):
                    return super().fetch(url, headers)
            raise ValueError(f"A document may load only files under static/: {url[:200]}")

    return AssetsOnly()


def render_pdf(template_name: str, context: dict) -> bytes:
    """HTML → PDF with the fonts shipped in static/fonts, never the host's."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template_name, {**context, "font_dir": FONT_DIR.as_uri()})
    document = HTML(string=html, base_url=str(ASSET_DIR), url_fetcher=_url_fetcher())
    return document.write_pdf(font_config=FontConfiguration())


def render_and_store(rendered: RenderedDocument) -> RenderedDocument:
    document = REGISTRY[rendered.kind]
    obj = document.model._default_manager.get(pk=rendered.object_id)
    RenderedDocument.objects.filter(pk=rendered.pk).update(status=RenderedDocument.Status.RUNNING)
    started = time.monotonic()
    try:
        # One file serves every reader, whoever asked first and wherever it is rendered (a request or a
        # worker): its dates and times are those of the document's region (issue 13).
        with timezone.override(clock.zone(clock.region_of(obj))):
            template_name, context, filename = document.build(obj)
            data = render_pdf(template_name, context)
    except Exception as exc:
        logger.exception("PDF %s #%s v%s failed", rendered.kind, rendered.object_id, rendered.version)
        rendered.status = RenderedDocument.Status.FAILED
        rendered.error = f"{exc.__class__.__name__}: {exc}"[:2000]
        RenderedDocument.objects.filter(pk=rendered.pk).update(status=rendered.status, error=rendered.error)
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


def _progress(request, rendered, obj, status=200) -> HttpResponse:
    """The progress page, or for the page's own polling (htmx) just its fragment.

    htmx swaps only 2xx answers, so the fragment of a failed document comes with 200:
    otherwise the page would keep polling and never show the error and its retry button.
    """
    if getattr(request, "htmx", False):
        return render(request, "pdf/_progress_fragment.html", {"rendered": rendered, "obj": obj})
    return render(request, "pdf/progress.html", {"rendered": rendered, "obj": obj}, status=status)


def pdf_response(request, kind: str, obj) -> HttpResponse:
    """The PDF of the document's current version: from storage, rendered now, or queued."""
    document = REGISTRY[kind]
    rendered = _get_or_create(kind, obj, document.version(obj))
    if rendered.status == RenderedDocument.Status.DONE and rendered.file:
        if getattr(request, "htmx", False):  # the progress page polled: show its link, not the bytes
            return _progress(request, rendered, obj)
        return FileResponse(rendered.file.open("rb"), content_type="application/pdf", filename=rendered.filename)
    retry = rendered.status == RenderedDocument.Status.FAILED and request.method == "POST"
    if rendered.status == RenderedDocument.Status.FAILED and not retry:
        return _progress(request, rendered, obj, status=500)
    if not document.background(obj):
        try:
            rendered = render_and_store(rendered)
        except Exception:  # logged and recorded by render_and_store; the page offers a retry
            return _progress(request, rendered, obj, status=500)
        return FileResponse(rendered.file.open("rb"), content_type="application/pdf", filename=rendered.filename)
    # A long document: queue it once and show its progress; the page polls this same URL. The
    # first request (or a retry) sends it; when the broker is down the row waits with queued_at
    # empty, the page says so, and network.requeue_jobs sends it later (network/jobs.py).
    first = RenderedDocument.objects.filter(
        pk=rendered.pk, status=RenderedDocument.Status.PENDING, queued_at__isnull=True, touched_at__isnull=True
    )
    if retry:
        first = RenderedDocument.objects.filter(pk=rendered.pk, status=RenderedDocument.Status.FAILED)
    if first.update(status=RenderedDocument.Status.PENDING, error="", queued_at=None, touched_at=timezone.now()):
        from .tasks import render_document

        jobs.enqueue(render_document, rendered.pk, job=rendered)
        rendered.refresh_from_db()
    return _progress(request, rendered, obj)
