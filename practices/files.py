"""The file of a development: checked by extension AND content (a renamed .exe is not a PDF), and
limited in size — the rules of submissions/attachments.py, for the formats of teaching materials."""

import os
import zipfile

from django.core.exceptions import ValidationError

from submissions.attachments import OLE_MAGIC, ZIP_MAGIC, display_name, extension_of, size_label, storage_name

# Read at call time: tests may lower it.
MAX_BYTES = 20 * 1024 * 1024

MAGIC = {
    ".pdf": (b"%PDF",),
    ".doc": (OLE_MAGIC,),
    ".ppt": (OLE_MAGIC,),
    ".docx": (ZIP_MAGIC,),
    ".pptx": (ZIP_MAGIC,),
    ".odt": (ZIP_MAGIC,),
    ".zip": (ZIP_MAGIC, b"PK\x05\x06"),  # the second: an empty archive, refused with its own message
}
FORMAT_NAMES = {
    ".pdf": "PDF",
    ".doc": "документ Word (DOC)",
    ".ppt": "презентация PowerPoint (PPT)",
    ".docx": "документ Word (DOCX)",
    ".pptx": "презентация PowerPoint (PPTX)",
    ".odt": "документ OpenDocument (ODT)",
    ".zip": "архив ZIP",
}
ALLOWED_EXTENSIONS = tuple(MAGIC)
ZIP_MEMBERS = {".docx": "word/document.xml", ".pptx": "ppt/presentation.xml"}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def allowed_label() -> str:
    return ", ".join(ext.lstrip(".") for ext in ALLOWED_EXTENSIONS)


def help_text() -> str:
    return f"{allowed_label()}; не больше {size_label(MAX_BYTES)}."


def _check_zip(uploaded, ext: str, name: str) -> None:
    wrong = ValidationError(f"Файл «{name}» повреждён или не является файлом формата {FORMAT_NAMES[ext]}.")
    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if not names:
                raise ValidationError(f"Архив «{name}» пустой.")
            if ext in ZIP_MEMBERS and ZIP_MEMBERS[ext] not in names:
                raise wrong
            if ext == ".odt":
                if "mimetype" not in names:
                    raise wrong
                with archive.open("mimetype") as member:
                    if member.read(100).strip() != ODT_MIMETYPE:
                        raise wrong
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, RuntimeError, NotImplementedError):
        raise wrong from None
    finally:
        uploaded.seek(0)


def validate(uploaded) -> str:
    """Check an uploaded development file; return its extension. Raises ValidationError in Russian."""
    name = os.path.basename(uploaded.name or "")
    ext = extension_of(name)
    if ext not in MAGIC:
        raise ValidationError(f"Файлы этого типа принять нельзя{f' ({ext})' if ext else ''}. Можно: {allowed_label()}.")
    if not uploaded.size:
        raise ValidationError(f"Файл «{name}» пустой.")
    if uploaded.size > MAX_BYTES:
        raise ValidationError(
            f"Файл «{name}» слишком большой ({size_label(uploaded.size)}): можно не больше {size_label(MAX_BYTES)}."
        )
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if not any(head.startswith(magic) for magic in MAGIC[ext]):
        raise ValidationError(
            f"Содержимое файла «{name}» не соответствует расширению {ext}: это не {FORMAT_NAMES[ext]}. "
            "Сохраните файл в нужном формате и прикрепите снова."
        )
    if MAGIC[ext][0] == ZIP_MAGIC:
        _check_zip(uploaded, ext, name)
    return ext


__all__ = ["MAX_BYTES", "display_name", "help_text", "storage_name", "validate"]
