"""Demo campaigns for `make run`: last year's reports on record, this year's plans in every
state, and the 2026 annual reports open so the Terek secretary can file one."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from orgunits.models import DocumentType, OrgUnit, Region, UnitKind
from plans.models import Direction, EventForm, PlanItem, Timing
from submissions import services
from submissions.models import Campaign

PLAN_ITEMS = [
    (Direction.ANALYTICS, "Мониторинг профессиональных дефицитов педагогов", EventForm.MONITORING, Timing.MONTH, 10),
    (
        Direction.SUBJECT_MO,
        "Заседание: утверждение планов работы РМО на учебный год",
        EventForm.MEETING,
        Timing.MONTH,
        9,
    ),
    (
        Direction.FGOS,
        "Семинар «Формирование функциональной грамотности обучающихся»",
        EventForm.SEMINAR,
        Timing.MONTH,
        11,
    ),
    (
        Direction.YOUNG,
        "Школа молодого педагога: консультации наставников",
        EventForm.CONSULTATION,
        Timing.THROUGHOUT,
        None,
    ),
    (Direction.EXPERIENCE, "Мастер-классы победителей конкурса «Учитель года»", EventForm.WORKSHOP, Timing.MONTH, 2),
    (Direction.CONTESTS, "Муниципальный этап конкурса «Педагогический дебют»", EventForm.CONTEST, Timing.MONTH, 3),
    (Direction.QUALIFICATION, "План-график повышения квалификации на следующий год", EventForm.OTHER, Timing.MONTH, 4),
    (Direction.SUBJECT_MO, "Анализ выполнения графика заседаний РМО", EventForm.MONITORING, Timing.MONTH, 5),
]


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(11)))


def _campaign(region, document_type, year, **dates):
    campaign = Campaign.objects.create(
        region=region, document_type=document_type, year=year, **{**Campaign.defaults_for(document_type, year), **dates}
    )
    # JSON containment is not available on SQLite: the kinds are few, filter them here.
    campaign.filer_kinds.set([k for k in UnitKind.objects.all() if k.files(document_type)])
    return campaign


def load_demo_submissions(today: datetime.date) -> None:
    User = get_user_model()
    region = Region.objects.get(code="kbr")
    admin = User.objects.get(username="admin")
    reviewer = User.objects.get(username="reviewer")
    municipal = list(OrgUnit.objects.filter(region=region, kind__code="munumo").order_by("name"))

    # Last year's reports came on paper: on record as approved (historical), with their dates.
    reports_2025 = _campaign(region, DocumentType.REPORT, 2025)
    for i, unit in enumerate(municipal):
        submitted = datetime.date(2026, 2, 20 + 3 * i)  # the third one was late
        services.load_historical(
            campaign=reports_2025,
            unit=unit,
            submitted_on=submitted,
            approved_on=submitted + datetime.timedelta(days=5),
            by=admin,
            now=_at(today),
        )

    # This academic year's plans: approved, waiting in the reviewer's inbox, never filed.
    plans = _campaign(region, DocumentType.PLAN, today.year if today.month >= 9 else today.year - 1)
    # Terek's plan is approved (its order is produced from it), Baksan's waits in the inbox.
    outcomes = {"Терск": "approved", "Баксан": "submitted"}
    for unit in municipal:
        outcome = next((o for key, o in outcomes.items() if key in unit.name), "missing")
        if outcome == "missing":
            continue
        filer = unit.memberships.active().filter(role="chair", person__user__isnull=False).first()
        # Without a chair with a login the demo files as the system (no one of the unit to act for it).
        by = filer.person.user if filer else None
        submission = services.start(plans, unit, by, _at(plans.opens_on))
        for n, (direction, activity, form, timing, month) in enumerate(PLAN_ITEMS):
            PlanItem.objects.create(
                submission=submission,
                direction=direction,
                activity=activity,
                form=form,
                timing=timing,
                month=month,
                responsible="Председатель и методист МунУМО",
                expected_result="Приказ, протокол",
                position=n,
            )
        submission = services.submit(submission, by, _at(plans.due_on), plans.due_on)
        if outcome == "approved":
            services.approve(submission, reviewer, _at(plans.due_on + datetime.timedelta(days=3)), "Согласовано.")

    # The 2026 annual reports: open now so that the Terek secretary can file (due 25.02.2027).
    _campaign(region, DocumentType.REPORT, 2026, opens_on=min(today, datetime.date(2026, 11, 1)))
