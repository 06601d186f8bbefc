"""The report editor: every section and figure in one form; figures recomputed on request."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.generic import TemplateView

from network.forms import attach_errors
from orgunits.models import DocumentType
from submissions import editing

from . import content
from .forms import ReportForm


class ReportEditView(LoginRequiredMixin, TemplateView):
    """GET: the report; POST: save it (`action=refresh`: save, then recompute the figures)."""

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
        ctx["form"] = form if form is not None else self.make_form()
        return ctx

    def post(self, request, *args, **kwargs):
        submission = self.submission
        if (reason := editing.not_editable_message(submission, request.user)) is not None:
            messages.error(request, reason)
            return redirect(editing.editor_url(submission))
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        refresh = request.POST.get("action") == "refresh"

        def save(locked):
            form.save(locked)
            if refresh:
                content.refresh_figures(locked)

        try:
            editing.edit(submission, request.user, form.cleaned_data["expected_version"], save)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form))
        if refresh:
            messages.success(request, "Отчёт сохранён, показатели пересчитаны по данным портала.")
        else:
            messages.success(request, "Отчёт сохранён.")
        return redirect(editing.editor_url(submission))
