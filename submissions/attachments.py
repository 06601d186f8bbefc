"""Files attached to a plan or a report: what may be uploaded, checked in one place.

A file is accepted by its extension AND its content: the first bytes must be those of the
format the extension promises (a renamed .exe is not a PDF), and the size is limited.
"""

import os
import zipfile

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_valid_filename

from . import models
from .editing import ExpectedVersionMixin
from .models import ALLOWED_ATTACHMENT_TYPES, Attachment

# Read by `validate_upload` at call time: tests (and settings, if ever) may change it.
MAX_ATTACHMENT_BYTES = models.MAX_ATTACHMENT_BYTES

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAGIC = {
    ".pdf": (b"%PDF",),
    ".docx": (ZIP_MAGIC,),
    ".xlsx": (ZIP_MAGIC,),
    ".odt": (ZIP_MAGIC,),
    ".ods": (ZIP_MAGIC,),
    ".doc": (OLE_MAGIC,),
    ".xls": (OLE_MAGIC,),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".ppt": (OLE_MAGIC,),
    ".pptx": (ZIP_MAGIC,),
    ".zip": (ZIP_MAGIC, b"PK\x05\x06"),  # the second: an empty archive, refused with its own message
}
FORMAT_NAMES = {
    ".pdf": "PDF",
    ".docx": "документ Word (DOCX)",
    ".xlsx": "таблица Excel (XLSX)",
    ".odt": "документ OpenDocument (ODT)",
    ".ods": "таблица OpenDocument (ODS)",
    ".doc": "документ Word (DOC)",
    ".xls": "таблица Excel (XLS)",
    ".png": "изображение PNG",
    ".jpg": "изображение JPEG",
    ".jpeg": "изображение JPEG",
    ".ppt": "презентация PowerPoint (PPT)",
    ".pptx": "презентация PowerPoint (PPTX)",
    ".zip": "архив ZIP",
}
# What an office file that is a zip archive must contain to be what its extension says.
ZIP_MEMBERS = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}
ODF_MIMETYPES = {".odt": ALLOWED_ATTACHMENT_TYPES[".odt"], ".ods": ALLOWED_ATTACHMENT_TYPES[".ods"]}


def allowed_extensions_label(allowed=None) -> str:
    return ", ".join(ext.lstrip(".") for ext in (ALLOWED_ATTACHMENT_TYPES if allowed is None else allowed))


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} МБ".replace(".0 ", " ").replace(".", ",")
    if size >= 1024:
        return f"{max(1, round(size / 1024))} КБ"
    return f"{size} байт"


def extension_of(name: str) -> str:
    return os.path.splitext(name or "")[1].lower()


def _head(uploaded, length: int = 16) -> bytes:
    uploaded.seek(0)
    head = uploaded.read(length)
    uploaded.seek(0)
    return head


def _check_zip_contents(uploaded, ext: str, name: str) -> None:
    wrong = ValidationError(f"Файл «{name}» повреждён или не является файлом формата {FORMAT_NAMES[ext]}.")
    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if ext == ".zip" and not names:
                raise ValidationError(f"Архив «{name}» пустой.")
            if ext in ZIP_MEMBERS and ZIP_MEMBERS[ext] not in names:
                raise wrong
            if ext in ODF_MIMETYPES:
                if "mimetype" not in names:
                    raise wrong
                with archive.open("mimetype") as member:
                    if member.read(100).strip() != ODF_MIMETYPES[ext].encode():
                        raise wrong
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, RuntimeError, NotImplementedError):
        raise wrong from None
    finally:
        uploaded.seek(0)


def validate_upload(uploaded, allowed=None, max_bytes=None, refusal="Файлы этого типа прикреплять нельзя") -> str:
    """Check an uploaded file; return its extension. Raises ValidationError in Russian.

    `allowed` (extensions known to MAGIC) and `max_bytes` default to those of attachments; other
    uploads (developments, scans, evidence) pass their own."""
    allowed = tuple(ALLOWED_ATTACHMENT_TYPES) if allowed is None else allowed
    max_bytes = MAX_ATTACHMENT_BYTES if max_bytes is None else max_bytes
    name = os.path.basename(uploaded.name or "")
    ext = extension_of(name)
    if ext not in allowed:
        raise ValidationError(f"{refusal}{f' ({ext})' if ext else ''}. Можно: {allowed_extensions_label(allowed)}.")
    if not uploaded.size:
        raise ValidationError(f"Файл «{name}» пустой.")
    if uploaded.size > max_bytes:
        raise ValidationError(
            f"Файл «{name}» слишком большой ({size_label(uploaded.size)}): можно не больше {size_label(max_bytes)}."
        )
    head = _head(uploaded)
    if not any(head.startswith(magic) for magic in MAGIC[ext]):
        raise ValidationError(
            f"Содержимое файла «{name}» не соответствует расширению {ext}: это не {FORMAT_NAMES[ext]}. "
            "Сохраните файл в нужном формате и прикрепите снова."
        )
    if head.startswith(ZIP_MAGIC) or ext == ".zip":
        _check_zip_contents(uploaded, ext, name)
    return ext


def display_name(uploaded) -> str:
    name = os.path.basename(uploaded.name or "").strip()
    return name[:255] or "файл"


def storage_name(uploaded) -> str:
    """A safe file name for the storage (the display name keeps the original)."""
    ext = extension_of(uploaded.name)
    stem = os.path.splitext(os.path.basename(uploaded.name or ""))[0]
    try:
        stem = get_valid_filename(stem)[:80]
    except Exception:  # noqa: BLE001 - SuspiciousFileOperation for names like ".."
        stem = ""
    return f"{stem or 'file'}{ext}"


class AttachmentForm(ExpectedVersionMixin, forms.Form):
    file = forms.FileField(
        label="Файл",
        error_messages={
            "required": "Выберите файл.",
            "empty": "Файл пустой.",
            "invalid": "Файл не получен: выберите его ещё раз.",
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_attachment_%s")  # the editor has another form with a version
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"{allowed_extensions_label()}; не больше {size_label(MAX_ATTACHMENT_BYTES)}."
        self.fields["file"].widget.attrs["accept"] = ",".join(ALLOWED_ATTACHMENT_TYPES)

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        validate_upload(uploaded)
        return uploaded


def add(submission, uploaded, by) -> Attachment:
    """Store a validated upload for `submission` (call inside `editing.edit`, after the version check)."""
    attachment = Attachment(submission=submission, name=display_name(uploaded), size=uploaded.size, uploaded_by=by)
    attachment.file.save(storage_name(uploaded), uploaded, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def remove(attachment) -> None:
    """Delete the row now and the stored file once the edit is committed."""
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
