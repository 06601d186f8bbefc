"""Where uploaded and generated files live: the local folder or S3-compatible object storage.

Without `STORAGE_URL` the portal keeps its files under MEDIA_ROOT (the embedded default, one machine).
With it, every file (scans, attachments, rendered PDFs, register exports, imports, kept uploads) goes to
an S3-compatible object store through django-storages — the stores Russian regions run (Yandex Object
Storage, VK Cloud, Selectel, MinIO, Ceph) all speak S3. The one form:

    STORAGE_URL=s3://ACCESS_KEY:SECRET_KEY@host[:port]/bucket[/prefix]?region=ru-central1&secure=1

- the keys are percent-encoded if they contain `/`, `+`, `@` or `:`; without them boto3 takes its own
  (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment, a profile, an instance role);
- `secure=0` talks plain HTTP (a store on the same private network or the test server), default 1;
- `region` is the store's region name (default `us-east-1`, which most non-AWS stores accept);
- `expire` — seconds a signed URL lives (default 60); the portal itself never hands one out: every
  download is read by the portal and streamed through its own view, after the permission check and
  the 152-ФЗ log.

Objects are written private (no public-read ACL), names never overwrite (a second file of the same name
gets a suffix), and addressing is path-style (`host/bucket/key`), which every S3 clone understands.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
KNOWN_PARAMS = {"region", "secure", "expire"}
# An S3 file being read or written is held in memory up to this size, then in a temporary file that is
# deleted when the request ends (django-storages' default 0 would keep a 100 MB export in memory).
MAX_MEMORY_SIZE = 5 * 1024 * 1024


def _bad(url: str, why_ru: str, why_en: str) -> ImproperlyConfigured:
    shown = _without_secret(url)
    return ImproperlyConfigured(
        f"STORAGE_URL «{shown}»: {why_ru}. Ожидается s3://КЛЮЧ:СЕКРЕТ@хост[:порт]/бакет?region=…&secure=0|1 "
        f"(STORAGE_URL: {why_en}; expected s3://KEY:SECRET@host[:port]/bucket?region=…&secure=0|1)"
    )


def _without_secret(url: str) -> str:
    """The URL as it may appear in an error message or a log: the secret key replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "…"
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{parts.username}:***@{netloc}").geturl()


def _flag(url: str, name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise _bad(url, f"параметр {name}={value!r} должен быть 0 или 1", f"{name} must be 0 or 1")


def parse_storage_url(url: str) -> dict:
    """STORAGE_URL → the `STORAGES["default"]` entry of the S3 backend; ImproperlyConfigured if it is wrong."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _bad(url, f"адрес не разобран ({exc})", f"cannot be parsed ({exc})") from None
    if parts.scheme != "s3":
        raise _bad(url, "схема должна быть s3://", "the scheme must be s3://")
    if not parts.hostname:
        raise _bad(url, "не указан хост хранилища", "no host")
    path = unquote(parts.path).strip("/")
    bucket, _, prefix = path.partition("/")
    if not bucket:
        raise _bad(url, "не указан бакет (s3://…@хост/бакет)", "no bucket (s3://…@host/bucket)")
    if parts.fragment:
        raise _bad(url, "лишняя часть после «#»", "unexpected fragment")
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
    unknown = sorted(set(query) - KNOWN_PARAMS)
    if unknown:
        raise _bad(
            url,
            f"неизвестные параметры: {', '.join(unknown)} (допустимы {', '.join(sorted(KNOWN_PARAMS))})",
            f"unknown parameters: {', '.join(unknown)}",
        )
    params = {name: values[-1] for name, values in query.items()}
    if (parts.username is None) != (parts.password is None) or (parts.username == "" or parts.password == ""):
        raise _bad(url, "ключ и секрет указываются вместе (КЛЮЧ:СЕКРЕТ@)", "give both the key and the secret")
    secure = _flag(url, "secure", params.get("secure", "1"))
    try:
        expire = int(params.get("expire", "60"))
    except ValueError:
        expire = 0
    if not 1 <= expire <= 7 * 24 * 3600:
        raise _bad(url, "expire — число секунд от 1 до 604800", "expire must be a number of seconds from 1 to 604800")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    endpoint = f"{'https' if secure else 'http'}://{host}{f':{port}' if port else ''}"
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": params.get("region") or "us-east-1",
        "use_ssl": secure,
        "addressing_style": "path",
        "signature_version": "s3v4",
        # Nothing is public by its URL: private objects, signed URLs only, short-lived.
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": expire,
        "file_overwrite": False,
        "max_memory_size": MAX_MEMORY_SIZE,
    }
    if prefix:
        options["location"] = prefix
    if parts.username is not None:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password)
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}


def default_storage_config(storage_url: str | None) -> dict:
    """STORAGES["default"]: the S3 backend when STORAGE_URL is set, else the local folder (MEDIA_ROOT)."""
    if storage_url and storage_url.strip():
        return parse_storage_url(storage_url)
    return {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def is_object_storage(storage) -> bool:
    """True when `storage` keeps nothing on this machine's disk (it has no local path)."""
    try:
        storage.path("")
    except NotImplementedError:
        return True
    return False
