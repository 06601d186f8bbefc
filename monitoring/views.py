"""Pages of the effectiveness monitoring: campaigns, the results table with its charts, the records
behind a score, hand-entered values, recommendations, the Excel export and the indicator sets.

Permissions: the campaign's pages follow its root unit (cannot view it → 404; may view but not
act → 403); the records behind a score name teachers, so they need `view_people` on the
assessed unit; hand-entered values are for those who file for or administer the assessed unit
or review the campaign; only reviewers of the root create, compute, close and recommend.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Max
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import FormView, TemplateView
from django_htmx.http import HttpResponseClientRefresh

from network.forms import attach_errors
from network.models import StaleVersionError
from network.uploads import KeptUploadsViewMixin
from network.views import check_unit
from orgunits.access import access_for
from orgunits.models import OrgUnit
from people.models import PersonalDataAccess
from people.services import log_personal_data_many

from . import coverage, exports, scoring, services, sets, tracking
from .forms import CampaignForm, IndicatorFormSet, ManualEntryForm, RecommendationForm, SetForm
from .models import IndicatorSet, MonitoringCampaign, Recommendation, Result, Row, Scoring
from .templatetags.monitoring_tags import pct, score_css, score_label

ROWS_PER_PAGE = 100
RECORDS_PER_PAGE = 100


def clock():
    now = timezone.now()
    return now, timezone.localdate(now)


def get_campaign(user, pk, action="view") -> MonitoringCampaign:
    campaign = get_object_or_404(
        MonitoringCampaign.objects.select_related("root__kind", "indicator_set", "region", "closed_by"), pk=pk
    )
    check_unit(user, campaign.root, action)
    return campaign


def can_review(user, campaign) -> bool:
    return access_for(user).can("review", campaign.root)


def may_review_somewhere(user) -> bool:
    access = access_for(user)
    return access.superuser or bool(access.grants.get("review_subtree"))


def start_compute(request, campaign, today) -> None:
    """Every computation runs in a worker (queue «monitoring»): a region's takes minutes, longer than a
    request may. The campaign page follows its progress (ComputeProgressView) and shows the results when
    it ends; where Celery runs eager (tests) it has ended by the redirect."""
    from .tasks import request_computation

    job, created = request_computation(campaign, today, request.user)
    if not created:
        messages.info(request, "Расчёт уже идёт: его ход — на этой странице.")
    elif job.status == job.Status.PENDING:  # eager mode has already computed it (the page shows the summary)
        messages.info(request, "Расчёт запущен в фоне: ход расчёта — на этой странице, результаты появятся сами.")


class ComputeProgressView(LoginRequiredMixin, TemplateView):
    """The progress fragment the campaign page polls (htmx) while a computation waits or runs; when it has
    ended the page reloads (HX-Refresh) with the new values."""

    template_name = "monitoring/_compute_progress.html"

    def get(self, request, *args, **kwargs):
        campaign = get_campaign(request.user, kwargs["pk"])
        job = campaign.last_computation
        if job is None or job.status not in (job.Status.PENDING, job.Status.RUNNING):
            return HttpResponseClientRefresh() if request.htmx else redirect(campaign)
        return self.render_to_response(self.get_context_data(campaign=campaign, job=job))


# -- campaigns --------------------------------------------------------------------------------


class CampaignListView(LoginRequiredMixin, TemplateView):
    template_name = "monitoring/campaign_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        access = access_for(user)
        campaigns = (
            MonitoringCampaign.objects.restrict(user, "view")
            .select_related("root", "indicator_set", "region")
            .order_by("-year", "root__name", "pk")
        )
        page = Paginator(campaigns, 25).get_page(self.request.GET.get("page"))
        # Open campaigns where the user fills hand-entered values without seeing the whole subtree.
        to_fill = []
        if not access.superuser:
            shown = [c.pk for c in page.object_list]
            to_fill = services.campaigns_to_fill(user).exclude(pk__in=shown).select_related("root")
            to_fill = list(to_fill.order_by("-year", "pk")[:50])
        can_add = may_review_somewhere(user)
        return super().get_context_data(
            page_obj=page, can_add=can_add, to_fill=to_fill, coverage=self.coverage(user, can_add), **kwargs
        )

    def coverage(self, user, shown: bool):
        """001 §5.2 (monitoring at least once a year): the units of the viewer's scope no campaign of the year
        covered — for those who run campaigns (reviewers, administrators); ?coverage=<year> picks the year."""
        if not shown:
            return None
        this_year = clock()[1].year
        years = [this_year, this_year - 1, this_year - 2]
        try:
            year = int(self.request.GET.get("coverage") or this_year)
        except ValueError:
            year = this_year
        if not 2000 <= year <= this_year:
            year = this_year
        return {**coverage.listing(OrgUnit.objects.restrict(user, "view"), year), "years": years}


class CampaignCreateView(LoginRequiredMixin, FormView):
    template_name = "monitoring/campaign_form.html"
    form_class = CampaignForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_review_somewhere(request.user):
            raise PermissionDenied("Кампании мониторинга создают проверяющие (эксперты, кураторы) подразделений.")
        self.now, self.today = clock()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "today": self.today}

    def form_valid(self, form):
        campaign = form.save(commit=False)
        campaign.region_id = campaign.root.region_id
        campaign.created_by = self.request.user
        try:
            campaign.save()
        except IntegrityError:
            form.add_error(None, "Мониторинг этого подразделения по этому набору за этот год уже есть.")
            return self.form_invalid(form)
        messages.success(self.request, f"Кампания «{campaign}» создана.")
        start_compute(self.request, campaign, self.today)
        return redirect(campaign)


def shared_thresholds(indicators):
    """(high, mid) when every percent indicator has the same thresholds (the legend states them),
    else None (the legend sends the reader to the set)."""
    pairs = {(i.high, i.mid) for i in indicators if i.scoring == Scoring.PERCENT}
    return pairs.pop() if len(pairs) == 1 else None


# The results table's sort keys (?sort=key, «-key» descending); an indicator's column is «i<pk>».
SORT_LABELS = {"rank": "месту", "label": "названию", "total": "сумме баллов", "change": "изменению"}
CHART_ROWS = 60  # bars in the chart of totals; a larger campaign shows its first 60 by total


def parse_sort(value: str, indicators) -> tuple[str, bool]:
    """(key, descending) of `?sort=`; anything unknown → by place (the highest total first)."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key in SORT_LABELS or (key.startswith("i") and key[1:] in {str(i.pk) for i in indicators}):
        return key, descending
    return "rank", False


def sorted_rows(rows_qs, key: str, descending: bool, previous):
    """The campaign's rows in the order of a column, in SQL (the table is paginated): n/a last."""
    from django.db.models import F, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    tie = ("label", "pk")
    if key == "rank":
        # The place is by total: the 1st place first (descending place = the lowest totals first).
        return rows_qs.order_by("total" if descending else "-total", *tie)
    if key == "label":
        return rows_qs.order_by("-label" if descending else "label", "pk")
    if key == "total":
        return rows_qs.order_by("-total" if descending else "total", *tie)
    if key == "change":
        if previous is None:
            return rows_qs.order_by("-total", *tie)
        before = Row.objects.filter(campaign=previous)
        prev = Coalesce(
            Subquery(before.filter(unit_id=OuterRef("unit_id")).values("total")[:1]),
            Subquery(before.filter(school_id=OuterRef("school_id")).values("total")[:1]),
        )
        rows_qs = rows_qs.annotate(sort_change=F("total") - prev)
    else:
        value = Result.objects.filter(row=OuterRef("pk"), indicator_id=int(key[1:]))
        rows_qs = rows_qs.annotate(
            sort_score=Subquery(value.values("score")[:1]), sort_percent=Subquery(value.values("percent")[:1])
        )
    fields = ["sort_change"] if key == "change" else ["sort_score", "sort_percent"]
    order = [F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True) for f in fields]
    return rows_qs.order_by(*order, *tie)


def totals_chart(campaign, rank_of, total_rows: int) -> dict:
    """The bars of the chart of totals (an SVG drawn by the template): the first CHART_ROWS rows by
    total, each bar's length in percent of the largest possible sum."""
    rows = list(campaign.rows.order_by("-total", "label", "pk").values("label", "total", "scored")[: CHART_ROWS + 1])
    shown = rows[:CHART_ROWS]
    scale = max([2 * r["scored"] for r in shown] + [r["total"] for r in shown] + [1])
    bars = [
        {
            "label": r["label"],
            "total": r["total"],
            "rank": rank_of.get(r["total"]),
            # a string: the template must not localise it («45,5» is no SVG length)
            "width": f"{100 * r['total'] / scale:.2f}",
        }
        for r in shown
    ]
    return {
        "bars": bars,
        "scale": scale,
        "more": len(rows) > CHART_ROWS,
        "total_rows": total_rows,
    }


TRACKED_SHOWN = 300


def cell_html(indicator, cell, can_drill: bool) -> str:
    """One score of the results table — the markup of monitoring/_cell.html (the row page includes that
    template): written here because a page of 100 rows × the indicators included it a thousand times,
    which cost more than all of the page's queries."""
    if cell is None:
        return mark_safe('<span class="muted" title="не оценивается на этом уровне">—</span>')
    css, label = score_css(cell.score), score_label(cell)
    percent = format_html('<span class="cell-pct">{}</span>', pct(cell.percent)) if cell.percent is not None else ""
    if can_drill:
        said = (cell.note or "значение не внесено") if cell.score is None else f"{cell.score} б."
        score = format_html(
            '<a class="score {}" href="{}" title="{}: {} — открыть записи">{}</a>',
            css,
            reverse("monitoring:result", args=[cell.pk]),
            indicator.short_name,
            said,
            label,
        )
    else:
        score = format_html('<span class="score {}" title="{}">{}</span>', css, cell.note, label)
    return format_html("{}{}", score, percent)


class CampaignView(LoginRequiredMixin, TemplateView):
    """The results: units × indicators with place, total and year-over-year change first, every column
    sortable (?sort=, in SQL, so across pages), each indicator's scoring rule in its header; a chart of
    totals, the distribution and the heat table below."""

    template_name = "monitoring/campaign.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        access = access_for(user)
        campaign = get_campaign(user, self.kwargs["pk"])
        indicators = services.indicators_of(campaign)
        rank_of = services.ranks(campaign)
        previous = services.previous_campaign(campaign)
        sort_key, descending = parse_sort(self.request.GET.get("sort"), indicators)
        rows_qs = sorted_rows(campaign.rows.select_related("guard", "recommendation"), sort_key, descending, previous)
        page = Paginator(rows_qs, ROWS_PER_PAGE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        # Unordered: Result's default order (row, indicator position) joined every result of the page with
        # its row, campaign and indicator to sort what goes into a dict anyway.
        cells = {
            (r.row_id, r.indicator_id): r
            for r in Result.objects.filter(row__in=[r.pk for r in rows])
            .order_by()
            .only(
                "pk",
                "row_id",
                "indicator_id",
                "source",
                "numerator",
                "denominator",
                "percent",
                "score",
                "note",
                "entered_at",
            )
        }
        before = services.previous_totals(previous, rows)
        for row in rows:
            row.rank = rank_of.get(row.total)
            row.can_drill = access.can("view_people", row.guard)
            row.cells = [cell_html(i, cells.get((row.pk, i.pk)), row.can_drill) for i in indicators]
            prev = before.get(services.row_key(row))
            row.previous_total = prev
            row.change = None if prev is None else row.total - prev

        def column(key, label):
            """A sortable header: the link toggles the direction; aria-sort on the current column."""
            current = key == sort_key
            # The first click sorts the way a reader expects: places and names up, sums and scores down.
            first_descending = key not in ("rank", "label")
            next_descending = (not descending) if current else first_descending
            return {
                "key": key,
                "label": label,
                "href": f"?sort={'-' if next_descending else ''}{key}",
                "aria_sort": ("descending" if descending else "ascending") if current else None,
            }

        tracked = tracking.tracking(campaign)
        return super().get_context_data(
            campaign=campaign,
            recommendations=tracked[:TRACKED_SHOWN],
            recommendations_more=max(0, len(tracked) - TRACKED_SHOWN),
            indicators=indicators,
            page_obj=page,
            rows=rows,
            previous=previous,
            sort_key=sort_key,
            sort_descending=descending,
            columns={k: column(k, label) for k, label in SORT_LABELS.items()},
            indicator_columns=[(i, column(f"i{i.pk}", i.short_name)) for i in indicators],
            chart=totals_chart(campaign, rank_of, page.paginator.count),
            distribution=services.distribution(campaign, indicators),
            heat=services.heat(campaign, indicators),
            can_review=access.can("review", campaign.root),
            has_manual=any(i.is_manual for i in indicators),
            boundary_note=scoring.BOUNDARY_NOTE,
            thresholds=shared_thresholds(indicators),
            **kwargs,
        )


class ComputeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        campaign = get_campaign(request.user, pk, "review")
        _, today = clock()
        if not campaign.is_open:
            messages.error(request, services.CLOSED)
        else:
            start_compute(request, campaign, today)
        return redirect(campaign)


class CloseView(LoginRequiredMixin, View):
    def post(self, request, pk):
        campaign = get_campaign(request.user, pk, "review")
        now, _ = clock()
        try:
            services.close(campaign.pk, request.user, now)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Кампания закрыта: значения и записи за этот год заморожены.")
        return redirect(campaign)


class ExportView(LoginRequiredMixin, View):
    def get(self, request, pk):
        campaign = get_campaign(request.user, pk)
        handle = exports.workbook_file(campaign, services.indicators_of(campaign))
        return FileResponse(
            handle,
            as_attachment=True,
            filename=f"monitoring-{campaign.pk}-{campaign.year}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


# -- one result: the records behind it, hand entry, evidence ----------------------------------------


def get_result(user, pk, action) -> Result:
    result = get_object_or_404(
        Result.objects.select_related(
            "row__campaign__root", "row__campaign__indicator_set", "row__guard", "indicator", "entered_by"
        ),
        pk=pk,
    )
    check_unit(user, result.row.guard, action)
    return result


class ResultView(LoginRequiredMixin, TemplateView):
    """The records a score was computed from (the frozen snapshot): teachers' names, so `view_people`."""

    template_name = "monitoring/result.html"
    FILTERS = {"counts": "учтены", "missing": "не учтены"}

    def get_context_data(self, **kwargs):
        user = self.request.user
        result = get_result(user, self.kwargs["pk"], "view_people")
        shown = self.request.GET.get("show", "")
        records = result.records or []
        if shown == "counts":
            records = [r for r in records if r.get("counts")]
        elif shown == "missing":
            records = [r for r in records if not r.get("counts")]
        page = Paginator(records, RECORDS_PER_PAGE).get_page(self.request.GET.get("page"))
        people = [r["person"] for r in page.object_list if r.get("person")]
        if people:
            details = f"мониторинг {result.row.campaign.year}: {result.indicator.short_name} — {result.row.label}"
            log_personal_data_many(user, people, PersonalDataAccess.Action.VIEW, details)
        campaign = result.row.campaign
        return super().get_context_data(
            result=result,
            row=result.row,
            campaign=campaign,
            indicator=result.indicator,
            page_obj=page,
            shown=shown,
            filters=self.FILTERS,
            counted=sum(1 for r in result.records or [] if r.get("counts")),
            can_enter=campaign.is_open
            and result.indicator.is_manual
            and services.can_enter(user, result.row, campaign),
            boundary_note=scoring.BOUNDARY_NOTE,
            **kwargs,
        )


class EvidenceFileView(LoginRequiredMixin, View):
    def get(self, request, pk):
        result = get_result(request.user, pk, "view")
        if not result.evidence_file:
            raise Http404("Файл не прикреплён.")
        return FileResponse(result.evidence_file.open("rb"), filename=result.evidence_name or "подтверждение")


class ManualListView(LoginRequiredMixin, TemplateView):
    """Hand-entered values the user may complete in a campaign."""

    template_name = "monitoring/manual_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        access = access_for(user)
        campaign = get_object_or_404(
            MonitoringCampaign.objects.select_related("root", "indicator_set"), pk=self.kwargs["pk"]
        )
        results = (
            services.enterable_results(user, campaign)
            .select_related("row", "indicator", "entered_by")
            .defer("records")
            .order_by("row__label", "indicator__position", "pk")
        )
        sees_campaign = access.can("view", campaign.root)
        if not sees_campaign and not results.exists():
            raise Http404("Кампания не найдена.")
        page = Paginator(results, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(campaign=campaign, page_obj=page, sees_campaign=sees_campaign, **kwargs)


class ManualEntryView(LoginRequiredMixin, KeptUploadsViewMixin, FormView):
    template_name = "monitoring/manual_form.html"
    form_class = ManualEntryForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.result = get_result(request.user, kwargs["pk"], "view")
        campaign = self.result.row.campaign
        if not self.result.indicator.is_manual:
            raise Http404("Это значение вычисляется по данным портала и вручную не вносится.")
        if not services.can_enter(request.user, self.result.row, campaign):
            raise PermissionDenied("Значения вносят ответственные за оцениваемое подразделение и проверяющие.")
        if not campaign.is_open:
            raise PermissionDenied(services.CLOSED)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "result": self.result}

    def get_initial(self):
        r = self.result
        return {
            "numerator": r.numerator,
            "denominator": r.denominator,
            "score": r.score,
            "evidence_text": r.evidence_text,
            "evidence_url": r.evidence_url,
        }

    def form_valid(self, form):
        data = form.cleaned_data
        now, _ = clock()
        try:
            services.enter_manual(
                self.result.pk,
                by=self.request.user,
                now=now,
                evidence_text=data["evidence_text"],
                evidence_url=data.get("evidence_url", ""),
                numerator=data.get("numerator"),
                denominator=data.get("denominator"),
                score=data.get("score"),
                uploaded=data.get("evidence_file"),
                remove_file=data.get("remove_file", False),
            )
        except ValidationError as exc:
            attach_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Значение «{self.result.indicator.short_name}» для «{self.result.row}» сохранено."
        )
        return redirect("monitoring:manual", self.result.row.campaign_id)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            result=self.result, row=self.result.row, campaign=self.result.row.campaign, **kwargs
        )


# -- one assessed unit: its scores over the years and the recommendations ------------------------------


def get_row(user, pk, action="view") -> Row:
    row = get_object_or_404(
        Row.objects.select_related("campaign__root", "campaign__indicator_set", "guard", "unit", "school"), pk=pk
    )
    check_unit(user, row.guard, action)
    return row


class RowView(LoginRequiredMixin, TemplateView):
    template_name = "monitoring/row.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        access = access_for(user)
        row = get_row(user, self.kwargs["pk"])
        campaign = row.campaign
        results = list(row.results.select_related("indicator").defer("records").order_by("indicator__position", "pk"))
        history = list(
            Row.objects.filter(
                campaign__indicator_set_id=campaign.indicator_set_id,
                campaign__root_id=campaign.root_id,
                unit_id=row.unit_id,
                school_id=row.school_id,
            )
            .select_related("campaign")
            .order_by("campaign__year")
        )
        recommendation = Recommendation.objects.filter(row=row).select_related("author").first()
        return super().get_context_data(
            row=row,
            campaign=campaign,
            results=results,
            history=history,
            recommendation=recommendation,
            can_drill=access.can("view_people", row.guard),
            can_review=access.can("review", campaign.root),
            sees_campaign=access.can("view", campaign.root),
            boundary_note=scoring.BOUNDARY_NOTE,
            **kwargs,
        )


class RecommendationView(LoginRequiredMixin, FormView):
    template_name = "monitoring/recommendation_form.html"
    form_class = RecommendationForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.row = get_row(request.user, kwargs["pk"])
        if not can_review(request.user, self.row.campaign):
            raise PermissionDenied("Адресные рекомендации пишет проверяющий (эксперт, куратор).")
        self.recommendation = Recommendation.objects.filter(row=self.row).first()
        self.suggested = services.suggestions(self.row)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.recommendation
        if self.recommendation is None:
            kwargs.setdefault("initial", {})["text"] = self.suggested
        return kwargs

    def form_valid(self, form):
        try:
            services.save_recommendation(
                self.row, form.cleaned_data["text"], self.request.user, form.cleaned_data["expected_version"]
            )
        except StaleVersionError:
            form.add_error(None, form.conflict_message)
            return self.form_invalid(form)
        except ValidationError as exc:
            attach_errors(form, exc, "text")
            return self.form_invalid(form)
        messages.success(self.request, "Рекомендации сохранены; руководителям подразделения отправлено уведомление.")
        return redirect(self.row)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(row=self.row, campaign=self.row.campaign, suggested=self.suggested, **kwargs)


# -- indicator sets -----------------------------------------------------------------------------


def visible_sets(user):
    access = access_for(user)
    sets = IndicatorSet.objects.select_related("region")
    if access.superuser:
        return sets
    return sets.filter(region_id__in={s.region_id for s in access.top_spans()})


def get_set(user, pk, edit=False) -> IndicatorSet:
    """Invisible (another region) → 404; visible but not the region's administrator → 403."""
    indicator_set = get_object_or_404(visible_sets(user), pk=pk)
    if edit and not sets.may_edit(user, indicator_set):
        raise PermissionDenied("Наборы показателей изменяют администраторы региона.")
    return indicator_set


class SetListView(LoginRequiredMixin, TemplateView):
    template_name = "monitoring/set_list.html"

    def get_context_data(self, **kwargs):
        sets_ = visible_sets(self.request.user).order_by("region__name", "-is_default", "name")
        return super().get_context_data(
            page_obj=Paginator(sets_, 25).get_page(self.request.GET.get("page")),
            can_create=sets.may_create(self.request.user),
            **kwargs,
        )


class SetView(LoginRequiredMixin, TemplateView):
    """A set read-only: each indicator, how it is obtained, its thresholds and how a boundary scores."""

    template_name = "monitoring/set.html"

    def get_context_data(self, **kwargs):
        indicator_set = get_set(self.request.user, self.kwargs["pk"])
        return super().get_context_data(
            indicator_set=indicator_set,
            indicators=list(indicator_set.indicators.order_by("position", "pk")),
            mo_kinds=list(indicator_set.mo_kinds.order_by("name")),
            boundary_note=scoring.BOUNDARY_NOTE,
            can_edit=sets.may_edit(self.request.user, indicator_set),
            **kwargs,
        )


class SetEditView(LoginRequiredMixin, TemplateView):
    """Create a set, or edit its passport and indicators in one versioned save (rules in monitoring.sets)."""

    template_name = "monitoring/set_form.html"
    EXTRA_ROWS = 2

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if "pk" in kwargs:
            self.object = get_set(request.user, kwargs["pk"], edit=True)
        elif sets.may_create(request.user):
            self.object = IndicatorSet()
        else:
            raise PermissionDenied("Наборы показателей создают администраторы региона.")
        self.is_new = self.object.pk is None
        self.closed_years = sets.closed_years(self.object)
        return super().dispatch(request, *args, **kwargs)

    def build(self, data=None):
        form = SetForm(data, instance=self.object, user=self.request.user)
        last = 0 if self.is_new else self.object.indicators.aggregate(n=Max("position"))["n"] or 0
        formset = IndicatorFormSet(
            data,
            instance=self.object,
            prefix="indicators",
            closed_years=self.closed_years,
            with_values=sets.indicators_with_values(self.object),
            initial=[{"position": last + n} for n in range(1, self.EXTRA_ROWS + 1)],
        )
        return form, formset

    def get(self, request, *args, **kwargs):
        form, formset = self.build()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.build(request.POST)
        valid = form.is_valid()
        valid = formset.is_valid() and valid  # both validated: every error is shown at once
        if valid:
            try:
                indicator_set = sets.save_set(form, formset, form.cleaned_data.get("expected_version"))
            except StaleVersionError:
                form.add_error(None, form.conflict_message)
            except sets.SaveRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Набор показателей «{indicator_set}» сохранён.")
                open_years = sets.open_computed_years(indicator_set)
                if open_years and not self.is_new:
                    messages.info(
                        request,
                        "Открытые кампании по этому набору ("
                        + ", ".join(map(str, open_years))
                        + " г.) посчитаны по прежним показателям: пересчитайте их, чтобы применить изменения.",
                    )
                return redirect(indicator_set)
            if self.is_new:
                self.object.pk = None  # the rolled-back insert left its id on the instance
        return self.render_to_response(self.get_context_data(form=form, formset=formset), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            indicator_set=self.object,
            is_new=self.is_new,
            frozen_message=sets.frozen_message(self.closed_years) if self.closed_years else "",
            **kwargs,
        )
