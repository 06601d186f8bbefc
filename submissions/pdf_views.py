"""The printable PDF of a plan or a report (submissions/pdf.py registers both kinds)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views import View

from network.pdf import pdf_response

from .models import Submission


class SubmissionPdfView(LoginRequiredMixin, View):
    """GET: the PDF (or the progress page of a long plan); POST: render a failed one again.

    Whoever sees the document may print it; an invisible one is 404.
    """

    def get(self, request, pk):
        submission = get_object_or_404(
            Submission.objects.restrict(request.user, "view").select_related("campaign", "unit"), pk=pk
        )
        kind = submission.campaign.document_type
        if kind not in ("plan", "report"):
            raise Http404("Этот документ не печатается.")
        return pdf_response(request, kind, submission)

    def post(self, request, pk):
        return self.get(request, pk)
