"""Pages of events: the list (all visible units, or one unit's), the event with its participants,
create and edit.

Permissions: whoever may view the organising unit sees its events (else 404); the unit's filers
and administrators create and edit them and keep the participants (else 403).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import FormView, TemplateView, View

from network.views import get_restricted, get_unit, parse_int
from orgunits.access import access_for
from orgunits.models import OrgUnit
from people.models import Person, PersonalDataAccess
from people.services import log_personal_data, log_personal_data_many

from .filters import filter_events
from .forms import EventForm, ParticipationForm
from .models import Event, Participation

NOT_ALLOWED = "Мероприятия подразделения ведут его методисты, секретари и администраторы."
UNIT_OPTIONS_LIMIT = 200


def can_edit(user, unit) -> bool:
    return access_for(user).can("keep_records", unit)


def get_event(user, pk, edit: bool = False) -> Event:
    return get_restricted(
        Event.objects.select_related("unit__kind", "unit__region", "plan_item__submission__campaign"),
        user,
        pk,
        "keep_records" if edit else "view",
        denied=NOT_ALLOWED,
    )


class EventListView(LoginRequiredMixin, TemplateView):
    """/events/?unit=&level=&kind=&year=&q= — the events of every unit the user may view."""

    template_name = "events/event_list.html"
    unit = None

    def filtered(self):
        events = Event.objects.restrict(self.request.user, "view")
        params = self.request.GET
        if self.unit is not None:  # a unit's own list: its events whatever the query says
            events = events.filter(unit=self.unit)
            params = {k: v for k, v in params.items() if k != "unit"}
        return filter_events(events, params)

    def get_context_data(self, **kwargs):
        user = self.request.user
        events = (
            self.filtered().select_related("unit", "plan_item").with_participant_count().order_by("-starts_on", "-pk")
        )
        page = Paginator(events, 25).get_page(self.request.GET.get("page"))
        ctx = super().get_context_data(
            page_obj=page,
            unit=self.unit,
            levels=Event.Level.choices,
            kinds=Event.Kind.choices,
            filters=self.request.GET,
            **kwargs,
        )
        if self.unit is None:
            ctx["unit_options"] = list(
                OrgUnit.objects.restrict(user, "view")
                .filter(events__isnull=False)
                .distinct()
                .order_by("name")
                .values_list("pk", "name")[:UNIT_OPTIONS_LIMIT]
            )
            ctx["selected_unit"] = parse_int(self.request.GET.get("unit"))
        else:
            ctx["can_edit"] = can_edit(user, self.unit)
        return ctx


class UnitEventsMixin(LoginRequiredMixin):
    edit = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = get_unit(request.user, kwargs["pk"], "keep_records" if self.edit else "view", NOT_ALLOWED)
        return super().dispatch(request, *args, **kwargs)


class UnitEventListView(UnitEventsMixin, EventListView):
    """/units/<pk>/events/ — one unit's events."""


class EventCreateView(UnitEventsMixin, FormView):
    edit = True
    template_name = "events/event_form.html"
    form_class = EventForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.unit, "instance": Event(unit=self.unit)}

    def form_valid(self, form):
        event = form.save()
        messages.success(self.request, "Мероприятие записано.")
        return redirect(event)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, title="Новое мероприятие", **kwargs)


class EventEditView(LoginRequiredMixin, FormView):
    template_name = "events/event_form.html"
    form_class = EventForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.event = get_event(request.user, kwargs["pk"], edit=True)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.event.unit, "instance": self.event}

    def form_valid(self, form):
        form.save()
        messages.success(self.request, "Изменения сохранены.")
        return redirect(self.event)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.event.unit, event=self.event, title="Изменить мероприятие", **kwargs)


def region_people(user, unit):
    return Person.objects.restrict(user, "view").filter(region=unit.region_id)


class EventDetailView(LoginRequiredMixin, TemplateView):
    template_name = "events/event_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.event = get_event(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        user = self.request.user
        editable = can_edit(user, self.event.unit)
        if editable and form is None:
            form = ParticipationForm(event=self.event, people=region_people(user, self.event.unit))
        participations = list(self.event.participations.select_related("person"))
        # 152-ФЗ: the page shows who took part and with what result: one insert for all of them.
        log_personal_data_many(
            user,
            [p.person_id for p in participations],
            PersonalDataAccess.Action.VIEW,
            f"мероприятие «{self.event}»: список участников",
        )
        return super().get_context_data(
            event=self.event,
            unit=self.event.unit,
            participations=participations,
            can_edit=editable,
            form=form,
            **kwargs,
        )


class ParticipantAddView(EventDetailView):
    """POST: add a participant; an invalid form shows the event page again with the errors."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.event = get_event(request.user, kwargs["pk"], edit=True)
        return View.dispatch(self, request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = ParticipationForm(request.POST, event=self.event, people=region_people(request.user, self.event.unit))
        if form.is_valid():
            participation = form.save()
            log_personal_data(
                request.user,
                participation.person,
                PersonalDataAccess.Action.CHANGE,
                f"участие в мероприятии «{self.event}»: добавлено",
            )
            messages.success(request, "Участник добавлен.")
            return redirect(self.event)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ParticipantRemoveView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        participation = get_restricted(
            Participation.objects.select_related("event", "person"),
            request.user,
            pk,
            "keep_records",
            denied=NOT_ALLOWED,
        )
        event = get_event(request.user, participation.event_id, edit=True)
        participation.delete()
        log_personal_data(
            request.user,
            participation.person,
            PersonalDataAccess.Action.CHANGE,
            f"участие в мероприятии «{event}»: удалено",
        )
        messages.success(request, "Участник удалён из мероприятия.")
        return redirect(event)
