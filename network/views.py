from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from orgunits.access import GROUP_PREFIX, ROLES, access_for, parse_role_group_name

from .models import Notification


def parse_int(value) -> int | None:
    """A GET parameter as an integer; a missing or malformed one is None (the filter is ignored)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_unit(user, unit, action: str = "view", denied: str = ""):
    """The rule of the whole portal for a unit: cannot see → 404, can see (or sees its name, as a
    unit above one's own) but may not act → 403 with `denied` saying who may."""
    access = access_for(user)
    if access.can(action, unit):
        return unit
    if access.can("view", unit) or access.can_see_name(unit):
        raise PermissionDenied(denied or "Недостаточно прав для этого действия.")
    raise Http404("Подразделение не найдено.")


UNIT_RELATED = ("kind", "region", "school", "parent")


def get_unit(user, pk, action: str = "view", denied: str = ""):
    """The unit of a URL, checked by `check_unit`: every page about a unit starts here."""
    from orgunits.models import OrgUnit

    return check_unit(user, get_object_or_404(OrgUnit.objects.select_related(*UNIT_RELATED), pk=pk), action, denied)


def get_restricted(queryset, user, pk, action: str = "view", *, view_action: str = "view", denied: str = ""):
    """One object of a restricted model by the portal's one rule: not visible → 404, visible but
    the action not allowed → 403. Both checks go through `restrict()` — the same door as the lists.
    Allowed costs one query (both filters at once); only a refusal asks a second time which it is."""
    visible = queryset.restrict(user, view_action)
    allowed = visible if action == view_action else visible.restrict(user, action)
    obj = allowed.filter(pk=pk).first()
    if obj is not None:
        return obj
    if action != view_action and visible.filter(pk=pk).exists():
        raise PermissionDenied(denied or "Недостаточно прав для этого действия.")
    raise Http404("Не найдено.")


class RestrictedObjectMixin:
    """For a detail, edit or delete view of a restricted model: `self.object` is fetched once, in
    dispatch, by `get_restricted` — 404 when the user does not see it, 403 when they see it but may
    not `action` it. Set `model`, `action` (and `related`, `denied_message` where useful)."""

    model = None
    action = "view"
    view_action = "view"
    related: tuple[str, ...] = ()
    denied_message = ""
    pk_url_kwarg = "pk"

    def get_restricted_queryset(self):
        return self.model.objects.select_related(*self.related)

    def get_object(self, queryset=None):
        return get_restricted(
            queryset if queryset is not None else self.get_restricted_queryset(),
            self.request.user,
            self.kwargs[self.pk_url_kwarg],
            self.action,
            view_action=self.view_action,
            denied=self.denied_message,
        )

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)


class HomeView(LoginRequiredMixin, TemplateView):
    """The home page starts with «Мои задачи»: what waits for this user in every app (worklist), grouped,
    each with its button; then the user's units and roles."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        from orgunits.models import OrgUnit
        from people.models import Person
        from worklist.display import grouped
        from worklist.registry import tasks_for

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        tasks = tasks_for(user, today)
        ctx.update(
            task_groups=grouped(tasks, today),
            decisions=sum(t.more or 1 for t in tasks if t.decision),
            today=today,
        )
        person = Person.objects.filter(user=user).select_related("school").first()
        memberships = []
        if person:
            memberships = list(person.memberships.active().select_related("unit__kind").order_by("unit__name"))
        grants = []
        group_names = [g for g in user.groups.values_list("name", flat=True) if g.startswith(GROUP_PREFIX)]
        parsed = [
            p for p in map(parse_role_group_name, group_names) if p and p[1] in ROLES and not ROLES[p[1]].membership
        ]
        units = OrgUnit.objects.select_related("kind").in_bulk([unit_id for unit_id, _ in parsed])
        for unit_id, role in parsed:
            if unit_id in units:
                grants.append((units[unit_id], ROLES[role]))
        ctx.update(person=person, memberships=memberships, grants=grants, access=access_for(user))
        return ctx


class NotificationsView(LoginRequiredMixin, TemplateView):
    """The bell: two tabs, «Требуют действия» (a document to agree, a return to fix, a signature) and
    «Для сведения», each unread first, with counts; «Отметить все прочитанными»; open one."""

    template_name = "notifications.html"
    TABS = {"action": ("Требуют действия", True), "info": ("Для сведения", False)}

    def get_context_data(self, **kwargs):
        user = self.request.user
        mine = Notification.objects.filter(user=user)
        counts = mine.aggregate(
            action=Count("pk", filter=Q(needs_action=True)),
            action_unread=Count("pk", filter=Q(needs_action=True, read_at__isnull=True)),
            info=Count("pk", filter=Q(needs_action=False)),
            info_unread=Count("pk", filter=Q(needs_action=False, read_at__isnull=True)),
        )
        tab = self.request.GET.get("tab")
        if tab not in self.TABS:
            # What asks for action comes first, unless nothing unread does and something for information is.
            tab = "info" if not counts["action_unread"] and counts["info_unread"] else "action"
        unread_first = Case(When(read_at__isnull=True, then=Value(0)), default=Value(1))
        notes = (
            mine.filter(needs_action=self.TABS[tab][1])
            .alias(unread_first=unread_first)
            .order_by("unread_first", "-created_at", "-pk")
        )
        tabs = [
            {
                "code": code,
                "label": label,
                "count": counts[code],
                "unread": counts[f"{code}_unread"],
                "current": code == tab,
            }
            for code, (label, _) in self.TABS.items()
        ]
        return super().get_context_data(
            page_obj=Paginator(notes, 50).get_page(self.request.GET.get("page")),
            tab=tab,
            tabs=tabs,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        now = timezone.now()
        mine = Notification.objects.filter(user=request.user, read_at__isnull=True)
        if "open" in request.POST:
            if not request.POST["open"].isdigit():
                raise Http404("Уведомление не найдено.")
            note = get_object_or_404(Notification, pk=int(request.POST["open"]), user=request.user)
            if note.read_at is None:
                mine.filter(pk=note.pk).update(read_at=now)
            if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
                return redirect(note.url)
            return redirect("notifications")
        marked = mine.update(read_at=now)
        messages.success(request, f"Отмечено прочитанными: {marked}." if marked else "Непрочитанных уведомлений нет.")
        return redirect("notifications")
