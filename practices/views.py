"""Pages of the expertise and of the bank of practices.

Permissions (rules in practices/services.py): the author, whoever views the sending unit, the
reviewers of the expertise unit and the assigned experts see a development (others 404); its
author and the unit's filers send and revise it, the reviewers assign experts and decide, an
assigned expert writes a conclusion (others who see it get 403). The bank and its files are open
to every logged-in user.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from network.forms import attach_errors
from network.models import normalize_search
from network.pagination import CappedPaginator
from network.uploads import KeptUploadsViewMixin
from network.views import get_restricted, get_unit, parse_int
from orgunits.access import access_for
from people.models import Subject
from workflow.engine import steps_of

from . import services
from .forms import (
    ActionForm,
    AssignForm,
    ConclusionForm,
    DecisionForm,
    DevelopmentForm,
    ResubmitForm,
    UnpublishForm,
)
from .models import Development, DevelopmentFile, EducationLevel, ExpertAssignment, MaterialKind, State, Verdict

PAGE_SIZE = 20
NOT_A_SENDER = "Разработку направляет член подразделения или тот, кто представляет его документы."
LIST_RELATED = ("author", "unit__kind", "subject", "expertise_unit")


def get_development(user, pk) -> Development:
    """The development if the user sees it (services.can_view's rule), else 404."""
    related = ("author", "unit__kind", "expertise_unit", "subject", "created_by")
    return get_restricted(Development.objects.select_related(*related), user, pk)


def posted_version(request) -> int:
    """The version a one-button form (ActionForm) was shown on; a form without it is refused."""
    form = ActionForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors["expected_version"])
    return form.cleaned_data["expected_version"]


# -- the bank ------------------------------------------------------------------------------------


class BankView(LoginRequiredMixin, TemplateView):
    """/practices/?subject=&level=&material=&q= — published practices, for every logged-in user."""

    template_name = "practices/bank.html"

    def filtered(self):
        get = self.request.GET
        practices = Development.objects.published()
        if (subject := parse_int(get.get("subject"))) is not None:
            practices = practices.filter(subject_id=subject)
        if get.get("level") in EducationLevel.values:
            practices = practices.filter(level=get["level"])
        if get.get("material") in MaterialKind.values:
            practices = practices.filter(material=get["material"])
        if query := get.get("q", "").strip():
            for word in normalize_search(query).split()[:8]:
                practices = practices.filter(search__contains=word)
        return practices

    def get_context_data(self, **kwargs):
        practices = self.filtered().select_related(*LIST_RELATED).order_by("-published_at", "-pk")
        return super().get_context_data(
            page_obj=CappedPaginator(practices, PAGE_SIZE).get_page(self.request.GET.get("page")),
            subjects=list(Subject.objects.values_list("pk", "name")),
            selected_subject=parse_int(self.request.GET.get("subject")),
            levels=EducationLevel.choices,
            materials=MaterialKind.choices,
            filters=self.request.GET,
            **kwargs,
        )


class PracticeView(LoginRequiredMixin, TemplateView):
    """/practices/<pk>/ — a practice of the bank (published developments only)."""

    template_name = "practices/practice.html"

    def get_context_data(self, **kwargs):
        # The bank is open to every logged-in user: `published()` is its door, not `restrict()`.
        dev = get_object_or_404(
            Development.objects.published().select_related(*LIST_RELATED).prefetch_related("files"),
            pk=self.kwargs["pk"],
        )
        return super().get_context_data(
            dev=dev, file=dev.current_file, can_view=services.can_view(self.request.user, dev), **kwargs
        )


class FileView(LoginRequiredMixin, View):
    """A development's file: the current file of a published practice for everyone; any version
    for those who see the development."""

    def get(self, request, pk):
        stored = get_object_or_404(DevelopmentFile.objects.select_related("development"), pk=pk)
        dev = stored.development
        public = dev.state == State.PUBLISHED and stored == dev.current_file
        if not public:  # any other file only through the development's own door (else 404)
            get_development(request.user, dev.pk)
        return FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.name)


# -- lists ---------------------------------------------------------------------------------------


class MineView(LoginRequiredMixin, TemplateView):
    """/practices/mine/ — the developments I wrote or sent, and where I can send a new one."""

    template_name = "practices/mine.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        mine = (
            Development.objects.restrict(user, "view")
            .filter(Q(author__user=user) | Q(created_by=user))
            .select_related(*LIST_RELATED)
            .order_by("-created_at", "-pk")
        )
        units = list(services.sending_units(user)[:50])
        access = access_for(user)
        return super().get_context_data(
            page_obj=Paginator(mine, PAGE_SIZE).get_page(self.request.GET.get("page")),
            units=units,
            filer_units=[u for u in units if access.can("file", u)],
            **kwargs,
        )


class UnitDevelopmentsView(LoginRequiredMixin, TemplateView):
    """/units/<pk>/developments/ — the developments a unit sent, for whoever views the unit."""

    template_name = "practices/unit_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        unit = get_unit(user, self.kwargs["pk"])
        # Whoever views the unit sees what it sent (the rule of Development.objects.restrict).
        developments = self.filter_state(unit.developments.all()).select_related(*LIST_RELATED)
        return super().get_context_data(
            unit=unit,
            page_obj=Paginator(developments.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
                self.request.GET.get("page")
            ),
            states=State.choices,
            filters=self.request.GET,
            can_send=unit.is_active and services.may_send_from(user, unit),
            **kwargs,
        )

    def filter_state(self, qs):
        state = self.request.GET.get("state")
        return qs.filter(state=state) if state in State.values else qs


class InboxView(LoginRequiredMixin, TemplateView):
    """/practices/expertise/?tab= — the reviewer's queues and the expert's own."""

    template_name = "practices/inbox.html"
    TABS = [
        ("assign", "Назначить экспертов"),
        ("conclusions", "Ждут заключений"),
        ("decide", "Принять решение"),
        ("publish", "Рекомендованы"),
        ("mine", "Мои заключения"),
    ]

    def get_context_data(self, **kwargs):
        queues = services.inbox(self.request.user)
        counts = {key: qs.count() for key, qs in queues.items()}
        tab = self.request.GET.get("tab")
        if tab not in queues:
            tab = next((key for key, _ in self.TABS if counts[key]), "assign")
        rows = queues[tab].select_related(*LIST_RELATED)
        return super().get_context_data(
            tabs=[(key, label, counts[key]) for key, label in self.TABS],
            tab=tab,
            page_obj=Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page")),
            **kwargs,
        )


# -- sending -------------------------------------------------------------------------------------


class ChooseUnitView(LoginRequiredMixin, TemplateView):
    """/practices/new/ — from which unit to send (straight on when there is one)."""

    template_name = "practices/choose_unit.html"

    def get(self, request, *args, **kwargs):
        units = list(services.sending_units(request.user)[:100])
        if len(units) == 1:
            return redirect("practices:add", units[0].pk)
        return self.render_to_response(self.get_context_data(units=units))


class DevelopmentCreateView(LoginRequiredMixin, KeptUploadsViewMixin, FormView):
    """/units/<pk>/developments/new/ — a member sends their own work; a filer, a member's."""

    template_name = "practices/form.html"
    form_class = DevelopmentForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = get_unit(request.user, kwargs["pk"], denied=NOT_A_SENDER)  # unseen → 404
        if not services.may_send_from(request.user, self.unit):
            raise PermissionDenied(NOT_A_SENDER)
        if not self.unit.is_active:
            raise PermissionDenied("Подразделение прекратило работу: направить разработку от него нельзя.")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "authors": services.author_choices(self.request.user, self.unit)}

    def get_initial(self):
        own = services.author_choices(self.request.user, self.unit).filter(user=self.request.user).first()
        return {"author": own.pk} if own else {}

    def form_valid(self, form):
        try:
            dev = services.create(
                unit=self.unit,
                author=form.cleaned_data["author"],
                by=self.request.user,
                data=form.description(),
                uploaded=form.cleaned_data["file"],
                now=timezone.now(),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Разработка сохранена как черновик. Проверьте её и направьте на экспертизу.")
        return redirect(dev)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            unit=self.unit, title="Новая методическая разработка", submit_label="Сохранить черновик", **kwargs
        )


class DevelopmentMixin(LoginRequiredMixin):
    """Resolves the development: invisible → 404; `check` ("file" / "review") not allowed → 403."""

    check = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.dev = get_development(request.user, kwargs["pk"])
        if self.check == "file":
            services.check_can_file(request.user, self.dev)
        elif self.check == "review":
            services.check_can_review(request.user, self.dev)
        return super().dispatch(request, *args, **kwargs)

    def refused(self, exc: ValidationError):
        messages.error(self.request, " ".join(exc.messages))
        return redirect(self.dev)


class DevelopmentView(DevelopmentMixin, TemplateView):
    """/developments/<pk>/ — the development with its files, conclusions, history and actions."""

    template_name = "practices/development.html"

    def get_context_data(self, **kwargs):
        user, dev = self.request.user, self.dev
        bound = {name: kwargs.pop(name, None) for name in ("assign_form", "decision_form", "unpublish_form")}
        can_file = services.can_file(user, dev)
        can_review = services.can_review(user, dev)
        assignments = list(dev.assignments.select_related("expert").order_by("-round", "assigned_at", "pk"))
        running = dev.state == State.IN_EXPERTISE
        for a in assignments:
            a.shown = not (running and a.round == dev.round) or can_review or a.expert_id == user.pk
        this_round = [a for a in assignments if a.round == dev.round]
        ctx = {
            "dev": dev,
            "files": list(dev.files.select_related("uploaded_by").order_by("-number")),
            "assignments": assignments,
            "transitions": steps_of(dev),
            "can_file": can_file,
            "can_review": can_review,
            "my_assignment": services.open_assignment(user, dev, this_round),
            "expertise_unit": services.expertise_unit_of(dev),
        }
        version = {"expected_version": dev.version}
        if can_file and dev.state == State.DRAFT:
            ctx["submit_form"] = ActionForm(initial=version)
        if can_review and dev.state in (State.SUBMITTED, State.RESUBMITTED, State.IN_EXPERTISE):
            ctx["assign_form"] = bound["assign_form"] or AssignForm(initial=version, candidates=self.candidates())
            ctx["pending"] = [a for a in this_round if running and not a.verdict]
            ctx["can_unassign"] = len(this_round) > 1
        if can_review and services.awaiting_decision(dev, this_round):
            suggested = services.suggested_verdict(this_round)
            ctx["decision_form"] = bound["decision_form"] or DecisionForm(initial={**version, "verdict": suggested})
            ctx["suggested_label"] = Verdict(suggested).label if suggested else ""
        if can_review and dev.state == State.RECOMMENDED:
            ctx["publish_form"] = ActionForm(initial=version)
        if can_review and dev.state == State.PUBLISHED:
            ctx["unpublish_form"] = bound["unpublish_form"] or UnpublishForm(initial=version)
        return super().get_context_data(**ctx, **kwargs)

    def candidates(self):
        assigned = self.dev.assignments.filter(round=self.dev.round).values("expert_id")
        return services.expert_candidates(self.dev).exclude(pk__in=assigned)

    def invalid(self, name: str, form):
        """Show the page again with the refused form; if the page no longer offers that form (the
        development moved on meanwhile), go back to it with the form's errors as a message."""
        context = self.get_context_data(**{name: form})
        if name not in context:
            errors = [e for field_errors in form.errors.values() for e in field_errors]
            return self.refused(ValidationError(errors or "Это действие сейчас недоступно."))
        return self.render_to_response(context, status=400)


class DevelopmentEditView(DevelopmentMixin, KeptUploadsViewMixin, FormView):
    template_name = "practices/form.html"
    form_class = DevelopmentForm
    check = "file"

    def get(self, request, *args, **kwargs):
        if not self.dev.is_editable:
            state = self.dev.get_state_display()
            return self.refused(ValidationError(f"Разработку в состоянии «{state}» изменить нельзя."))
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        new_file = "optional" if self.dev.state == State.DRAFT else "none"
        return {**super().get_form_kwargs(), "instance": self.dev, "new_file": new_file}

    def form_valid(self, form):
        try:
            services.edit(
                self.dev,
                self.request.user,
                form.description(),
                form.cleaned_data["expected_version"],
                timezone.now(),
                uploaded=form.cleaned_data.get("file"),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Изменения сохранены.")
        return redirect(self.dev)

    def form_invalid(self, form):
        # The form changed the instance in place while validating: show the stored title.
        self.dev.refresh_from_db()
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.dev.unit, dev=self.dev, title="Изменить разработку", **kwargs)


class StateButtonView(DevelopmentMixin, View):
    """A one-button change of state: `action(dev, by, now, expected_version)` from services."""

    http_method_names = ["post"]
    action = None
    done = ""

    def post(self, request, pk):
        try:
            self.action(self.dev, request.user, timezone.now(), posted_version(request))
        except ValidationError as exc:
            return self.refused(exc)
        messages.success(request, self.done)
        return redirect(self.dev)


class SubmitView(StateButtonView):
    check = "file"
    action = staticmethod(services.submit)
    done = "Разработка направлена на экспертизу."


class ResubmitView(DevelopmentMixin, KeptUploadsViewMixin, FormView):
    template_name = "practices/form.html"
    form_class = ResubmitForm
    check = "file"

    def get_initial(self):
        return {"expected_version": self.dev.version}

    def get(self, request, *args, **kwargs):
        if self.dev.state != State.TO_REVISE:
            return self.refused(ValidationError("Повторно направляют только разработку, возвращённую на доработку."))
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.resubmit(
                self.dev, self.request.user, data["file"], data["comment"], timezone.now(), data["expected_version"]
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Доработанная разработка направлена на экспертизу.")
        return redirect(self.dev)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            unit=self.dev.unit, dev=self.dev, title="Направить доработанную версию", submit_label="Направить", **kwargs
        )


class AssignView(DevelopmentView):
    http_method_names = ["post"]
    check = "review"

    def post(self, request, pk):
        form = AssignForm(request.POST, candidates=self.candidates())
        if form.is_valid():
            try:
                services.assign(
                    self.dev,
                    form.cleaned_data["experts"],
                    request.user,
                    timezone.now(),
                    form.cleaned_data["expected_version"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "Эксперты назначены и получили уведомление.")
                return redirect(self.dev)
        return self.invalid("assign_form", form)


class UnassignView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        # Only an assignment of a development the user sees is found at all (else 404).
        visible = ExpertAssignment.objects.filter(
            development__in=Development.objects.restrict(request.user, "view").values("pk")
        )
        assignment = get_object_or_404(visible, pk=pk)
        dev = get_development(request.user, assignment.development_id)
        services.check_can_review(request.user, dev)
        try:
            services.unassign(assignment, request.user, timezone.now(), posted_version(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Эксперт снят с экспертизы.")
        return redirect(dev)


class ConclusionView(DevelopmentMixin, FormView):
    """/developments/<pk>/conclusion/ — the assigned expert's conclusion."""

    template_name = "practices/conclusion.html"
    form_class = ConclusionForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.dev = get_development(request.user, kwargs["pk"])
        self.assignment = services.open_assignment(request.user, self.dev)
        if self.assignment is None:
            if self.dev.assignments.filter(expert=request.user, round=self.dev.round).exists():
                return self.refused(ValidationError("Ваше заключение уже записано."))
            raise PermissionDenied(services.NOT_EXPERT)
        return FormView.dispatch(self, request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.conclude(self.assignment, self.request.user, data["verdict"], data["comment"], timezone.now())
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Заключение записано.")
        return redirect(self.dev)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(dev=self.dev, file=self.dev.current_file, **kwargs)


class DecideView(DevelopmentView):
    http_method_names = ["post"]
    check = "review"

    def post(self, request, pk):
        form = DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                dev = services.decide(
                    self.dev, request.user, data["verdict"], data["comment"], timezone.now(), data["expected_version"]
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Решение записано: {dev.get_state_display()}.")
                return redirect(dev)
        return self.invalid("decision_form", form)


class PublishView(StateButtonView):
    check = "review"
    action = staticmethod(services.publish)
    done = "Разработка опубликована в банке успешных практик."


class UnpublishView(DevelopmentView):
    http_method_names = ["post"]
    check = "review"

    def post(self, request, pk):
        form = UnpublishForm(request.POST)
        if form.is_valid():
            try:
                services.unpublish(
                    self.dev,
                    request.user,
                    form.cleaned_data["comment"],
                    timezone.now(),
                    form.cleaned_data["expected_version"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "Практика снята с публикации.")
                return redirect(self.dev)
        return self.invalid("unpublish_form", form)
