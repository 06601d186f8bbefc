"""Who is acting, through what, in which request: read by every history entry written meanwhile.

A page request sets it in HistoryMiddleware; an import, a command or a Celery task wraps its work
in `acting(...)`. Contextvars, not thread locals, so it also holds under ASGI and in tasks.
"""

from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, replace


class Via:
    """Through what a change came in (LogEntry.via)."""

    PAGE = "page"
    IMPORT = "import"
    ADMIN = "admin"
    COMMAND = "command"
    TASK = "task"
    SYSTEM = "system"

    CHOICES = [
        (PAGE, "страница портала"),
        (IMPORT, "загрузка реестра"),
        (ADMIN, "администрирование"),
        (COMMAND, "команда"),
        (TASK, "фоновая задача"),
        (SYSTEM, "система"),
    ]


@dataclass(frozen=True)
class Actor:
    user: object = None  # a User or None (the system)
    via: str = Via.SYSTEM
    request_id: str = ""  # one id per request / import / task run: the entries it wrote belong together
    detail: str = ""  # e.g. «загрузка № 12, строка 7», the URL of the page


SYSTEM = Actor()
_current: ContextVar[Actor | None] = ContextVar("history_actor", default=None)


def current() -> Actor:
    return _current.get() or SYSTEM


def new_request_id() -> str:
    return uuid.uuid4().hex


def import_request_id(pk) -> str:
    """The request id every entry of one register import shares: its trace page reads them back by it."""
    return f"import-{pk}"


@contextlib.contextmanager
def acting(user=None, via: str | None = None, detail: str | None = None, request_id: str | None = None):
    """Everything recorded inside is attributed to `user` through `via`; unset fields are inherited."""
    outer = current()
    token = _current.set(
        replace(
            outer,
            user=user if user is not None else outer.user,
            via=via or outer.via,
            detail=detail if detail is not None else outer.detail,
            request_id=request_id or outer.request_id or new_request_id(),
        )
    )
    try:
        yield current()
    finally:
        _current.reset(token)


class HistoryMiddleware:
    """Attributes what a page request changes to its user; the admin's requests say so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        via = Via.ADMIN if request.path.startswith("/admin/") else Via.PAGE
        user = getattr(request, "user", None)
        actor = Actor(
            user=user if user is not None and user.is_authenticated else None,
            via=via,
            request_id=request.headers.get("X-Request-ID", "")[:64] or new_request_id(),
            detail=request.path[:200],
        )
        token = _current.set(actor)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
