"""The rules of a monitoring campaign: compute, enter by hand, close, rank, recommend.

Time is injected: every function takes `today` (and `now` where it stamps a moment).
A closed campaign is frozen: compute and manual entry lock the campaign row and check its
state inside the same transaction, so a compute racing a close cannot rewrite a closed year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

import workflow
from orgunits.access import access_for

from . import rules, scoring
from .models import (
    CampaignSummary,
    Indicator,
    Method,
    MonitoringCampaign,
    Recommendation,
    Result,
    Row,
    Scoring,
)

CLOSED = "Кампания закрыта: значения заморожены и больше не пересчитываются и не изменяются."
NOT_STARTED = "Год мониторинга ещё не начался: считать нечего."
SUGGESTIONS = 3


reference_date = rules.reference_date


def row_key(row) -> tuple[str, int]:
    return (rules.UNIT, row.unit_id) if row.unit_id else (rules.SCHOOL, row.school_id)


@dataclass
class ComputeSummary:
    rows: int
    computed: int
    manual: int
    removed: int

    def __str__(self):
        return (
            f"оценивается: {self.rows}; вычислено значений: {self.computed}; "
            f"вносятся вручную: {self.manual}; исключено из оценки: {self.removed}"
        )


def _lock_open(campaign_id) -> MonitoringCampaign:
    campaign = (
        MonitoringCampaign.objects.select_for_update()
        .select_related("root__kind", "indicator_set", "region")
        .get(pk=campaign_id)
    )
    if not campaign.is_open:
        raise ValidationError(CLOSED)
    return campaign


def _check_open(campaign_id) -> MonitoringCampaign:
    campaign = MonitoringCampaign.objects.select_related("root__kind", "indicator_set", "region").get(pk=campaign_id)
    if not campaign.is_open:
        raise ValidationError(CLOSED)
    return campaign


def _no_progress(done: int, total: int, stage: str) -> None:
    pass


def compute(
    campaign_id: int, today: datetime.date, now: datetime.datetime | None = None, progress=None
) -> ComputeSummary:
    """(Re)compute every computed value of an open campaign; hand-entered values are left alone.

    Idempotent: computing twice on one day gives the same rows and results, so a retry after a crash
    recomputes. The subtree and each rule are read first, reporting `progress(done, total, stage)` after
    each step (the worker writes it on its Computation row, which the page polls); the rows and values are
    then written in one transaction that locks the campaign and checks it is still open, so a compute
    racing a close cannot rewrite a closed year.
    """
    progress = progress or _no_progress
    campaign = _check_open(campaign_id)
    if today < datetime.date(campaign.year, 1, 1):
        raise ValidationError(NOT_STARTED)
    indicators = indicators_of(campaign)
    computed_indicators = [i for i in indicators if not i.is_manual]
    total = len(computed_indicators) + 2  # the subtree, each rule, the writing
    progress(0, total, "Состав подразделений и педагоги")
    levels = {i.assessed for i in indicators}
    mo_kinds = set(campaign.indicator_set.mo_kinds.values_list("pk", flat=True))
    scope = rules.Scope(campaign, today).load(levels, mo_kinds)
    done = 1
    keys_of = {level: [k for k, spec in scope.rows.items() if spec.assessed == level] for level in levels}
    outcomes = {}
    for indicator in computed_indicators:
        progress(done, total, f"Показатель «{indicator.short_name}»")
        outcomes[indicator.pk] = rules.RULES[indicator.rule].compute(
            scope, keys_of[indicator.assessed], indicator.params
        )
        done += 1
    progress(done, total, "Запись значений")
    summary = _write(campaign_id, scope, indicators, keys_of, outcomes, today, now)
    progress(total, total, "")
    return summary


@transaction.atomic
def _write(campaign_id, scope, indicators, keys_of, outcomes, today, now) -> ComputeSummary:
    campaign = _lock_open(campaign_id)
    existing = {row_key(r): r for r in campaign.rows.all()}
    stale = [r.pk for key, r in existing.items() if key not in scope.rows]
    if stale:
        Row.objects.filter(pk__in=stale).delete()
    new, changed = [], []
    for key, spec in scope.rows.items():
        row = existing.get(key) or Row(campaign=campaign, unit_id=spec.unit_id, school_id=spec.school_id)
        row.assessed, row.guard_id, row.municipality_id = spec.assessed, spec.guard_id, spec.municipality_id
        row.label, row.teachers = spec.label[:500], len(scope.teachers[key])
        (changed if row.pk else new).append(row)
    Row.objects.bulk_create(new)
    Row.objects.bulk_update(changed, ["assessed", "guard", "municipality", "label", "teachers"])
    rows = {row_key(r): r for r in new + changed}  # SQLite and PostgreSQL return the new ids

    computed, manual = [], []
    for indicator in indicators:
        keys = keys_of[indicator.assessed]
        if indicator.is_manual:
            manual += [Result(row=rows[k], indicator=indicator, source=Result.Source.MANUAL) for k in keys]
            continue
        for key in keys:
            o = outcomes[indicator.pk][key]
            percent, score = scoring.score(indicator, o.numerator, o.denominator, o.participants)
            computed.append(
                Result(
                    row=rows[key],
                    indicator=indicator,
                    source=Result.Source.COMPUTED,
                    numerator=o.numerator,
                    denominator=o.denominator,
                    percent=percent,
                    score=score,
                    note=o.note[:300],
                    records=o.records,
                )
            )
    Result.objects.bulk_create(
        computed,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["row", "indicator"],
        update_fields=["source", "numerator", "denominator", "percent", "score", "note", "records"],
    )
    Result.objects.bulk_create(manual, batch_size=500, ignore_conflicts=True)
    update_totals(campaign)
    campaign.computed_at = now or timezone.now()
    campaign.computed_on = today
    campaign.save(update_fields=["computed_at", "computed_on"])
    CampaignSummary.objects.update_or_create(campaign=campaign, defaults={"data": aggregate_summary(campaign)})
    return ComputeSummary(rows=len(rows), computed=len(computed), manual=len(manual), removed=len(stale))


def update_totals(campaign, row_ids=None) -> None:
    """Keep each row's total and the number of scored indicators in step with its results."""
    rows = Row.objects.filter(campaign=campaign)
    if row_ids is not None:
        rows = rows.filter(pk__in=row_ids)
    sums = {
        r["row_id"]: r
        for r in Result.objects.filter(row__in=rows, score__isnull=False)
        .values("row_id")
        .annotate(total=Sum("score"), scored=Count("pk"))
    }
    changed = []
    for row in rows.only("pk", "total", "scored"):
        agg = sums.get(row.pk, {"total": 0, "scored": 0})
        if (row.total, row.scored) != (agg["total"], agg["scored"]):
            row.total, row.scored = agg["total"], agg["scored"]
            changed.append(row)
    Row.objects.bulk_update(changed, ["total", "scored"], batch_size=500)


def close(campaign_id: int, by, now: datetime.datetime) -> MonitoringCampaign:
    """Close the campaign: the move «close» of monitoring/machines.py (locked, checked, logged)."""
    return workflow.perform(campaign_id, "close", by, now=now, model=MonitoringCampaign)


# -- hand-entered values ----------------------------------------------------------------------


# Who fills a hand-entered value: those who file for or administer the assessed unit (its guard),
# and the reviewers of the campaign's subtree. `can_enter` checks one value; `enterable_results`
# and `campaigns_to_fill` list by the same rule.
FILL_ACTION = "keep_records"  # file_documents on the unit, or manage_subtree above it


def can_enter(user, row, campaign) -> bool:
    access = access_for(user)
    return access.can("review", campaign.root) or access.can(FILL_ACTION, row.guard)


def enterable_results(user, campaign):
    """The campaign's hand-entered values that `user` may fill in."""
    results = Result.objects.filter(row__campaign=campaign, indicator__method=Method.MANUAL)
    access = access_for(user)
    if access.can("review", campaign.root):
        return results
    q = access.q_for_units(FILL_ACTION, prefix="row__guard__")
    return results.none() if q is None else results.filter(q)


def campaigns_to_fill(user):
    """Open campaigns with hand-entered values of the units that `user` files for or administers."""
    q = access_for(user).q_for_units(FILL_ACTION, prefix="row__guard__")
    if q is None:
        return MonitoringCampaign.objects.none()
    open_ = MonitoringCampaign.State.OPEN
    results = Result.objects.filter(q, indicator__method=Method.MANUAL, row__campaign__state=open_)
    return MonitoringCampaign.objects.filter(pk__in=results.values("row__campaign_id"))


@transaction.atomic
def enter_manual(
    result_id: int,
    *,
    by,
    now: datetime.datetime,
    evidence_text: str,
    evidence_url: str = "",
    numerator: int | None = None,
    denominator: int | None = None,
    score: int | None = None,
    uploaded=None,
    remove_file: bool = False,
) -> Result:
    result = Result.objects.select_for_update().select_related("row", "indicator").get(pk=result_id)
    campaign = _lock_open(result.row.campaign_id)
    indicator = result.indicator
    if not indicator.is_manual:
        raise ValidationError("Это значение вычисляется по данным портала и вручную не вносится.")
    if not evidence_text.strip():
        raise ValidationError({"evidence_text": "Опишите подтверждение: документ, приказ, ссылку на отчёт."})
    if indicator.scoring == Scoring.PERCENT:
        if denominator is None or numerator is None:
            raise ValidationError("Укажите числитель и знаменатель.")
        if denominator < 1:
            raise ValidationError({"denominator": "Знаменатель — не меньше 1."})
        if not 0 <= numerator <= denominator:
            raise ValidationError({"numerator": "Числитель — от 0 до знаменателя."})
        result.numerator, result.denominator = numerator, denominator
        result.percent, result.score = scoring.score(indicator, numerator, denominator)
    else:
        if score not in (0, 1, 2):
            raise ValidationError({"score": "Балл — 0, 1 или 2."})
        result.numerator = result.denominator = result.percent = None
        result.score = score
    result.source = Result.Source.MANUAL
    result.evidence_text = evidence_text.strip()
    result.evidence_url = evidence_url
    result.entered_by = by
    result.entered_at = now
    old_file = result.evidence_file.name if result.evidence_file else ""
    if uploaded is not None:
        from submissions.attachments import display_name, storage_name

        result.evidence_file.save(storage_name(uploaded), uploaded, save=False)
        result.evidence_name = display_name(uploaded)
    elif remove_file:
        result.evidence_file = ""
        result.evidence_name = ""
    result.save()
    new_file = result.evidence_file.name if result.evidence_file else ""
    if old_file and old_file != new_file:
        storage = result.evidence_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    update_totals(campaign, [result.row_id])
    refresh_summary(campaign, [indicator.pk])
    return result


# -- reading: ranks, year over year, charts -----------------------------------------------------


def ranks(campaign) -> dict[int, int]:
    """Competition ranking by total (1, 2, 2, 4): total → rank."""
    totals = sorted(campaign.rows.values_list("total", flat=True), reverse=True)
    out: dict[int, int] = {}
    for position, total in enumerate(totals, start=1):
        out.setdefault(total, position)
    return out


def previous_campaign(campaign):
    return (
        MonitoringCampaign.objects.filter(
            indicator_set_id=campaign.indicator_set_id, root_id=campaign.root_id, year=campaign.year - 1
        )
        .order_by("-pk")
        .first()
    )


def previous_totals(previous, rows) -> dict[tuple, int]:
    if previous is None:
        return {}
    unit_ids = [r.unit_id for r in rows if r.unit_id]
    school_ids = [r.school_id for r in rows if r.school_id]
    return {
        row_key(r): r.total
        for r in Row.objects.filter(campaign=previous)
        .filter(Q(unit_id__in=unit_ids) | Q(school_id__in=school_ids))
        .only("unit_id", "school_id", "total")
    }


# The score distribution and the heat table aggregate every result of the campaign (239 000 at national
# size: 0.9 s each). They change only when results are written — services.compute and enter_manual, the only
# writers of Result — so those two store them (CampaignSummary) and the page reads them from there:
#   {"scores": {"<indicator>": {"2": n, "1": n, "0": n, "": n}},
#    "heat": {"<municipality or ''>": {"<indicator>": average score}}}


def aggregate_summary(campaign, indicator_ids=None) -> dict:
    """The two aggregates over the campaign's results (of these indicators only, when given): two queries."""
    results = Result.objects.filter(row__campaign=campaign).order_by()
    if indicator_ids is not None:
        results = results.filter(indicator_id__in=indicator_ids)
    scores: dict[str, dict[str, int]] = {}
    for r in results.values("indicator_id", "score").annotate(n=Count("pk")):
        key = "" if r["score"] is None else str(r["score"])
        scores.setdefault(str(r["indicator_id"]), {})[key] = r["n"]
    heat_cells: dict[str, dict[str, float]] = {}
    averages = (
        results.filter(score__isnull=False).values("row__municipality_id", "indicator_id").annotate(avg=Avg("score"))
    )
    for r in averages:
        municipality = "" if r["row__municipality_id"] is None else str(r["row__municipality_id"])
        heat_cells.setdefault(municipality, {})[str(r["indicator_id"])] = float(r["avg"])
    return {"scores": scores, "heat": heat_cells}


def refresh_summary(campaign, indicator_ids) -> None:
    """After values of these indicators changed: their part of the stored summary aggregated again (a full
    one when there is none yet). The caller holds the campaign's row lock (_lock_open)."""
    stored = CampaignSummary.objects.filter(campaign=campaign).values_list("data", flat=True).first()
    if stored is None:
        data = aggregate_summary(campaign)
    else:
        fresh = aggregate_summary(campaign, indicator_ids)
        drop = {str(i) for i in indicator_ids}
        scores = {k: v for k, v in stored.get("scores", {}).items() if k not in drop}
        scores.update(fresh["scores"])
        heat_cells = {}
        for municipality, cells in stored.get("heat", {}).items():
            kept = {k: v for k, v in cells.items() if k not in drop}
            if kept:
                heat_cells[municipality] = kept
        for municipality, cells in fresh["heat"].items():
            heat_cells.setdefault(municipality, {}).update(cells)
        data = {"scores": scores, "heat": heat_cells}
    CampaignSummary.objects.update_or_create(campaign=campaign, defaults={"data": data})


def summary_of(campaign) -> dict:
    """The stored summary (read once per campaign object); a campaign computed before summaries were stored
    gets its own here, once."""
    if "_summary" not in campaign.__dict__:
        data = CampaignSummary.objects.filter(campaign_id=campaign.pk).values_list("data", flat=True).first()
        if data is None:
            data = aggregate_summary(campaign)
            # If a value entered meanwhile has stored a fresher one, that one stays.
            CampaignSummary.objects.get_or_create(campaign_id=campaign.pk, defaults={"data": data})
        campaign.__dict__["_summary"] = data
    return campaign.__dict__["_summary"]


def distribution(campaign, indicators) -> list[dict]:
    """Per indicator: how many rows scored 2, 1, 0 and н/д, with bar widths in percent."""
    stored = summary_of(campaign)["scores"]
    out = []
    for indicator in indicators:
        c = stored.get(str(indicator.pk), {})
        total = sum(c.values()) or 1
        out.append(
            {
                "indicator": indicator,
                "bars": [
                    {"label": label, "css": css, "n": c.get(key, 0), "width": round(100 * c.get(key, 0) / total, 1)}
                    for key, label, css in (("2", "2", "s2"), ("1", "1", "s1"), ("0", "0", "s0"), ("", "н/д", "sn"))
                ],
            }
        )
    return out


def heat(campaign, indicators) -> list[dict]:
    """The network's map as a table: average score per municipality × indicator."""
    from orgunits.models import OrgUnit

    cells = summary_of(campaign)["heat"]
    names = dict(OrgUnit.objects.filter(pk__in=[int(k) for k in cells if k]).values_list("pk", "name"))
    out = []
    for municipality, by_indicator in sorted(cells.items(), key=lambda kv: names.get(int(kv[0] or 0), "")):
        values = []
        for indicator in indicators:
            avg = by_indicator.get(str(indicator.pk))
            values.append(
                {
                    "avg": None if avg is None else round(avg, 2),
                    "css": "" if avg is None else f"heat{min(4, int(avg * 2))}",
                }
            )
        out.append({"name": names.get(int(municipality or 0), "вне муниципалитетов"), "values": values})
    return out


# -- recommendations ----------------------------------------------------------------------------


def suggestions(row) -> str:
    """A draft from the unit's weakest indicators (scored below 2, the lowest first) and their hints."""
    weak = [
        r for r in row.results.select_related("indicator").filter(score__isnull=False, score__lt=2) if r.indicator.hint
    ]
    weak.sort(key=lambda r: (r.score, r.indicator.position, r.indicator.pk))
    lines = []
    for n, r in enumerate(weak[:SUGGESTIONS], start=1):
        share = f", {scoring.format_percent(r.percent)}" if r.percent is not None else ""
        lines.append(f"{n}. {r.indicator.short_name} ({r.score} б.{share}): {r.indicator.hint}")
    return "\n".join(lines)


def recipients(row):
    """Logins of those who lead the assessed unit: its chair, deputy, secretary and methodists."""
    from django.contrib.auth import get_user_model

    from people.models import Membership

    if not row.unit_id:
        return []
    users = Membership.objects.active().filter(
        unit_id=row.unit_id, role__in=["chair", "deputy", "secretary", "methodist"], person__user__isnull=False
    )
    return list(get_user_model().objects.filter(pk__in=users.values("person__user_id"), is_active=True))


@transaction.atomic
def save_recommendation(row, text: str, by, expected_version: int | None) -> Recommendation:
    """Create or update (optimistically versioned) the recommendations, and tell the unit's leaders."""
    from network.models import StaleVersionError
    from network.notify import notify

    text = text.strip()
    if not text:
        raise ValidationError({"text": "Напишите рекомендации."})
    rec = Recommendation.objects.filter(row=row).first()
    if rec is None:
        if expected_version not in (None, 0):
            raise StaleVersionError
        try:
            with transaction.atomic():
                rec = Recommendation.objects.create(row=row, text=text, author=by)
        except IntegrityError as exc:  # written by someone else at the same moment
            raise StaleVersionError from exc
    else:
        if expected_version is None:
            expected_version = rec.version
        rec.text, rec.author = text, by
        rec.save_versioned(expected_version)
    campaign = row.campaign
    notify(
        recipients(row),
        f"Адресные рекомендации по итогам мониторинга {campaign.year} г.: {row.label}",
        row.get_absolute_url(),
    )
    return rec


def indicators_of(campaign) -> list[Indicator]:
    return list(campaign.indicator_set.indicators.order_by("position", "pk"))
