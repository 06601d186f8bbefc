"""«Входящие»: every decision or signature the user owes, from every app, in one table."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.utils import timezone
from django.views.generic import TemplateView

from .display import row
from .registry import decisions_for

PAGE_SIZE = 50


class InboxView(LoginRequiredMixin, TemplateView):
    """/inbox/ — oldest first (what has waited longest), or `?sort=newest`; «ещё N» rows lead to the full
    list of their kind."""

    template_name = "worklist/inbox.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        newest = self.request.GET.get("sort") == "newest"
        rows = [row(task, today) for task in decisions_for(self.request.user, today)]
        tasks, more = [r for r in rows if not r.task.more], [r for r in rows if r.task.more]
        # Waiting the longest first (a task with no date last), or the newest first.
        if newest:
            tasks.sort(key=lambda r: (r.waiting_days is None, r.waiting_days or 0))
        else:
            tasks.sort(key=lambda r: (r.waiting_days is None, -(r.waiting_days or 0)))
        return super().get_context_data(
            page_obj=Paginator(tasks, PAGE_SIZE).get_page(self.request.GET.get("page")),
            more=more,
            sort="newest" if newest else "oldest",
            total=len(tasks) + sum(r.task.more for r in more),
            **kwargs,
        )
