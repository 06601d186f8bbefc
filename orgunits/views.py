from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Func, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import FormView, ListView, TemplateView

from network.forms import attach_errors
from network.models import normalize_search
from network.views import get_restricted, get_unit
from programs.services import unit_block as unit_programs_block

from . import grant_log, services
from .access import GRANTABLE_ROLES, ROLES, access_for, grant_role, revoke_role, role_holders
from .forms import GrantForm, MoveForm, OrgUnitForm, SchoolForm
from .grant_log import GrantVia
from .models import DocumentType, OrgUnit, School, placement_errors
from .tree import annotate_counts, chains, node_queryset

TREE_CHILDREN_LIMIT = 500  # past this a node lists no more children: search finds the rest


class UnitActionMixin(LoginRequiredMixin):
    """A page that acts on the unit of the URL: resolves it once and checks `unit_action`."""

    unit_action = "manage"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = get_unit(request.user, kwargs["pk"], self.unit_action)
        return super().dispatch(request, *args, **kwargs)

    def region_schools(self):
        return School.objects.restrict(self.request.user, "view").filter(municipality__region=self.unit.region)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, **kwargs)


class TreeView(LoginRequiredMixin, TemplateView):
    """The network as a tree: the user's top units, children on expand, search by name."""

    template_name = "orgunits/tree.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.get("q", "").strip()
        ctx["query"] = query
        ctx["can_import"] = access_for(user).administers_anything
        if query:
            needle = normalize_search(query)
            results = annotate_counts(node_queryset().restrict(user, "view").filter(search__contains=needle), user)
            page = Paginator(results, 25).get_page(self.request.GET.get("page"))
            ctx["page_obj"] = page
            ctx["chains"] = chains(page.object_list)
            return ctx
        access = access_for(user)
        if access.superuser:
            tops = node_queryset().filter(parent__isnull=True)
        else:
            tops = node_queryset().filter(pk__in=[s.unit_id for s in access.top_spans()])
        tops = list(annotate_counts(tops, user))
        ctx["tops"] = tops
        ctx["chains"] = chains(tops)
        return ctx


class TreeChildrenView(LoginRequiredMixin, TemplateView):
    """htmx: the children of one node, loaded when it is expanded."""

    template_name = "orgunits/_tree_nodes.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        parent = get_object_or_404(OrgUnit, pk=self.kwargs["pk"])
        if not access_for(user).can_see_name(parent):
            raise Http404
        children = annotate_counts(node_queryset().restrict(user, "view").filter(parent=parent), user)
        nodes = list(children[: TREE_CHILDREN_LIMIT + 1])
        ctx["nodes"], ctx["more"] = nodes[:TREE_CHILDREN_LIMIT], len(nodes) > TREE_CHILDREN_LIMIT
        ctx["parent"] = parent
        return ctx


def count_of(queryset):
    """A COUNT(*) of `queryset` as a scalar subquery: many counts then cost one query."""
    return Coalesce(
        Subquery(queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")[:1]),
        0,
    )


# The unit page's tabs: (key, label). «Обзор» first: documents above the members (issue 12).
UNIT_TABS = (
    ("overview", "Обзор"),
    ("documents", "Документы"),
    ("members", "Состав"),
    ("meetings", "Заседания"),
    ("orders", "Приказы"),
    ("events", "Мероприятия"),
    ("programs", "Программы"),
    ("children", "Нижестоящие"),
    ("history", "История"),
)
UNIT_TAB_KEYS = frozenset(key for key, _ in UNIT_TABS)
OVERVIEW_DOCUMENTS = 5
OVERVIEW_MEMBERS = 50
OVERVIEW_FORMER = 10
TAB_PAGE = 25


class UnitDetailView(LoginRequiredMixin, TemplateView):
    """/units/<pk>/?tab=…: the unit at a glance — tabs with counts (one query for all of them),
    each tab's list bounded by a page; the actions in one toolbar."""

    template_name = "orgunits/unit_detail.html"

    def tab_querysets(self, unit, user, today):
        from events.models import Event
        from history.services import entries_for
        from meetings.models import Meeting
        from programs.models import Program, RoadmapItem
        from programs.services import overdue_q

        return {
            "documents": unit.submissions.all(),
            "members": unit.memberships.filter(left_on__isnull=True),
            "meetings": Meeting.objects.restrict(user, "view").filter(unit=unit),
            "orders": unit.orders.all(),
            "events": Event.objects.restrict(user, "view").filter(unit=unit),
            "programs": Program.objects.filter(unit=unit),
            "children": OrgUnit.objects.restrict(user, "view").filter(parent=unit),
            "history": entries_for(unit),
            "former": unit.memberships.filter(left_on__isnull=False),
            "overdue": RoadmapItem.objects.filter(overdue_q(today), program__unit=unit),
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        unit = get_unit(user, self.kwargs["pk"])
        access = access_for(user)
        today = timezone.localdate()
        tab = self.request.GET.get("tab", "overview")
        if tab not in UNIT_TAB_KEYS:
            tab = "overview"
        querysets = self.tab_querysets(unit, user, today)
        counts = OrgUnit.objects.filter(pk=unit.pk).values(
            **{f"n_{name}": count_of(qs) for name, qs in querysets.items()}
        )[0]
        counts = {name[2:]: n for name, n in counts.items()}
        ancestors = list(unit.get_ancestors().select_related("kind"))
        can_manage_members = access.can("manage_members", unit)
        ctx.update(
            unit=unit,
            ancestors=ancestors,
            tab=tab,
            tabs=[
                (key, label, counts.get(key), self.request.path + ("" if key == "overview" else f"?tab={key}"))
                for key, label in UNIT_TABS
            ],
            counts=counts,
            can_manage=access.can("manage", unit),
            can_manage_members=can_manage_members,
            # A candidacy of a chair goes to the nearest ancestor approving candidates (issue 4).
            can_propose_candidate=can_manage_members
            and unit.is_active
            and any(a.kind.approves(DocumentType.CANDIDATE) for a in ancestors),
            can_view_people=access.can("view_people", unit),
        )
        getattr(self, f"tab_{tab}")(ctx, querysets, user, unit, today)
        return ctx

    def page(self, queryset):
        return Paginator(queryset, TAB_PAGE).get_page(self.request.GET.get("page"))

    # Whoever sees the unit sees its plans and reports (the rule of Submission.restrict).
    def documents(self, querysets):
        return (
            querysets["documents"]
            .select_related("campaign")
            .order_by(Coalesce("campaign__year", "own_year").desc(), "campaign__document_type", "-pk")
        )

    def tab_overview(self, ctx, querysets, user, unit, today):
        members = querysets["members"].select_related("person").in_role_order()
        ctx.update(
            submissions=list(self.documents(querysets)[:OVERVIEW_DOCUMENTS]),
            current=list(members[:OVERVIEW_MEMBERS]),
            former=list(
                querysets["former"].select_related("person").in_role_order().order_by("-left_on")[:OVERVIEW_FORMER]
            ),
            next_meeting=querysets["meetings"].filter(date__gte=today).order_by("date", "time", "number").first(),
        )

    def tab_documents(self, ctx, querysets, user, unit, today):
        ctx["page_obj"] = self.page(self.documents(querysets))

    def tab_members(self, ctx, querysets, user, unit, today):
        ctx["page_obj"] = self.page(querysets["members"].select_related("person").in_role_order())
        ctx["former"] = list(querysets["former"].select_related("person").in_role_order().order_by("-left_on")[:100])

    def tab_meetings(self, ctx, querysets, user, unit, today):
        ctx["page_obj"] = self.page(querysets["meetings"].order_by("-date", "-number"))

    def tab_orders(self, ctx, querysets, user, unit, today):
        ctx["page_obj"] = self.page(querysets["orders"].order_by("-date", "-number", "-pk"))

    def tab_events(self, ctx, querysets, user, unit, today):
        ctx["page_obj"] = self.page(querysets["events"].with_participant_count().order_by("-starts_on", "-pk"))

    def tab_programs(self, ctx, querysets, user, unit, today):
        # Programs and roadmaps of the unit (issue 5, part 6): status counts, overdue items.
        ctx["programs_block"] = unit_programs_block(user, unit, today)

    def tab_children(self, ctx, querysets, user, unit, today):
        ctx["page_obj"] = self.page(annotate_counts(node_queryset().restrict(user, "view").filter(parent=unit), user))

    def tab_history(self, ctx, querysets, user, unit, today):
        from django.contrib.contenttypes.models import ContentType

        from history.presenting import present

        page = Paginator(querysets["history"], TAB_PAGE).get_page(self.request.GET.get("page"))
        ctx["page_obj"] = page
        ctx["history_rows"] = present(
            page.object_list, user, main_type=ContentType.objects.get_for_model(OrgUnit, for_concrete_model=False)
        )


class UnitCreateView(UnitActionMixin, FormView):
    """A new unit under the unit of the URL."""

    template_name = "orgunits/unit_form.html"
    form_class = OrgUnitForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parent": self.unit, "schools": self.region_schools()}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            unit = services.create_unit(
                region=self.unit.region,
                kind=data["kind"],
                parent=self.unit,
                name=data["name"],
                short_name=data["short_name"],
                school=data.get("school"),
                description=data["description"],
                opened_on=data["opened_on"],
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Подразделение «{unit}» создано.")
        return redirect(unit)

    def get_context_data(self, **kwargs):
        return super().get_context_data(parent=self.unit, title="Новое подразделение", **kwargs)


class UnitEditView(UnitActionMixin, FormView):
    template_name = "orgunits/unit_form.html"
    form_class = OrgUnitForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.unit, "schools": self.region_schools()}

    def form_valid(self, form):
        if not form.save_versioned():
            return self.form_invalid(form)
        messages.success(self.request, "Изменения сохранены.")
        return redirect(self.unit)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=f"Изменить: {self.unit}", **kwargs)


class UnitMoveView(UnitActionMixin, FormView):
    template_name = "orgunits/unit_move.html"
    form_class = MoveForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        unit = self.unit
        # Only where the kind may sit, inside what the user administers, never inside itself.
        kwargs["targets"] = (
            OrgUnit.objects.restrict(self.request.user, "manage")
            .filter(region=unit.region, kind__in=unit.kind.allowed_parents.all(), closed_on__isnull=True)
            .exclude(tree_id=unit.tree_id, lft__gte=unit.lft, lft__lte=unit.rght)
            .exclude(pk=unit.parent_id)
            .select_related("kind")
            .order_by("name")
        )
        return kwargs

    def form_valid(self, form):
        new_parent = form.cleaned_data["new_parent"]
        if self.request.POST.get("confirm") != "1":
            # First the page that says what changes; «Переместить» there posts again with confirm=1.
            errors = placement_errors(self.unit.kind, new_parent, self.unit.region_id)
            if errors:
                attach_errors(form, ValidationError(errors), default_field="new_parent")
                return self.form_invalid(form)
            return self.render_to_response(
                self.get_context_data(form=form, confirm=True, preview=services.move_preview(self.unit, new_parent))
            )
        try:
            services.move_unit(self.unit, new_parent)
        except ValidationError as exc:
            attach_errors(form, exc, default_field="new_parent")
            return self.form_invalid(form)
        messages.success(self.request, f"«{self.unit}» перенесено в «{form.cleaned_data['new_parent']}».")
        return redirect("orgunits:unit", pk=self.unit.pk)


class UnitAccessView(UnitActionMixin, FormView):
    """Roles granted at a unit (reviewers, administrators), who holds them, and the log of grants."""

    template_name = "orgunits/unit_access.html"
    form_class = GrantForm

    def post(self, request, *args, **kwargs):
        if "revoke" in request.POST:
            user_id, _, role = request.POST["revoke"].partition(":")
            if role not in {r.code for r in GRANTABLE_ROLES} or not user_id.isdigit():
                messages.error(request, "Неверный запрос на отзыв роли: обновите страницу и попробуйте снова.")
                return redirect("orgunits:access", pk=self.unit.pk)
            from django.contrib.auth import get_user_model

            user = get_object_or_404(get_user_model(), pk=int(user_id))
            if user == request.user and role == "administrator":
                messages.error(request, "Нельзя отозвать собственную роль администратора.")
                return redirect("orgunits:access", pk=self.unit.pk)
            name = user.get_full_name() or user
            if revoke_role(user, self.unit, role, by=request.user, via=GrantVia.ACCESS_PAGE):
                messages.success(request, f"Роль «{ROLES[role].label}» у {name} отозвана.")
            else:
                messages.info(request, f"У {name} нет роли «{ROLES[role].label}» здесь: отзывать нечего.")
            return redirect("orgunits:access", pk=self.unit.pk)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user, role = form.cleaned_data["username"], form.cleaned_data["role"]
        name = user.get_full_name() or user
        if grant_role(user, self.unit, role, by=self.request.user, via=GrantVia.ACCESS_PAGE):
            messages.success(self.request, f"{name}: роль «{ROLES[role].label}» назначена.")
        else:
            messages.info(self.request, f"{name} уже имеет роль «{ROLES[role].label}» здесь: ничего не изменено.")
        return redirect("orgunits:access", pk=self.unit.pk)

    def get_context_data(self, **kwargs):
        log = grant_log.grant_entries().filter(object_id=self.unit.pk).select_related("actor")
        page = Paginator(log, 25).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            granted=role_holders(self.unit, GRANTABLE_ROLES),
            by_membership=role_holders(self.unit, [r for r in ROLES.values() if r.membership]),
            grant_log=page,
            grant_rows=grant_log.rows(page.object_list),
            **kwargs,
        )


class SchoolListView(LoginRequiredMixin, ListView):
    template_name = "orgunits/school_list.html"
    paginate_by = 25

    def get_queryset(self):
        qs = School.objects.restrict(self.request.user, "view").select_related("municipality")
        query = self.request.GET.get("q", "").strip()
        if query:
            qs = qs.filter(search__contains=normalize_search(query))
        return qs.order_by("short_name", "pk")

    def get_context_data(self, **kwargs):
        access = access_for(self.request.user)
        return super().get_context_data(
            query=self.request.GET.get("q", ""),
            can_add=access.administers_anything,
            **kwargs,
        )


def get_school(user, pk, action="view"):
    return get_restricted(School.objects.select_related("municipality__region"), user, pk, action)


class SchoolDetailView(LoginRequiredMixin, TemplateView):
    template_name = "orgunits/school_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        school = get_school(user, self.kwargs["pk"])
        staff = school.staff.restrict(user, "view").order_by("last_name", "first_name")
        return super().get_context_data(
            school=school,
            units=OrgUnit.objects.restrict(user, "view").filter(school=school).select_related("kind"),
            staff_page=Paginator(staff, 50).get_page(self.request.GET.get("page")),
            can_manage=access_for(user).can("manage", school.municipality),
            **kwargs,
        )


class SchoolFormView(LoginRequiredMixin, FormView):
    template_name = "orgunits/school_form.html"
    form_class = SchoolForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.school = get_school(request.user, kwargs["pk"], "manage") if "pk" in kwargs else None
        if self.school is None and not access_for(request.user).administers_anything:
            raise PermissionDenied("Вести реестр школ могут администраторы.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.school
        kwargs["municipalities"] = OrgUnit.objects.restrict(self.request.user, "manage")
        return kwargs

    def form_valid(self, form):
        if self.school is None:
            school = form.save()
        else:
            if not form.save_versioned():
                return self.form_invalid(form)
            school = form.instance
        messages.success(self.request, f"Школа «{school}» сохранена.")
        return redirect(school)

    def get_context_data(self, **kwargs):
        return super().get_context_data(school=self.school, **kwargs)
