"""A synthetic network of a given size, for load tests and benchmarks (issues 6 and 14).

National figures are the default (85 regions, 2 300 municipalities, 40 000 schools, 1 000 000
teachers), shaped like the real network: regions of very different sizes; every school has
several school MOs by subject (a small school two or three, a large one up to eight); every
municipality one subject MO per subject; each teacher teaches one subject (some two) and is a
member of the school MO of each. Around them: plans and reports in every state with their
history, meetings with protocols and attendance, orders with their signatories, events and
participations, courses, routes and mentoring, the practices bank and its expertise, and a
computed monitoring campaign. Then a few things the benchmark opens on the first region:
a reviewer with thousands of notifications, a 100-item plan, a report with content, a person
with a portfolio and an import of 5 000 rows waiting in preview.

Everything is written with bulk inserts, one region (one tree) per transaction, so memory stays
at the size of a region, and a region already built is skipped: an interrupted run goes on where
it stopped. MPTT bounds are computed once in memory (a depth-first numbering of the planned tree)
rather than node by node through the tree manager, which would shift every right neighbour on
each insert. Each region draws from its own seeded random, so a resumed region is the same.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from demo.orgunits import DEMO_FILE, NAMES_F, NAMES_M, PATRONYMIC_ROOTS, SURNAMES_M, DemoBuilder, inn_with_checksum
from network.models import normalize_search
from orgunits.models import OrgUnit, Region, School, UnitKind
from people.models import Membership, MembershipRole, Person, QualificationCategory, Subject

BATCH = 5000
CODE_PREFIX = "gen"
PRIMARY = "Начальные классы"
# The subject MOs of a school and of a municipality: (code, «МО учителей …», share of teachers, subjects).
# A school has the first N of them (the commonest subjects first): a small school only the first few.
SUBJECT_GROUPS = [
    ("prim", "начальных классов", 0.20, [PRIMARY]),
    ("rus", "русского языка и литературы", 0.15, ["Русский язык", "Литература"]),
    ("math", "математики и информатики", 0.14, ["Математика", "Информатика"]),
    ("lang", "иностранных языков", 0.10, ["Иностранный язык"]),
    ("nat", "естественнонаучного цикла", 0.13, ["Биология", "Химия", "Физика", "География"]),
    ("hist", "истории и обществознания", 0.09, ["История", "Обществознание"]),
    ("pe", "физической культуры и ОБЗР", 0.10, ["Физическая культура", "Основы безопасности и защиты Родины"]),
    ("art", "искусства и технологии", 0.09, ["Изобразительное искусство", "Музыка", "Труд (технология)"]),
]
SUBJECT_MOS = SUBJECT_GROUPS  # the name earlier callers import
# Objects the benchmark opens (first region): found again by these names on a resumed run.
REVIEWER = "gen01-reviewer"
ADMIN = "gen01-admin"
IMPORT_NAME = "gen01-people-5000.csv"
PORTFOLIO_PHONE = "+7 900 000-00-01"  # the person with a full portfolio is the one with this phone


@dataclass
class Size:
    regions: int = 85
    municipalities: int = 2300
    schools: int = 40000
    teachers: int = 1_000_000
    rmos: int = len(SUBJECT_GROUPS)  # subject MOs per municipality (and at most per school)
    events: int = 20  # events per municipality in the year
    seed: int = 2026
    first: int = 1  # number of the first region (gen01…): a second run can add regions beside the first
    orders: int = 400_000  # orders of the whole network
    meetings: int = 3  # meetings a year of each MO (the last held this autumn)
    notifications: int = 5000  # of the first region's reviewer
    import_rows: int = 5000  # the people import waiting in preview
    compute: int = 1  # regions whose monitoring campaign is computed (the first ones)
    extras: bool = True  # the first region's bench objects (notifications, 100-item plan, import…)

    def check(self):
        if min(self.regions, self.municipalities, self.schools, self.teachers) < 1:
            raise ValueError("Все размеры должны быть положительными.")
        if self.municipalities < self.regions or self.schools < self.municipalities:
            raise ValueError("Нужно: регионов ≤ муниципалитетов ≤ школ.")
        if self.first < 1 or self.first + self.regions - 1 > 99:
            raise ValueError("Номера регионов — от 1 до 99.")
        if not 1 <= self.rmos <= len(SUBJECT_GROUPS):
            raise ValueError(f"Предметных МО в муниципалитете — от 1 до {len(SUBJECT_GROUPS)}.")
        if min(self.orders, self.meetings, self.notifications, self.import_rows, self.compute, self.events) < 0:
            raise ValueError("Количества не могут быть отрицательными.")


@dataclass
class Node:
    """A planned unit: numbered in memory, inserted level by level (a parent has its pk first)."""

    kind: UnitKind
    name: str
    short_name: str
    parent: Node | None = None
    children: list = field(default_factory=list)
    school_key: int | None = None  # index of the school a school MO belongs to
    group: int | None = None  # index in SUBJECT_GROUPS of a subject MO
    obj: OrgUnit | None = None

    def add(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
        return child


def split(total: int, parts: int) -> list[int]:
    """`total` spread over `parts` as evenly as integers allow."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def weighted_split(total: int, weights: list[float], minimum: int = 1) -> list[int]:
    """`total` spread over the weights (largest remainders), each part at least `minimum`."""
    parts = len(weights)
    spare = total - minimum * parts
    if spare < 0:
        raise ValueError("Слишком мало для такого числа частей.")
    whole = sum(weights)
    raw = [spare * w / whole for w in weights]
    out = [int(r) for r in raw]
    order = sorted(range(parts), key=lambda i: raw[i] - out[i], reverse=True)
    for i in order[: spare - sum(out)]:
        out[i] += 1
    return [o + minimum for o in out]


def region_weights(count: int, first: int) -> list[float]:
    """Regions of very different sizes, the first the largest (as a capital's): 1/(n+2)^0.9."""
    return [1 / (n + 2) ** 0.9 for n in range(first, first + count)]


def school_mo_count(teachers: int) -> int:
    """School MOs of a school by its staff: two or three in a small school, up to eight in a large one."""
    return max(1, min(len(SUBJECT_GROUPS), teachers, 2 + teachers // 4))


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


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def insert(model, rows: list[dict]) -> int:
    """Rows ({attname: value}) straight into the model's table, without model instances: the largest
    tables of a region (attendance, memberships, history) cost a third of the CPU this way. A column
    not given takes the field's default (auto_now fields: now); the values are prepared by the fields."""
    if not rows:
        return 0
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    prepared = [
        (f.attname, f, now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default())
        for f in fields
    ]
    values = [
        tuple(f.get_db_prep_save(row.get(name, default), connection) for name, f, default in prepared) for row in rows
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            execute_values(cursor.cursor, f"INSERT INTO {table} ({columns}) VALUES %s", values, page_size=BATCH)
        else:
            marks = ", ".join(["%s"] * len(fields))
            for start in range(0, len(values), BATCH):
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values[start : start + BATCH])
    return len(rows)


class Generator:
    def __init__(self, size: Size, today: datetime.date, log=print):
        size.check()
        self.size = size
        self.today = today
        self.log = log
        self.counts = dict.fromkeys(
            [
                "regions",
                "skipped",
                "units",
                "schools",
                "people",
                "memberships",
                "submissions",
                "history",
                "plan_items",
                "orders",
                "meetings",
                "attendance",
                "events",
                "participations",
                "courses",
                "routes",
                "developments",
                "notifications",
            ],
            0,
        )

    # -- set-up ---------------------------------------------------------------------------------

    def ensure_kinds(self):
        data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        builder = DemoBuilder(data, self.today, random.Random(self.size.seed))
        builder.kinds()
        self.kinds = builder.kind_by_code
        names = list(data["subjects"]) + [PRIMARY]
        self.subjects = {name: Subject.objects.get_or_create(name=name)[0] for name in names}
        from submissions.models import Submission

        self.submission_ct = ContentType.objects.get_for_model(Submission)

    def run(self) -> dict:
        self.ensure_kinds()
        weights = region_weights(self.size.regions, self.size.first)
        munis = weighted_split(self.size.municipalities, weights)
        schools = [max(m, s) for m, s in zip(munis, weighted_split(self.size.schools, weights), strict=True)]
        teachers = [max(s, t) for s, t in zip(schools, weighted_split(self.size.teachers, weights), strict=True)]
        orders = weighted_split(self.size.orders, weights, minimum=0)
        done = set(Region.objects.filter(code__startswith=CODE_PREFIX).values_list("code", flat=True))
        for index in range(self.size.regions):
            n = self.size.first + index
            code = f"{CODE_PREFIX}{n:02d}"
            if code in done:
                self.counts["skipped"] += 1
                self.log(f"регион {code} уже построен — пропущен")
                continue
            self.rng = random.Random(f"{self.size.seed}-{n}")
            with transaction.atomic():
                self.region(n, munis[index], schools[index], teachers[index], orders[index])
            self.log(
                f"регион {index + 1}/{self.size.regions} ({code}): подразделений {self.counts['units']}, "
                f"педагогов {self.counts['people']}, приказов {self.counts['orders']}"
            )
        if connection.vendor == "postgresql" and self.counts["regions"]:
            # Planner statistics for the bulk-loaded tables: without them the first queries plan
            # for empty tables until autovacuum gets round to it.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        first = Region.objects.filter(code=f"{CODE_PREFIX}{self.size.first:02d}").first()
        if first is not None:
            self.monitoring_all()
            if self.size.extras:
                self.extras(first)
        return self.counts

    # -- one region ----------------------------------------------------------------------------

    def region(self, n: int, municipalities: int, schools: int, teachers: int, orders: int):
        region = Region.objects.create(code=f"{CODE_PREFIX}{n:02d}", name=f"Синтетический регион № {n}")
        self.counts["regions"] += 1
        rng = self.rng
        k = self.kinds
        groups = SUBJECT_GROUPS[: self.size.rmos]
        root = Node(k["rumo"], f"Региональное УМО синтетического региона № {n}", f"РУМО СР-{n}")
        cnppm = root.add(Node(k["cnppm"], f"ЦНППМ синтетического региона № {n}", f"ЦНППМ СР-{n}"))
        # School sizes vary (a village school of 6 teachers, a city school of 80): a log-normal spread.
        staff = weighted_split(teachers, [rng.lognormvariate(0, 0.7) for _ in range(schools)], minimum=3)
        plan = []  # (municipality node, {group: rmo node}, [school indexes])
        school_seq = 0
        shmo_nodes: list[Node] = []
        school_groups: list[list[int]] = []  # the groups of each school's MOs
        for m, school_count in enumerate(split(schools, municipalities), start=1):
            muni = cnppm.add(Node(k["munumo"], f"МунУМО района № {m} региона № {n}", f"МунУМО р-на {m} СР-{n}"))
            rmos = {}
            for g, (code, title, _share, _subjects) in enumerate(groups):
                rmos[g] = muni.add(
                    Node(k["rmo"], f"РМО учителей {title} района № {m}", f"РМО {code} р-на {m} СР-{n}", group=g)
                )
            indexes = []
            for _ in range(school_count):
                school_groups.append(list(range(min(len(groups), school_mo_count(staff[school_seq])))))
                for g in school_groups[-1]:
                    node = rmos[g].add(
                        Node(
                            k["shmo"],
                            f"ШМО учителей {groups[g][1]} школы № {school_seq + 1} региона № {n}",
                            f"ШМО {groups[g][0]} СОШ {school_seq + 1} СР-{n}",
                            group=g,
                        )
                    )
                    node.school_key = school_seq
                    shmo_nodes.append(node)
                indexes.append(school_seq)
                school_seq += 1
            plan.append((muni, rmos, indexes))
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
        for muni, _, indexes in plan:
            for seq in indexes:
                name = f"Средняя общеобразовательная школа № {seq + 1} района {muni.short_name}"
                school_objs.append(
                    School(
                        name=f"Муниципальное бюджетное общеобразовательное учреждение «{name}»",
                        short_name=f"СОШ № {seq + 1} СР-{n}",
                        inn=inn_with_checksum(f"9{n:02d}{seq + 1:06d}"),
                        municipality=muni.obj,
                        search=normalize_search(name, f"СОШ № {seq + 1} СР-{n}"),
                    )
                )
        School.objects.bulk_create(school_objs, batch_size=BATCH)
        self.counts["schools"] += len(school_objs)
        for node in shmo_nodes:
            node.obj.school = school_objs[node.school_key]
        OrgUnit.objects.bulk_update([node.obj for node in shmo_nodes], ["school"], batch_size=BATCH)

        ctx = RegionContext(region=region, root=root, cnppm=cnppm, plan=plan, shmo_nodes=shmo_nodes)
        ctx.schools = school_objs
        self.people(ctx, staff, school_groups)
        self.memberships(ctx)
        self.users(ctx)
        self.documents(ctx)
        self.orders(ctx, orders)
        self.meetings(ctx)
        self.events(ctx)
        self.growth(ctx)
        self.practices(ctx)

    def people(self, ctx, staff, school_groups):
        """Teachers of each school, each with the subject of one of the school's MOs (some two)."""
        rng = self.rng
        groups = SUBJECT_GROUPS[: self.size.rmos]
        batch, subject_rows = [], []
        ctx.by_school = {}  # school index -> [(person, [groups])]
        for index, count in enumerate(staff):
            school = ctx.schools[index]
            own = school_groups[index]
            weights = [groups[g][2] for g in own]
            # One teacher for each MO first (an MO has at least one member), the rest by the shares.
            picks = own[:count] + rng.choices(own, weights, k=max(0, count - len(own)))
            rows = []
            for g in picks:
                female = rng.random() < 0.8
                surname = rng.choice(SURNAMES_M)
                last = surname + "а" if female and surname.endswith(("ов", "ев", "ин")) else surname
                first = rng.choice(NAMES_F if female else NAMES_M)
                middle = rng.choice(PATRONYMIC_ROOTS) + ("на" if female else "ич")
                person = Person(
                    region=ctx.region,
                    school=school,
                    last_name=last,
                    first_name=first,
                    middle_name=middle,
                    position="учитель начальных классов" if groups[g][0] == "prim" else "учитель",
                    qualification_category=rng.choice(QualificationCategory.values),
                    teaching_since=rng.randint(1985, self.today.year),
                    search=normalize_search(last, first, middle),
                )
                mine = [g]
                if len(own) > 1 and rng.random() < 0.12:  # a second subject in another MO of the school
                    mine.append(rng.choice([x for x in own if x != g]))
                rows.append((person, mine))
                batch.append(person)
            ctx.by_school[index] = rows
        Person.objects.bulk_create(batch, batch_size=BATCH)
        self.counts["people"] += len(batch)
        through = Person.subjects.through
        for rows in ctx.by_school.values():
            for person, mine in rows:
                names = {rng.choice(groups[g][3]) for g in mine}
                subject_rows.extend({"person_id": person.pk, "subject_id": self.subjects[s].pk} for s in names)
        insert(through, subject_rows)

    def memberships(self, ctx):
        """Each teacher in the school MO of each subject; subject MOs of the municipality drawn from
        its teachers of that subject; the МунУМО from the chairs of the subject MOs."""
        rng = self.rng
        start = datetime.date(self.today.year if self.today.month >= 9 else self.today.year - 1, 9, 1)
        ends = Membership.default_term_end(start)
        rows = []
        ctx.members = {}  # unit pk -> [person] (chair first, then the secretary)

        def add(unit, members):
            ctx.members[unit.pk] = members
            for i, person in enumerate(members):
                role = MembershipRole.CHAIR if i == 0 else MembershipRole.SECRETARY if i == 1 else MembershipRole.MEMBER
                rows.append(
                    {"person_id": person.pk, "unit_id": unit.pk, "role": role, "starts_on": start, "ends_on": ends}
                )

        shmo_of = {(node.school_key, node.group): node for node in ctx.shmo_nodes}
        for muni, rmos, indexes in ctx.plan:
            by_group: dict[int, list[Person]] = {}
            for index in indexes:
                in_mo: dict[int, list[Person]] = {}
                for person, mine in ctx.by_school[index]:
                    for g in mine:
                        in_mo.setdefault(g, []).append(person)
                for g, persons in in_mo.items():
                    add(shmo_of[(index, g)].obj, persons)
                    by_group.setdefault(g, []).extend(persons)
            chairs = []
            for g, rmo in rmos.items():
                pool = by_group.get(g, [])
                members = rng.sample(pool, min(len(pool), 20))
                add(rmo.obj, members)
                if members and members[0] not in chairs:
                    chairs.append(members[0])
            add(muni.obj, chairs)
        self.counts["memberships"] += insert(Membership, rows)

    def users(self, ctx):
        """A reviewer of the РУМО (and the first region's administrator) and a methodist of each МунУМО:
        those who decide the documents and sign the returns in the history."""
        from orgunits.access import grant_role

        User = get_user_model()
        code = ctx.region.code
        reviewer = User(username=f"{code}-reviewer", first_name="Эксперт", last_name=f"РУМО {code}")
        reviewer.set_unusable_password()
        reviewer.save()
        grant_role(reviewer, ctx.root.obj, "reviewer")
        ctx.reviewer = reviewer
        admin = User(username=f"{code}-admin", first_name="Администратор", last_name=f"региона {code}")
        admin.set_unusable_password()
        admin.save()
        grant_role(admin, ctx.root.obj, "administrator")
        ctx.admin = admin
        ctx.methodists = {}
        for m, (muni, _rmos, _indexes) in enumerate(ctx.plan, start=1):
            user = User(username=f"{code}-m{m}", first_name="Методист", last_name=f"района {m} {code}")
            user.set_unusable_password()
            user.save()
            grant_role(user, muni.obj, "reviewer")
            ctx.methodists[muni.obj.pk] = user

    def documents(self, ctx):
        """A report campaign for last year and a plan campaign for this year, most units filed, in every
        state, each move in the history; a ШМО's and an РМО's documents go to their МунУМО, a МунУМО's to the РУМО."""
        from history.models import LogEntry
        from plans.models import Direction, EventForm, PlanItem
        from reports.models import SECTIONS, ReportSection
        from submissions.models import Campaign, State, Submission

        rng = self.rng
        filers = []  # (unit, approver unit, reviewer user)
        for muni, rmos, _ in ctx.plan:
            methodist = ctx.methodists[muni.obj.pk]
            filers.append((muni.obj, ctx.root.obj, ctx.reviewer))
            filers.extend((rmo.obj, muni.obj, methodist) for rmo in rmos.values())
        muni_of = {}
        for muni, rmos, _ in ctx.plan:
            for rmo in rmos.values():
                for child in rmo.children:
                    muni_of[child.obj.pk] = muni.obj
        filers.extend((n.obj, muni_of[n.obj.pk], ctx.methodists[muni_of[n.obj.pk].pk]) for n in ctx.shmo_nodes)
        items, sections, entries = [], [], []
        ctx.campaigns = {}
        for document_type, year in (("report", self.today.year - 1), ("plan", self.today.year)):
            campaign = Campaign.objects.create(
                region=ctx.region, document_type=document_type, year=year, **Campaign.defaults_for(document_type, year)
            )
            campaign.filer_kinds.set([self.kinds["munumo"], self.kinds["rmo"], self.kinds["shmo"]])
            ctx.campaigns[document_type] = campaign
            submissions, moves = [], []
            for unit, approver, reviewer in filers:
                draw = rng.random()
                if draw < 0.12:
                    continue  # not started
                state = (
                    State.APPROVED
                    if draw < 0.6
                    else State.SUBMITTED
                    if draw < 0.8
                    else State.RETURNED
                    if draw < 0.88
                    else State.DRAFT
                )
                created = campaign.opens_on + datetime.timedelta(rng.randint(0, 20))
                submitted = None if state == State.DRAFT else campaign.due_on - datetime.timedelta(rng.randint(-5, 20))
                decided = None if submitted is None else submitted + datetime.timedelta(rng.randint(1, 10))
                submissions.append(
                    Submission(
                        campaign=campaign,
                        unit=unit,
                        state=state,
                        approver=approver,
                        first_submitted_on=submitted,
                        on_time=None if submitted is None else submitted <= campaign.due_on,
                        submitted_at=None if submitted is None else at(submitted),
                        approved_at=at(decided, 15) if state == State.APPROVED else None,
                    )
                )
                moves.append((state, created, submitted, decided, reviewer))
            Submission.objects.bulk_create(submissions, batch_size=BATCH)
            self.counts["submissions"] += len(submissions)
            for s, (state, created, submitted, decided, reviewer) in zip(submissions, moves, strict=True):
                entry = {
                    "content_type_id": self.submission_ct.pk,
                    "object_id": s.pk,
                    "object_repr": str(s.unit.short_name)[:300],
                }
                steps = [("create", "", State.DRAFT, created, None, "")]
                if submitted is not None:
                    steps.append(("submit", State.DRAFT, State.SUBMITTED, submitted, None, ""))
                if state == State.APPROVED:
                    steps.append(("approve", State.SUBMITTED, State.APPROVED, decided, reviewer, ""))
                elif state == State.RETURNED:
                    reason = "Уточните сроки и ответственных в разделе «Работа с молодыми специалистами»."
                    steps.append(("return", State.SUBMITTED, State.RETURNED, decided, reviewer, reason))
                for move, frm, to, day, actor, reason in steps:
                    entries.append(
                        {
                            **entry,
                            "action": LogEntry.Action.TRANSITION,
                            "at": at(day, 12),
                            "actor_id": actor.pk if actor else None,
                            "kind": document_type,
                            "move": move,
                            "from_state": frm,
                            "to_state": to,
                            "reason": reason,
                        }
                    )
            # Content: plan items for one document in eight, report sections for one in eight.
            for s in submissions[::8]:
                if document_type == "plan":
                    for position in range(rng.randint(4, 12)):
                        items.append(
                            PlanItem(
                                submission=s,
                                direction=rng.choice(Direction.values),
                                activity=f"Заседание и семинар № {position + 1}: функциональная грамотность",
                                form=rng.choice(EventForm.values),
                                month=rng.choice([9, 10, 11, 12, 1, 2, 3, 4, 5]),
                                responsible="Руководитель МО",
                                position=position,
                            )
                        )
                else:
                    sections.extend(
                        ReportSection(
                            submission=s,
                            key=key,
                            title=title,
                            text=f"{title}: работа велась по плану, задачи года выполнены.",
                            position=i,
                        )
                        for i, (key, title) in enumerate(SECTIONS)
                    )
        PlanItem.objects.bulk_create(items, batch_size=BATCH)
        ReportSection.objects.bulk_create(sections, batch_size=BATCH)
        self.counts["plan_items"] += len(items)
        self.counts["history"] += insert(LogEntry, entries)

    def orders(self, ctx, total: int):
        """The region's orders: most by the МунУМО and the subject MOs, the РУМО's own, a few of school
        MOs; numbered per unit and year, signed by the unit's chair, two points each."""
        from orders.models import CONTROL_SELF, Order, OrderCounter, OrderPoint, OrderStatus, OrderTemplate

        if total == 0:
            return
        rng = self.rng
        issuers = [(ctx.root.obj, 30.0), (ctx.cnppm.obj, 10.0)]
        for muni, rmos, _ in ctx.plan:
            issuers.append((muni.obj, 12.0))
            issuers.extend((rmo.obj, 2.0) for rmo in rmos.values())
        issuers.extend((n.obj, 0.25) for n in ctx.shmo_nodes)
        counts = weighted_split(total, [w for _, w in issuers], minimum=0)
        headings = [
            (OrderTemplate.APPROVE_PLAN, "Об утверждении плана работы на {year} год"),
            (OrderTemplate.APPROVE_COMPOSITION, "Об утверждении состава {unit}"),
            (OrderTemplate.APPOINT_CHAIR, "О назначении председателя {unit}"),
            (OrderTemplate.FREE, "О проведении муниципального этапа конкурса «Учитель года» в {year} году"),
            (OrderTemplate.FREE, "Об организации методических семинаров по функциональной грамотности"),
            (OrderTemplate.FREE, "О проведении открытых уроков и взаимопосещений в {year} году"),
        ]
        orders, pending, counters = [], [], []
        years = (self.today.year - 2, self.today.year - 1, self.today.year)
        for (unit, _), count in zip(issuers, counts, strict=True):
            if count == 0:
                continue
            members = ctx.members.get(unit.pk) or []
            chair = members[0] if members else None
            executor = members[1] if len(members) > 1 else chair
            per_year = split(count, len(years))
            for year, n in zip(years, per_year, strict=True):
                last_day = self.today if year == self.today.year else datetime.date(year, 12, 31)
                days = sorted(
                    datetime.date(year, 1, 10)
                    + datetime.timedelta(rng.randint(0, (last_day - datetime.date(year, 1, 10)).days))
                    for _ in range(n)
                )
                for number_, day in enumerate(days, start=1):
                    template, heading = rng.choice(headings)
                    heading = heading.format(year=year, unit=unit.short_name)
                    # The last month's orders are half drafts yet; an older one was left a draft now and then.
                    recent = day > self.today - datetime.timedelta(days=30)
                    signed = rng.random() >= (0.5 if recent else 0.03)
                    order = Order(
                        unit=unit,
                        year=year,
                        number=number_,
                        date=day,
                        place="г. Синтетический",
                        heading=heading,
                        purpose="обеспечения методического сопровождения педагогических работников",
                        signatory=chair,
                        signatory_position=f"Председатель {unit.short_name}" if chair else "",
                        executor=executor,
                        status=OrderStatus.SIGNED if signed else OrderStatus.DRAFT,
                        template=template,
                        subject_unit=unit if template != OrderTemplate.FREE else None,
                        signed_at=at(day, 16) if signed else None,
                        search=normalize_search(heading, ""),
                    )
                    orders.append(order)
                if n:
                    counters.append(OrderCounter(unit=unit, year=year, last_number=n))
        Order.objects.bulk_create(orders, batch_size=BATCH)
        for order in orders:
            pending.append({"order_id": order.pk, "position": 1, "text": "Утвердить прилагаемый документ."})
            pending.append({"order_id": order.pk, "position": 2, "text": CONTROL_SELF})
        insert(OrderPoint, pending)
        OrderCounter.objects.bulk_create(counters, batch_size=BATCH)
        self.counts["orders"] += len(orders)

    def meetings(self, ctx):
        """Meetings of every MO and МунУМО: the last school year's held and confirmed, this autumn's
        the last one (a draft protocol in one of five); attendance of the whole composition."""
        from meetings.models import AgendaItem, Attendance, Meeting

        if self.size.meetings == 0:
            return
        rng = self.rng
        year = self.today.year
        # The dates of the year's meetings: spread from January to this autumn.
        spread = [
            datetime.date(year, 1, 20),
            datetime.date(year, 3, 25),
            datetime.date(year, 5, 20),
            datetime.date(year, 8, 28),
            datetime.date(year, 10, 30),
        ]
        dates = [d for d in spread if d < self.today][-self.size.meetings :]
        units = [muni.obj for muni, _, _ in ctx.plan]
        units += [rmo.obj for _, rmos, _ in ctx.plan for rmo in rmos.values()]
        units += [n.obj for n in ctx.shmo_nodes]
        meetings, plans = [], []
        for unit in units:
            members = ctx.members.get(unit.pk) or []
            if not members:
                continue
            chair, secretary = members[0], members[1] if len(members) > 1 else members[0]
            for number_, day in enumerate(dates, start=1):
                draft = number_ == len(dates) and rng.random() < 0.2
                meeting = Meeting(
                    unit=unit,
                    year=day.year,
                    number=number_,
                    date=day,
                    time=datetime.time(15, 0),
                    kind=Meeting.Kind.IN_PERSON if rng.random() < 0.8 else Meeting.Kind.REMOTE,
                    place="кабинет методиста",
                    chair=chair,
                    secretary=secretary,
                    status=Meeting.Status.DRAFT if draft else Meeting.Status.CONFIRMED,
                    chair_confirmed_at=None if draft else at(day + datetime.timedelta(days=1)),
                    secretary_confirmed_at=None if draft else at(day + datetime.timedelta(days=1)),
                )
                meetings.append(meeting)
                plans.append(members)
        Meeting.objects.bulk_create(meetings, batch_size=BATCH)
        items, attendance = [], []
        for meeting, members in zip(meetings, plans, strict=True):
            present = 0
            for person in members:
                here = rng.random() < 0.85
                present += here
                attendance.append({"meeting_id": meeting.pk, "person_id": person.pk, "present": here})
            items.append(
                {
                    "meeting_id": meeting.pk,
                    "position": 1,
                    "title": "О результатах входной диагностики и задачах на четверть",
                    "speaker": "Руководитель МО",
                    "heard": "Руководителя МО о результатах диагностики.",
                    "decision": "Принять к сведению; учесть результаты в рабочих программах.",
                    "votes_for": present,
                }
            )
            if len(attendance) >= 50 * BATCH:
                self.counts["attendance"] += insert(Attendance, attendance)
                attendance = []
        insert(AgendaItem, items)
        self.counts["attendance"] += insert(Attendance, attendance)
        self.counts["meetings"] += len(meetings)

    def events(self, ctx):
        from events.models import Event, Participation

        rng = self.rng
        events, pending = [], []
        for muni, rmos, indexes in ctx.plan:
            teachers = [p for index in indexes for p, _ in ctx.by_school[index]]
            for i in range(self.size.events):
                organiser = rng.choice([muni, *rmos.values()]).obj
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
            {
                "event_id": event.pk,
                "person_id": person.pk,
                "role": rng.choice(Participation.Role.values),
                "result": rng.choice(Participation.Result.values),
            }
            for event, persons in pending
            for person in persons
        ]
        self.counts["events"] += len(events)
        self.counts["participations"] += insert(Participation, participations)

    def growth(self, ctx):
        """Courses (a third of the teachers, confirmed), routes (one in six, two steps each) and a mentor
        for half of the young specialists: what the monitoring indicators count."""
        from growth.models import Course, Mentoring, Route, RouteStep

        rng = self.rng
        year = self.today.year
        courses, routes, mentoring = [], [], []
        shmo_of = {(n.school_key, n.group): n.obj for n in ctx.shmo_nodes}
        for index, rows in ctx.by_school.items():
            seniors = [p for p, _ in rows if p.teaching_since <= year - 10]
            for person, mine in rows:
                if rng.random() < 0.35:
                    ends = self.today - datetime.timedelta(days=rng.randint(20, 3 * 365))
                    courses.append(
                        Course(
                            person=person,
                            title="Реализация требований обновлённых ФГОС в работе учителя",
                            provider="ЦНППМ",
                            hours=rng.choice([16, 36, 72]),
                            starts_on=ends - datetime.timedelta(days=14),
                            ends_on=ends,
                            certificate_number=f"ПК-{person.pk}",
                            status=Course.Status.CONFIRMED,
                            confirmed_at=at(ends),
                        )
                    )
                if rng.random() < 0.16:
                    routes.append(
                        Route(
                            person=person,
                            year=year,
                            unit=shmo_of[(index, mine[0])],
                            goals="Освоить приёмы формирующего оценивания.",
                        )
                    )
                if person.teaching_since > year - 3 and seniors and rng.random() < 0.5:
                    mentoring.append(
                        Mentoring(
                            mentor=rng.choice(seniors),
                            mentee=person,
                            kind=Mentoring.Kind.YOUNG,
                            starts_on=datetime.date(year, 9, 1)
                            if self.today.month >= 9
                            else datetime.date(year - 1, 9, 1),
                        )
                    )
        Course.objects.bulk_create(courses, batch_size=BATCH)
        Route.objects.bulk_create(routes, batch_size=BATCH)
        steps = []
        for route in routes:
            steps.append(
                {"route_id": route.pk, "text": "Посетить уроки наставника", "due_on": datetime.date(year, 11, 30)}
            )
            steps.append(
                {
                    "route_id": route.pk,
                    "text": "Провести открытый урок",
                    "due_on": datetime.date(year, 12, 20),
                    "status": RouteStep.Status.IN_PROGRESS,
                }
            )
        insert(RouteStep, steps)
        Mentoring.objects.bulk_create(mentoring, batch_size=BATCH)
        self.counts["courses"] += len(courses)
        self.counts["routes"] += len(routes)

    def practices(self, ctx):
        """The practices bank: developments of the region's teachers, most published; in the first region
        also a queue at the РУМО's expertise (sent, with experts, resubmitted)."""
        from practices.models import Development, EducationLevel, ExpertAssignment, MaterialKind, State

        rng = self.rng
        topics = ["функциональная грамотность", "формирующее оценивание", "проектная деятельность", "смысловое чтение"]
        shmo_of = {(n.school_key, n.group): n.obj for n in ctx.shmo_nodes}
        count = max(20, len(ctx.schools) // 3)
        queue = 60 if ctx.region.code == f"{CODE_PREFIX}01" else 5
        developments = []
        indexes = list(ctx.by_school)
        for i in range(count + queue):
            index = rng.choice(indexes)
            person, mine = rng.choice(ctx.by_school[index])
            group = SUBJECT_GROUPS[mine[0]]
            subject = self.subjects[rng.choice(group[3])]
            topic = rng.choice(topics)
            title = f"{subject.name}: {topic}, разработка № {i + 1}"
            annotation = f"Материал для учителей {group[1]}: {topic} на уроке."
            published = i < count
            day = self.today - datetime.timedelta(days=rng.randint(5, 700))
            state = (
                State.PUBLISHED
                if published
                else rng.choice([State.SUBMITTED, State.IN_EXPERTISE, State.IN_EXPERTISE, State.RESUBMITTED])
            )
            developments.append(
                Development(
                    author=person,
                    unit=shmo_of[(index, mine[0])],
                    expertise_unit=ctx.root.obj,
                    title=title,
                    annotation=annotation,
                    subject=subject,
                    level=rng.choice([EducationLevel.NOO, EducationLevel.OOO, EducationLevel.SOO]),
                    material=rng.choice(MaterialKind.values),
                    topic=topic,
                    state=state,
                    round=1 if state != State.SUBMITTED else 0,
                    created_by=ctx.admin,
                    submitted_at=at(day),
                    decided_at=at(day + datetime.timedelta(days=20)) if published else None,
                    published_at=at(day + datetime.timedelta(days=21)) if published else None,
                    search=normalize_search(title, topic, annotation)[:1000],
                )
            )
        Development.objects.bulk_create(developments, batch_size=BATCH)
        assignments = [
            ExpertAssignment(
                development=d,
                round=1,
                expert=ctx.reviewer,
                assigned_by=ctx.admin,
                assigned_at=d.submitted_at + datetime.timedelta(days=2),
                verdict="recommend" if d.state == State.PUBLISHED else "",
                concluded_at=d.submitted_at + datetime.timedelta(days=10) if d.state == State.PUBLISHED else None,
            )
            for d in developments
            if d.state != State.SUBMITTED
        ]
        ExpertAssignment.objects.bulk_create(assignments, batch_size=BATCH)
        self.counts["developments"] += len(developments)

    # -- after the regions -----------------------------------------------------------------------

    def monitoring_all(self):
        """Each region's indicator set and this year's campaign over its whole tree; the first
        `compute` regions computed by the portal's own computation."""
        from monitoring import services
        from monitoring.definitions import IVOLGINSKY, install
        from monitoring.models import MonitoringCampaign

        codes = [f"{CODE_PREFIX}{n:02d}" for n in range(self.size.first, self.size.first + self.size.regions)]
        regions = Region.objects.filter(code__in=codes).order_by("code")
        for position, region in enumerate(regions):
            root = OrgUnit.objects.get(region=region, parent__isnull=True)
            indicator_set = install(region, IVOLGINSKY, default=True)
            campaign, created = MonitoringCampaign.objects.get_or_create(
                indicator_set=indicator_set,
                root=root,
                year=self.today.year,
                defaults={
                    "region": region,
                    "created_by": get_user_model().objects.filter(username=f"{region.code}-reviewer").first(),
                },
            )
            if position < self.size.compute and campaign.computed_at is None:
                self.log(f"мониторинг {region.code}: расчёт…")
                services.compute(campaign.pk, self.today, timezone.now())

    def extras(self, region):
        """What the benchmark opens in the first region, each made once (a resumed run skips it)."""
        from network.models import Notification
        from submissions.models import Submission

        User = get_user_model()
        reviewer = User.objects.get(username=f"{region.code}-reviewer")
        admin = User.objects.get(username=f"{region.code}-admin")
        rng = random.Random(f"{self.size.seed}-extras")
        # A reviewer with thousands of notifications (a third unread, half needing action).
        have = Notification.objects.filter(user=reviewer).count()
        if have < self.size.notifications:
            docs = list(
                Submission.objects.filter(campaign__region=region, unit__level=2).values_list("pk", flat=True)[:500]
            )
            rows = []
            for i in range(self.size.notifications - have):
                doc = rng.choice(docs) if docs else None
                rows.append(
                    Notification(
                        user=reviewer,
                        text=f"На согласование: документ № {doc or i}",
                        url=f"/submissions/{doc}/" if doc else "",
                        read_at=None if rng.random() < 0.33 else timezone.now(),
                        needs_action=rng.random() < 0.5,
                    )
                )
            Notification.objects.bulk_create(rows, batch_size=BATCH)
            self.counts["notifications"] += len(rows)
        # The largest МунУМО of the region: a 100-item plan and a report with content.
        muni = self.editable_municipality(region)
        self.chair_user(region, muni)
        self.big_plan(region, muni)
        self.full_report(region, muni)
        self.portfolio(region)
        self.people_import(region, admin)

    def editable_municipality(self, region):
        """The first МунУМО whose plan and report its chair may still edit (drafts, returned or not begun)."""
        from submissions.models import State, Submission

        fixed = Submission.objects.filter(campaign__region=region).exclude(state__in=[State.DRAFT, State.RETURNED])
        munis = OrgUnit.objects.filter(region=region, kind=self.kinds["munumo"]).exclude(pk__in=fixed.values("unit_id"))
        return munis.order_by("lft").first() or OrgUnit.objects.filter(region=region, kind=self.kinds["munumo"]).first()

    def chair_user(self, region, muni):
        """The chair of that МунУМО gets a login (`<region>-chair`): the one who edits its plan and report."""
        from orgunits.access import sync_membership_roles

        User = get_user_model()
        user = User.objects.filter(username=f"{region.code}-chair").first()
        if user is None:
            user = User(username=f"{region.code}-chair", first_name="Председатель", last_name=muni.short_name)
            user.set_unusable_password()
            user.save()
            chair = Membership.objects.filter(unit=muni, role=MembershipRole.CHAIR).first()
            Person.objects.filter(pk=chair.person_id).update(user=user)
        # His roles follow his memberships (role groups), as when a login is linked in the portal.
        sync_membership_roles(user, list(Membership.objects.filter(person__user=user, left_on__isnull=True)))
        return user

    def big_plan(self, region, muni):
        from plans.models import Direction, EventForm, PlanItem
        from submissions.models import Campaign, State, Submission

        campaign = Campaign.objects.get(region=region, document_type="plan", year=self.today.year)
        plan, _ = Submission.objects.get_or_create(
            campaign=campaign, unit=muni, defaults={"state": State.DRAFT, "approver": muni.parent.parent}
        )
        if PlanItem.objects.filter(submission=plan).count() >= 100:
            return
        PlanItem.objects.filter(submission=plan).delete()
        directions, forms = Direction.values, EventForm.values
        PlanItem.objects.bulk_create(
            PlanItem(
                submission=plan,
                direction=directions[i % len(directions)],
                activity=f"Мероприятие № {i + 1}: семинар для учителей района по функциональной грамотности",
                form=forms[i % len(forms)],
                month=[9, 10, 11, 12, 1, 2, 3, 4, 5][i % 9],
                responsible="Методист МунУМО",
                expected_result="Повышение качества уроков",
                position=i,
            )
            for i in range(100)
        )
        self.counts["plan_items"] += 100

    def full_report(self, region, muni):
        from reports.models import FIGURES, SECTIONS, ReportFigure, ReportSection
        from submissions.models import Campaign, State, Submission

        campaign = Campaign.objects.get(region=region, document_type="report", year=self.today.year - 1)
        report, _ = Submission.objects.get_or_create(
            campaign=campaign, unit=muni, defaults={"state": State.DRAFT, "approver": muni.parent.parent}
        )
        for i, (key, title) in enumerate(SECTIONS):
            ReportSection.objects.update_or_create(
                submission=report,
                key=key,
                defaults={"title": title, "position": i, "text": f"{title}. " + "Работа велась по плану года. " * 40},
            )
        for i, (key, label) in enumerate(FIGURES):
            ReportFigure.objects.update_or_create(
                submission=report,
                key=key,
                defaults={"label": label, "position": i, "computed": 10 + i, "value": 10 + i},
            )

    def portfolio(self, region):
        """A teacher of the region with courses, a diagnostic, a route with steps and a mentor."""
        from growth.models import Course, Diagnostic, DiagnosticResult, Mentoring, Route, RouteStep

        if Person.objects.filter(region=region, phone=PORTFOLIO_PHONE).exists():
            return
        person = Person.objects.filter(region=region).order_by("pk").first()
        Person.objects.filter(pk=person.pk).update(phone=PORTFOLIO_PHONE)
        year = self.today.year
        for i in range(8):
            ends = self.today - datetime.timedelta(days=90 * i + 10)
            Course.objects.create(
                person=person,
                title=f"Программа повышения квалификации № {i + 1}",
                provider="ЦНППМ",
                hours=36,
                starts_on=ends - datetime.timedelta(days=10),
                ends_on=ends,
                certificate_number=f"ПК-{person.pk}-{i}",
            )
        diagnostic = Diagnostic.objects.create(
            person=person, date=self.today - datetime.timedelta(days=60), instrument="ЕФС-1"
        )
        for area, percent in (("Предметные компетенции", 82), ("Методические компетенции", 55), ("Оценивание", 38)):
            DiagnosticResult.objects.create(diagnostic=diagnostic, area=area, percent=percent, is_deficit=percent < 50)
        route = Route.objects.create(
            person=person, year=year, goals="Закрыть дефицит в оценивании", diagnostic=diagnostic
        )
        for i in range(6):
            RouteStep.objects.create(
                route=route, text=f"Шаг маршрута № {i + 1}", due_on=self.today + datetime.timedelta(days=30 * i)
            )
        mentor = Person.objects.filter(school=person.school).exclude(pk=person.pk).first()
        if mentor is not None:
            Mentoring.objects.create(
                mentor=mentor, mentee=person, kind=Mentoring.Kind.PEER, starts_on=self.today.replace(day=1)
            )

    def people_import(self, region, admin):
        """A people file of `import_rows` rows (new teachers of the region's schools), checked by the
        portal's own dry run and waiting for confirmation."""
        from django.core.files.base import ContentFile

        from registers import imports
        from registers.base import get_register
        from registers.models import Import

        if self.size.import_rows == 0:
            return
        done = Import.objects.filter(user=admin, original_name=IMPORT_NAME).first()
        if done is not None and done.rows:
            return
        if done is not None:  # a check interrupted before it stored its rows: made again
            done.delete()
        rng = random.Random(f"{self.size.seed}-import")
        inns = list(School.objects.filter(municipality__region=region).values_list("inn", flat=True)[:200])
        header = [
            "Фамилия",
            "Имя",
            "Отчество",
            "E-mail",
            "Телефон",
            "Должность",
            "Регион (код)",
            "ИНН школы",
            "Квалификационная категория",
            "Год начала педагогической работы",
        ]
        lines = [";".join(header)]
        for i in range(self.size.import_rows):
            lines.append(
                ";".join(
                    [
                        rng.choice(SURNAMES_M),
                        rng.choice(NAMES_M),
                        rng.choice(PATRONYMIC_ROOTS) + "ич",
                        f"new-teacher-{i}@{region.code}.example.ru",
                        "",
                        "учитель",
                        region.code,
                        rng.choice(inns),
                        "",
                        str(rng.randint(1990, self.today.year)),
                    ]
                )
            )
        data = ("\n".join(lines) + "\n").encode("utf-8")
        upload = Import.objects.create(
            user=admin,
            register="people",
            file=ContentFile(data, name=IMPORT_NAME),
            original_name=IMPORT_NAME,
            rows_total=self.size.import_rows,
        )
        self.log(f"загрузка педагогов: проверка {self.size.import_rows} строк…")
        imports.check_rows(upload, get_register("people"))


@dataclass
class RegionContext:
    region: Region
    root: Node
    cnppm: Node
    plan: list
    shmo_nodes: list
    schools: list = field(default_factory=list)
    by_school: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)
    campaigns: dict = field(default_factory=dict)
    methodists: dict = field(default_factory=dict)
    reviewer: object = None
    admin: object = None
