"""Pages of meetings: the unit's list with a month calendar, a new meeting, the meeting with its
attendance, agenda, votes and confirmations, and the protocol PDF.

Permissions: whoever may view the unit sees its meetings (else 404); the unit's filers record
and edit them (else 403); only the meeting's chair and secretary confirm the protocol.
"""

import calendar
import contextlib
import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from network.forms import attach_errors
from network.pdf import pdf_response
from network.views import get_restricted
from orgunits.access import access_for
from orgunits.models import OrgUnit

from . import services
from .forms import AgendaItemForm, MeetingForm, posted_version
from .models import AgendaItem, Meeting

MONTHS = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]
WEEKDAYS = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
MEETING_RELATED = ("unit__kind", "unit__region", "chair", "secretary")


def get_unit_for_meetings(user, pk, action: str = "view") -> OrgUnit:
    """The unit of a meetings page by the portal's one rule (`get_restricted`): cannot view it → 404,
    views it but may not `action` → 403. Not `get_unit`: a unit above one's own, whose name one
    sees, keeps 404 here — its meetings do not exist for that user (the meetings matrix pins it)."""
    units = OrgUnit.objects.select_related("kind", "region", "parent")
    return get_restricted(units, user, pk, action, denied=services.NOT_A_FILER_MESSAGE)


def get_meeting(user, pk, action: str = "view") -> Meeting:
    """A meeting of a unit the user views (else 404); `action` ("file") on its unit, else 403."""
    meetings = Meeting.objects.select_related(*MEETING_RELATED)
    return get_restricted(meetings, user, pk, action, denied=services.NOT_A_FILER_MESSAGE)


def parse_month(value: str | None, today: datetime.date) -> datetime.date:
    """`YYYY-MM` → its first day; anything else → the current month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 1900 <= year <= 2100:
            return datetime.date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


class UnitMeetingsMixin(LoginRequiredMixin):
    unit_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.unit = get_unit_for_meetings(request.user, kwargs["pk"], self.unit_action)
        return super().dispatch(request, *args, **kwargs)


class MeetingListView(UnitMeetingsMixin, TemplateView):
    """The unit's meetings: a month calendar (?month=YYYY-MM) and every protocol, newest first."""

    template_name = "meetings/meeting_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        month = parse_month(self.request.GET.get("month"), today)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
        meetings = (
            Meeting.objects.restrict(self.request.user, "view")
            .filter(unit=self.unit)
            .annotate(members=Count("attendance"), present=Count("attendance", filter=Q(attendance__present=True)))
        )
        on_days: dict[datetime.date, list[Meeting]] = {}
        for m in meetings.filter(date__gte=weeks[0][0], date__lte=weeks[-1][-1]).order_by("date", "time", "number"):
            on_days.setdefault(m.date, []).append(m)
        previous = (month - datetime.timedelta(days=1)).replace(day=1)
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        page = Paginator(meetings.order_by("-date", "-number"), 25).get_page(self.request.GET.get("page"))
        for m in page.object_list:
            m.quorum = services.Quorum(present=m.present, members=m.members)
        return super().get_context_data(
            unit=self.unit,
            month=month,
            month_label=f"{MONTHS[month.month - 1]} {month.year}",
            weekdays=WEEKDAYS,
            weeks=[[(day, day.month == month.month, on_days.get(day, [])) for day in week] for week in weeks],
            previous=previous,
            following=following,
            today=today,
            page_obj=page,
            can_file=access_for(self.request.user).can("file", self.unit),
            **kwargs,
        )


class MeetingCreateView(UnitMeetingsMixin, FormView):
    unit_action = "file"
    template_name = "meetings/meeting_form.html"
    form_class = MeetingForm

    def get_initial(self):
        day = timezone.localdate()
        with contextlib.suppress(ValueError):
            day = datetime.date.fromisoformat(self.request.GET.get("date", ""))
        chair, secretary = services.default_officers(self.unit, day)
        return {"date": day, "chair": chair, "secretary": secretary, "kind": Meeting.Kind.IN_PERSON}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "unit": self.unit, "instance": Meeting(unit=self.unit)}

    def form_valid(self, form):
        try:
            meeting = services.create_meeting(unit=self.unit, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Заседание записано: {meeting}. Отметьте присутствующих и заполните повестку.")
        return redirect(meeting)

    def get_context_data(self, **kwargs):
        return super().get_context_data(unit=self.unit, title="Новое заседание", **kwargs)


class MeetingMixin(LoginRequiredMixin):
    """A page about one meeting: `meeting_action` on its unit decides 404 / 403."""

    meeting_action = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.meeting = get_meeting(request.user, kwargs["pk"], self.meeting_action)
        return super().dispatch(request, *args, **kwargs)

    def refused(self, reason: str):
        messages.error(self.request, reason)
        return redirect(self.meeting)


def meeting_context(user, meeting: Meeting) -> dict:
    attendance = list(meeting.attendance.select_related("person"))
    quorum = services.Quorum(present=sum(a.present for a in attendance), members=len(attendance))
    items = list(meeting.items.all())
    for item in items:
        item.outcome = services.outcome(item, quorum)
        item.outcome_label = services.Outcome.LABELS[item.outcome]
    can_file = access_for(user).can("file", meeting.unit)
    roles = services.signer_roles(meeting, user) if can_file else []
    return {
        "meeting": meeting,
        "unit": meeting.unit,
        "attendance": attendance,
        "quorum": quorum,
        "items": items,
        "can_file": can_file,
        "editable": can_file and meeting.is_draft,
        "frozen_message": services.not_editable_message(meeting),
        "signer_roles": roles,
        "can_confirm": meeting.is_draft and any(getattr(meeting, f"{r}_confirmed_at") is None for r in roles),
        "guest_lines": meeting.guest_lines,
    }


class MeetingDetailView(MeetingMixin, TemplateView):
    template_name = "meetings/meeting_detail.html"

    def get_context_data(self, item_form=None, **kwargs):
        ctx = super().get_context_data(**meeting_context(self.request.user, self.meeting), **kwargs)
        if ctx["editable"]:
            ctx["item_form"] = item_form if item_form is not None else AgendaItemForm(meeting=self.meeting)
        return ctx


class ItemAddView(MeetingDetailView):
    """POST: a new agenda item; errors are shown on the meeting page."""

    meeting_action = "file"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if (reason := services.not_editable_message(self.meeting)) is not None:
            return self.refused(reason)
        form = AgendaItemForm(request.POST, meeting=self.meeting)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "expected_version"}
            try:
                services.add_item(self.meeting, request.user, form.cleaned_data["expected_version"], **data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "Вопрос добавлен в повестку.")
                return redirect(self.meeting.get_absolute_url() + "#agenda")
        return self.render_to_response(self.get_context_data(item_form=form))


class MeetingEditView(MeetingMixin, FormView):
    meeting_action = "file"
    template_name = "meetings/meeting_form.html"
    form_class = MeetingForm

    def get(self, request, *args, **kwargs):
        if (reason := services.not_editable_message(self.meeting)) is not None:
            return self.refused(reason)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if (reason := services.not_editable_message(self.meeting)) is not None:
            return self.refused(reason)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        # A copy: a rejected form must not leave its values on the meeting shown around it.
        instance = Meeting.objects.select_related("unit").get(pk=self.meeting.pk)
        return {**super().get_form_kwargs(), "unit": self.meeting.unit, "instance": instance}

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "expected_version"}
        try:
            services.update_details(self.meeting, self.request.user, form.cleaned_data["expected_version"], **data)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Сведения о заседании сохранены.")
        return redirect(self.meeting)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            unit=self.meeting.unit, meeting=self.meeting, title=f"Изменить: {self.meeting}", **kwargs
        )


class AttendanceView(MeetingMixin, View):
    """POST: who was present (checkboxes of the members on the meeting date), or «Отметить всех» (all=1)."""

    meeting_action = "file"

    def post(self, request, *args, **kwargs):
        everyone = request.POST.get("all") == "1"  # «Отметить всех»
        present = [v for v in request.POST.getlist("present") if v.isdigit()]
        try:
            if everyone:
                quorum = services.mark_all_present(self.meeting, request.user, posted_version(request))
            else:
                quorum = services.set_attendance(self.meeting, request.user, posted_version(request), present)
        except ValidationError as exc:
            return self.refused(" ".join(exc.messages))
        if everyone:
            messages.success(request, f"Отмечены все члены ({quorum.members}): {quorum.label}.")
        else:
            messages.success(request, f"Присутствие сохранено: {quorum.label}.")
        return redirect(self.meeting.get_absolute_url() + "#attendance")


class QuorumView(MeetingMixin, TemplateView):
    """htmx: the quorum badge for the ticked checkboxes, before they are saved."""

    template_name = "meetings/_quorum.html"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        ticked = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        members = set(self.meeting.attendance.values_list("person_id", flat=True))
        quorum = services.Quorum(present=len(ticked & members), members=len(members))
        return self.render_to_response({"quorum": quorum, "live": True})


class ItemMixin(LoginRequiredMixin):
    """A page about one agenda item: visible meeting (else 404), a filer of its unit (else 403)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # Only an item of a meeting the user sees is found at all (else 404); then «file» → 403.
        visible = AgendaItem.objects.filter(meeting__in=Meeting.objects.restrict(request.user, "view").values("pk"))
        self.item = get_object_or_404(visible, pk=kwargs["pk"])
        self.meeting = get_meeting(request.user, self.item.meeting_id, "file")
        self.item.meeting = self.meeting
        if (reason := services.not_editable_message(self.meeting)) is not None:
            messages.error(request, reason)
            return redirect(self.meeting)
        return super().dispatch(request, *args, **kwargs)


class ItemEditView(ItemMixin, FormView):
    template_name = "meetings/item_form.html"
    form_class = AgendaItemForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "meeting": self.meeting, "instance": self.item}

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "expected_version"}
        try:
            services.update_item(self.item, self.request.user, form.cleaned_data["expected_version"], **data)
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Вопрос повестки сохранён.")
        return redirect(self.meeting.get_absolute_url() + "#agenda")

    def get_context_data(self, **kwargs):
        return super().get_context_data(meeting=self.meeting, unit=self.meeting.unit, item=self.item, **kwargs)


class ItemDeleteView(ItemMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            services.delete_item(self.item, request.user, posted_version(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Вопрос удалён из повестки.")
        return redirect(self.meeting.get_absolute_url() + "#agenda")


class ConfirmView(MeetingMixin, View):
    meeting_action = "file"

    def post(self, request, *args, **kwargs):
        try:
            meeting = services.confirm(self.meeting, request.user, posted_version(request), timezone.now())
        except ValidationError as exc:
            return self.refused(" ".join(exc.messages))
        if meeting.is_draft:
            messages.success(request, "Протокол подтверждён вами; ожидается подтверждение второй подписи.")
        else:
            messages.success(request, "Протокол подтверждён председателем и секретарём.")
        return redirect(meeting)


class ProtocolPdfView(MeetingMixin, View):
    def get(self, request, *args, **kwargs):
        return pdf_response(request, "protocol", self.meeting)

    def post(self, request, *args, **kwargs):  # «Повторить» after a failed rendering
        return pdf_response(request, "protocol", self.meeting)
