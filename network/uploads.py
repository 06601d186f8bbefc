"""A file chosen on a form survives a validation error.

When a bound form with a new upload is invalid for another reason (a date in the wrong place), the
browser forgets the chosen file: the user would have to find it again. `KeptUploadsMixin` keeps it
instead — the upload is written to the default storage under `tmp/uploads/<random>/`, and the form
is shown again with «Выбран файл: name.pdf (сохранён, выбирать заново не нужно)» and a hidden
token. On the next submit with no new file chosen, the kept file is put back into `form.files`
before cleaning, so every check of the field (type, size, content) applies to it as to a new
upload. A new file chosen replaces the kept one.

The token is signed, names the stored path, and is tied to the user's session (a random key kept
in the session): another user, another browser or a forged token gets nothing. It expires after
`KEEP_SECONDS`; `cleanup_kept_uploads()` deletes what is older (a step of the periodic sweep).

Use: `class MyForm(KeptUploadsMixin, forms.Form)`, and construct it with
`upload_session=request.session` (`KeptUploadsViewMixin` does so for a FormView). Without a session
the form behaves as before.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import mimetypes
import os
import secrets

from django import forms
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import get_valid_filename

logger = logging.getLogger(__name__)

KEEP_DIR = "tmp/uploads"
KEEP_SECONDS = 3600
SALT = "network.uploads.kept"
SESSION_KEY = "kept_uploads_key"
TOKEN_SUFFIX = "__kept"


def _session_key(session, create: bool) -> str | None:
    if session is None:
        return None
    key = session.get(SESSION_KEY)
    if key is None and create:
        key = session[SESSION_KEY] = secrets.token_hex(16)
    return key


def keep(uploaded, session) -> str:
    """Store `uploaded` for a later submit of the same session; return its signed token."""
    name = os.path.basename(uploaded.name or "") or "файл"
    safe = get_valid_filename(name) or "file"
    path = default_storage.save(f"{KEEP_DIR}/{secrets.token_hex(12)}/{safe}", uploaded)
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)  # the form may still read it (a preview, a second check)
    payload = {"p": path, "n": name, "s": _session_key(session, create=True)}
    content_type = getattr(uploaded, "content_type", None)
    if content_type:
        payload["t"] = content_type
    return signing.dumps(payload, salt=SALT, compress=True)


def restore(token: str, session) -> tuple[UploadedFile, str] | None:
    """The kept upload of `token` as an UploadedFile (and the token), or None: forged, expired, of
    another session, or its file already cleaned up."""
    key = _session_key(session, create=False)
    if not token or key is None:
        return None
    try:
        payload = signing.loads(token, salt=SALT, max_age=KEEP_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    path = payload.get("p", "")
    if payload.get("s") != key or not path.startswith(KEEP_DIR + "/") or ".." in path:
        return None
    if not default_storage.exists(path):
        return None
    name = payload.get("n") or os.path.basename(path)
    content_type = payload.get("t") or mimetypes.guess_type(name)[0] or "application/octet-stream"
    uploaded = UploadedFile(
        file=default_storage.open(path, "rb"),
        name=name,
        content_type=content_type,
        size=default_storage.size(path),
    )
    uploaded.kept_token = token
    return uploaded, token


class KeptFileInput(forms.ClearableFileInput):
    """A file input that, when the form kept a file, says so and carries the token."""

    kept: dict | None = None

    def render(self, name, value, attrs=None, renderer=None):
        if self.kept and attrs:
            # The kept file answers the field: choosing another one is no longer required.
            attrs = {k: v for k, v in attrs.items() if k != "required"}
        html = super().render(name, value, attrs, renderer)
        if not self.kept:
            return html
        return html + format_html(
            '<input type="hidden" name="{}" value="{}">'
            '<p class="kept-file" role="status">Выбран файл: <strong>{}</strong> '
            "(сохранён, выбирать заново не нужно)</p>",
            name + TOKEN_SUFFIX,
            self.kept["token"],
            self.kept["name"],
        )


class KeptUploadsMixin:
    """A form mixin: keep the uploads of an invalid submit, reuse them on the next one (see above).

    `kept_upload_fields`: the file fields to keep (default: every FileField of the form)."""

    kept_upload_fields: tuple[str, ...] | None = None

    def __init__(self, *args, upload_session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload_session = upload_session
        self.kept_uploads: dict[str, dict] = {}

    def _use_kept_widgets(self) -> None:
        # At cleaning time, not in __init__: forms add their file fields in their own __init__.
        for name in self._kept_field_names():
            field = self.fields[name]
            if not isinstance(field.widget, KeptFileInput):
                widget = KeptFileInput(attrs=field.widget.attrs)
                widget.is_required = field.widget.is_required
                field.widget = widget

    def _kept_field_names(self) -> list[str]:
        names = self.kept_upload_fields
        if names is None:
            names = [n for n, f in self.fields.items() if isinstance(f, forms.FileField)]
        return [n for n in names if n in self.fields]

    def _restore_kept(self) -> None:
        files = self.files.copy() if self.files else None
        restored = False
        for name in self._kept_field_names():
            key = self.add_prefix(name)
            if files is not None and files.get(key):
                continue  # a new file chosen replaces the kept one
            found = restore(self.data.get(key + TOKEN_SUFFIX, ""), self.upload_session)
            if found is None:
                continue
            uploaded, token = found
            if files is None:
                from django.utils.datastructures import MultiValueDict

                files = MultiValueDict()
            files[key] = uploaded
            self.kept_uploads[name] = {"name": uploaded.name, "token": token}
            restored = True
        if restored:
            self.files = files

    def full_clean(self):
        active = self.is_bound and self.upload_session is not None
        if active:
            self._use_kept_widgets()
            self._restore_kept()
        super().full_clean()
        if not active or not self._errors:
            return
        for name in self._kept_field_names():
            if name in self._errors:
                # The file itself was refused (type, size, content): keeping it would only ask again.
                self.kept_uploads.pop(name, None)
                continue
            if name in self.kept_uploads:
                continue
            uploaded = self.files.get(self.add_prefix(name)) if self.files else None
            if not isinstance(uploaded, UploadedFile) or not uploaded.size:
                continue
            try:
                token = keep(uploaded, self.upload_session)
            except OSError:
                logger.exception("Could not keep the upload of %s", name)
                continue
            self.kept_uploads[name] = {"name": os.path.basename(uploaded.name or ""), "token": token}
        for name in self._kept_field_names():
            self.fields[name].widget.kept = self.kept_uploads.get(name)


class KeptUploadsViewMixin:
    """For a FormView whose form uses KeptUploadsMixin: passes the session to it."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "upload_session": self.request.session}


def cleanup_kept_uploads(now: datetime.datetime | None = None, max_age: int = KEEP_SECONDS) -> int:
    """Delete the kept uploads older than `max_age` seconds (their tokens have expired): a step of the
    periodic sweep. Returns how many files were deleted."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(seconds=max_age)
    deleted = 0
    try:
        folders, _ = default_storage.listdir(KEEP_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for folder in folders:
        base = f"{KEEP_DIR}/{folder}"
        try:
            _, names = default_storage.listdir(base)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            path = f"{base}/{name}"
            try:
                if default_storage.get_modified_time(path) < limit:
                    default_storage.delete(path)
                    deleted += 1
            except (FileNotFoundError, OSError):
                continue
        _remove_empty_dir(base)
    return deleted


def _remove_empty_dir(base: str) -> None:
    """A file system storage leaves the emptied folder behind: remove it (other storages have none)."""
    try:
        path = default_storage.path(base)
    except NotImplementedError:
        return
    with contextlib.suppress(OSError):
        os.rmdir(path)
