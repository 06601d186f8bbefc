"""The report editor: every section and figure in one form; figures recomputed on request."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import TemplateView

from network.forms import attach_errors
from orgunits.models import DocumentType
from submissions import editing
from submissions.views import send_or_check

from . import content
from .forms import ReportForm


class ReportEditView(LoginRequiredMixin, TemplateView):
    """GET: the report; POST: save it (`action=refresh`: save, then recompute the figures;
    `action=send`: save, then the check before sending, then send)."""

    template_name = "reports/report_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.submission = editing.get_for_editing(request.user, kwargs["pk"], DocumentType.REPORT)
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None):
        submission = self.submission
        return ReportForm(
            data,
            submission=submission,
            sections=submission.report_sections.all(),
            figures=submission.report_figures.all(),
        )

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**editing.document_context(self.request.user, self.submission), **kwargs)
        ctx["form"] = form = form if form is not None else self.make_form()
        if form.is_bound and not form.is_valid():
            links = form.error_links()
            count = len(links) + len(form.non_field_errors()) + len(form["expected_version"].errors)
            ctx["error_links"] = links
            ctx["error_count"] = count
            ctx["error_title"] = f"Исправьте {count} {editing.ru_plural(count, 'ошибку', 'ошибки', 'ошибок')}"
        return ctx

    def post(self, request, *args, **kwargs):
        submission = self.submission
        if (reason := editing.not_editable_message(submission, request.user)) is not None:
            messages.error(request, reason)
            return redirect(editing.editor_url(submission))
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        action = request.POST.get("action")
        refresh = action == "refresh"

        def save(locked):
            form.save(locked)
            if refresh:
                content.refresh_figures(locked)

        try:
            editing.edit(submission, request.user, form.cleaned_data["expected_version"], save)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form))
        if action == "send":
            # Saved: now the check, then the workflow's own submit (one request; a failed save sent nothing).
            return send_or_check(request, submission, confirmed=False, saved="Отчёт сохранён.")
        if refresh:
            messages.success(request, "Отчёт сохранён, показатели пересчитаны по данным портала.")
        else:
            messages.success(request, "Отчёт сохранён.")
        return redirect(editing.editor_url(submission))
