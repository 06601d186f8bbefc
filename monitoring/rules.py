"""The named rules that compute indicator values from portal data.

Every rule computes for ALL rows of a campaign at once, in a fixed number of queries: the
subtree is read once (`Scope.load`), every record is fetched once for the whole subtree and
assigned to the rows in Python. A rule returns, per row, the numerator, the denominator and
the records behind them (what the drill-down shows, frozen in the result's snapshot).

Who are «the teachers» of an assessed row (the denominator of the teacher-share rules):
- an МО or a municipality unit: every person with a membership, in any role, in the unit or
  in any unit below it, active at some moment of the year (began on or before the reference
  date and did not leave before 1 January) — an РМО counts the members of its ШМО too;
- a municipality also counts the staff of its schools (Person.school);
- a school: its staff, and the members during the year of the units of that school (ШМО,
  методический совет).
The reference date is 31 December of the campaign year, or the day of computing if earlier.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from events.models import Event, Participation
from growth.models import Course, Mentoring, Route
from growth.services import is_young_specialist, years_before
from network.idsets import id_array
from orgunits.models import Level, OrgUnit, School
from orgunits.subtree import subtree_q
from people.models import Membership, Person

from .models import Assessed

UNIT = "unit"
SCHOOL = "school"
# Up to this many teachers the rules get the subtree's id set as one array parameter (read once by
# Scope.load); a larger set (a whole country) is left to the server as a subquery.
ARRAY_PARAM_LIMIT = 200_000


def reference_date(year: int, today: datetime.date) -> datetime.date:
    """The day a campaign's data are taken on: 31 December of the year, or `today` if earlier."""
    return min(datetime.date(year, 12, 31), today)


def date_label(day) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


@dataclass
class RowSpec:
    key: tuple[str, int]
    assessed: str
    unit_id: int | None
    school_id: int | None
    guard_id: int
    municipality_id: int | None
    label: str


@dataclass
class PersonInfo:
    pk: int
    last_name: str
    first_name: str
    middle_name: str
    teaching_since: int | None

    @property
    def full_name(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def sort_key(self):
        return (self.last_name, self.first_name, self.middle_name, self.pk)


@dataclass
class Outcome:
    numerator: int = 0
    denominator: int = 0
    records: list = field(default_factory=list)
    participants: int = 0  # for the places rule: people who took part without a place
    note: str = ""


def labels(found) -> str:
    """What made a person count, as one line: the labels of their (label, url) hits."""
    return "; ".join(label for label, _ in found)


def person_record(person: PersonInfo, counts: bool, why: str, links=()) -> dict:
    return {
        "person": person.pk,
        "name": person.full_name,
        "counts": counts,
        "why": why,
        "url": reverse("growth:portfolio", args=[person.pk]),
        "links": [{"label": label, "url": url} for label, url in links if url],
    }


class Scope:
    """The subtree of a campaign as of its reference date: its rows and the teachers of each."""

    def __init__(self, campaign, today: datetime.date):
        self.campaign = campaign
        self.year = campaign.year
        self.start = datetime.date(self.year, 1, 1)
        self.ref = reference_date(self.year, today)
        self.root = campaign.root
        self.rows: dict[tuple[str, int], RowSpec] = {}
        self.teachers: dict[tuple[str, int], set[int]] = {}
        self.people: dict[int, PersonInfo] = {}
        self.units: dict[int, dict] = {}
        self.loaded = False  # `people` read: the rules filter by that id set (people_q)

    # -- loading --------------------------------------------------------------------------------

    def subtree_q(self, prefix=""):
        return subtree_q(self.root, prefix)

    def active_membership_q(self):
        return Q(starts_on__lte=self.ref) & (Q(left_on__isnull=True) | Q(left_on__gte=self.start))

    def load(self, levels: set[str], mo_kind_ids: set[int]) -> Scope:
        root = self.root
        units = list(
            OrgUnit.objects.filter(self.subtree_q())
            .order_by("lft")
            .values(
                "pk",
                "parent_id",
                "lft",
                "rght",
                "kind_id",
                "kind__level",
                "name",
                "school_id",
                "opened_on",
                "closed_on",
            )
        )
        self.units = {u["pk"]: u for u in units}
        # The municipality above the root, when the campaign covers only part of one.
        root_municipality = None
        if root.kind.level != Level.REGIONAL:
            for node in root.get_ancestors(include_self=True).values("pk", "kind__level"):
                if node["kind__level"] == Level.MUNICIPAL:
                    root_municipality = node["pk"]  # the highest municipal unit: the municipality
                    break

        chains: dict[int, list] = {}
        municipality_of: dict[int, int | None] = {}
        for u in units:
            parent = self.units.get(u["parent_id"]) if u["pk"] != root.pk else None
            if parent is None:
                top_municipal = u["pk"] == root_municipality
                municipality_of[u["pk"]] = root_municipality
            else:
                top_municipal = u["kind__level"] == Level.MUNICIPAL and parent["kind__level"] != Level.MUNICIPAL
                municipality_of[u["pk"]] = u["pk"] if top_municipal else municipality_of[parent["pk"]]
            u["is_municipality"] = top_municipal
            assessed = None
            if self._active(u):
                if u["kind_id"] in mo_kind_ids and Assessed.MO in levels:
                    assessed = Assessed.MO
                elif top_municipal and Assessed.MUNICIPALITY in levels:
                    assessed = Assessed.MUNICIPALITY
            own = []
            if assessed:
                key = (UNIT, u["pk"])
                self.rows[key] = RowSpec(key, assessed, u["pk"], None, u["pk"], municipality_of[u["pk"]], u["name"])
                self.teachers[key] = set()
                own = [key]
            chains[u["pk"]] = (chains[parent["pk"]] if parent else []) + own

        municipalities = [pk for pk, u in self.units.items() if u["is_municipality"]]
        school_rows: dict[int, tuple] = {}
        if Assessed.SCHOOL in levels and municipalities:
            for s in School.objects.filter(municipality_id__in=municipalities).values(
                "pk", "short_name", "municipality_id"
            ):
                key = (SCHOOL, s["pk"])
                self.rows[key] = RowSpec(
                    key, Assessed.SCHOOL, None, s["pk"], s["municipality_id"], s["municipality_id"], s["short_name"]
                )
                self.teachers[key] = set()
                school_rows[s["pk"]] = key

        for person_id, unit_id in Membership.objects.filter(
            self.active_membership_q(), self.subtree_q("unit__")
        ).values_list("person_id", "unit_id"):
            for key in chains.get(unit_id, ()):
                self.teachers[key].add(person_id)
            school_id = self.units[unit_id]["school_id"]
            if school_id in school_rows:
                self.teachers[school_rows[school_id]].add(person_id)

        municipality_rows = {r.unit_id: k for k, r in self.rows.items() if r.assessed == Assessed.MUNICIPALITY}
        if municipality_rows or school_rows:
            for person_id, school_id, municipality_id in Person.objects.filter(
                school__municipality_id__in=municipalities
            ).values_list("pk", "school_id", "school__municipality_id"):
                if school_id in school_rows:
                    self.teachers[school_rows[school_id]].add(person_id)
                if municipality_id in municipality_rows:
                    self.teachers[municipality_rows[municipality_id]].add(person_id)

        for p in Person.objects.filter(self.people_q()).values(
            "pk", "last_name", "first_name", "middle_name", "teaching_since"
        ):
            self.people[p["pk"]] = PersonInfo(**p)
        self.loaded = True
        return self

    def _active(self, u) -> bool:
        return (u["opened_on"] is None or u["opened_on"] <= self.ref) and (
            u["closed_on"] is None or u["closed_on"] >= self.start
        )

    def people_ids(self):
        """Everyone who may be a teacher of some row, as one subquery: a UNION of two indexed lookups — the
        members of the subtree's units and the staff of its municipalities' schools. (An OR of the two over
        a join, `person IN (…) OR school.municipality_id IN (…)`, cannot use either index: every rule then
        scanned its national table for one region.)"""
        members = (
            Membership.objects.filter(self.active_membership_q(), self.subtree_q("unit__"))
            .order_by()
            .values("person_id")
        )
        municipalities = [pk for pk, u in self.units.items() if u.get("is_municipality")]
        if not municipalities:
            return members
        return members.union(Person.objects.filter(school__municipality_id__in=municipalities).order_by().values("pk"))

    def people_q(self, prefix: str = "") -> Q:
        """One filter for every rule's query: the record's person is among `people_ids()`. After `load`, on
        PostgreSQL, it is the id set read once by `load`, as one array parameter (`person_id = ANY(…)`), so
        each rule's query is an index scan by person whose cost follows the subtree, not the country."""
        if connection.vendor != "postgresql":
            return Q(**{f"{prefix}pk__in": self.people_ids()})
        if self.loaded and len(self.people) <= ARRAY_PARAM_LIMIT:
            ids = id_array(sorted(self.people))
        else:  # before `load`, or a whole country: the set computed by the server, once per query
            ids = ArraySubquery(self.people_ids())
        return Q(**{f"{prefix}pk__any_of": ids})

    def sorted_people(self, key) -> list[PersonInfo]:
        return sorted((self.people[pk] for pk in self.teachers[key] if pk in self.people), key=lambda p: p.sort_key)


# -- the rules ------------------------------------------------------------------------------------


class Rule:
    code = ""
    label = ""
    empty_note = "нет педагогов"

    def clean_params(self, params) -> dict:
        if params in (None, "", {}):
            return {}
        if not isinstance(params, dict):
            raise ValidationError("Параметры правила — объект JSON, например {}.")
        unknown = set(params) - set(self.allowed_params())
        if unknown:
            raise ValidationError(f"Неизвестные параметры: {', '.join(sorted(unknown))}.")
        return params

    def allowed_params(self):
        return ()

    def describe(self, params) -> str:
        return self.label

    def compute(self, scope: Scope, keys, params) -> dict:
        raise NotImplementedError

    def share(self, scope, keys, hits: dict[int, list], why_no: str) -> dict:
        """A teacher-share outcome per row: `hits` maps a person to the (label, url) that made them count."""
        out = {}
        for key in keys:
            outcome = Outcome()
            for person in scope.sorted_people(key):
                found = hits.get(person.pk)
                outcome.denominator += 1
                if found:
                    outcome.numerator += 1
                    outcome.records.append(person_record(person, True, labels(found), found))
                else:
                    outcome.records.append(person_record(person, False, why_no))
            if not outcome.denominator:
                outcome.note = self.empty_note
            out[key] = outcome
        return out


class RoutesRule(Rule):
    code = "routes"
    label = "доля педагогов с индивидуальным образовательным маршрутом (ИОМ) на год мониторинга"

    def compute(self, scope, keys, params):
        hits: dict[int, list] = {}
        for route in (
            Route.objects.filter(scope.people_q("person__"), year=scope.year).select_related("unit").order_by("pk")
        ):
            by = f", сопровождает {route.unit}" if route.unit_id else ""
            hits.setdefault(route.person_id, []).append((f"ИОМ на {route.year} год{by}", ""))
        return self.share(scope, keys, hits, f"ИОМ на {scope.year} год нет")


class YoungMentoringRule(Rule):
    code = "young_mentoring"
    label = "доля молодых специалистов, у которых есть наставник (пара «наставник – молодой специалист»)"
    empty_note = "нет молодых специалистов"

    def compute(self, scope, keys, params):
        pairs: dict[int, list] = {}
        for m in (
            Mentoring.objects.filter(scope.people_q("mentee__"), kind=Mentoring.Kind.YOUNG, starts_on__lte=scope.ref)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=scope.start))
            .select_related("mentor")
            .order_by("starts_on", "pk")
        ):
            pairs.setdefault(m.mentee_id, []).append(
                (f"наставник {m.mentor.full_name} с {date_label(m.starts_on)}", "")
            )
        out = {}
        for key in keys:
            outcome = Outcome()
            everyone = scope.sorted_people(key)
            young = [p for p in everyone if is_young_specialist(p, scope.ref)]
            for person in young:
                outcome.denominator += 1
                since = f"молодой специалист (стаж с {person.teaching_since} г.)"
                if person.pk in pairs:
                    outcome.numerator += 1
                    outcome.records.append(person_record(person, True, since + ": " + labels(pairs[person.pk])))
                else:
                    outcome.records.append(person_record(person, False, since + ": наставника нет"))
            outcome.note = (
                f"молодых специалистов {len(young)} из {len(everyone)} педагогов" if young else self.empty_note
            )
            out[key] = outcome
        return out


class CoursesRule(Rule):
    code = "courses"
    label = "доля педагогов, прошедших КПК за последние годы"

    def allowed_params(self):
        return ("years",)

    def clean_params(self, params):
        params = super().clean_params(params)
        years = params.get("years", 3)
        if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 10:
            raise ValidationError("«years» — число лет от 1 до 10.")
        return params

    def describe(self, params):
        return f"доля педагогов, прошедших КПК за последние {params.get('years', 3)} года (до даты расчёта)"

    def compute(self, scope, keys, params):
        years = params.get("years", 3)
        since = years_before(scope.ref, years)
        hits: dict[int, list] = {}
        for c in (
            Course.objects.confirmed()
            .filter(scope.people_q("person__"), ends_on__gte=since, ends_on__lte=scope.ref)
            .order_by("-ends_on", "pk")
        ):
            hits.setdefault(c.person_id, []).append(
                (f"КПК «{c.title}», {c.hours} ч., окончены {date_label(c.ends_on)}", "")
            )
        return self.share(
            scope,
            keys,
            hits,
            f"КПК с {date_label(since)} по {date_label(scope.ref)} нет",
        )


EVENT_ROLES = (Participation.Role.SPEAKER, Participation.Role.ORGANISER)


class EventsRule(Rule):
    code = "events"
    label = "доля педагогов, выступивших на мероприятиях или проводивших их"

    def allowed_params(self):
        return ("level", "format", "roles")

    def clean_params(self, params):
        params = super().clean_params(params)
        if params.get("level") not in Event.Level.values:
            raise ValidationError(f"«level» — уровень мероприятия: {', '.join(Event.Level.values)}.")
        if params.get("format") not in Event.Format.values:
            raise ValidationError(f"«format» — формат мероприятия: {', '.join(Event.Format.values)}.")
        roles = params.get("roles", list(EVENT_ROLES))
        if not isinstance(roles, list) or not roles or any(r not in Participation.Role.values for r in roles):
            raise ValidationError(f"«roles» — список ролей из: {', '.join(Participation.Role.values)}.")
        return params

    def describe(self, params):
        level = Event.Level(params["level"]).label if params.get("level") in Event.Level.values else "?"
        fmt = Event.Format(params["format"]).label if params.get("format") in Event.Format.values else "?"
        return f"доля педагогов, выступивших или проводивших мероприятия: уровень — {level}, формат — {fmt}"

    def compute(self, scope, keys, params):
        roles = params.get("roles", list(EVENT_ROLES))
        hits: dict[int, list] = {}
        for p in (
            Participation.objects.filter(
                scope.people_q("person__"),
                role__in=roles,
                event__level=params["level"],
                event__format=params["format"],
                event__starts_on__gte=scope.start,
                event__starts_on__lte=scope.ref,
            )
            .select_related("event")
            .order_by("event__starts_on", "pk")
        ):
            e = p.event
            hits.setdefault(p.person_id, []).append(
                (f"{p.get_role_display()}: «{e.title}», {date_label(e.starts_on)}", e.get_absolute_url())
            )
        return self.share(scope, keys, hits, "не выступал(а) и не проводил(а)")


PLACES = (
    Participation.Result.FIRST,
    Participation.Result.SECOND,
    Participation.Result.THIRD,
    Participation.Result.PRIZE,
)


class PlacesRule(Rule):
    code = "places"
    label = "результаты участия педагогов в конкурсах: призовые места (1–3) и участие"

    def allowed_params(self):
        return ("levels",)

    def clean_params(self, params):
        params = super().clean_params(params)
        levels = params.get("levels", [])
        if not isinstance(levels, list) or any(v not in Event.Level.values for v in levels):
            raise ValidationError(f"«levels» — список уровней из: {', '.join(Event.Level.values)}.")
        return params

    def compute(self, scope, keys, params):
        qs = Participation.objects.filter(
            scope.people_q("person__"),
            event__kind=Event.Kind.CONTEST,
            event__starts_on__gte=scope.start,
            event__starts_on__lte=scope.ref,
        )
        if params.get("levels"):
            qs = qs.filter(event__level__in=params["levels"])
        places: dict[int, list] = {}
        took_part: dict[int, list] = {}
        for p in qs.select_related("event").order_by("event__starts_on", "pk"):
            e = p.event
            what = p.get_result_display() if p.result != Participation.Result.NONE else p.get_role_display()
            item = (
                f"{what}: «{e.competition or e.title}» ({e.get_level_display()}, {date_label(e.starts_on)})",
                e.get_absolute_url(),
            )
            (places if p.result in PLACES else took_part).setdefault(p.person_id, []).append(item)
        out = {}
        for key in keys:
            outcome = Outcome()
            for person in scope.sorted_people(key):
                outcome.denominator += 1
                if person.pk in places:
                    outcome.numerator += 1
                    found = places[person.pk] + took_part.get(person.pk, [])
                    outcome.records.append(person_record(person, True, labels(found), found))
                elif person.pk in took_part:
                    outcome.participants += 1
                    found = took_part[person.pk]
                    outcome.records.append(person_record(person, False, labels(found), found))
                else:
                    outcome.records.append(person_record(person, False, "в конкурсах не участвовал(а)"))
            if not outcome.denominator:
                outcome.note = self.empty_note
            else:
                outcome.note = f"призовые места — {outcome.numerator}, участие без места — {outcome.participants}"
            out[key] = outcome
        return out


class TimelinessRule(Rule):
    code = "timeliness"
    label = "своевременность: доля планов и отчётов со сроком в году мониторинга, представленных в срок"
    empty_note = "нет документов со сроком в этом году"

    def allowed_params(self):
        return ("document_types",)

    def clean_params(self, params):
        from orgunits.models import DocumentType

        params = super().clean_params(params)
        types = params.get("document_types", ["plan", "report"])
        if not isinstance(types, list) or not types or any(t not in DocumentType.values for t in types):
            raise ValidationError(f"«document_types» — список из: {', '.join(DocumentType.values)}.")
        return params

    def compute(self, scope, keys, params):
        from submissions.models import Campaign, Submission

        types = params.get("document_types", ["plan", "report"])
        campaigns = list(
            Campaign.objects.filter(
                region_id=scope.campaign.region_id,
                document_type__in=types,
                due_on__gte=scope.start,
                due_on__lte=scope.ref,
            )
            .prefetch_related("filer_kinds")
            .order_by("due_on", "pk")
        )
        submissions = {
            (s.campaign_id, s.unit_id): s
            for s in Submission.objects.filter(campaign__in=campaigns).filter(scope.subtree_q("unit__"))
        }
        # Which units' documents a row answers for: its own (an МО), its whole subtree (a
        # municipality), the units of the school (a school).
        units_of: dict[tuple, list[int]] = {key: [] for key in keys}
        by_school: dict[int, list] = {}
        for key in keys:
            row = scope.rows[key]
            if row.assessed == Assessed.MO:
                units_of[key] = [row.unit_id]
            elif row.assessed == Assessed.MUNICIPALITY:
                u = scope.units[row.unit_id]
                units_of[key] = [pk for pk, v in scope.units.items() if u["lft"] <= v["lft"] <= u["rght"]]
            else:
                by_school[row.school_id] = key
        if by_school:
            for pk, v in scope.units.items():
                if v["school_id"] in by_school:
                    units_of[by_school[v["school_id"]]].append(pk)
        out = {}
        for key in keys:
            outcome = Outcome()
            for campaign in campaigns:
                kinds = {k.pk for k in campaign.filer_kinds.all()}
                for unit_id in units_of[key]:
                    u = scope.units[unit_id]
                    if u["kind_id"] not in kinds or not _active_on(u, campaign.due_on):
                        continue
                    outcome.denominator += 1
                    sub = submissions.get((campaign.pk, unit_id))
                    label = f"{campaign} — {u['name']}"
                    due = date_label(campaign.due_on)
                    filed = date_label(sub.first_submitted_on) if sub else ""
                    if sub and sub.on_time:
                        outcome.numerator += 1
                        counts, why = True, f"представлен {filed}, в срок (до {due})"
                    elif sub and sub.first_submitted_on:
                        counts, why = False, f"представлен {filed}, с опозданием (срок {due})"
                    else:
                        counts, why = False, f"не представлен (срок {due})"
                    url = sub.get_absolute_url() if sub else campaign.get_absolute_url()
                    outcome.records.append(
                        {"person": None, "name": label, "counts": counts, "why": why, "url": url, "links": []}
                    )
            if not outcome.denominator:
                outcome.note = self.empty_note
            out[key] = outcome
        return out


def _active_on(u, day) -> bool:
    return (u["opened_on"] is None or u["opened_on"] <= day) and (u["closed_on"] is None or u["closed_on"] > day)


RULES: dict[str, Rule] = {
    r.code: r for r in (RoutesRule(), YoungMentoringRule(), CoursesRule(), EventsRule(), PlacesRule(), TimelinessRule())
}
RULE_CHOICES = [(code, rule.label) for code, rule in RULES.items()]
