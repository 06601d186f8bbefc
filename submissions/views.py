"""The workflow pages: campaigns and their dashboards, the reviewer's inbox, a document and its steps.

Every page reads the clock once (`now`, and `today` in the time zone of the campaign's region) and hands both
to the services. Visibility follows the portal's rule: what one may not see is 404, what one
sees but may not do is 403.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from django.views.generic import FormView, TemplateView

import workflow
from history.models import LogEntry
from network.clock import today_of
from network.forms import attach_errors
from network.views import get_restricted, get_unit
from orgunits.access import access_for
from orgunits.models import DocumentType, OrgUnit, Region
from registers.models import Export
from workflow.engine import last_move_q, steps_of
from workflow.kinds import kind

from . import dashboard, exports, reminders, routing, services
from .editing import ru_plural
from .forms import CampaignForm, HistoricalForm, default_year
from .models import Campaign, State, Submission
from .services import campaigns_for


def clock(obj=None):
    """The request's one reading of the clock: (now, today where `obj` is — the region of the campaign or
    the document, network.clock; the portal's time zone for none)."""
    now = timezone.now()
    return now, today_of(obj, now)


def editor_url(submission) -> str:
    """The content editor of the document (plans:edit or reports:edit); the document page if absent."""
    return kind(submission.document_type).editor_url(submission) or submission.get_absolute_url()


# -- campaigns ------------------------------------------------------------------------------------


def get_campaign(user, pk) -> Campaign:
    """A campaign of a region the user sees (else 404). Campaigns have no `restrict()`: a campaign is
    regional, not a unit's row — it is seen wherever one sees a unit of its region."""
    return get_object_or_404(campaigns_for(user), pk=pk)


def check_regional_admin(user, campaign_or_region_id) -> None:
    region_id = getattr(campaign_or_region_id, "region_id", campaign_or_region_id)
    if not access_for(user).is_regional("manage", region_id):
        raise PermissionDenied("Кампании ведёт администратор региона.")


def dashboard_unit(user, campaign, unit_pk) -> OrgUnit:
    """The unit of the dashboard: the one asked for (if seen), else the user's highest in the region."""
    units = OrgUnit.objects.select_related("kind")
    if unit_pk:
        if not str(unit_pk).isdigit():
            raise Http404("Подразделение не найдено.")
        return campaign_unit(user, campaign, int(unit_pk))
    access = access_for(user)
    if access.superuser:
        unit = units.filter(region_id=campaign.region_id, parent__isnull=True).order_by("tree_id").first()
    else:
        spans = [s for s in access.top_spans() if s.region_id == campaign.region_id]
        unit = units.filter(pk=spans[0].unit_id).first() if spans else None
    if unit is None:
        raise Http404("Подразделение не найдено.")
    return unit


def campaign_unit(user, campaign, unit_pk, action: str = "view") -> OrgUnit:
    """A unit of the campaign's region by the portal's rule for units (`get_unit`: unseen → 404,
    seen but `action` not allowed → 403); a unit of another region has no place here → 404."""
    unit = get_unit(user, unit_pk, action)
    if unit.region_id != campaign.region_id:
        raise Http404("Подразделение другого региона.")
    return unit


def dashboard_url(campaign, unit=None, **params) -> str:
    query = {"unit": unit.pk} if unit is not None else {}
    query.update({k: v for k, v in params.items() if v})
    return campaign.get_absolute_url() + (f"?{urlencode(query)}" if query else "")


class CampaignListView(LoginRequiredMixin, TemplateView):
    template_name = "submissions/campaign_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        access = access_for(user)
        # Candidacies (people.candidates) ride on yearly campaigns that nobody is expected to file in.
        listed = campaigns_for(user).exclude(document_type=DocumentType.CANDIDATE)
        listed = listed.select_related("region")  # each campaign's «today» is its region's (network.clock)
        page = Paginator(listed.order_by("-year", "document_type", "region__name", "pk"), 50).get_page(
            self.request.GET.get("page")
        )
        campaigns = list(page.object_list)
        for campaign in campaigns:
            campaign.can_manage = access.is_regional("manage", campaign.region_id)
        own_documents(user, campaigns, timezone.now())
        can_add = access.superuser or bool(access.regions("manage"))
        return super().get_context_data(page_obj=page, can_add=can_add, **kwargs)


def own_documents(user, campaigns, now) -> None:
    """Set `campaign.own` on each campaign: the user's own documents in it — one row per unit the
    user files for (a membership as chair, deputy, secretary or methodist, not a superuser's reach)
    that owes it — with the document's state or «не начат» and whether «Начать» is open.
    Three queries for the page, whatever its length."""
    for campaign in campaigns:
        campaign.own = []
    access = access_for(user)
    unit_ids = sorted({span.unit_id for span in access.grants.get("file_documents", ())})
    if not unit_ids or not campaigns:
        return
    units = list(OrgUnit.objects.filter(pk__in=unit_ids).select_related("kind").order_by("tree_id", "lft"))
    by_campaign = {c.pk: c for c in campaigns}
    filer_kinds: dict[int, set[int]] = {}
    for campaign_id, kind_id in Campaign.filer_kinds.through.objects.filter(campaign_id__in=by_campaign).values_list(
        "campaign_id", "unitkind_id"
    ):
        filer_kinds.setdefault(campaign_id, set()).add(kind_id)
    documents = {
        (s.campaign_id, s.unit_id): s
        for s in Submission.objects.filter(campaign_id__in=by_campaign, unit_id__in=unit_ids).only(
            "pk", "campaign_id", "unit_id", "state", "version"
        )
    }
    for campaign in campaigns:
        today = today_of(campaign, now)  # the campaign's region's date
        for unit in units:
            expected = (
                unit.region_id == campaign.region_id
                and unit.kind_id in filer_kinds.get(campaign.pk, ())
                and (unit.opened_on is None or unit.opened_on <= campaign.due_on)
                and (unit.closed_on is None or unit.closed_on > campaign.due_on)
            )
            if not expected:
                continue
            document = documents.get((campaign.pk, unit.pk))
            code = document.state if document else dashboard.NOT_STARTED
            campaign.own.append(
                {
                    "unit": unit,
                    "document": document,
                    "code": code,
                    "label": dashboard.DASH_STATE_LABELS[code],
                    "can_start": document is None and today >= campaign.opens_on,
                    "late": document is None and campaign.lateness(today) is not None,
                }
            )


class CampaignFormView(LoginRequiredMixin, FormView):
    """A new campaign (regional administrators) or the dates and filers of an existing one."""

    template_name = "submissions/campaign_form.html"
    form_class = CampaignForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.campaign = get_campaign(request.user, kwargs["pk"]) if "pk" in kwargs else None
        self.now, self.today = clock(self.campaign)
        if self.campaign is not None:
            check_regional_admin(request.user, self.campaign)
        else:
            self.regions = self.managed_regions()
            if not self.regions.exists():
                raise PermissionDenied("Кампании ведёт администратор региона.")
        return super().dispatch(request, *args, **kwargs)

    def managed_regions(self):
        access = access_for(self.request.user)
        if access.superuser:
            return Region.objects.all()
        return Region.objects.filter(pk__in=sorted(access.regions("manage")))

    def get_initial(self):
        if self.campaign is not None:
            return {}
        document_type = self.request.GET.get("document_type")
        if document_type not in dict(CampaignForm.base_fields["document_type"].choices):
            document_type = DocumentType.REPORT
        year = self.request.GET.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else default_year(document_type, self.today)
        initial = CampaignForm.initial_for(document_type, year)
        region = self.request.GET.get("region", "")
        if region.isdigit():
            initial["region"] = int(region)
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.campaign is not None:
            kwargs["instance"] = self.campaign
        else:
            kwargs["regions"] = self.regions
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        campaign = self.campaign or Campaign(
            region=data["region"], document_type=data["document_type"], year=data["year"]
        )
        campaign.title = data["title"]
        campaign.opens_on, campaign.due_on, campaign.closes_on = data["opens_on"], data["due_on"], data["closes_on"]
        campaign.reminder_offsets = data["reminder_offsets"]
        try:
            with transaction.atomic():
                campaign.save()
                campaign.filer_kinds.set(data["filer_kinds"])
        except IntegrityError:
            form.add_error("year", "В регионе уже есть кампания за этот период.")
            return self.form_invalid(form)
        messages.success(self.request, f"Кампания «{campaign}» сохранена.")
        return redirect(campaign)

    def get_context_data(self, **kwargs):
        title = f"Изменить кампанию: {self.campaign}" if self.campaign else "Новая кампания"
        return super().get_context_data(campaign=self.campaign, title=title, **kwargs)


class CampaignDashboardView(LoginRequiredMixin, TemplateView):
    """Who owes the document below a unit, where each stands, and the percentages."""

    template_name = "submissions/campaign_dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        params = self.request.GET
        campaign = get_campaign(user, self.kwargs["pk"])
        now, today = clock(campaign)
        unit = dashboard_unit(user, campaign, params.get("unit"))
        access = access_for(user)
        state = params.get("state", "") if params.get("state") in dashboard.DASH_STATE_LABELS else ""
        level = params.get("level", "") if params.get("level") in dict(dashboard.LEVELS) else ""
        is_open = today >= campaign.opens_on  # filing starts when the campaign opens

        page = Paginator(dashboard.rows(campaign, unit, user, today, state, level), dashboard.PAGE_SIZE).get_page(
            params.get("page")
        )
        rows = list(page.object_list)
        approvers = OrgUnit.objects.in_bulk({r.approver_id for r in rows if r.approver_id})
        for row in rows:
            row.approver = approvers.get(row.approver_id)
            row.state_label = dashboard.DASH_STATE_LABELS[row.dash_state]
            row.can_start = is_open and row.sub_id is None and access.can("file", row)
            row.has_below = row.rght - row.lft > 1
        own = dashboard.own_row(campaign, unit, today)
        if own is not None:
            own.state_label = dashboard.DASH_STATE_LABELS[own.dash_state]
            own.can_start = is_open and own.sub_id is None and access.can("file", own)
        ancestors = [a for a in unit.get_ancestors() if access.can("view", a)]
        return super().get_context_data(
            campaign=campaign,
            unit=unit,
            ancestors=ancestors,
            page_obj=page,
            rows=rows,
            summary=dashboard.summary(campaign, unit, user, today),
            own=own,
            today=today,
            is_open=is_open,
            state=state,
            level=level,
            states=dashboard.DASH_STATES,
            levels=dashboard.LEVELS,
            can_remind=access.can("review", unit) or access.can("manage", unit),
            can_manage=access.is_regional("manage", campaign.region_id),
            export_url=reverse("submissions:campaign_export", args=[campaign.pk])
            + "?"
            + urlencode({k: v for k, v in {"unit": unit.pk, "state": state, "level": level}.items() if v}),
            **kwargs,
        )


def named(units, limit: int = 10) -> str:
    """«A», «B» … и ещё N: the units a message names, the rest counted (the preview lists them all)."""
    shown = ", ".join(f"«{u}»" for u in units[:limit])
    rest = len(units) - limit
    return shown + (f" и ещё {rest}" if rest > 0 else "")


class CampaignRemindView(LoginRequiredMixin, View):
    """«Напомнить непредставившим»: GET shows who will be told (per unit, by name, with e-mail)
    and the units with nobody to tell; POST tells them (once per unit per day) and says how many
    people in how many units were told, naming the units nobody could be told."""

    def setup_reminder(self, request, pk, unit_pk):
        user = request.user
        self.campaign = get_campaign(user, pk)
        self.now, self.today = clock(self.campaign)
        self.unit = dashboard_unit(user, self.campaign, unit_pk)
        access = access_for(user)
        if not (access.can("review", self.unit) or access.can("manage", self.unit)):
            raise PermissionDenied("Напоминать могут проверяющие и администраторы.")

    def get(self, request, pk):
        self.setup_reminder(request, pk, request.GET.get("unit"))
        plan = reminders.plan(self.campaign, self.unit, request.user, self.today)
        people, told, nobody = plan.people, len(plan.told), len(plan.nobody)
        context = {
            "campaign": self.campaign,
            "unit": self.unit,
            "plan": plan,
            "told_title": f"Получат напоминание: {people} {ru_plural(people, 'человек', 'человека', 'человек')} "
            f"в {told} {ru_plural(told, 'подразделении', 'подразделениях', 'подразделениях')}",
            "nobody_title": f"Некому напомнить: {nobody} "
            + ru_plural(nobody, "подразделение", "подразделения", "подразделений"),
            "today": self.today,
            "dashboard_url": dashboard_url(self.campaign, self.unit),
        }
        return TemplateResponse(request, "submissions/campaign_remind.html", context)

    def post(self, request, pk):
        self.setup_reminder(request, pk, request.POST.get("unit"))
        result = reminders.remind(self.campaign, self.unit, request.user, self.now, self.today)
        nobody = named(result.nobody)
        if result.units:
            messages.success(
                request,
                f"Напоминание получили {result.people} {ru_plural(result.people, 'человек', 'человека', 'человек')} "
                f"в {result.units} {ru_plural(result.units, 'подразделении', 'подразделениях', 'подразделениях')}.",
            )
        elif result.already:
            messages.info(request, "Новых напоминаний нет: всем, кому можно напомнить, сегодня уже напоминали.")
        elif result.nobody:
            # Never a success when nobody was told.
            messages.error(
                request,
                "Напоминание не отправлено никому: в непредставивших подразделениях нет председателя, "
                f"заместителя, секретаря или методиста с учётной записью — {nobody}.",
            )
        else:
            messages.info(request, "Напоминать некому: все подразделения представили документ.")
        if result.nobody and (result.units or result.already):
            messages.warning(request, f"Некому напомнить (нет представляющих с учётной записью): {nobody}.")
        return redirect(dashboard_url(self.campaign, self.unit))


class CampaignExportView(LoginRequiredMixin, View):
    """The dashboard's rows (with its filters) as an .xlsx workbook."""

    def get(self, request, pk):
        user = request.user
        params = request.GET
        campaign = get_campaign(user, pk)
        now, today = clock(campaign)
        unit = dashboard_unit(user, campaign, params.get("unit"))
        state = params.get("state", "") if params.get("state") in dashboard.DASH_STATE_LABELS else ""
        level = params.get("level", "") if params.get("level") in dict(dashboard.LEVELS) else ""
        rows = dashboard.rows(campaign, unit, user, today, state, level)
        approvers = OrgUnit.objects.in_bulk(
            list(
                Submission.objects.restrict(user, "view")
                .filter(campaign=campaign)
                .values_list("approver_id", flat=True)
                .distinct()
            )
        )
        handle = exports.workbook_file(campaign, unit, rows.iterator(chunk_size=2000), approvers)
        filename = f"campaign-{campaign.pk}-{campaign.document_type}-{campaign.year}-unit-{unit.pk}.xlsx"
        # The audit record every register export leaves (who took which summary, when).
        Export.objects.create(
            user=user,
            register="dashboard",
            params={"campaign": campaign.pk, "unit": unit.pk, "state": state, "level": level},
            status=Export.Status.DONE,
            filename=filename,
            finished_at=now,
        )
        return FileResponse(
            handle,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class StartView(LoginRequiredMixin, View):
    """«Начать»: the unit's document in this campaign, then its editor."""

    def post(self, request, pk, unit_pk):
        user = request.user
        campaign = get_campaign(user, pk)
        now, today = clock(campaign)
        unit = campaign_unit(user, campaign, unit_pk, "file")
        if not campaign.expected_units().filter(pk=unit.pk).exists():
            messages.error(request, f"«{unit}» не представляет документ в кампании «{campaign}».")
            return redirect(dashboard_url(campaign, unit))
        try:
            submission = services.start(campaign, unit, user, now)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(dashboard_url(campaign, unit))
        return redirect(editor_url(submission))


class HistoricalView(LoginRequiredMixin, FormView):
    """A paper document of a past year recorded as approved (regional administrators)."""

    template_name = "submissions/historical_form.html"
    form_class = HistoricalForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.campaign = get_campaign(request.user, kwargs["pk"])
        self.now, self.today = clock(self.campaign)
        check_regional_admin(request.user, self.campaign)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        # Every unit that has a document in the campaign, seen or not: the database allows one each.
        taken = Submission.objects.filter(campaign=self.campaign).values("unit_id")
        units = self.campaign.expected_units().exclude(pk__in=taken).select_related("kind").order_by("tree_id", "lft")
        return {**super().get_form_kwargs(), "units": units, "today": self.today}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            submission = services.load_historical(
                campaign=self.campaign,
                unit=data["unit"],
                submitted_on=data["submitted_on"],
                approved_on=data["approved_on"],
                by=self.request.user,
                now=self.now,
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Документ «{submission}» перенесён как согласованный.")
        return redirect(submission)

    def get_context_data(self, **kwargs):
        return super().get_context_data(campaign=self.campaign, **kwargs)


# -- the reviewer's inbox -------------------------------------------------------------------------


class InboxView(LoginRequiredMixin, TemplateView):
    """Documents waiting for my decision, and those I returned that have not come back yet."""

    template_name = "submissions/inbox.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # «review» is who decides (submissions/routing.py): the approver's own reviewers, and reviewers
        # above it only where the region allows escalation — those rows say whose route they are on.
        waiting = (
            Submission.objects.restrict(user, "review")
            .filter(state=State.SUBMITTED)
            .select_related("unit__kind", "campaign", "approver")
            .order_by("submitted_at", "pk")
        )
        last_return = last_move_q(Submission, to_state=State.RETURNED)
        # Only the documents this reviewer has ever returned (history_actor_at serves it) get the subquery
        # of their last return; computing it for every returned document of the country first, and only
        # then keeping «returned by me», made the page cost follow the country.
        ever_returned = LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Submission, for_concrete_model=False),
            action=LogEntry.Action.TRANSITION,
            to_state=State.RETURNED,
            actor=user,
        )
        returned = (
            Submission.objects.restrict(user, "review")
            .filter(state=State.RETURNED, pk__in=ever_returned.values("object_id"))
            .annotate(
                returned_by=Subquery(last_return.values("actor_id")[:1]),
                returned_at=Subquery(last_return.values("at")[:1]),
                return_comment=Subquery(last_return.values("reason")[:1]),
            )
            .filter(returned_by=user.pk)
            .select_related("unit__kind", "campaign")
            .order_by("-returned_at", "-pk")
        )
        page = Paginator(waiting, 50).get_page(self.request.GET.get("page"))
        access = access_for(user)
        own = routing.reviews_at_ids(access)
        for row in page.object_list:
            row.above_route = not access.superuser and row.approver_id not in own
        return super().get_context_data(page_obj=page, returned=list(returned[:20]), **kwargs)


# -- one document ---------------------------------------------------------------------------------

SUBMISSION_RELATED = ("campaign__region", "unit__kind", "approver__region")


def get_submission(user, pk) -> Submission:
    return get_restricted(Submission.objects.select_related(*SUBMISSION_RELATED), user, pk, "view")


def attachment_url(attachment) -> str | None:
    try:
        return reverse("attachments:download", args=[attachment.pk])
    except NoReverseMatch:
        return None


class SubmissionDetailView(LoginRequiredMixin, TemplateView):
    template_name = "submissions/submission_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        submission = get_submission(user, self.kwargs["pk"])
        access = access_for(user)
        can_file = access.can("file", submission.unit)
        # The one rule of who decides (submissions/routing.py): the routed approver's own reviewers; a
        # reviewer above sees the document and decides only where the region allows escalation.
        decision = routing.may_decide(user, submission)
        ctx = {
            "submission": submission,
            "campaign": submission.campaign,
            "can_edit": can_file and submission.is_editable,
            "can_decide": decision.allowed and submission.state == State.SUBMITTED,
            "can_reopen": decision.allowed and submission.state == State.APPROVED,
            "above_route": decision.above_route,
            "route_refusal": decision.refusal if submission.state in (State.SUBMITTED, State.APPROVED) else "",
            "editor_url": editor_url(submission),
            "transitions": steps_of(submission),
            "dashboard_url": dashboard_url(submission.campaign, submission.unit) if submission.campaign_id else "",
        }
        # What the content looks like is the kind's: its template and its module's detail_context.
        document_kind = kind(submission.document_type)
        ctx["content_template"] = document_kind.detail_template
        ctx["has_pdf"] = bool(document_kind.pdf)
        ctx.update(document_kind.content_module().detail_context(submission, user))
        attachments = list(submission.attachments.select_related("uploaded_by"))
        for attachment in attachments:
            attachment.url = attachment_url(attachment)
        ctx["attachments"] = attachments
        # A resubmission shows the reviewer what changed since the document was returned.
        ctx["changes"] = services.diff_since_return(submission) if submission.state == State.SUBMITTED else None
        ctx["resubmitted"] = ctx["changes"] is not None
        # A returned document says why, at the top (who returned it, when, the comment).
        ctx["return_entry"] = services.return_entry(submission)
        return super().get_context_data(**ctx, **kwargs)


SEND_CHECK_TEMPLATE = "submissions/send_check.html"


def send_or_check(request, submission, *, confirmed: bool, expected_version=None, saved: str = ""):
    """Send the document for approval, or first show what it lacks.

    Unless `confirmed`, the kind's check runs (empty sections, impossible figures, an empty plan);
    if it finds anything, the page lists it and asks «Отправить всё равно» or «Вернуться к
    редактированию» — nothing is sent. A confirmation made on an older version of the document is
    shown the check again. `saved` is the message of an edit made in the same request."""
    now, today = clock(submission)
    problems = services.send_problems(submission)
    stale = expected_version is not None and expected_version != submission.version
    if problems and (not confirmed or stale):
        context = {
            "submission": submission,
            "problems": problems,
            "saved": saved,
            "stale": stale and confirmed,
            "editor_url": editor_url(submission),
        }
        return TemplateResponse(request, SEND_CHECK_TEMPLATE, context)
    try:
        workflow.perform(submission, "submit", request.user, now=now, today=today)
    except ValidationError as exc:
        if saved:
            messages.success(request, saved)
        for message in exc.messages:
            messages.error(request, f"Документ не отправлен: {message}")
        return redirect(editor_url(submission) if saved else submission.get_absolute_url())
    messages.success(request, (saved + " " if saved else "") + "Документ отправлен на согласование.")
    return redirect("submissions:submission", pk=submission.pk)


class SendView(LoginRequiredMixin, View):
    """«Отправить на согласование» with the check first: GET shows it, POST sends (or shows it)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.submission = get_submission(request.user, kwargs["pk"])
        services.check_can_file(request.user, self.submission)
        return super().dispatch(request, *args, **kwargs)

    def not_editable(self, request):
        from .editing import not_editable_message

        reason = not_editable_message(self.submission, request.user)
        if reason is not None:
            messages.error(request, reason)
            return redirect(self.submission)
        return None

    def get(self, request, pk):
        if (refused := self.not_editable(request)) is not None:
            return refused
        context = {
            "submission": self.submission,
            "problems": services.send_problems(self.submission),
            "editor_url": editor_url(self.submission),
        }
        return TemplateResponse(request, SEND_CHECK_TEMPLATE, context)

    def post(self, request, pk):
        if (refused := self.not_editable(request)) is not None:
            return refused
        version = request.POST.get("expected_version", "")
        return send_or_check(
            request,
            self.submission,
            confirmed=request.POST.get("confirmed") == "1",
            expected_version=int(version) if version.isdigit() else None,
        )


class SubmissionActionView(LoginRequiredMixin, View):
    """One step of the workflow, by POST: submit, approve, return, reopen."""

    action = ""
    done = {
        "submit": "Документ отправлен на согласование.",
        "approve": "Документ согласован.",
        "return": "Документ возвращён на доработку.",
        "reopen": "Документ открыт повторно для доработки.",
    }

    def post(self, request, pk):
        user = request.user
        submission = get_submission(user, pk)
        now, today = clock(submission)
        comment = request.POST.get("comment", "")
        try:
            # The engine checks who may (PermissionDenied → 403), the state and the reason.
            workflow.perform(submission, self.action, user, reason=comment, now=now, today=today)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done[self.action])
        return redirect("submissions:submission", pk=submission.pk)
