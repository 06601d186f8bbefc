"""Plans and reports for the editing tests: campaigns of the `net` region, documents started
through the real workflow (services.start), items and form data."""

import datetime

from django.contrib.messages import get_messages

from plans.models import Direction, EventForm, PlanItem, Timing
from submissions import services
from submissions.models import Campaign

YEAR = 2026
YEAR_END = datetime.date(YEAR, 12, 31)


def campaign(net, document_type="plan", year=YEAR):
    obj, _ = Campaign.objects.get_or_create(
        region=net.region,
        document_type=document_type,
        year=year,
        defaults=Campaign.defaults_for(document_type, year),
    )
    obj.filer_kinds.set([net.kinds["munumo"], net.kinds["rmo"]])
    return obj


def opened(obj) -> datetime.datetime:
    """A moment when the campaign is open for filing (a document starts only then)."""
    return datetime.datetime.combine(obj.opens_on, datetime.time(10), tzinfo=datetime.UTC)


def start(net, document_type, unit=None, year=YEAR):
    obj = campaign(net, document_type, year)
    return services.start(obj, unit or net.terek, net.users.secretary, opened(obj))


def plan(net, unit=None, year=YEAR):
    return start(net, "plan", unit, year)


def report(net, unit=None, year=YEAR):
    return start(net, "report", unit, year)


def item(submission, **fields):
    values = {
        "direction": Direction.FGOS,
        "activity": "Семинар по обновлённым ФГОС",
        "form": EventForm.SEMINAR,
        "timing": Timing.MONTH,
        "month": 10,
        "responsible": "Иванова М. И.",
        "expected_result": "Методические рекомендации",
    }
    values.update(fields)
    return PlanItem.objects.create(submission=submission, **values)


def item_data(submission, **overrides) -> dict:
    """POST data of the item form, at the document's current version."""
    submission.refresh_from_db()
    data = {
        "direction": Direction.YOUNG,
        "activity": "Наставничество молодых учителей",
        "form": EventForm.CONSULTATION,
        "timing": Timing.DATE,
        "date": "2026-11-12",
        "month": "",
        "responsible": "Петрова А. В.",
        "expected_result": "Индивидуальные планы наставничества",
        "done": "unknown",
        "expected_version": submission.version,
    }
    data.update(overrides)
    return data


def submit(submission, net):
    now = opened(submission.campaign)
    return services.submit(submission, net.users.secretary, now, now.date())


def approve(submission, net):
    return services.approve(submit(submission, net), net.users.reviewer, opened(submission.campaign))


def to_state(submission, net, state):
    return {"submitted": submit, "approved": approve}[state](submission, net)


def message_texts(response) -> str:
    """The flash messages the request left (for a redirecting POST), joined."""
    return " ".join(str(m) for m in get_messages(response.wsgi_request))
