"""Register pages: the list of registers, an export (now or in the background with progress),
and imports with a preview (see imports.py)."""

import io
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.generic import TemplateView, View
from django_htmx.http import HttpResponseClientRefresh

from network import jobs
from network.spreadsheets import temporary_workbook
from orgunits.access import access_for

from . import export as writer
from . import imports
from .base import REGISTRY, get_register
from .models import Export, Format, Import
from .resources import CLEAR_MARKER
from .services import finish, personal_data_trail, rows_for, start_export

IGNORED_PARAMS = {"format", "page", "sort"}


def export_params(query) -> dict:
    """The register page's filters, as the export repeats them (single values)."""
    return {k: v for k, v in query.items() if k not in IGNORED_PARAMS and v != ""}


class RegisterListView(LoginRequiredMixin, TemplateView):
    template_name = "registers/register_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            registers=sorted(REGISTRY.values(), key=lambda r: r.title),
            exports=list(Export.objects.filter(user=user)[:10]),
            # Not their rows: a 50 000-row import's outcomes are megabytes of JSON (the page lists names).
            imports=list(Import.objects.filter(user=user).defer("rows")[:10]),
            **kwargs,
        )


class ExportView(LoginRequiredMixin, View):
    """GET /registers/<code>/export/?format=xlsx|csv&<the page's filters>.

    Rows are what the user may see on the register's page (the same restrict). Small exports are
    written while the user waits (CSV streamed, .xlsx through a temporary file, so memory stays
    flat); large ones go to Celery and the user watches the progress page."""

    def get(self, request, code):
        register = get_register(code)
        fmt = request.GET.get("format", Format.XLSX)
        export = start_export(request.user, register, fmt, export_params(request.GET))
        if export.background:
            return redirect("registers:export_status", pk=export.pk)
        queryset = rows_for(register, request.user, export.params)
        resource = register.resource()
        trail = personal_data_trail(register, export)  # 152-ФЗ: an entry per person in the file
        finish(export, export.rows_total)
        if export.format == Format.CSV:
            response = StreamingHttpResponse(
                writer.csv_chunks(register, resource, queryset, trail=trail), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
            return response
        return FileResponse(
            temporary_workbook(partial(writer.write_xlsx, trail=trail), register, resource, queryset),
            as_attachment=True,
            filename=export.filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def own_export(request, pk) -> Export:
    # Another user's export does not exist for this user.
    return get_object_or_404(Export, pk=pk, user=request.user)


class ExportStatusView(LoginRequiredMixin, View):
    def get(self, request, pk):
        export = own_export(request, pk)
        register = get_register(export.register)
        template = "registers/_export_progress.html" if request.htmx else "registers/export_status.html"
        return render(request, template, {"export": export, "register": register})

    def post(self, request, pk):
        """Try a failed export again."""
        export = own_export(request, pk)
        retried = Export.objects.filter(pk=export.pk, status=Export.Status.FAILED, background=True)
        if retried.update(status=Export.Status.PENDING, error="", queued_at=None, touched_at=timezone.now()):
            from .tasks import run_export

            jobs.enqueue(run_export, export.pk, job=export)
        return redirect("registers:export_status", pk=export.pk)


class ExportDownloadView(LoginRequiredMixin, View):
    def get(self, request, pk):
        export = own_export(request, pk)
        if export.status != Export.Status.DONE or not export.file:
            raise Http404("Файл выгрузки ещё не готов.")
        return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename)


class ImportForm(forms.Form):
    file = forms.FileField(label="Файл (.xlsx или .csv)")


def importable_register(request, code):
    register = get_register(code)
    if not register.importable:
        raise Http404("Этот реестр не загружается из файла.")
    if not access_for(request.user).administers_anything:
        raise PermissionDenied("Загружать реестры могут администраторы сети.")
    return register


class ImportView(LoginRequiredMixin, View):
    template_name = "registers/import_form.html"

    def get(self, request, code):
        register = importable_register(request, code)
        return render(request, self.template_name, self.context(register, ImportForm()))

    @staticmethod
    def context(register, form) -> dict:
        return {"register": register, "form": form, "clear_marker": CLEAR_MARKER}

    def post(self, request, code):
        register = importable_register(request, code)
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                imports.check_upload(uploaded)
                upload = Import.objects.create(
                    user=request.user, register=register.code, file=uploaded, original_name=uploaded.name[:255]
                )
                try:
                    imports.start_preview(upload, register)  # read now, checked in the background
                except imports.BadFile:
                    upload.file.delete(save=False)
                    upload.delete()
                    raise
            except imports.BadFile as exc:
                form.add_error("file", str(exc))
            else:
                return redirect("registers:import_preview", pk=upload.pk)
        return render(request, self.template_name, self.context(register, form), status=400)


class ImportPreviewView(LoginRequiredMixin, View):
    template_name = "registers/import_preview.html"

    def get_upload(self, request, pk):
        return get_object_or_404(Import, pk=pk, user=request.user)

    def get(self, request, pk):
        if request.htmx:  # the progress fragment polls (without the rows); once the job has ended, the page reloads
            upload = get_object_or_404(Import.objects.defer("rows"), pk=pk, user=request.user)
            if upload.in_progress:
                return render(request, "registers/_import_progress.html", {"upload": upload})
            return HttpResponseClientRefresh()
        upload = self.get_upload(request, pk)
        register = get_register(upload.register)
        errors_only = request.GET.get("errors") == "1"
        # «Только изменения»: what the file would add, change or refuse — not the unchanged rows.
        changes_only = not errors_only and request.GET.get("changes") == "1"
        rows = upload.rows
        if errors_only:
            rows = [r for r in rows if r["outcome"] == "error"]
        elif changes_only:
            rows = [r for r in rows if r["outcome"] != "skip"]
        page = Paginator(rows, 100).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {
                "upload": upload,
                "register": register,
                "page": page,
                "headers": register.import_headers(),
                "errors_only": errors_only,
                "changes_only": changes_only,
                "filter_query": "&errors=1" if errors_only else "&changes=1" if changes_only else "",
            },
        )

    def post(self, request, pk):
        upload = self.get_upload(request, pk)
        register = importable_register(request, upload.register)
        if request.POST.get("action") == "cancel":
            cancellable = [Import.Status.PREVIEW, Import.Status.INVALID, Import.Status.FAILED]
            cancellable += [Import.Status.CHECK, Import.Status.CHECKING]  # a background check records nothing then
            if Import.objects.filter(pk=upload.pk, status__in=cancellable).update(status=Import.Status.CANCELLED):
                messages.info(request, "Загрузка отменена: ничего не изменено.")
            return redirect("registers:list")
        try:
            upload = imports.confirm(upload, register)
        except (imports.ImportRefused, imports.BadFile) as exc:
            messages.error(request, str(exc))
            return redirect("registers:import_preview", pk=upload.pk)
        upload.refresh_from_db(fields=["status", "totals", "error"])  # an eager worker (tests) has run already
        if upload.in_progress:
            messages.info(request, "Строки записываются в фоне: страница показывает ход и покажет итог.")
        elif upload.status == Import.Status.FAILED:
            messages.error(request, upload.error or imports.LOAD_FAILED)
        elif upload.status == Import.Status.DONE:
            totals = upload.totals
            messages.success(
                request,
                f"Загружено: новых {totals.get('new', 0)}, изменено {totals.get('update', 0)}, "
                f"без изменений {totals.get('skip', 0)}.",
            )
        else:
            messages.error(
                request, "Данные изменились после проверки, и в строках появились ошибки: ничего не записано."
            )
        return redirect("registers:import_preview", pk=upload.pk)


class ImportTemplateView(LoginRequiredMixin, View):
    def get(self, request, code):
        register = get_register(code)
        if not register.importable:
            raise Http404("Этот реестр не загружается из файла.")
        buffer = io.BytesIO()
        imports.template_workbook(register, buffer)
        buffer.seek(0)
        return FileResponse(buffer, as_attachment=True, filename=f"{register.code}-шаблон.xlsx")
