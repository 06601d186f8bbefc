"""The file of a development: teaching-material formats and a larger size limit, checked by the
one upload check of the project (submissions.attachments.validate_upload: extension AND content)."""

from submissions.attachments import (
    allowed_extensions_label,
    display_name,
    size_label,
    storage_name,
    validate_upload,
)

# Read at call time: tests may lower it.
MAX_BYTES = 20 * 1024 * 1024
ALLOWED_EXTENSIONS = (".pdf", ".doc", ".ppt", ".docx", ".pptx", ".odt", ".zip")


def allowed_label() -> str:
    return allowed_extensions_label(ALLOWED_EXTENSIONS)


def help_text() -> str:
    return f"{allowed_label()}; не больше {size_label(MAX_BYTES)}."


def validate(uploaded) -> str:
    """Check an uploaded development file; return its extension. Raises ValidationError in Russian."""
    return validate_upload(
        uploaded, allowed=ALLOWED_EXTENSIONS, max_bytes=MAX_BYTES, refusal="Файлы этого типа принять нельзя"
    )


__all__ = ["MAX_BYTES", "display_name", "help_text", "storage_name", "validate"]
