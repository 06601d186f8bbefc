"""The plan editor: items by direction, add / edit / delete, copy last year's plan."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView, View

from network.forms import attach_errors
from orgunits.models import DocumentType
from submissions import editing

from . import content
from .forms import PlanItemForm
from .models import Direction, PlanItem

PLAN = DocumentType.PLAN


def items_by_direction(submission) -> list[tuple[str, list[PlanItem]]]:
    """The plan's items in the order of the directions of 001 §3.2; empty directions left out."""
    by_direction: dict[str, list[PlanItem]] = {}
    for item in submission.plan_items.select_related("recommendation__row__campaign"):
        by_direction.setdefault(item.direction, []).append(item)
    return [(label, by_direction[value]) for value, label in Direction.choices if value in by_direction]


class PlanEditView(LoginRequiredMixin, TemplateView):
    """GET: the plan; POST: a new item."""

    template_name = "plans/plan_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.submission = editing.get_for_editing(request.user, kwargs["pk"], PLAN)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        submission = self.submission
        ctx = super().get_context_data(**editing.document_context(self.request.user, submission), **kwargs)
        groups = items_by_direction(submission)
        ctx["groups"] = groups
        ctx["item_count"] = sum(len(items) for _, items in groups)
        if ctx["editable"]:
            ctx["form"] = form if form is not None else PlanItemForm(submission=submission)
            if not groups:
                ctx["previous"] = content.previous_plan(submission)
        return ctx

    def post(self, request, *args, **kwargs):
        submission = self.submission
        if (reason := editing.not_editable_message(submission, request.user)) is not None:
            messages.error(request, reason)
            return redirect(editing.editor_url(submission))
        form = PlanItemForm(request.POST, submission=submission)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))

        def add(locked):
            item = form.save(commit=False)
            item.submission = locked
            last = locked.plan_items.filter(direction=item.direction).aggregate(last=Max("position"))["last"]
            item.position = 0 if last is None else last + 1
            item.save()
            return item

        try:
            editing.edit(submission, request.user, form.cleaned_data["expected_version"], add)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, "Пункт добавлен в план.")
        return redirect(editing.editor_url(submission))


class PlanItemMixin(LoginRequiredMixin):
    """A page about one item: visible plan (else 404), a filer of its unit (else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        submission_id = get_object_or_404(PlanItem.objects.only("submission_id"), pk=kwargs["pk"]).submission_id
        self.submission = editing.get_for_editing(request.user, submission_id, PLAN)
        self.item = get_object_or_404(PlanItem, pk=kwargs["pk"], submission=self.submission)
        self.item.submission = self.submission
        return super().dispatch(request, *args, **kwargs)


class PlanItemEditView(PlanItemMixin, TemplateView):
    template_name = "plans/item_edit.html"

    def get(self, request, *args, **kwargs):
        if (reason := editing.not_editable_message(self.submission, request.user)) is not None:
            messages.error(request, reason)
            return redirect(editing.editor_url(self.submission))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        if form is None:
            form = PlanItemForm(instance=self.item, submission=self.submission)
        return super().get_context_data(submission=self.submission, item=self.item, form=form, **kwargs)

    def post(self, request, *args, **kwargs):
        submission = self.submission
        if (reason := editing.not_editable_message(submission, request.user)) is not None:
            messages.error(request, reason)
            return redirect(editing.editor_url(submission))
        form = PlanItemForm(request.POST, instance=self.item, submission=submission)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            editing.edit(submission, request.user, form.cleaned_data["expected_version"], lambda locked: form.save())
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, "Пункт плана сохранён.")
        return redirect(editing.editor_url(submission))


class PlanItemDeleteView(PlanItemMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        submission, item = self.submission, self.item
        try:
            editing.edit(
                submission,
                request.user,
                editing.posted_version(request),
                lambda locked: PlanItem.objects.filter(pk=item.pk, submission=locked).delete(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Пункт «{item}» удалён.")
        return redirect(editing.editor_url(submission))


class CopyPreviousView(LoginRequiredMixin, View):
    """Fill an empty plan with last year's items, dates a year on."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        submission = editing.get_for_editing(request.user, kwargs["pk"], PLAN)

        def copy(locked):
            if locked.plan_items.exists():
                raise ValidationError("В плане уже есть пункты: скопировать прошлогодний план можно только в пустой.")
            previous = content.previous_plan(locked)
            if previous is None:
                raise ValidationError(
                    f"Плана на {locked.campaign.year - 1}/{locked.campaign.year} учебный год нет: копировать нечего."
                )
            count = content.copy_previous(locked)
            if not count:
                raise ValidationError("В плане прошлого года нет пунктов: копировать нечего.")
            return count

        try:
            count = editing.edit(submission, request.user, editing.posted_version(request), copy)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Скопировано пунктов из плана прошлого года: {count}. Проверьте сроки.")
        return redirect(editing.editor_url(submission))
