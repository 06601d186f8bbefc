"""The registry of the daily sweep's steps: each app registers its own, the sweep imports none of them.

An app declares its step in `<app>/periodic.py` with `register(name, func, order=…)`;
`func(today, report, region=None)` gets the sweep's one date (time is injected, never read again), the sweep's
report to count into, and the region being swept: the hourly task sweeps each region at its local morning with
that region's local date (issue 13, time is the region's), so a step does only that region's work when
`region` is given; `region=None` (the `run_deadline_sweep --date` command, the tests) means every region.
The modules are discovered the first time the steps are asked for (as network.jobs does for tasks.py), so
a beat worker that has not imported an app yet still runs its step.

A step that raises does not stop the steps after it: the sweep is idempotent (every step records what it
did once), so the others can safely do their work today, the failure is logged and written in the report,
and the caller re-raises at the end (`raise_failed`) so Celery retries the whole sweep.
"""

import datetime
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    name: str
    func: Callable[..., None]
    order: int


_STEPS: dict[str, Step] = {}
_discovered = False


def register(name: str, func: Callable[..., None], order: int = 100) -> Step:
    """Add (or replace, when a module is imported twice) the step `name`; lower `order` runs first."""
    step = Step(name=name, func=func, order=order)
    _STEPS[name] = step
    return step


def steps() -> list[Step]:
    """The registered steps in the order they run (ties by name, so the order never depends on imports)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("periodic")
        _discovered = True
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.name))


def raise_failed(failed: list[tuple[str, BaseException]], report) -> None:
    """Re-raise the first failure itself (its type and traceback, so a retry policy or a test sees the real
    error), naming every failed step in a note and carrying the report as `sweep_report`."""
    if not failed:
        return
    exc = failed[0][1]
    exc.add_note("periodic steps failed: " + ", ".join(name for name, _ in failed))
    exc.sweep_report = report
    exc.failed_steps = [name for name, _ in failed]
    raise exc


def _takes_region(func) -> bool:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return True
    return "region" in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def run_all(today: datetime.date, report, region=None) -> list[tuple[str, BaseException]]:
    """Run every step for `today` (in `region`, or everywhere); return the steps that raised.

    Each failure is logged with its traceback and gets a line in `report.lines`; the caller decides
    when to raise (the sweep still relays the letters the other steps wrote before it does)."""
    failed = []
    for step in steps():
        try:
            if _takes_region(step.func):
                step.func(today, report, region=region)
            else:  # a step not yet written for regions does the whole network's work (idempotent)
                log.warning("periodic step %s takes no region", step.name)
                step.func(today, report)
        except Exception as exc:  # one broken step must not cost the network its reminders
            log.exception("periodic step %s failed for %s", step.name, today)
            failed.append((step.name, exc))
            report.lines.append(
                f"Шаг «{step.name}» не выполнен: {exc.__class__.__name__}: {exc}. "
                "Остальные шаги выполнены; проход будет повторён автоматически."
            )
    return failed


def _cleanup_kept_uploads(day, report, region=None):
    """Files kept across a form's validation error (network/uploads.py) live an hour; the sweep
    deletes what was never used. They belong to no region: each region's sweep may clean them."""
    from network.uploads import cleanup_kept_uploads

    cleanup_kept_uploads()


register("network.kept_uploads", _cleanup_kept_uploads, order=90)
