"""Pages of programs and roadmaps: a unit's programs, a program (passport and roadmap), create and
edit a program, add / edit / delete an item, change an item's status (htmx-aware).

Permissions (programs.services): whoever may view the unit sees its programs (else 404); who keeps the
unit's records edits them (else 403); the responsible people of an item change its status.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

import workflow
from network.forms import attach_errors
from network.models import normalize_search
from network.views import get_unit
from workflow.engine import machine_for

from . import services as programs
from .forms import ProgramForm, RoadmapItemForm, StatusForm
from .models import ItemStatus, Program


class AuthMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.resolve(request, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def resolve(self, request, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError


class UnitProgramsMixin(AuthMixin):
    edit = False

    def resolve(self, request, **kwargs):
        action = "keep_records" if self.edit else "view"
        self.unit = get_unit(request.user, kwargs["pk"], action, programs.NOT_ALLOWED)


class ProgramListView(UnitProgramsMixin, TemplateView):
    """/units/<pk>/programs/?state=&q= — the unit's programs with their items by status."""

    template_name = "programs/program_list.html"

    def get_context_data(self, **kwargs):
        get, today = self.request.GET, timezone.localdate()
        qs = Program.objects.filter(unit=self.unit)
        if get.get("state") in Program.State.values:
            qs = qs.filter(state=get["state"])
        if query := get.get("q", "").strip():
            qs = qs.filter(search__contains=normalize_search(query))
        qs = programs.with_counts(qs, today).order_by("-start_year", "name", "pk")
        return super().get_context_data(
            unit=self.unit,
            page_obj=Paginator(qs, 25).get_page(get.get("page")),
            states=Program.State.choices,
            filters=get,
            can_edit=programs.can_edit(self.request.user, self.unit),
            **kwargs,
        )


class ProgramCreateView(UnitProgramsMixin, FormView):
    edit = True
    template_name = "programs/program_form.html"
    form_class = ProgramForm

    def get_initial(self):
        year = timezone.localdate().year
        return {"start_year": year, "end_year": year + 2}

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "unit": self.unit,
            "user": self.request.user,
            "instance": Program(unit=self.unit),
        }

    def form_valid(self, form):
        program = form.save()
        messages.success(self.request, "Программа создана. Добавьте пункты дорожной карты.")
        return redirect(program)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, title="Новая программа", **kwargs)


class ProgramEditView(AuthMixin, FormView):
    template_name = "programs/program_form.html"
    form_class = ProgramForm

    def resolve(self, request, **kwargs):
        self.program = programs.get_program(request.user, kwargs["pk"], edit=True)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "unit": self.program.unit,
            "user": self.request.user,
            "instance": self.program,
        }

    def form_valid(self, form):
        with transaction.atomic():  # the passport and the due dates that follow its period, together
            if not form.save_versioned():
                return self.form_invalid(form)
            programs.refresh_due_dates(form.instance)
        messages.success(self.request, "Паспорт программы сохранён.")
        return redirect(self.program)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            unit=self.program.unit, program=self.program, title="Паспорт программы", **kwargs
        )


class ProgramDetailView(AuthMixin, TemplateView):
    """/programs/<pk>/?status=&overdue=1 — the passport and the roadmap by section."""

    template_name = "programs/program_detail.html"

    def resolve(self, request, **kwargs):
        self.program = programs.get_program(request.user, kwargs["pk"])

    def get_context_data(self, **kwargs):
        user, program, get = self.request.user, self.program, self.request.GET
        today = timezone.localdate()
        items = program.items.select_related("responsible_unit", "responsible_person", "order")
        status = get.get("status") if get.get("status") in ItemStatus.values else ""
        if status:
            items = items.filter(status=status)
        overdue_only = get.get("overdue") == "1"
        if overdue_only:
            items = items.filter(programs.overdue_q(today))
        editor = programs.can_edit(user, program.unit)
        groups = programs.roadmap_groups(items.order_by("position", "pk"), program, today)
        for _, rows in groups:
            for item in rows:
                item.may_set_status = programs.may_set_status(user, item)
        counts = programs.with_counts(Program.objects.filter(pk=program.pk), today).values(
            "item_count", "planned_count", "in_progress_count", "done_count", "cancelled_count", "overdue_count"
        )[0]
        return super().get_context_data(
            program=program,
            unit=program.unit,
            groups=groups,
            counts=counts,
            statuses=ItemStatus.choices,
            status=status,
            overdue_only=overdue_only,
            can_edit=editor,
            moves=machine_for(program).available(program, user) if editor else [],
            today=today,
            **kwargs,
        )


class ItemCreateView(AuthMixin, FormView):
    template_name = "programs/program_item_form.html"
    form_class = RoadmapItemForm

    def resolve(self, request, **kwargs):
        self.program = programs.get_program(request.user, kwargs["pk"], edit=True)
        self.item = None

    def get_initial(self):
        last = self.program.items.order_by("-position", "-pk").first()
        return {"section": last.section if last else "", "status": ItemStatus.PLANNED}

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "program": self.program,
            "user": self.request.user,
            "today": timezone.localdate(),
            "instance": self.item,
        }

    def form_valid(self, form):
        try:
            item = programs.save_item(form.instance, form.cleaned_data["expected_version"])
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Пункт дорожной карты сохранён.")
        return redirect(f"{self.program.get_absolute_url()}#item-{item.pk}")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            program=self.program,
            unit=self.program.unit,
            item=self.item,
            title="Изменить пункт" if self.item else "Новый пункт дорожной карты",
            **kwargs,
        )


class ItemEditView(ItemCreateView):
    def resolve(self, request, **kwargs):
        self.item = programs.get_item(request.user, kwargs["pk"], edit=True)
        self.program = self.item.program


class ItemDeleteView(AuthMixin, View):
    http_method_names = ["post"]

    def resolve(self, request, **kwargs):
        self.item = programs.get_item(request.user, kwargs["pk"], edit=True)

    def post(self, request, *args, **kwargs):
        item = self.item
        try:
            version = int(request.POST.get("expected_version", ""))
            programs.delete_item(item, version)
        except (TypeError, ValueError):
            messages.error(request, programs.STALE)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Пункт «{item}» удалён.")
        return redirect(item.program)


class ItemStatusView(AuthMixin, View):
    """POST: a new status for an item. With htmx, the row comes back; else the program page."""

    http_method_names = ["post"]

    def resolve(self, request, **kwargs):
        self.item = programs.get_item(request.user, kwargs["pk"])
        if not programs.may_set_status(request.user, self.item):
            raise PermissionDenied(programs.NOT_RESPONSIBLE)

    def post(self, request, *args, **kwargs):
        item, today = self.item, timezone.localdate()
        form = StatusForm(request.POST)
        error = None
        if form.is_valid():
            try:
                message = programs.set_status(
                    item,
                    form.cleaned_data["status"],
                    request.user,
                    form.cleaned_data["expected_version"],
                    today,
                    form.cleaned_data["done_on"],
                )
            except ValidationError as exc:
                error = " ".join(exc.messages)
        else:
            error = " ".join(e for errors in form.errors.values() for e in errors)
        if error:
            item = programs.get_item(request.user, item.pk)  # as saved: the rejected change left nothing
        if request.htmx:
            item.overdue = programs.is_overdue(item, today)
            item.may_set_status = True
            ctx = {
                "item": item,
                "program": item.program,
                "can_edit": programs.can_edit(request.user, item.program.unit),
                "statuses": ItemStatus.choices,
                "row_error": error,
                "row_message": None if error else message,
            }
            return render(request, "programs/program_item_row.html", ctx)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, message)
        return redirect(f"{item.program.get_absolute_url()}#item-{item.pk}")


class ProgramMoveView(AuthMixin, View):
    """POST /programs/<pk>/move/<name>/ — start, finish or resume the program (workflow.engine)."""

    done = {
        "start": "Программа переведена в состояние «реализуется».",
        "finish": "Программа завершена.",
        "resume": "Программа возобновлена.",
    }

    def resolve(self, request, **kwargs):
        self.program = programs.get_program(request.user, kwargs["pk"], edit=True)
        if kwargs["move"] not in self.done:
            raise Http404("Такого действия нет.")

    def post(self, request, pk, move):
        try:
            workflow.perform(self.program, move, request.user, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done[move])
        return redirect(self.program)
