"""Demo monitoring (seed 002): the Ivolginsky indicator set, a year of growth records for the
members of the Ivolginsky МО, a closed campaign for last year and an open one for this year.

The records are generated deterministically (a seeded random) with a profile per МО, so that
the МО score differently: the Russian-language РМО is strong, history is weak, the others sit
between. Last year's shares are lower, so the year-over-year column shows growth.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from events.models import Event, Participation
from growth.models import Course, Mentoring, Route
from monitoring import services
from monitoring.definitions import IVOLGINSKY, KBR, install
from monitoring.models import MonitoringCampaign
from orgunits.models import DocumentType, OrgUnit, Region, UnitKind
from people.models import Membership, MembershipRole, Person
from submissions import services as submission_services
from submissions.models import Campaign

# Share of the МО's teachers with each record, by profile (this year; last year is lower).
PROFILES = {
    "strong": {"routes": 0.9, "courses": 0.85, "mentor": 1.0, "timely": 1.0, "events": 0.75, "contest": "place"},
    "good": {"routes": 0.75, "courses": 0.7, "mentor": 0.7, "timely": 0.8, "events": 0.5, "contest": "place"},
    "medium": {"routes": 0.5, "courses": 0.55, "mentor": 0.5, "timely": 0.5, "events": 0.35, "contest": "took_part"},
    "weak": {"routes": 0.15, "courses": 0.3, "mentor": 0.0, "timely": 0.0, "events": 0.1, "contest": None},
}
# Which profile an МО has: by a word of its name (the demo network's Ivolginsky РМО).
PROFILE_BY_NAME = [
    ("русского", "strong"),
    ("начальных", "good"),
    ("бурятского", "good"),
    ("математики", "medium"),
    ("истории", "weak"),
]
# How often teachers speak at events of each level and format, relative to the profile's share.
EVENT_WEIGHTS = {
    ("municipal", "in_person"): 1.0,
    ("municipal", "remote"): 0.8,
    ("regional", "in_person"): 0.6,
    ("regional", "remote"): 0.7,
    ("federal", "in_person"): 0.15,
    ("federal", "remote"): 0.3,
}
EVENT_TITLES = {
    "municipal": ["Районный семинар «Функциональная грамотность на уроке»", "Августовская секция педагогов района"],
    "regional": ["Республиканская конференция «Современный урок»", "Вебинар БРИОП «Формирующее оценивание»"],
    "federal": ["Всероссийский форум «Педагоги России»", "Всероссийская онлайн-конференция «Школа Минпросвещения»"],
}
LAST_YEAR_FACTOR = 0.7


def profile_of(unit, parent_profiles) -> str:
    for word, profile in PROFILE_BY_NAME:
        if word in unit.name:
            return profile
    return parent_profiles.get(unit.parent_id, "medium")


def load_demo_monitoring(today: datetime.date) -> None:
    bur = Region.objects.get(code="bur")
    install(Region.objects.get(code="kbr"), KBR, default=True)
    indicator_set = install(bur, IVOLGINSKY, default=True)
    mms = OrgUnit.objects.get(region=bur, kind__code="mms", name__contains="Иволгинск")
    reviewer = get_user_model().objects.get(username="reviewer_rb")
    rng = random.Random(2002)
    year, last = today.year, today.year - 1

    mo_units = list(
        OrgUnit.objects.filter(
            tree_id=mms.tree_id, lft__gt=mms.lft, lft__lt=mms.rght, kind__in=indicator_set.mo_kinds.all()
        ).order_by("lft")
    )
    profiles: dict[int, str] = {}
    for unit in mo_units:
        profiles[unit.pk] = profile_of(unit, profiles)

    members = _last_year_terms(mo_units, rng)
    person_profile: dict[int, str] = {}
    unit_of: dict[int, OrgUnit] = {}
    for unit in mo_units:
        for person_id in members[unit.pk]:
            person_profile.setdefault(person_id, profiles[unit.pk])
            unit_of.setdefault(person_id, unit)
    people = list(Person.objects.filter(pk__in=person_profile).order_by("pk"))

    young = _young_specialists(people, year, rng)
    _routes(people, person_profile, unit_of, year, last, rng)
    _courses(people, person_profile, today, rng)
    _mentoring(people, young, person_profile, year, last, rng)
    for y in (last, year):
        _events(bur, mms, people, person_profile, y, today, rng, factor=1.0 if y == year else LAST_YEAR_FACTOR)
    _timeliness(bur, mo_units, profiles, today, reviewer, rng)

    now = timezone.now()
    previous = MonitoringCampaign.objects.create(
        region=bur, indicator_set=indicator_set, year=last, root=mms, created_by=reviewer
    )
    services.compute(previous.pk, today, now)  # the reference date is 31.12 of last year
    weakest = previous.rows.order_by("total", "label").first()
    if weakest is not None:
        services.save_recommendation(weakest, services.suggestions(weakest) or "Продолжить работу.", reviewer, 0)
    services.close(previous.pk, reviewer, now)
    current = MonitoringCampaign.objects.create(
        region=bur, indicator_set=indicator_set, year=year, root=mms, created_by=reviewer
    )
    services.compute(current.pk, today, now)


def _last_year_terms(mo_units, rng) -> dict[int, list[int]]:
    """Members of each МО this year and last: last year's composition is this year's, a third renewed."""
    current = {u.pk: [] for u in mo_units}
    starts = {}
    for m in Membership.objects.filter(unit__in=mo_units, left_on__isnull=True).order_by("unit_id", "pk"):
        current[m.unit_id].append(m.person_id)
        starts[m.unit_id] = m.starts_on
    rows = []
    for unit in mo_units:
        if unit.pk not in starts:
            continue
        start = starts[unit.pk]
        prev = start.replace(year=start.year - 1)
        had = set(
            Membership.objects.filter(unit=unit, starts_on=prev).values_list("person_id", flat=True)
        )  # the former member the network demo already added
        for i, person_id in enumerate(current[unit.pk]):
            if i % 3 == 2 or person_id in had:
                continue  # renewed: not a member last year
            rows.append(
                Membership(
                    person_id=person_id,
                    unit=unit,
                    role=MembershipRole.MEMBER,
                    starts_on=prev,
                    ends_on=start - datetime.timedelta(days=1),
                    left_on=start - datetime.timedelta(days=1),
                )
            )
    Membership.objects.bulk_create(rows)
    return {u.pk: sorted(set(Membership.objects.filter(unit=u).values_list("person_id", flat=True))) for u in mo_units}


def _young_specialists(people, year, rng) -> set[int]:
    young = set()
    for person in people:
        if rng.random() < 0.2:
            person.teaching_since = year - 1 - rng.randint(0, 1)
            young.add(person.pk)
        elif person.teaching_since and year - person.teaching_since < 4:
            person.teaching_since = year - 4 - rng.randint(0, 15)
    Person.objects.bulk_update(people, ["teaching_since"])
    return young


def _routes(people, person_profile, unit_of, year, last, rng):
    rows = []
    for person in people:
        share = PROFILES[person_profile[person.pk]]["routes"]
        for y, factor in ((year, 1.0), (last, LAST_YEAR_FACTOR)):
            if rng.random() < share * factor:
                rows.append(
                    Route(
                        person=person,
                        year=y,
                        unit=unit_of[person.pk],
                        goals="Устранение профессиональных дефицитов по итогам диагностики ЦНППМ.",
                    )
                )
    Route.objects.bulk_create(rows)


def _day(year, month, day, today):
    return max(datetime.date(year, 1, 1), min(datetime.date(year, month, day), today - datetime.timedelta(days=1)))


def _courses(people, person_profile, today, rng):
    rows = []
    for person in people:
        if rng.random() >= PROFILES[person_profile[person.pk]]["courses"]:
            if rng.random() < 0.5:  # an old course: more than three years ago
                ends = datetime.date(today.year - 5, 4, 20)
                rows.append(_course(person, ends, "Содержание и методика преподавания по ФГОС"))
            continue
        # Half this year, half two years ago: last year's share (3 years to 31.12) is lower.
        ends = (
            _day(today.year, rng.randint(2, 10), 20, today)
            if rng.random() < 0.5
            else datetime.date(today.year - 2, 11, 20)
        )
        rows.append(_course(person, ends, "Реализация требований обновлённых ФГОС НОО, ФГОС ООО в работе учителя"))
    Course.objects.bulk_create(rows)


def _course(person, ends, title):
    return Course(
        person=person,
        title=title,
        provider="ГАУ ДПО РБ «БРИОП»",
        hours=36,
        starts_on=ends - datetime.timedelta(days=12),
        ends_on=ends,
    )


def _mentoring(people, young, person_profile, year, last, rng):
    mentors = [p for p in people if p.pk not in young]
    rows = []
    for person in people:
        if person.pk not in young or not mentors:
            continue
        share = PROFILES[person_profile[person.pk]]["mentor"]
        if rng.random() < share * LAST_YEAR_FACTOR:
            starts = datetime.date(last, 9, 1)
        elif rng.random() < share:
            starts = datetime.date(year, 2, 1)
        else:
            continue
        rows.append(Mentoring(mentor=rng.choice(mentors), mentee=person, kind=Mentoring.Kind.YOUNG, starts_on=starts))
    Mentoring.objects.bulk_create(rows)


def _events(region, mms, people, person_profile, year, today, rng, factor):
    rumo = OrgUnit.objects.get(region=region, kind__code="rumo")
    for (level, fmt), weight in EVENT_WEIGHTS.items():
        organiser = mms if level == "municipal" else rumo
        events = [
            Event.objects.create(
                unit=organiser,
                title=f"{title} ({year})",
                kind=Event.Kind.WEBINAR if fmt == "remote" else Event.Kind.SEMINAR,
                level=level,
                format=fmt,
                starts_on=_day(year, 3 + 4 * n + (fmt == "remote"), 12, today),
            )
            for n, title in enumerate(EVENT_TITLES[level])
            if _day(year, 3 + 4 * n, 12, today).year == year
        ]
        rows = []
        for person in people:
            share = PROFILES[person_profile[person.pk]]["events"] * weight * factor
            event = rng.choice(events)
            if rng.random() < share:
                role = Participation.Role.ORGANISER if level == "municipal" and rng.random() < 0.3 else None
                rows.append(Participation(event=event, person=person, role=role or Participation.Role.SPEAKER))
            elif rng.random() < 0.3:  # a listener: took part, does not count
                rows.append(Participation(event=event, person=person, role=Participation.Role.PARTICIPANT))
        Participation.objects.bulk_create(rows)
    _contests(region, mms, people, person_profile, year, today, rng, this_year=factor == 1.0)


def _contests(region, mms, people, person_profile, year, today, rng, this_year):
    contests = [
        Event.objects.create(
            unit=mms,
            title=f"Муниципальный этап конкурса «{name}» — {year}",
            kind=Event.Kind.CONTEST,
            competition=name,
            level=Event.Level.MUNICIPAL,
            format=Event.Format.IN_PERSON,
            starts_on=_day(year, month, 15, today),
        )
        for name, month in (("Учитель года", 2), ("Педагогический дебют", 3))
    ]
    by_profile: dict[str, list] = {}
    for person in people:
        by_profile.setdefault(person_profile[person.pk], []).append(person)
    places = [Participation.Result.FIRST, Participation.Result.SECOND, Participation.Result.THIRD]
    rows = []
    for profile, group in by_profile.items():
        outcome = PROFILES[profile]["contest"]
        if outcome is None or (not this_year and outcome == "took_part"):
            continue
        chosen = rng.sample(group, min(3, len(group)))
        for n, person in enumerate(chosen):
            won = outcome == "place" and n == 0 and (this_year or profile == "strong")
            rows.append(
                Participation(
                    event=contests[n % 2],
                    person=person,
                    role=Participation.Role.PARTICIPANT,
                    result=rng.choice(places) if won else Participation.Result.PARTICIPANT,
                )
            )
    Participation.objects.bulk_create(rows)


def _timeliness(region, mo_units, profiles, today, reviewer, rng):
    """Plans and reports of the Ivolginsky МО for the two years, on time or late by profile."""
    kinds = list(UnitKind.objects.all())
    now = timezone.now()
    for year in (today.year - 1, today.year):
        for document_type, period in ((DocumentType.REPORT, year - 1), (DocumentType.PLAN, year)):
            dates = Campaign.defaults_for(document_type, period)
            if dates["due_on"] > today:
                continue
            campaign, created = Campaign.objects.get_or_create(
                region=region, document_type=document_type, year=period, defaults=dates
            )
            if created:
                campaign.filer_kinds.set([k for k in kinds if k.files(document_type)])
            for unit in mo_units:
                if not unit.kind.files(document_type):
                    continue
                share = PROFILES[profiles[unit.pk]]["timely"]
                roll = rng.random()
                if roll < share:
                    submitted = campaign.due_on - datetime.timedelta(days=rng.randint(1, 10))
                elif roll < share + (1 - share) * 0.7:
                    submitted = campaign.due_on + datetime.timedelta(days=rng.randint(3, 20))
                else:
                    continue  # never filed
                submission_services.load_historical(
                    campaign=campaign,
                    unit=unit,
                    submitted_on=submitted,
                    approved_on=submitted + datetime.timedelta(days=5),
                    by=reviewer,
                    now=now,
                )
