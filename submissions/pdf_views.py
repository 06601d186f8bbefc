"""The printable PDF of a document whose kind has one (workflow.kinds: the plan and the report)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views import View

from network.pdf import pdf_response
from network.views import get_restricted
from workflow.kinds import kind

from .models import Submission


class SubmissionPdfView(LoginRequiredMixin, View):
    """GET: the PDF (or the progress page of a long plan); POST: render a failed one again.

    Whoever sees the document may print it; an invisible one is 404, and so is a document whose
    kind has no PDF (a candidacy: it has no campaign, so its kind is its own — not the campaign's).
    """

    def get(self, request, pk):
        submission = get_restricted(Submission.objects.select_related("campaign", "unit"), request.user, pk)
        pdf_kind = kind(submission.document_type).pdf
        if not pdf_kind:
            raise Http404("Этот документ не печатается.")
        return pdf_response(request, pdf_kind, submission)

    def post(self, request, pk):
        return self.get(request, pk)
