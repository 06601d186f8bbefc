"""Editing the content of a plan or a report: one door for every change.

Every edit page resolves the document the same way (invisible → 404, visible but not a filer
→ 403) and applies its change through `edit()`: under the row lock, the document must still be
editable and still at the version the editor loaded; the version is bumped in the same
transaction as the change, so two editors never overwrite each other.
"""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from network.models import StaleVersionError
from network.views import get_restricted
from orgunits.access import access_for
from workflow.kinds import kind

from . import services
from .models import Submission

CONFLICT_MESSAGE = (
    "Пока вы редактировали, документ изменил другой пользователь. "
    "Обновите страницу, проверьте изменения и внесите свои ещё раз."
)
MISSING_VERSION_MESSAGE = "Форма устарела: обновите страницу и повторите действие."
SUBMISSION_RELATED = ("campaign", "unit__kind", "approver")

T = TypeVar("T")


def get_submission(user, pk, document_type: str | None = None) -> Submission:
    """A document the user may see (else 404), of the given type (else 404)."""
    submission = get_restricted(Submission.objects.select_related(*SUBMISSION_RELATED), user, pk)
    if document_type is not None and submission.document_type != document_type:
        raise Http404("Документ другого вида.")
    return submission


def get_for_editing(user, pk, document_type: str | None = None) -> Submission:
    """A document the user may see (else 404) and files for its unit (else 403)."""
    submission = get_submission(user, pk, document_type)
    services.check_can_file(user, submission)
    return submission


def can_edit(user, submission) -> bool:
    return submission.is_editable and access_for(user).can("file", submission.unit)


def not_editable_message(submission, user) -> str | None:
    """Why this filer cannot change the content now (the workflow's own words), or None."""
    try:
        services.check_editable(submission, user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


def editor_url(submission) -> str:
    return kind(submission.document_type).editor_url(submission)


def ru_plural(n: int, one: str, few: str, many: str) -> str:
    """«1 ошибку», «2 ошибки», «5 ошибок»: the Russian form of a word after the number n."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def document_context(user, submission) -> dict:
    """What both editors show around their content: the header, the files, the upload form."""
    from .attachments import AttachmentForm

    editable = can_edit(user, submission)
    return {
        "submission": submission,
        "editable": editable,
        "not_editable": not_editable_message(submission, user),
        "attachments": list(submission.attachments.select_related("uploaded_by")),
        "attachment_form": AttachmentForm(submission=submission) if editable else None,
        # A returned document says why at the top of its editor (who returned it, when, the comment).
        "return_entry": services.return_entry(submission),
    }


def edit(submission, user, expected_version, change: Callable[[Submission], T]) -> T:
    """Apply `change(locked_submission)` as one edit of the document.

    Raises PermissionDenied if the user does not file for the unit, ValidationError (with a
    message for the user) if the document is no longer editable, was changed by somebody else
    since `expected_version`, or `change` refuses. Nothing is written in those cases.
    """
    if expected_version is None:
        raise ValidationError(MISSING_VERSION_MESSAGE)
    try:
        with transaction.atomic():
            locked = (
                Submission.objects.select_for_update(of=("self",))
                .select_related(*SUBMISSION_RELATED)
                .get(pk=submission.pk)
            )
            services.check_editable(locked, user)
            services.touch(locked, expected_version)
            result = change(locked)
    except StaleVersionError:
        raise ValidationError(CONFLICT_MESSAGE) from None
    submission.version = locked.version
    return result


class ExpectedVersionMixin:
    """A hidden `expected_version`: the version of the document the form was rendered from."""

    def __init__(self, *args, submission=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.submission = submission
        self.fields["expected_version"] = forms.IntegerField(
            widget=forms.HiddenInput,
            initial=submission.version if submission is not None else None,
            error_messages={"required": MISSING_VERSION_MESSAGE, "invalid": MISSING_VERSION_MESSAGE},
        )


class VersionForm(ExpectedVersionMixin, forms.Form):
    """A button that changes the document (delete, copy): carries only the version."""


def posted_version(request) -> int | None:
    form = VersionForm(request.POST)
    if form.is_valid():
        return form.cleaned_data["expected_version"]
    return None
