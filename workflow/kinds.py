"""The kinds of documents, declared once (the way PDFs and registers are registered).

A kind says where its content lives (a module with `start(submission)` and `snapshot(submission)`
for the documents that travel upward), which unit approves it (its route), the page that edits
it, its PDF and its register. Code that used to branch on the document type asks the kind.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib import import_module

from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    # "app_label.Model" of the record that carries the state
    model: str
    # dotted path of the content module (start/snapshot), "" if the record is its own content
    content: str = ""
    # URL name of the content editor (takes the record's pk), "" for none
    editor: str = ""
    # the PDF kind in network.pdf and the register code in registers, "" for none
    pdf: str = ""
    register: str = ""
    # a campaign's default dates as (month, day): "opens", "due", "closes"; filed in the year after
    # the period (a report for 2026 is due in February 2027) or in the period's own year
    deadlines: dict | None = None
    filed_year_after: bool = False
    # the period a new campaign is for by default: this year + `year_base`, one more after `rollover_month`
    year_base: int = 0
    rollover_month: int = 12
    # the template that shows the content on the document page (with content.detail_context)
    detail_template: str = ""
    # the document is routed upward for approval (orgunits.UnitKind.approves) by its code
    routed: bool = True
    # a campaign's default title ({year}, {next} = year + 1) and whether its period is a calendar
    # year («2026») or an academic one («2026/2027»)
    campaign_title: str = ""
    academic_year: bool = False
    # the orders.OrderTemplate prepared from an approved document of this kind («Подготовить приказ»:
    # a plan is approved by order, a candidacy ends in an appointment), "" for none
    order_template: str = ""

    def content_module(self):
        if not self.content:
            raise ImproperlyConfigured(f"The kind {self.code} has no content module.")
        return import_module(self.content)

    def approver(self, unit):
        """The unit that approves this kind for `unit`: the nearest ancestor whose kind approves it."""
        if not self.routed:
            return None
        for ancestor in unit.get_ancestors(ascending=True).select_related("kind"):
            if ancestor.kind.approves(self.code):
                return ancestor
        return None

    def default_dates(self, year: int) -> dict:
        """The dates of DESIGN.md for a period: a 2026 report is due 25.02.2027 and closes 01.03.2027."""
        if not self.deadlines:
            raise ImproperlyConfigured(f"The kind {self.code} has no campaign deadlines.")
        after = year + 1 if self.filed_year_after else year
        return {f"{name}_on": datetime.date(after, *month_day) for name, month_day in self.deadlines.items()}

    def default_year(self, today: datetime.date) -> int:
        return today.year + self.year_base + (1 if today.month > self.rollover_month else 0)

    def period_label(self, year: int) -> str:
        return f"{year}/{year + 1}" if self.academic_year else f"{year}"

    def default_title(self, year: int) -> str:
        return self.campaign_title.format(year=year, next=year + 1)

    def editor_url(self, obj) -> str | None:
        if not self.editor:
            return None
        try:
            return reverse(self.editor, args=[obj.pk])
        except NoReverseMatch:
            return None


KINDS: dict[str, DocumentKind] = {}


def register_kind(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.code] = kind
    return kind


def codes_where(**attributes) -> list[str]:
    """The codes of the kinds whose attributes have these values (in the order of registration)."""
    return [k.code for k in KINDS.values() if all(getattr(k, a) == v for a, v in attributes.items())]


def kind(code: str) -> DocumentKind:
    try:
        return KINDS[code]
    except KeyError:
        raise ImproperlyConfigured(f"Unknown document kind {code!r}.") from None


register_kind(
    DocumentKind(
        "plan",
        "план работы",
        "submissions.Submission",
        content="plans.content",
        editor="plans:edit",
        campaign_title="Планы работы на {year}/{next} учебный год",
        # A plan is for the academic year starting in September; the region sets its date.
        deadlines={"due": (9, 15), "closes": (10, 1), "opens": (8, 20)},
        rollover_month=9,
        detail_template="plans/plan_content.html",
        academic_year=True,
        order_template="approve_plan",
        pdf="plan",
        register="documents",
    )
)
register_kind(
    DocumentKind(
        "report",
        "годовой отчёт",
        "submissions.Submission",
        content="reports.content",
        editor="reports:edit",
        campaign_title="Годовые отчёты за {year} год",
        # 001 §3.8: 25 February; §2.6: 1 March, after the year reported on (until summer, last year's).
        deadlines={"due": (2, 25), "closes": (3, 1), "opens": (1, 10)},
        filed_year_after=True,
        year_base=-1,
        rollover_month=6,
        detail_template="reports/report_content.html",
        pdf="report",
        register="documents",
    )
)
register_kind(
    DocumentKind(
        "candidate",
        "кандидатура руководителя",
        "submissions.Submission",
        content="people.candidates",
        editor="people:candidacy_edit",
        campaign_title="Кандидатуры руководителей на {year} год",
        detail_template="people/candidacy_content.html",
        order_template="appoint_chair",
        register="documents",
    )
)
register_kind(DocumentKind("development", "методическая разработка", "practices.Development"))
register_kind(DocumentKind("order", "приказ", "orders.Order", pdf="order", register="orders", routed=False))
register_kind(
    DocumentKind(
        "protocol", "протокол заседания", "meetings.Meeting", pdf="protocol", register="meetings", routed=False
    )
)
