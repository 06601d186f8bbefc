"""Files of a plan or a report: upload and delete (filers, editable documents), download (who sees it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_POST

from . import attachments, editing, services
from .models import ALLOWED_ATTACHMENT_TYPES, Attachment, Submission


def _refuse(request, submission, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)
    return redirect(editing.editor_url(submission))


@login_required
@require_POST
def upload(request, pk):
    submission = editing.get_for_editing(request.user, pk)
    if (reason := editing.not_editable_message(submission, request.user)) is not None:
        messages.error(request, reason)
        return redirect(editing.editor_url(submission))
    form = attachments.AttachmentForm(request.POST, request.FILES, submission=submission)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(editing.editor_url(submission))
    uploaded = form.cleaned_data["file"]
    try:
        attachment = editing.edit(
            submission,
            request.user,
            form.cleaned_data["expected_version"],
            lambda locked: attachments.add(locked, uploaded, request.user),
        )
    except ValidationError as exc:
        return _refuse(request, submission, exc)
    messages.success(request, f"Файл «{attachment.name}» прикреплён.")
    return redirect(editing.editor_url(submission))


def _get_attachment(user, pk):
    """The file of a document the user sees (else 404): only such files are looked up at all."""
    visible = Attachment.objects.filter(submission__in=Submission.objects.restrict(user, "view").values("pk"))
    attachment = get_object_or_404(visible, pk=pk)
    return attachment, editing.get_submission(user, attachment.submission_id)


@login_required
@require_GET
def download(request, pk):
    attachment, _ = _get_attachment(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("Файл не найден в хранилище.") from None
    ext = attachments.extension_of(attachment.name) or attachments.extension_of(attachment.file.name)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=ALLOWED_ATTACHMENT_TYPES.get(ext, "application/octet-stream"),
    )


@login_required
@require_POST
def delete(request, pk):
    attachment, submission = _get_attachment(request.user, pk)
    services.check_can_file(request.user, submission)  # a viewer who does not file: 403
    try:
        editing.edit(
            submission,
            request.user,
            editing.posted_version(request),
            # Scoped by the locked document, which was just checked.
            lambda locked: attachments.remove(Attachment.objects.get(pk=attachment.pk, submission=locked)),
        )
    except Attachment.DoesNotExist:
        messages.error(request, "Файл уже удалён.")
        return redirect(editing.editor_url(submission))
    except ValidationError as exc:
        return _refuse(request, submission, exc)
    messages.success(request, f"Файл «{attachment.name}» удалён.")
    return redirect(editing.editor_url(submission))
