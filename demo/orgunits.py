"""The demo network of `make run`: four regions from the seeds, a few hundred people and
one login per role. Never loaded in production (settings.DEMO_ENABLED)."""

import datetime
import json
import random
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from orgunits.access import grant_role
from orgunits.kinds import install_unit_kinds
from orgunits.models import OrgUnit, Region, School
from people.models import Membership, MembershipRole, Person, QualificationCategory, Subject
from people.services import sync_person_access

DEMO_PASSWORD = "metodset-demo"
DEMO_FILE = Path(__file__).resolve().parent / "fixtures" / "demo_network.json"

SURNAMES_M = [
    "Иванов",
    "Петров",
    "Кузнецов",
    "Смирнов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Волков",
    "Алексеев",
    "Павлов",
    "Семёнов",
    "Голубев",
    "Виноградов",
    "Богданов",
    "Воробьёв",
    "Фёдоров",
    "Михайлов",
    "Шогенов",
    "Кардангушев",
    "Хуранов",
    "Тхагапсоев",
    "Кумыков",
    "Эльмесов",
    "Балкаров",
    "Жанимов",
    "Цыбиков",
    "Дондоков",
    "Бадмаев",
    "Доржиев",
    "Намсараев",
    "Будаев",
]
NAMES_M = [
    "Александр",
    "Сергей",
    "Андрей",
    "Дмитрий",
    "Алексей",
    "Михаил",
    "Артур",
    "Руслан",
    "Баир",
    "Тимур",
    "Олег",
    "Игорь",
]
NAMES_F = [
    "Елена",
    "Ольга",
    "Наталья",
    "Татьяна",
    "Ирина",
    "Светлана",
    "Марина",
    "Фатима",
    "Залина",
    "Мадина",
    "Туяна",
    "Сэсэг",
    "Анна",
    "Мария",
    "Людмила",
    "Асият",
]
PATRONYMIC_ROOTS = [
    "Александров",
    "Сергеев",
    "Владимиров",
    "Николаев",
    "Петров",
    "Борисов",
    "Мухамедов",
    "Хасанбиев",
    "Викторов",
    "Юрьев",
    "Анатольев",
    "Дашиев",
]
POSITIONS = ["учитель", "учитель", "учитель", "учитель", "заместитель директора по УВР", "методист", "педагог-психолог"]


def _feminine(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин")):
        return surname + "а"
    return surname


def inn_with_checksum(nine: str) -> str:
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    return nine + str(sum(int(d) * w for d, w in zip(nine, weights, strict=True)) % 11 % 10)


class DemoBuilder:
    def __init__(self, data: dict, today: datetime.date, rng: random.Random):
        self.data = data
        self.today = today
        self.rng = rng
        self.units: dict[str, OrgUnit] = {}
        self.schools: dict[str, School] = {}
        self.people_by_school: dict[int, list[Person]] = {}
        self.people_by_region: dict[int, list[Person]] = {}
        self.subjects: list[Subject] = []
        self.email_seq = 0

    def build(self):
        self.kinds()
        self.subjects = [Subject.objects.get_or_create(name=name)[0] for name in self.data["subjects"]]
        for region_data in self.data["regions"]:
            self.region(region_data)
        self.logins()

    def kinds(self):
        # The same catalogue production installs with `install_unit_kinds --all` (orgunits/kinds.py).
        self.kind_by_code = install_unit_kinds().kinds

    def region(self, data):
        region = Region.objects.create(
            code=data["code"], name=data["name"], timezone=data["timezone"], published=data.get("published", [])
        )
        # Units first (a school points at its municipality unit), then schools, then the links.
        self.pending_schools = []
        for root in data["units"]:
            self.unit(region, root, None)
        for s in data["schools"]:
            self.school(s, data["inn_prefix"])
        for unit, key in self.pending_schools:
            unit.school = self.schools[key]
            unit.save(update_fields=["school"])
        self.people(region)
        self.memberships(region, data["units"])

    def school(self, s, inn_prefix):
        seq = len(self.schools) + 1
        school = School.objects.create(
            name=s["name"],
            short_name=s["short_name"],
            inn=inn_with_checksum(f"{inn_prefix}{seq:07d}"),
            municipality=self.units[s["municipality"]],
            address=s.get("address", ""),
        )
        self.schools[s["key"]] = school
        return school

    def unit(self, region, data, parent):
        unit = OrgUnit.objects.create(
            region=region,
            kind=self.kind_by_code[data["kind"]],
            parent=parent,
            name=data["name"],
            short_name=data.get("short_name", ""),
            opened_on=datetime.date(2021, 9, 1),
        )
        self.units[data["key"]] = unit
        if data.get("school"):
            self.pending_schools.append((unit, data["school"]))
        for child in data.get("children", []):
            self.unit(region, child, unit)

    def _person(self, region, school, position=None):
        rng = self.rng
        female = rng.random() < 0.8  # the teaching profession in Russia is mostly women
        surname = rng.choice(SURNAMES_M)
        root = rng.choice(PATRONYMIC_ROOTS)
        self.email_seq += 1
        return Person(
            region=region,
            last_name=_feminine(surname) if female else surname,
            first_name=rng.choice(NAMES_F if female else NAMES_M),
            middle_name=root + ("на" if female else "ич"),
            position=position or rng.choice(POSITIONS),
            school=school,
            qualification_category=rng.choice(QualificationCategory.values),
            teaching_since=rng.randint(1985, self.today.year - 1),
            email=f"teacher{self.email_seq}@{region.code}.metodset.local",
            phone=f"+7 (900) {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
        )

    def people(self, region):
        schools = [s for s in self.schools.values() if s.municipality.region_id == region.pk]
        for school in schools:
            staff = [self._person(region, school) for _ in range(self.rng.randint(22, 32))]
            for person in staff:
                person.save()
                person.subjects.set(self.rng.sample(self.subjects, self.rng.choice([1, 1, 2])))
            self.people_by_school[school.pk] = staff
        methodists = [self._person(region, None, "методист") for _ in range(12)]
        for person in methodists:
            person.save()
        self.people_by_region[region.pk] = [p for s in schools for p in self.people_by_school[s.pk]] + methodists

    def _pool(self, unit):
        if unit.school_id:
            return self.people_by_school[unit.school_id]
        municipal = [
            p
            for s in self.schools.values()
            if unit.kind.level != "regional"
            and s.municipality_id in self.fresh
            and self.fresh[s.municipality_id].is_ancestor_of(unit, include_self=True)
            for p in self.people_by_school[s.pk]
        ]
        return municipal or self.people_by_region[unit.region_id]

    def memberships(self, region, roots):
        start = datetime.date(self.today.year if self.today.month >= 9 else self.today.year - 1, 9, 1)
        rows = []
        # Bounds as they are now: the instances created above went stale as siblings were added.
        self.fresh = {u.pk: u for u in OrgUnit.objects.filter(region=region).select_related("kind")}
        for unit in self.fresh.values():
            pool = self._pool(unit)
            size = min(len(pool), self.rng.randint(6, 12))
            chosen = self.rng.sample(pool, size)
            for i, person in enumerate(chosen):
                role = MembershipRole.CHAIR if i == 0 else MembershipRole.SECRETARY if i == 1 else MembershipRole.MEMBER
                rows.append(
                    Membership(
                        person=person, unit=unit, role=role, starts_on=start, ends_on=Membership.default_term_end(start)
                    )
                )
            # A former member: the register keeps past terms (001 §2.8).
            former = [p for p in pool if p not in chosen]
            if former:
                prev = start.replace(year=start.year - 1)
                rows.append(
                    Membership(
                        person=self.rng.choice(former),
                        unit=unit,
                        role=MembershipRole.MEMBER,
                        starts_on=prev,
                        ends_on=Membership.default_term_end(prev),
                        left_on=Membership.default_term_end(prev),
                    )
                )
        Membership.objects.bulk_create(rows)

    def logins(self):
        User = get_user_model()
        kbr_rumo = self.units["kbr-rumo"]
        terek = self.units["kbr-terek-munumo"]

        def login(username, first, last, **extra):
            user = User.objects.create_user(
                username, f"{username}@metodset.local", DEMO_PASSWORD, first_name=first, last_name=last, **extra
            )
            return user

        # The Django admin is the superuser's alone; the regional administrator works on portal pages
        # («Администрирование»: settings, logs, unit kinds), so it needs no is_staff.
        login("root", "Суперпользователь", "Портала", is_staff=True, is_superuser=True)
        admin = login("admin", "Анна", "Администраторова")
        grant_role(admin, kbr_rumo, "administrator")
        reviewer = login("reviewer", "Марина", "Экспертова")
        grant_role(reviewer, kbr_rumo, "reviewer")

        start = datetime.date(self.today.year if self.today.month >= 9 else self.today.year - 1, 9, 1)
        terek_pool = self.people_by_school[self.schools["kbr-terek-sosh1"].pk]

        def person_for(user, unit, role, school=None, position="методист"):
            person = self._person(unit.region, school, position)
            person.last_name, person.first_name = user.last_name, user.first_name
            person.email = user.email
            person.user = user
            person.save()
            existing = (
                unit.memberships.active().filter(role=role).first()
                if role in (MembershipRole.CHAIR, MembershipRole.SECRETARY)
                else None
            )
            if existing:  # the generated holder hands the role over
                existing.left_on = start
                existing.save(update_fields=["left_on"])
            Membership.objects.create(
                person=person, unit=unit, role=role, starts_on=start, ends_on=Membership.default_term_end(start)
            )
            sync_person_access(person)
            return person

        person_for(admin, kbr_rumo, MembershipRole.MEMBER, position="администратор сети")
        person_for(reviewer, kbr_rumo, MembershipRole.MEMBER, position="эксперт РУМО")
        # Buryatia's reviewer runs the Ivolginsky effectiveness monitoring (seed 002).
        bur_rumo = self.units["bur-rumo"]
        reviewer_rb = login("reviewer_rb", "Дарима", "Мониторова")
        grant_role(reviewer_rb, bur_rumo, "reviewer")
        person_for(reviewer_rb, bur_rumo, MembershipRole.MEMBER, position="эксперт РУМО РБ")
        methodist = login("methodist", "Ольга", "Методистова")
        person_for(methodist, terek, MembershipRole.METHODIST)
        secretary = login("secretary", "Залина", "Секретарёва")
        person_for(secretary, terek, MembershipRole.SECRETARY)
        teacher = login("teacher", "Фатима", "Учителева")
        teacher_person = person_for(
            teacher,
            self.units["kbr-terek-rmo-math"],
            MembershipRole.MEMBER,
            school=self.schools["kbr-terek-sosh1"],
            position="учитель математики",
        )
        teacher_person.subjects.set([s for s in self.subjects if s.name == "Математика"])
        del terek_pool


def load_demo(today: datetime.date, seed: int = 2026) -> bool:
    """Build the demo network; False when it is already there."""
    if Region.objects.filter(code="kbr").exists():
        return False
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    with transaction.atomic():
        DemoBuilder(data, today, random.Random(seed)).build()
        from demo.growth import load_demo_growth, load_demo_surveys
        from demo.meetings import load_demo_meetings
        from demo.monitoring import load_demo_monitoring
        from demo.orders import load_demo_orders
        from demo.plans import load_demo_programs
        from demo.practices import load_demo_practices
        from demo.submissions import load_demo_submissions

        load_demo_submissions(today)
        load_demo_orders(today)
        load_demo_meetings(today)
        load_demo_growth(today)
        load_demo_surveys(today)
        load_demo_programs(today)
        load_demo_practices(today)
        # Last: the monitoring campaign computes from everything loaded above.
        load_demo_monitoring(today)
    return True
