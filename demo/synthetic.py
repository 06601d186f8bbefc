"""A synthetic network of a given size, for load tests and benchmarks (issue 6).

National figures are the default (85 regions, 2 300 municipalities, 40 000 schools, 1 000 000
teachers). Everything is written with bulk inserts, one region (one tree) per transaction, so
memory stays at the size of a region. MPTT bounds are computed once in memory (a depth-first
numbering of the planned tree) rather than node by node through the tree manager, which would
shift every right neighbour on each insert.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Max

from demo.orgunits import DEMO_FILE, NAMES_F, NAMES_M, PATRONYMIC_ROOTS, SURNAMES_M, DemoBuilder, inn_with_checksum
from network.models import normalize_search
from orgunits.models import OrgUnit, Region, School, UnitKind
from people.models import Membership, MembershipRole, Person, QualificationCategory, Subject

BATCH = 5000
CODE_PREFIX = "gen"
SUBJECT_MOS = [
    ("rus", "русского языка и литературы"),
    ("math", "математики"),
    ("prim", "начальных классов"),
    ("hist", "истории и обществознания"),
    ("nat", "естественнонаучного цикла"),
    ("lang", "иностранных языков"),
]


@dataclass
class Size:
    regions: int = 85
    municipalities: int = 2300
    schools: int = 40000
    teachers: int = 1_000_000
    rmos: int = 5  # subject MOs per municipality
    events: int = 20  # events per municipality in the year
    seed: int = 2026
    first: int = 1  # number of the first region (gen01…): a second run can add regions beside the first

    def check(self):
        if min(self.regions, self.municipalities, self.schools, self.teachers) < 1:
            raise ValueError("Все размеры должны быть положительными.")
        if self.municipalities < self.regions or self.schools < self.municipalities:
            raise ValueError("Нужно: регионов ≤ муниципалитетов ≤ школ.")
        if self.first < 1 or self.first + self.regions - 1 > 99:
            raise ValueError("Номера регионов — от 1 до 99.")
        if not 1 <= self.rmos <= len(SUBJECT_MOS):
            raise ValueError(f"Предметных МО в муниципалитете — от 1 до {len(SUBJECT_MOS)}.")


@dataclass
class Node:
    """A planned unit: numbered in memory, inserted level by level (a parent has its pk first)."""

    kind: UnitKind
    name: str
    short_name: str
    parent: Node | None = None
    children: list = field(default_factory=list)
    school_key: int | None = None  # index of the school a school MO belongs to
    obj: OrgUnit | None = None

    def add(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
        return child


def split(total: int, parts: int) -> list[int]:
    """`total` spread over `parts` as evenly as integers allow."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def number(root: Node, tree_id: int) -> list[list[Node]]:
    """MPTT bounds of the whole planned tree in one depth-first walk; returns nodes by level."""
    levels: list[list[Node]] = []
    counter = 1
    stack = [(root, 0, False)]
    while stack:
        node, level, closing = stack.pop()
        if closing:
            node.obj.rght = counter
            counter += 1
            continue
        node.obj = OrgUnit(
            kind=node.kind,
            name=node.name,
            short_name=node.short_name,
            tree_id=tree_id,
            level=level,
            lft=counter,
            search=normalize_search(node.name, node.short_name),
        )
        counter += 1
        while len(levels) <= level:
            levels.append([])
        levels[level].append(node)
        stack.append((node, level, True))
        for child in reversed(node.children):
            stack.append((child, level + 1, False))
    return levels


class Generator:
    def __init__(self, size: Size, today: datetime.date, log=print):
        size.check()
        self.size = size
        self.today = today
        self.log = log
        self.rng = random.Random(size.seed)
        self.counts = dict.fromkeys(
            ["regions", "units", "schools", "people", "memberships", "submissions", "plan_items", "events"], 0
        )
        self.counts["participations"] = 0

    # -- set-up ---------------------------------------------------------------------------------

    def ensure_kinds(self):
        data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        builder = DemoBuilder(data, self.today, self.rng)
        builder.kinds()
        self.kinds = builder.kind_by_code
        self.subjects = [Subject.objects.get_or_create(name=name)[0] for name in data["subjects"]]

    def run(self) -> dict:
        codes = [f"{CODE_PREFIX}{n:02d}" for n in range(self.size.first, self.size.first + self.size.regions)]
        if Region.objects.filter(code__in=codes).exists():
            raise ValueError(
                "Синтетическая сеть уже создана: удалите её, используйте чистую базу или --first для новых регионов."
            )
        self.ensure_kinds()
        munis = split(self.size.municipalities, self.size.regions)
        schools = split(self.size.schools, self.size.regions)
        teachers = split(self.size.teachers, self.size.regions)
        for index in range(self.size.regions):
            with transaction.atomic():
                self.region(self.size.first + index, munis[index], schools[index], teachers[index])
            self.log(
                f"регион {index + 1}/{self.size.regions}: подразделений {self.counts['units']}, "
                f"педагогов {self.counts['people']}"
            )
        if connection.vendor == "postgresql":
            # Planner statistics for the bulk-loaded tables: without them the first queries plan
            # for empty tables until autovacuum gets round to it.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return self.counts

    # -- one region ----------------------------------------------------------------------------

    def region(self, n: int, municipalities: int, schools: int, teachers: int):
        region = Region.objects.create(code=f"{CODE_PREFIX}{n:02d}", name=f"Синтетический регион № {n}")
        self.counts["regions"] += 1
        k = self.kinds
        root = Node(k["rumo"], f"Региональное УМО синтетического региона № {n}", f"РУМО СР-{n}")
        cnppm = root.add(Node(k["cnppm"], f"ЦНППМ синтетического региона № {n}", f"ЦНППМ СР-{n}"))
        plan = []  # (municipality node, [rmo nodes], number of schools)
        for m, school_count in enumerate(split(schools, municipalities), start=1):
            muni = cnppm.add(Node(k["munumo"], f"МунУМО района № {m} региона № {n}", f"МунУМО р-на {m} СР-{n}"))
            rmos = [
                muni.add(Node(k["rmo"], f"РМО учителей {title} района № {m}", f"РМО {code} р-на {m} СР-{n}"))
                for code, title in SUBJECT_MOS[: self.size.rmos]
            ]
            plan.append((muni, rmos, school_count))
        # School MOs: one per school, under a subject MO of its municipality.
        school_seq = 0
        shmo_nodes = []
        for _muni, rmos, school_count in plan:
            for _ in range(school_count):
                school_seq += 1
                rmo = rmos[school_seq % len(rmos)]
                node = rmo.add(
                    Node(k["shmo"], f"ШМО школы № {school_seq} региона № {n}", f"ШМО СОШ {school_seq} СР-{n}")
                )
                node.school_key = school_seq
                shmo_nodes.append(node)
        tree_id = (OrgUnit.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
        levels = number(root, tree_id)
        opened = datetime.date(self.today.year - 3, 9, 1)
        for level in levels:
            objs = []
            for node in level:
                node.obj.region = region
                node.obj.parent = node.parent.obj if node.parent else None
                node.obj.opened_on = opened
                objs.append(node.obj)
            OrgUnit.objects.bulk_create(objs, batch_size=BATCH)
            self.counts["units"] += len(objs)
        # Schools point at their municipality; school MOs then point at their school.
        school_objs = []
        seq = 0
        for muni, _, school_count in plan:
            for _ in range(school_count):
                seq += 1
                name = f"Средняя общеобразовательная школа № {seq} района {muni.short_name}"
                school_objs.append(
                    School(
                        name=f"Муниципальное бюджетное общеобразовательное учреждение «{name}»",
                        short_name=f"СОШ № {seq} СР-{n}",
                        inn=inn_with_checksum(f"9{n:02d}{seq:06d}"),
                        municipality=muni.obj,
                        search=normalize_search(name, f"СОШ № {seq} СР-{n}"),
                    )
                )
        School.objects.bulk_create(school_objs, batch_size=BATCH)
        self.counts["schools"] += len(school_objs)
        for node in shmo_nodes:
            node.obj.school = school_objs[node.school_key - 1]
        OrgUnit.objects.bulk_update([node.obj for node in shmo_nodes], ["school"], batch_size=BATCH)
        people = self.people(region, school_objs, teachers)
        self.memberships(plan, shmo_nodes, people, school_objs)
        self.documents(region, root, plan, shmo_nodes)
        self.events(plan, people, school_objs)

    def people(self, region, schools, teachers) -> dict[int, list[Person]]:
        rng = self.rng
        by_school: dict[int, list[Person]] = {}
        batch = []
        for index, count in enumerate(split(teachers, len(schools))):
            school = schools[index]
            for _ in range(count):
                female = rng.random() < 0.8
                surname = rng.choice(SURNAMES_M)
                last = surname + "а" if female and surname.endswith(("ов", "ев", "ин")) else surname
                first = rng.choice(NAMES_F if female else NAMES_M)
                middle = rng.choice(PATRONYMIC_ROOTS) + ("на" if female else "ич")
                person = Person(
                    region=region,
                    school=school,
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    position="учитель",
                    qualification_category=rng.choice(QualificationCategory.values),
                    teaching_since=rng.randint(1985, self.today.year),
                    search=normalize_search(last, first, middle),
                )
                batch.append(person)
                by_school.setdefault(school.pk, []).append(person)
        Person.objects.bulk_create(batch, batch_size=BATCH)
        self.counts["people"] += len(batch)
        return by_school

    def memberships(self, plan, shmo_nodes, people, schools):
        rng = self.rng
        start = datetime.date(self.today.year if self.today.month >= 9 else self.today.year - 1, 9, 1)
        ends = Membership.default_term_end(start)
        rows = []

        def add(unit, members):
            for i, person in enumerate(members):
                role = MembershipRole.CHAIR if i == 0 else MembershipRole.SECRETARY if i == 1 else MembershipRole.MEMBER
                rows.append(Membership(person=person, unit=unit, role=role, starts_on=start, ends_on=ends))

        for node in shmo_nodes:
            add(node.obj, people.get(node.obj.school.pk, []))
        school_by_muni: dict[int, list[School]] = {}
        for school in schools:
            school_by_muni.setdefault(school.municipality_id, []).append(school)
        for muni, rmos, _ in plan:
            teachers = [p for s in school_by_muni.get(muni.obj.pk, []) for p in people.get(s.pk, [])]
            for rmo in rmos:
                add(rmo.obj, rng.sample(teachers, min(len(teachers), 25)))
            add(muni.obj, rng.sample(teachers, min(len(teachers), 12)))
        Membership.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["memberships"] += len(rows)

    def documents(self, region, root, plan, shmo_nodes):
        """A report campaign for last year and a plan campaign for this year, most units filed."""
        from plans.models import PlanItem
        from submissions.models import Campaign, State, Submission

        rng = self.rng
        filers = [node.obj for muni, rmos, _ in plan for node in (muni, *rmos)] + [n.obj for n in shmo_nodes]
        items = []
        for document_type, year in (("report", self.today.year - 1), ("plan", self.today.year)):
            campaign = Campaign.objects.create(
                region=region, document_type=document_type, year=year, **Campaign.defaults_for(document_type, year)
            )
            campaign.filer_kinds.set([self.kinds["munumo"], self.kinds["rmo"], self.kinds["shmo"]])
            submissions = []
            for unit in filers:
                draw = rng.random()
                if draw < 0.15:
                    continue  # not started
                state = (
                    State.APPROVED
                    if draw < 0.6
                    else State.SUBMITTED
                    if draw < 0.8
                    else State.RETURNED
                    if draw < 0.85
                    else State.DRAFT
                )
                submitted = None if state == State.DRAFT else campaign.due_on - datetime.timedelta(rng.randint(-5, 20))
                submissions.append(
                    Submission(
                        campaign=campaign,
                        unit=unit,
                        state=state,
                        approver=root.obj,
                        first_submitted_on=submitted,
                        on_time=None if submitted is None else submitted <= campaign.due_on,
                    )
                )
            Submission.objects.bulk_create(submissions, batch_size=BATCH)
            self.counts["submissions"] += len(submissions)
            if document_type == "plan":
                for s in submissions[:: max(1, len(submissions) // 2000)]:
                    for month in (10, 2):
                        items.append(
                            PlanItem(
                                submission=s,
                                direction="methodical",
                                activity="Заседание методического объединения",
                                form="meeting",
                                month=month,
                                responsible="Руководитель МО",
                            )
                        )
        PlanItem.objects.bulk_create(items, batch_size=BATCH)
        self.counts["plan_items"] += len(items)

    def events(self, plan, people, schools):
        from events.models import Event, Participation

        rng = self.rng
        school_by_muni: dict[int, list[School]] = {}
        for school in schools:
            school_by_muni.setdefault(school.municipality_id, []).append(school)
        events, pending = [], []
        for muni, rmos, _ in plan:
            teachers = [p for s in school_by_muni.get(muni.obj.pk, []) for p in people.get(s.pk, [])]
            for i in range(self.size.events):
                organiser = rng.choice([muni, *rmos]).obj
                event = Event(
                    unit=organiser,
                    title=f"Семинар № {i + 1} {organiser.short_name}",
                    kind=rng.choice(Event.Kind.values),
                    level=rng.choice(Event.Level.values),
                    format=rng.choice(Event.Format.values),
                    starts_on=datetime.date(self.today.year, rng.randint(1, 12), rng.randint(1, 28)),
                )
                event.search = normalize_search(event.title)
                events.append(event)
                pending.append((event, rng.sample(teachers, min(len(teachers), 8))))
        Event.objects.bulk_create(events, batch_size=BATCH)
        participations = [
            Participation(
                event=event,
                person=person,
                role=rng.choice(Participation.Role.values),
                result=rng.choice(Participation.Result.values),
            )
            for event, persons in pending
            for person in persons
        ]
        Participation.objects.bulk_create(participations, batch_size=BATCH)
        self.counts["events"] += len(events)
        self.counts["participations"] += len(participations)
