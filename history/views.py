"""The «История» tab of any tracked object, and the trace of one import."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404
from django.views.generic import TemplateView

from .context import import_request_id
from .models import LogEntry
from .presenting import present
from .services import entries_for
from .tracker import can_view, model_for


class ObjectHistoryView(LoginRequiredMixin, TemplateView):
    """/history/<app>.<model>/<pk>/: the object's transitions and changes together, newest first.

    Whoever may see the object may read its history (its own rule: 404 otherwise); personal fields
    only if they may also see the person. Reading a person's history is a read of their data (152-ФЗ)."""

    template_name = "history/object_history.html"
    per_page = 50

    def get_object(self):
        app_label, _, model_name = self.kwargs["model"].partition(".")
        model = model_for(app_label, model_name)
        if model is None:
            raise Http404("Такого вида записей нет.")
        obj = model._base_manager.filter(pk=self.kwargs["pk"]).first()
        if obj is None or not can_view(self.request.user, obj):
            raise Http404("Запись не найдена.")
        return obj

    def get_context_data(self, **kwargs):
        user = self.request.user
        obj = self.get_object()
        ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        if ct.app_label == "people" and ct.model == "person":
            from people.models import PersonalDataAccess
            from people.services import log_personal_data

            log_personal_data(user, obj, PersonalDataAccess.Action.VIEW, "история изменений")
        page = Paginator(entries_for(obj), self.per_page).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            object=obj,
            object_url=getattr(obj, "get_absolute_url", lambda: "")(),
            model_label=obj._meta.verbose_name,
            page_obj=page,
            rows=present(page.object_list, user, main_type=ct),
            **kwargs,
        )


class ImportHistoryView(LoginRequiredMixin, TemplateView):
    """/history/imports/<pk>/: what one register import wrote, row by row (its entries share the
    request id `import-<pk>`). Only the import's own author (or the superuser) reads it, like the import."""

    template_name = "history/import_history.html"
    per_page = 100

    def get_context_data(self, **kwargs):
        from registers.models import Import

        user = self.request.user
        uploads = Import.objects.all() if user.is_superuser else Import.objects.filter(user=user)
        upload = uploads.filter(pk=self.kwargs["pk"]).first()
        if upload is None:
            raise Http404("Загрузка не найдена.")
        # In the order the rows were written: row 1 first, as in the file.
        entries = (
            LogEntry.objects.filter(request_id=import_request_id(upload.pk)).select_related("actor").order_by("pk")
        )
        page = Paginator(entries, self.per_page).get_page(self.request.GET.get("page"))
        return super().get_context_data(upload=upload, page_obj=page, rows=present(page.object_list, user), **kwargs)
