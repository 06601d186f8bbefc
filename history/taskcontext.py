"""Celery tasks act «через фоновую задачу»: what a task changes is attributed to it (history.context).

Connected to Celery's own task signals, so every task — the job tasks, the deadline sweep, the mail
relay — is covered without each one wrapping itself. The user stays whoever was acting when the task
ran in the same process (an eager task inside a page request); in a worker it is the system.
"""

from contextvars import ContextVar

from .context import Actor, Via, _current, current, new_request_id

_tokens: ContextVar[dict | None] = ContextVar("history_task_tokens", default=None)


def _started(task_id=None, task=None, **kwargs):
    outer = current()
    actor = Actor(
        user=outer.user,
        via=Via.TASK,
        request_id=(task_id or new_request_id())[:64],
        detail=f"задача {getattr(task, 'name', '')}"[:300],
    )
    tokens = dict(_tokens.get() or {})
    tokens[task_id] = _current.set(actor)
    _tokens.set(tokens)


def _finished(task_id=None, **kwargs):
    tokens = dict(_tokens.get() or {})
    token = tokens.pop(task_id, None)
    _tokens.set(tokens)
    if token is not None:
        try:
            _current.reset(token)
        except ValueError:  # set in another context (should not happen): leave the system actor
            _current.set(None)


def connect() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_started, weak=False, dispatch_uid="history-task-started")
    task_postrun.connect(_finished, weak=False, dispatch_uid="history-task-finished")
