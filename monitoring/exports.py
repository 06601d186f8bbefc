"""A campaign's results as an Excel workbook, written row by row (openpyxl write-only mode).

Sheet «Итоги»: units × indicators (scores), total, maximum, rank, change against last year.
Sheet «Значения»: every value with its numerator, denominator, share, source and evidence.
"""

from django.utils import timezone
from openpyxl import Workbook

from network.spreadsheets import cell, filter_header, set_widths, temporary_workbook

from . import services
from .models import Result

CHUNK = 2000


def write_workbook(campaign, indicators, file) -> None:
    wb = Workbook(write_only=True)
    summary = wb.create_sheet("Итоги")
    values = wb.create_sheet("Значения")

    # -- summary -------------------------------------------------------------------------------
    head = ["Место", "Подразделение / ОО", "Что оценивается", *[i.short_name for i in indicators]]
    head += ["Сумма баллов", "Из возможных", f"Изменение к {campaign.year - 1} г."]
    widths = [8, 60, 24, *[14] * len(indicators), 12, 12, 14]
    set_widths(summary, widths)
    summary.freeze_panes = "D3"
    summary.append([cell(summary, str(campaign), bold=True)])
    summary.append([cell(summary, title, bold=True) for title in head])
    rank_of = services.ranks(campaign)
    previous = services.previous_campaign(campaign)
    rows = campaign.rows.order_by("-total", "label", "pk")
    written = 0
    for start in range(0, rows.count(), CHUNK):
        chunk = list(rows[start : start + CHUNK])
        scores = {
            (r["row_id"], r["indicator_id"]): r["score"]
            for r in Result.objects.filter(row__in=[r.pk for r in chunk]).values("row_id", "indicator_id", "score")
        }
        before = services.previous_totals(previous, chunk)
        for row in chunk:
            cells = []
            for i in indicators:
                key = (row.pk, i.pk)
                cells.append("—" if key not in scores else ("н/д" if scores[key] is None else scores[key]))
            prev = before.get(services.row_key(row))
            summary.append(
                [
                    rank_of.get(row.total),
                    cell(summary, row.label),
                    row.get_assessed_display(),
                    *[cell(summary, v) for v in cells],
                    row.total,
                    row.max_total,
                    "" if prev is None else row.total - prev,
                ]
            )
            written += 1
    filter_header(summary, 2, len(head), written + 2)

    # -- values ----------------------------------------------------------------------------------
    head = [
        "Подразделение / ОО",
        "Показатель",
        "Числитель",
        "Знаменатель",
        "Доля, %",
        "Балл",
        "Источник",
        "Пояснение",
        "Подтверждение",
        "Ссылка",
        "Файл",
        "Внёс",
        "Когда",
    ]
    set_widths(values, [50, 40, 10, 12, 10, 8, 16, 40, 50, 40, 24, 24, 18])
    values.freeze_panes = "A2"
    values.append([cell(values, title, bold=True) for title in head])
    written = 0
    results = (
        Result.objects.filter(row__campaign=campaign)
        .select_related("row", "indicator", "entered_by")
        .defer("records")
        .order_by("row__label", "row_id", "indicator__position")
    )
    for r in results.iterator(chunk_size=CHUNK):
        values.append(
            [
                cell(values, r.row.label),
                cell(values, r.indicator.short_name),
                r.numerator,
                r.denominator,
                cell(values, r.percent, number_format="0.0") if r.percent is not None else "",
                "н/д" if r.score is None else r.score,
                r.get_source_display(),
                cell(values, r.note),
                cell(values, r.evidence_text),
                cell(values, r.evidence_url),
                cell(values, r.evidence_name),
                cell(values, r.entered_by.get_full_name() or r.entered_by.username) if r.entered_by else "",
                cell(values, timezone.localtime(r.entered_at)) if r.entered_at else "",
            ]
        )
        written += 1
    filter_header(values, 1, len(head), written + 1)
    wb.save(file)


def workbook_file(campaign, indicators):
    """The workbook in a temporary file, positioned at its start."""
    return temporary_workbook(write_workbook, campaign, indicators)
