"""The open pages of a region's network (001 §1.3: «гласность принимаемых решений»).

Anyone may read them without logging in — so no view here uses LoginRequiredMixin, and none writes the
152-ФЗ journal: nothing personal is shown beyond the names and positions of officials (chairs, those who
chair a meeting or sign an order), never a phone or an e-mail. A region shows only the kinds it publishes
(Region.published); everything else answers 404: a kind the region does not publish, a draft, a document
on approval or returned, an unconfirmed protocol, an unsigned order, a unit of another region under
this region's code, a region that publishes nothing.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from events.models import Event
from meetings.models import Meeting
from network.pdf import pdf_response
from orders.models import Order, OrderStatus
from orgunits.models import OrgUnit, Publication, Region
from people.models import Membership, MembershipRole
from practices.models import Development
from practices.models import State as DevelopmentState
from submissions.models import State, Submission
from workflow.kinds import kind as document_kind

from . import ical
from .models import CalendarToken

PAGE_SIZE = 50
TREE_PAGE_SIZE = 200
# The kinds of documents that have an open list: the URL's word → the Publication code and the kind.
DOCUMENT_KINDS = {"plans": (Publication.PLANS, "plan"), "reports": (Publication.REPORTS, "report")}


def region_today(region) -> datetime.date:
    return timezone.now().astimezone(ical.zone(region.timezone)).date()


def open_region(code: str, what: str | None = None) -> Region:
    """The region of an open page: 404 if it publishes nothing, or not `what`."""
    region = Region.objects.filter(code=code).first()
    if region is None or not region.published or (what is not None and not region.publishes(what)):
        raise Http404("Регион не публикует эти сведения.")
    return region


def open_unit(region, pk) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.select_related("kind", "region"), pk=pk, region=region)


def unit_filter(request, region):
    """The «?unit=» of a list: a unit of this region, else none."""
    try:
        pk = int(request.GET.get("unit", ""))
    except ValueError:
        return None
    return OrgUnit.objects.filter(pk=pk, region=region).first()


def chairs_of(unit_ids) -> dict[int, Membership]:
    """The active chair of each unit (one query): name and position only are shown."""
    rows = Membership.objects.filter(unit_id__in=unit_ids, role=MembershipRole.CHAIR, left_on__isnull=True)
    return {
        m.unit_id: m
        for m in rows.select_related("person").only(
            "unit_id", "person__last_name", "person__first_name", "person__middle_name", "person__position"
        )
    }


def paginate(request, items, size=PAGE_SIZE):
    return Paginator(items, size).get_page(request.GET.get("page"))


class OpenPage(TemplateView):
    """A page of a region's open portal; `publication` is the kind it shows (None: any)."""

    publication: str | None = None

    def dispatch(self, request, *args, **kwargs):
        self.region = open_region(kwargs["region"], self.publication)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        published = set(self.region.published or ())
        ctx["region"] = self.region
        ctx["open_sections"] = [
            (code, label, reverse(f"public:{code}", args=[self.region.code]) if code != "structure" else "")
            for code, label in SECTIONS
            if code in published
        ]
        ctx["publishes"] = {code: code in published for code in Publication.values}
        return ctx


SECTIONS = [
    ("structure", "Структура сети"),
    ("plans", "Планы работы"),
    ("reports", "Отчёты"),
    ("protocols", "Протоколы заседаний"),
    ("orders", "Приказы"),
    ("calendar", "Календарь"),
    ("practices", "Банк практик"),
]


class IndexView(TemplateView):
    """/open/: the regions that publish anything, each a link to its open portal."""

    template_name = "public/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["regions"] = [r for r in Region.objects.order_by("name") if r.published]
        return ctx


class RegionView(OpenPage):
    """/open/<region>/: what the region publishes and, if it publishes the structure, its tree."""

    template_name = "public/region.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.region.publishes(Publication.STRUCTURE):
            units = (
                OrgUnit.objects.filter(region=self.region, closed_on__isnull=True)
                .select_related("kind")
                .order_by("tree_id", "lft")
            )
            page = paginate(self.request, units, TREE_PAGE_SIZE)
            chairs = chairs_of([u.pk for u in page])
            ctx["page_obj"] = page
            ctx["tree"] = [(u, chairs.get(u.pk)) for u in page]
        return ctx


class UnitView(OpenPage):
    """/open/<region>/units/<pk>/: a unit's open page — its chain, chair, units below, and links to its
    published documents and calendar."""

    template_name = "public/unit.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        unit = open_unit(self.region, self.kwargs["pk"])
        if unit.closed_on:
            raise Http404("Подразделение прекратило работу.")
        ctx["unit"] = unit
        ctx["ancestors"] = list(unit.get_ancestors())
        if self.region.publishes(Publication.STRUCTURE):
            children = unit.get_children().filter(closed_on__isnull=True).select_related("kind").order_by("name")
            page = paginate(self.request, children, TREE_PAGE_SIZE)
            chairs = chairs_of([unit.pk, *[c.pk for c in page]])
            ctx["chair"] = chairs.get(unit.pk)
            ctx["page_obj"] = page
            ctx["children"] = [(c, chairs.get(c.pk)) for c in page]
        if self.region.publishes(Publication.CALENDAR):
            today = region_today(self.region)
            ctx["upcoming"] = calendar_rows(self.region, today, today + datetime.timedelta(days=90), unit=unit)[:10]
        return ctx


class OpenListPage(OpenPage):
    """A published list of the region, newest first, paginated; «?unit=» narrows it to one unit."""

    def rows(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = self.rows()
        unit = unit_filter(self.request, self.region)
        if unit is not None:
            qs = qs.filter(unit=unit)
        ctx.update(unit=unit, page_obj=paginate(self.request, qs))
        return ctx


class DocumentListView(OpenListPage):
    """/open/<region>/plans/, /reports/: approved documents, newest period first."""

    template_name = "public/documents.html"

    def dispatch(self, request, *args, **kwargs):
        self.publication, self.kind_code = DOCUMENT_KINDS[kwargs["what"]]
        return super().dispatch(request, *args, **kwargs)

    def rows(self):
        return (
            Submission.objects.filter(
                unit__region=self.region, state=State.APPROVED, campaign__document_type=self.kind_code
            )
            .select_related("campaign", "unit")
            .order_by("-campaign__year", "unit__name", "pk")
        )

    def get_context_data(self, **kwargs):
        # «what» (plans or reports) comes with the URL's keyword arguments.
        return super().get_context_data(title=dict(SECTIONS)[self.publication], **kwargs)


def open_document(region, pk) -> Submission:
    """An approved plan or report of the region, if the region publishes its kind."""
    submission = get_object_or_404(
        Submission.objects.select_related("campaign", "unit__kind", "approver"),
        pk=pk,
        unit__region=region,
        state=State.APPROVED,
        campaign__isnull=False,
    )
    publication = {kind: pub for pub, kind in DOCUMENT_KINDS.values()}.get(submission.document_type)
    if publication is None or not region.publishes(publication):
        raise Http404("Регион не публикует такие документы.")
    return submission


class DocumentView(OpenPage):
    template_name = "public/document.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        submission = open_document(self.region, self.kwargs["pk"])
        kind = document_kind(submission.document_type)
        ctx.update(submission=submission, content_template=kind.detail_template, has_pdf=bool(kind.pdf))
        ctx.update(kind.content_module().detail_context(submission, None))
        ctx.pop("order_action", None)
        return ctx


class DocumentPdfView(View):
    """The PDF of an approved plan or report, the same file the portal prints."""

    def get(self, request, region, pk):
        submission = open_document(open_region(region), pk)
        pdf_kind = document_kind(submission.document_type).pdf
        if not pdf_kind:
            raise Http404("Этот документ не печатается.")
        return pdf_response(request, pdf_kind, submission)


class ProtocolListView(OpenListPage):
    publication = Publication.PROTOCOLS
    template_name = "public/protocols.html"

    def rows(self):
        return (
            Meeting.objects.filter(unit__region=self.region, status=Meeting.Status.CONFIRMED)
            .select_related("unit")
            .order_by("-date", "-number", "-pk")
        )


class ProtocolView(OpenPage):
    """A confirmed protocol: the meeting, who chaired and kept it, how many attended, the agenda with
    what was heard, said and decided and the votes. The attendance list itself (members' names) is not
    shown: members are not officials."""

    publication = Publication.PROTOCOLS
    template_name = "public/protocol.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        meeting = get_object_or_404(
            Meeting.objects.select_related("unit", "chair", "secretary").annotate(
                present=Count("attendance", filter=Q(attendance__present=True)), listed=Count("attendance")
            ),
            pk=self.kwargs["pk"],
            unit__region=self.region,
            status=Meeting.Status.CONFIRMED,
        )
        ctx.update(meeting=meeting, items=list(meeting.items.order_by("position", "pk")))
        return ctx


class OrderListView(OpenListPage):
    publication = Publication.ORDERS
    template_name = "public/orders.html"

    def rows(self):
        return (
            Order.objects.filter(unit__region=self.region, status=OrderStatus.SIGNED)
            .select_related("unit")
            .order_by("-date", "-number", "-pk")
        )


class OrderView(OpenPage):
    """A signed order: heading, preamble, points, who signed it (name, position). Not the executor's
    phone."""

    publication = Publication.ORDERS
    template_name = "public/order.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        order = get_object_or_404(
            Order.objects.select_related("unit", "signatory"),
            pk=self.kwargs["pk"],
            unit__region=self.region,
            status=OrderStatus.SIGNED,
        )
        ctx.update(order=order, points=list(order.points.order_by("position", "pk")))
        return ctx


def calendar_rows(region, first: datetime.date, last: datetime.date, unit=None) -> list[dict]:
    """Meetings and events of the region between two dates (two queries), by date."""
    meetings = Meeting.objects.filter(unit__region=region, date__range=(first, last)).select_related("unit")
    events = Event.objects.filter(unit__region=region, starts_on__lte=last).filter(
        Q(starts_on__gte=first) | Q(ends_on__gte=first)
    )
    if unit is not None:
        meetings, events = meetings.filter(unit=unit), events.filter(unit=unit)
    protocols = region.publishes(Publication.PROTOCOLS)
    rows = [
        {
            "date": m.date,
            "time": m.time,
            "title": "Заседание",
            "unit": m.unit,
            "place": m.place_label,
            "protocol": m if protocols and m.status == Meeting.Status.CONFIRMED else None,
        }
        for m in meetings.order_by("date", "time", "pk")[: ical.LIMIT]
    ]
    rows += [
        {
            "date": e.starts_on,
            "end": e.ends_on,
            "title": f"{e.get_kind_display().capitalize()}: {e.title}",
            "unit": e.unit,
            "place": e.place,
        }
        for e in events.select_related("unit").order_by("starts_on", "pk")[: ical.LIMIT]
    ]
    rows.sort(key=lambda r: (r["date"], r.get("time") or datetime.time(0), r["title"]))
    return rows


def parse_month(value: str | None, today: datetime.date) -> datetime.date:
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


class CalendarView(OpenPage):
    """/open/<region>/calendar/?month=2026-12: the month's meetings and events."""

    publication = Publication.CALENDAR
    template_name = "public/calendar.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = region_today(self.region)
        first = parse_month(self.request.GET.get("month"), today)
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        previous = (first - datetime.timedelta(days=1)).replace(day=1)
        unit = unit_filter(self.request, self.region)
        rows = calendar_rows(self.region, first, following - datetime.timedelta(days=1), unit=unit)
        ctx.update(
            month=first,
            previous=previous,
            following=following,
            unit=unit,
            page_obj=paginate(self.request, rows),
        )
        return ctx


class PracticeListView(OpenPage):
    publication = Publication.PRACTICES
    template_name = "public/practices.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = (
            Development.objects.filter(unit__region=self.region, state=DevelopmentState.PUBLISHED)
            .select_related("unit", "subject")
            .order_by("-published_at", "-pk")
        )
        ctx["page_obj"] = paginate(self.request, qs)
        return ctx


def open_practice(region, pk) -> Development:
    return get_object_or_404(
        Development.objects.select_related("unit", "subject"),
        pk=pk,
        unit__region=region,
        state=DevelopmentState.PUBLISHED,
    )


class PracticeView(OpenPage):
    publication = Publication.PRACTICES
    template_name = "public/practice.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        practice = open_practice(self.region, self.kwargs["pk"])
        ctx.update(practice=practice, file=practice.files.order_by("-number").first())
        return ctx


class PracticeFileView(View):
    """The latest file of a published practice."""

    def get(self, request, region, pk):
        practice = open_practice(open_region(region, Publication.PRACTICES), pk)
        latest = practice.files.order_by("-number").first()
        if latest is None:
            raise Http404("У разработки нет файла.")
        return FileResponse(latest.file.open("rb"), as_attachment=True, filename=latest.name)


# -- calendar feeds ---------------------------------------------------------------------------------


def ics_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=900"
    return response


class UnitFeedView(View):
    """/open/<region>/units/<pk>/calendar.ics: the public feed of a unit whose region publishes the calendar."""

    def get(self, request, region, pk):
        region_obj = open_region(region, Publication.CALENDAR)
        unit = open_unit(region_obj, pk)
        entries = ical.unit_entries(
            [unit],
            today=region_today(region_obj),
            public=True,
            base_url=request.build_absolute_uri("/").rstrip("/"),
            region_code=region_obj.code,
        )
        text = ical.render(unit.short_name or unit.name, entries, tz=region_obj.timezone)
        return ics_response(text, f"unit-{unit.pk}.ics")


def own_units(user) -> list[OrgUnit]:
    """The units a user belongs to (active memberships) or holds a granted role at (two queries)."""
    from orgunits.access import GROUP_PREFIX, parse_role_group_name

    ids = set(Membership.objects.filter(person__user=user, left_on__isnull=True).values_list("unit_id", flat=True))
    for name in user.groups.filter(name__startswith=GROUP_PREFIX).values_list("name", flat=True):
        parsed = parse_role_group_name(name)
        if parsed:
            ids.add(parsed[0])
    return list(OrgUnit.objects.filter(pk__in=ids, closed_on__isnull=True).select_related("region", "kind"))


class PrivateFeedView(View):
    """/calendar/<token>.ics: the user's own units, for a calendar app that cannot log in."""

    def get(self, request, token):
        found = CalendarToken.objects.filter(token=token, user__is_active=True).select_related("user").first()
        if found is None:
            raise Http404("Календарь не найден.")
        units = own_units(found.user)
        zone_name = units[0].region.timezone if units else ""
        today = region_today(units[0].region) if units else timezone.localdate()
        entries = ical.unit_entries(
            units, today=today, public=False, base_url=request.build_absolute_uri("/").rstrip("/")
        )
        return ics_response(ical.render("Методсеть: мои подразделения", entries, tz=zone_name), "metodset.ics")


class PhoneCalendarView(LoginRequiredMixin, TemplateView):
    """«Календарь в телефоне»: the secret address of the user's feed; create it or replace it."""

    template_name = "public/phone_calendar.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        token = CalendarToken.objects.filter(user=self.request.user).first()
        ctx["token"] = token
        if token:
            path = f"/calendar/{token.token}.ics"
            ctx["feed_url"] = self.request.build_absolute_uri(path)
            ctx["webcal_url"] = "webcal://" + self.request.get_host() + path
        ctx["units"] = own_units(self.request.user)
        return ctx

    def post(self, request):
        action = request.POST.get("action")
        if action not in ("create", "reset"):
            messages.error(request, "Ничего не изменено: выберите действие на странице.")
            return redirect("public:phone_calendar")
        token, created = CalendarToken.objects.get_or_create(user=request.user)
        if not created and action == "reset":
            token.reset()
            messages.success(request, "Создана новая ссылка. Старая больше не работает — замените её в календаре.")
        elif created:
            messages.success(request, "Ссылка на календарь создана. Добавьте её в календарь телефона.")
        return redirect("public:phone_calendar")
