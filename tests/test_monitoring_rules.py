"""Monitoring (issue 5, parts 4–5): the rules at the thresholds, scoring, compute, close/freeze.

Every computed indicator is checked on hand-made data at 70 %, 69.9 %, 40 %, 39.9 % and with no
teachers at all: 70 % → 2, 69.9 % → 1 (never rounded up), 40 % → 1, 39.9 % → 0, none → н/д.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from events.models import Event, Participation
from growth.models import Course, Mentoring, Route
from monitoring import scoring, services
from monitoring.definitions import IVOLGINSKY, install
from monitoring.models import Indicator, IndicatorSet, Method, MonitoringCampaign, Result, Row, Scoring
from orgunits.models import DocumentType, OrgUnit
from people.models import Membership, Person
from submissions.models import Campaign, Submission

from . import factories as f

TODAY = datetime.date(2026, 11, 24)
YEAR = 2026
MEMBER_SINCE = datetime.date(2026, 1, 10)

# (teachers, with the record, expected percent, expected score)
THRESHOLDS = [
    pytest.param(10, 7, Decimal("70"), 2, id="70%"),
    pytest.param(1000, 699, Decimal("69.9"), 1, id="69.9%"),
    pytest.param(5, 2, Decimal("40"), 1, id="40%"),
    pytest.param(1000, 399, Decimal("39.9"), 0, id="39.9%"),
    pytest.param(0, 0, None, None, id="no-teachers"),
]


# -- helpers (the page tests import them) ----------------------------------------------------------


def make_set(region, *specs, mo_kinds=("rmo", "shmo")):
    """A set of the given indicators: (code, rule, params[, extra fields])."""
    from orgunits.models import UnitKind

    indicator_set = IndicatorSet.objects.create(region=region, name=f"Набор {IndicatorSet.objects.count() + 1}")
    indicator_set.mo_kinds.set(UnitKind.objects.filter(code__in=mo_kinds))
    for position, (code, rule, params, *extra) in enumerate(specs, start=1):
        fields = {
            "name": f"Показатель {code}",
            "short_name": code,
            "method": Method.MANUAL if not rule else Method.COMPUTED,
            **(extra[0] if extra else {}),
        }
        indicator = Indicator(
            indicator_set=indicator_set, position=position, code=code, rule=rule, params=params, **fields
        )
        indicator.full_clean()
        indicator.save()
    return indicator_set


def make_campaign(indicator_set, root, year=YEAR, compute=True, today=TODAY):
    campaign = MonitoringCampaign.objects.create(region=root.region, indicator_set=indicator_set, year=year, root=root)
    if compute:
        services.compute(campaign.pk, today)
    return campaign


def teachers(region, unit, n, since=MEMBER_SINCE, **person_fields):
    """`n` people with a membership in `unit` from `since` (bulk: a thousand in a blink)."""
    start = Person.objects.count()
    people = Person.objects.bulk_create(
        [
            Person(
                region=region,
                last_name=f"Учителева{start + i:05d}",
                first_name="Анна",
                middle_name="Петровна",
                email=f"bulk{start + i}@example.org",
                **person_fields,
            )
            for i in range(n)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(person=p, unit=unit, role="member", starts_on=since, ends_on=Membership.default_term_end(since))
            for p in people
        ]
    )
    return list(Person.objects.filter(pk__in=[p.pk for p in people]).order_by("pk"))


def result_of(campaign, unit, code) -> Result:
    return Result.objects.get(row__campaign=campaign, row__unit=unit, indicator__code=code)


@pytest.fixture
def rmo(net):
    """An empty РМО of its own (the fixture's РМО already have members)."""
    return f.unit(net.region, net.kinds["rmo"], net.baksan, name="РМО учителей физики Баксанского района")


def check(result, percent, score):
    assert result.score == score
    assert result.percent == percent
    if score is None:
        assert result.note


# -- scoring ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [("100", 2), ("70", 2), ("69.999", 1), ("69.9", 1), ("69.5", 1), ("40", 1), ("39.9", 0), ("0", 0), (None, None)],
)
def test_score_is_exact_without_rounding(value, expected):
    percent = None if value is None else Decimal(value)
    assert scoring.score_percent(percent, Decimal(70), Decimal(40)) == expected


def test_percent_is_truncated_never_rounded_up():
    assert scoring.percent_of(6999, 10000) == Decimal("69.99")
    assert scoring.percent_of(2, 3) == Decimal("66.666")
    assert scoring.percent_of(69999, 100000) == Decimal("69.999")  # still below 70
    assert scoring.percent_of(0, 0) is None
    assert scoring.format_percent(Decimal("69.999")) == "69,9 %"
    assert scoring.format_percent(Decimal("70")) == "70 %"


def test_places_scoring():
    assert scoring.score_places(1, 0, 10) == 2
    assert scoring.score_places(0, 3, 10) == 1
    assert scoring.score_places(0, 0, 10) == 0
    assert scoring.score_places(0, 0, 0) is None


# -- each computed indicator at the thresholds -------------------------------------------------------


@pytest.mark.parametrize("n, k, percent, score", THRESHOLDS)
def test_routes_rule(net, rmo, n, k, percent, score):
    people = teachers(net.region, rmo, n)
    Route.objects.bulk_create([Route(person=p, year=YEAR, goals="ИОМ") for p in people[:k]])
    Route.objects.bulk_create([Route(person=p, year=YEAR - 1, goals="прошлый год") for p in people[k:]])
    campaign = make_campaign(make_set(net.region, ("routes", "routes", {})), net.baksan)
    check(result_of(campaign, rmo, "routes"), percent, score)


@pytest.mark.parametrize("n, k, percent, score", THRESHOLDS)
def test_courses_rule(net, rmo, n, k, percent, score):
    people = teachers(net.region, rmo, n)

    def course(p, ends):
        return Course(person=p, title="КПК", provider="ЦНППМ", hours=36, starts_on=ends, ends_on=ends)

    # The window is three years up to the reference date: 24.11.2023 … 24.11.2026.
    Course.objects.bulk_create([course(p, datetime.date(2023, 11, 24)) for p in people[:k]])
    Course.objects.bulk_create([course(p, datetime.date(2023, 11, 23)) for p in people[k:]])
    campaign = make_campaign(make_set(net.region, ("courses", "courses", {"years": 3})), net.baksan)
    check(result_of(campaign, rmo, "courses"), percent, score)


@pytest.mark.parametrize("n, k, percent, score", THRESHOLDS)
def test_young_mentoring_rule(net, rmo, n, k, percent, score):
    young = teachers(net.region, rmo, n, teaching_since=YEAR - 1)
    [mentor] = teachers(net.region, rmo, 1, teaching_since=1995)  # not young: not in the denominator
    Mentoring.objects.bulk_create(
        [Mentoring(mentor=mentor, mentee=p, kind="young", starts_on=datetime.date(2025, 9, 1)) for p in young[:k]]
    )
    # A pair that ended before the year does not count.
    Mentoring.objects.bulk_create(
        [
            Mentoring(
                mentor=mentor,
                mentee=p,
                kind="young",
                starts_on=datetime.date(2024, 9, 1),
                ends_on=datetime.date(2025, 6, 30),
            )
            for p in young[k:]
        ]
    )
    campaign = make_campaign(make_set(net.region, ("young", "young_mentoring", {})), net.baksan)
    result = result_of(campaign, rmo, "young")
    check(result, percent, score)
    assert result.denominator == n


@pytest.mark.parametrize("n, k, percent, score", THRESHOLDS)
def test_events_rule(net, rmo, n, k, percent, score):
    people = teachers(net.region, rmo, n)
    event = Event.objects.create(
        unit=net.baksan, title="Вебинар РМО", level="municipal", format="remote", starts_on=datetime.date(2026, 3, 1)
    )
    offline = Event.objects.create(
        unit=net.baksan, title="Семинар", level="municipal", format="in_person", starts_on=datetime.date(2026, 3, 2)
    )
    Participation.objects.bulk_create(
        [
            Participation(event=event, person=p, role="speaker" if i % 2 else "organiser")
            for i, p in enumerate(people[:k])
        ]
    )
    # Listening, or speaking at an event of another format, does not count.
    Participation.objects.bulk_create([Participation(event=event, person=p, role="participant") for p in people[k:]])
    Participation.objects.bulk_create([Participation(event=offline, person=p, role="speaker") for p in people[k:]])
    indicator_set = make_set(net.region, ("mun_online", "events", {"level": "municipal", "format": "remote"}))
    campaign = make_campaign(indicator_set, net.baksan)
    check(result_of(campaign, rmo, "mun_online"), percent, score)


@pytest.mark.parametrize("n, k, percent, score", THRESHOLDS)
def test_timeliness_rule(net, n, k, percent, score):
    """Documents, not teachers: `n` РМО owe a plan due in the year, `k` filed on time."""
    campaign_docs = Campaign.objects.create(
        region=net.region,
        document_type=DocumentType.PLAN,
        year=YEAR,
        **Campaign.defaults_for(DocumentType.PLAN, YEAR),
    )
    campaign_docs.filer_kinds.set([net.kinds["rmo"]])
    muni = f.unit(net.region, net.kinds["munumo"], net.cnppm, name="Чегемское МунУМО")
    with OrgUnit.objects.disable_mptt_updates():
        units = OrgUnit.objects.bulk_create(
            [f.bulk_node(net.region, net.kinds["rmo"], muni, f"РМО № {i}") for i in range(n)]
        )
    OrgUnit.objects.partial_rebuild(net.rumo.tree_id)
    due = campaign_docs.due_on
    Submission.objects.bulk_create(
        [
            Submission(
                campaign=campaign_docs,
                unit=u,
                state="approved",
                first_submitted_on=due if i < k else due + datetime.timedelta(days=1),
                on_time=i < k,
            )
            for i, u in enumerate(units[: k + (n - k) // 2])
        ]
    )  # the rest never filed
    indicator_set = make_set(net.region, ("timely", "timeliness", {}, {"assessed": "municipality"}), mo_kinds=("shmo",))
    campaign = make_campaign(indicator_set, muni)
    result = result_of(campaign, muni, "timely")
    check(result, percent, score)
    assert result.denominator == n


@pytest.mark.parametrize(
    "outcome, score",
    [("first", 2), ("prize", 2), ("participant", 1), ("laureate", 1), (None, 0), ("no-teachers", None)],
)
def test_places_rule(net, rmo, outcome, score):
    people = teachers(net.region, rmo, 0 if outcome == "no-teachers" else 4)
    contest = Event.objects.create(
        unit=net.baksan,
        title="Учитель года — 2026",
        kind="contest",
        competition="Учитель года",
        starts_on=datetime.date(2026, 2, 10),
    )
    if outcome not in (None, "no-teachers"):
        Participation.objects.create(event=contest, person=people[0], role="participant", result=outcome)
    indicator_set = make_set(net.region, ("places", "places", {}, {"scoring": Scoring.PLACES}))
    campaign = make_campaign(indicator_set, net.baksan)
    assert result_of(campaign, rmo, "places").score == score


# -- who the teachers of a unit are ----------------------------------------------------------------


def test_teachers_are_members_during_the_year_in_the_subtree(net, rmo):
    inside = teachers(net.region, rmo, 2)
    shmo = f.unit(net.region, net.kinds["shmo"], rmo, name="ШМО физиков", school=net.baksan_school)
    below = teachers(net.region, shmo, 1)
    teachers(net.region, rmo, 1, since=datetime.date(2027, 1, 10))  # joins after the year
    left = teachers(net.region, rmo, 1, since=datetime.date(2024, 9, 1))
    Membership.objects.filter(person=left[0]).update(left_on=datetime.date(2025, 12, 31))  # left before it
    Route.objects.create(person=below[0], year=YEAR, goals="ИОМ")
    campaign = make_campaign(make_set(net.region, ("routes", "routes", {})), net.baksan)
    result = result_of(campaign, rmo, "routes")
    assert (result.numerator, result.denominator) == (1, 3)
    assert {r["person"] for r in result.records} == {p.pk for p in inside + below}
    assert result_of(campaign, shmo, "routes").denominator == 1


def test_school_and_municipality_levels(net, rmo):
    staff = teachers(net.region, rmo, 3, school=net.baksan_school)
    Route.objects.create(person=staff[0], year=YEAR, goals="ИОМ")
    indicator_set = make_set(
        net.region,
        ("routes_school", "routes", {}, {"assessed": "school"}),
        ("routes_muni", "routes", {}, {"assessed": "municipality"}),
    )
    campaign = make_campaign(indicator_set, net.cnppm)
    school_row = Row.objects.get(campaign=campaign, school=net.baksan_school)
    assert school_row.guard == net.baksan and school_row.municipality == net.baksan
    school_result = school_row.results.get(indicator__code="routes_school")
    assert (school_result.numerator, school_result.denominator) == (1, 3)
    baksan = result_of(campaign, net.baksan, "routes_muni")
    assert baksan.numerator == 1 and baksan.denominator == 4  # + the methodist of the Baksan МунУМО
    assert not Result.objects.filter(row__school=net.baksan_school, indicator__code="routes_muni").exists()


def test_reference_date_is_31_december_or_today(net, rmo):
    assert services.reference_date(2025, TODAY) == datetime.date(2025, 12, 31)
    assert services.reference_date(2026, TODAY) == TODAY
    people = teachers(net.region, rmo, 1)
    ends = TODAY + datetime.timedelta(days=3)  # after the day of computing: not yet
    Course.objects.create(person=people[0], title="КПК", provider="ЦНППМ", hours=36, starts_on=TODAY, ends_on=ends)
    campaign = make_campaign(make_set(net.region, ("courses", "courses", {})), net.baksan)
    assert result_of(campaign, rmo, "courses").numerator == 0
    services.compute(campaign.pk, ends)
    assert result_of(campaign, rmo, "courses").numerator == 1


def test_future_year_cannot_be_computed(net):
    campaign = make_campaign(make_set(net.region, ("routes", "routes", {})), net.baksan, year=2027, compute=False)
    with pytest.raises(ValidationError, match="ещё не начался"):
        services.compute(campaign.pk, TODAY)


# -- compute, manual values, totals, close ---------------------------------------------------------


@pytest.fixture
def two_indicators(net):
    return make_set(net.region, ("routes", "routes", {}), ("assessment", "", {}))


def test_compute_is_idempotent_and_keeps_manual_values(net, rmo, two_indicators):
    people = teachers(net.region, rmo, 10)
    Route.objects.bulk_create([Route(person=p, year=YEAR, goals="ИОМ") for p in people[:7]])
    campaign = make_campaign(two_indicators, net.baksan)
    manual = result_of(campaign, rmo, "assessment")
    assert manual.score is None and manual.source == "manual"
    services.enter_manual(
        manual.pk, by=net.users.reviewer, now=f_now(), evidence_text="Приказ № 5", numerator=3, denominator=10
    )
    before = list(Result.objects.order_by("pk").values_list("pk", "score", "percent", "source"))
    services.compute(campaign.pk, TODAY)
    services.compute(campaign.pk, TODAY)
    assert list(Result.objects.order_by("pk").values_list("pk", "score", "percent", "source")) == before
    row = Row.objects.get(campaign=campaign, unit=rmo)
    assert (row.total, row.scored, row.teachers) == (2 + 0, 2, 10)


def f_now():
    from django.utils import timezone

    return timezone.now()


def test_recompute_follows_changed_records_while_open(net, rmo, two_indicators):
    people = teachers(net.region, rmo, 10)
    campaign = make_campaign(two_indicators, net.baksan)
    assert result_of(campaign, rmo, "routes").score == 0
    Route.objects.bulk_create([Route(person=p, year=YEAR, goals="ИОМ") for p in people])
    services.compute(campaign.pk, TODAY)
    assert result_of(campaign, rmo, "routes").score == 2
    assert Row.objects.get(campaign=campaign, unit=rmo).total == 2


def test_closed_campaign_unchanged_after_records_change(net, rmo, two_indicators):
    people = teachers(net.region, rmo, 10)
    Route.objects.bulk_create([Route(person=p, year=YEAR, goals="ИОМ") for p in people[:3]])
    campaign = make_campaign(two_indicators, net.baksan)
    services.close(campaign.pk, net.users.reviewer, f_now())
    frozen = result_of(campaign, rmo, "routes")
    snapshot = (frozen.numerator, frozen.denominator, frozen.score, frozen.records)

    # Later edits to the records: more routes, a renamed teacher, a new member.
    Route.objects.bulk_create([Route(person=p, year=YEAR, goals="ИОМ") for p in people[3:]])
    Person.objects.filter(pk=people[0].pk).update(last_name="Переименованная")
    teachers(net.region, rmo, 5)
    with pytest.raises(ValidationError, match="закрыта"):
        services.compute(campaign.pk, TODAY)
    manual = result_of(campaign, rmo, "assessment")
    with pytest.raises(ValidationError, match="закрыта"):
        services.enter_manual(
            manual.pk, by=net.users.reviewer, now=f_now(), evidence_text="x", numerator=1, denominator=2
        )

    again = result_of(campaign, rmo, "routes")
    assert (again.numerator, again.denominator, again.score, again.records) == snapshot
    assert all("Переименованная" not in r["name"] for r in again.records)
    assert result_of(campaign, rmo, "assessment").score is None


def test_compute_racing_a_close_does_not_rewrite(net, rmo, two_indicators, monkeypatch):
    """A compute that started before the close took the lock finds the campaign closed and stops."""
    campaign = make_campaign(two_indicators, net.baksan)
    real_lock = services._lock_open

    def close_first(campaign_id):
        services.close(campaign_id, net.users.reviewer, f_now())  # the close wins the race
        return real_lock(campaign_id)

    monkeypatch.setattr(services, "_lock_open", close_first)
    teachers(net.region, rmo, 3)
    with pytest.raises(ValidationError, match="закрыта"):
        services.compute(campaign.pk, TODAY)
    assert result_of(campaign, rmo, "routes").denominator == 0


def test_close_twice_and_close_before_compute_refused(net, two_indicators):
    campaign = make_campaign(two_indicators, net.baksan, compute=False)
    with pytest.raises(ValidationError, match="ещё не рассчитана"):
        services.close(campaign.pk, net.users.reviewer, f_now())
    services.compute(campaign.pk, TODAY)
    services.close(campaign.pk, net.users.reviewer, f_now())
    with pytest.raises(ValidationError, match="уже закрыта"):
        services.close(campaign.pk, net.users.reviewer, f_now())


def test_manual_value_scores_by_thresholds_and_counts_in_total(net, rmo, two_indicators):
    campaign = make_campaign(two_indicators, net.baksan)
    manual = result_of(campaign, rmo, "assessment")
    services.enter_manual(
        manual.pk, by=net.users.reviewer, now=f_now(), evidence_text="Протокол", numerator=139, denominator=200
    )
    manual.refresh_from_db()
    assert manual.percent == Decimal("69.5") and manual.score == 1  # 69.5 % is below 70: 1 point
    row = Row.objects.get(campaign=campaign, unit=rmo)
    assert row.total == 1 and row.scored == 1  # the routes cell is н/д (no teachers): left out


def test_ranks_share_places_and_year_over_year(net, two_indicators):
    units = [f.unit(net.region, net.kinds["rmo"], net.baksan, name=f"РМО {n}") for n in "АБВГ"]
    for unit, routes in zip(units, (10, 5, 5, 0), strict=True):
        people = teachers(net.region, unit, 10, since=datetime.date(2025, 1, 10))
        Route.objects.bulk_create([Route(person=p, year=YEAR, goals="ИОМ") for p in people[:routes]])
        Route.objects.bulk_create([Route(person=p, year=YEAR - 1, goals="ИОМ") for p in people[:5]])
    previous = make_campaign(two_indicators, net.baksan, year=YEAR - 1)
    campaign = make_campaign(two_indicators, net.baksan)
    totals = dict(campaign.rows.values_list("unit__name", "total"))
    assert totals["РМО А"] == 2 and totals["РМО Б"] == totals["РМО В"] == 1 and totals["РМО Г"] == 0
    ranks = services.ranks(campaign)
    assert [ranks[t] for t in (2, 1, 0)] == [1, 2, 4]
    assert services.previous_campaign(campaign) == previous
    rows = list(campaign.rows.all())
    before = services.previous_totals(previous, rows)
    a = next(r for r in rows if r.unit.name == "РМО А")
    assert a.total - before[services.row_key(a)] == 1  # 50 % last year (1 point), 100 % now (2)


def test_distribution_and_heat(net, rmo, two_indicators):
    teachers(net.region, rmo, 2)
    campaign = make_campaign(two_indicators, net.baksan)
    indicators = services.indicators_of(campaign)
    dist = {
        d["indicator"].code: {b["label"]: b["n"] for b in d["bars"]}
        for d in services.distribution(campaign, indicators)
    }
    # baksan_rmo has no members (н/д), rmo scores 0; the manual cells are not entered yet (н/д).
    assert dist["routes"] == {"2": 0, "1": 0, "0": 1, "н/д": 1}
    assert dist["assessment"]["н/д"] == 2
    heat = services.heat(campaign, indicators)
    assert [h["name"] for h in heat] == [net.baksan.name]
    assert heat[0]["values"][0]["avg"] == 0.0 and heat[0]["values"][1]["avg"] is None


def test_suggestions_come_from_the_weakest_indicators(net, rmo):
    indicator_set = make_set(
        net.region,
        ("routes", "routes", {}, {"hint": "Разработать ИОМ."}),
        ("courses", "courses", {}, {"hint": "Направить на КПК."}),
    )
    people = teachers(net.region, rmo, 10)
    Route.objects.bulk_create([Route(person=p, year=YEAR, goals="ИОМ") for p in people[:5]])  # 50 % → 1
    campaign = make_campaign(indicator_set, net.baksan)  # courses: 0 % → 0
    row = Row.objects.get(campaign=campaign, unit=rmo)
    text = services.suggestions(row)
    assert text.index("Направить на КПК.") < text.index("Разработать ИОМ.")  # the lowest first
    assert "1. courses (0 б., 0 %)" in text


# -- configuration -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, error_field",
    [
        ({"mid": Decimal(70), "high": Decimal(70)}, "mid"),
        ({"mid": Decimal(40), "high": Decimal(101)}, "high"),
        ({"rule": "nonsense"}, "rule"),
        ({"rule": "events", "params": {"level": "municipal"}}, "params"),
        ({"rule": "courses", "params": {"years": 0}}, "params"),
        ({"rule": "routes", "params": {"colour": "red"}}, "params"),
        ({"method": Method.MANUAL, "rule": "routes"}, "rule"),
        ({"rule": "routes", "scoring": Scoring.PLACES}, "scoring"),
    ],
)
def test_indicator_validation(net, fields, error_field):
    indicator_set = IndicatorSet.objects.create(region=net.region, name="Проверка")
    data = {"indicator_set": indicator_set, "code": "x", "name": "x", "short_name": "x", "rule": "routes", **fields}
    with pytest.raises(ValidationError) as exc:
        Indicator(**data).full_clean()
    assert error_field in exc.value.message_dict


def test_install_command_installs_the_ivolginsky_table(net, capsys):
    call_command("install_indicator_set", "--region", "kbr")
    call_command("install_indicator_set", "--region", "kbr")  # idempotent
    indicator_set = IndicatorSet.objects.get(region=net.region, is_default=True)
    assert indicator_set.indicators.count() == len(IVOLGINSKY["indicators"]) == 11
    assert set(indicator_set.indicators.values_list("rule", flat=True)) == {
        "routes",
        "young_mentoring",
        "timeliness",
        "courses",
        "events",
        "places",
    }
    assert "показателей — 11" in capsys.readouterr().out
    with pytest.raises(Exception, match="не найден"):
        call_command("install_indicator_set", "--region", "nowhere")


def test_install_keeps_edited_thresholds(net):
    indicator_set = install(net.region)
    indicator_set.indicators.filter(code="routes").update(high=Decimal(80))
    install(net.region)
    assert indicator_set.indicators.get(code="routes").high == Decimal(80)


def test_courses_rule_counts_only_confirmed_courses(net, rmo):
    # Issue 12: a teacher adds their own КПК; until the MO confirms it, it counts nowhere.
    people = teachers(net.region, rmo, 10)
    on = datetime.date(2025, 11, 24)
    Course.objects.bulk_create(
        [Course(person=p, title="КПК", provider="ЦНППМ", hours=36, starts_on=on, ends_on=on) for p in people[:7]]
        + [
            Course(person=p, title="КПК", provider="ЦНППМ", hours=36, starts_on=on, ends_on=on, status=status)
            for p, status in zip(
                people[7:], (Course.Status.PENDING, Course.Status.REJECTED, Course.Status.PENDING), strict=True
            )
        ]
    )
    campaign = make_campaign(make_set(net.region, ("courses", "courses", {"years": 3})), net.baksan)
    check(result_of(campaign, rmo, "courses"), Decimal("70"), 2)
