"""Demo growth records: the demo teacher's portfolio shows courses, a diagnosis, a route and a mentor."""

import datetime

from django.utils import timezone

import workflow
from growth.models import Course, Diagnostic, DiagnosticResult, Mentoring, Route, RouteStep
from people.models import Person


def load_demo_growth(today: datetime.date) -> None:
    teacher = Person.objects.select_related("school").get(user__username="teacher")
    teacher.teaching_since = today.year - 1  # a young specialist
    teacher.save(update_fields=["teaching_since", "search"])
    Course.objects.create(
        person=teacher,
        title="Реализация требований обновлённых ФГОС ООО в работе учителя математики",
        provider="ГБУ ДПО ЦНППМ КБР",
        hours=36,
        starts_on=datetime.date(today.year, 3, 2),
        ends_on=datetime.date(today.year, 3, 13),
        certificate_number="072400012345",
    )
    Course.objects.create(
        person=teacher,
        title="Функциональная грамотность: математическая грамотность",
        provider="ФГАОУ ДПО «Академия Минпросвещения России»",
        hours=72,
        starts_on=datetime.date(today.year - 1, 10, 5),
        ends_on=datetime.date(today.year - 1, 11, 20),
    )
    # One the teacher added herself: it waits for her MO to confirm it (the methodist's task on the home page).
    pending = Course.objects.create(
        person=teacher,
        title="Формирующее оценивание на уроках математики",
        provider="ГБУ ДПО ЦНППМ КБР",
        hours=24,
        starts_on=today - datetime.timedelta(days=60),
        ends_on=today - datetime.timedelta(days=49),
        certificate_number="072400067890",
        status=Course.Status.PENDING,
        submitted_at=timezone.now(),
    )
    workflow.record_start(pending, teacher.user)
    diagnostic = Diagnostic.objects.create(
        person=teacher, date=datetime.date(today.year, 1, 20), instrument="Диагностика профессиональных дефицитов ЦНППМ"
    )
    for area, percent in [("Предметные компетенции", 78), ("Методические компетенции", 52), ("Оценивание", 38)]:
        DiagnosticResult.objects.create(diagnostic=diagnostic, area=area, percent=percent, is_deficit=percent < 60)
    route = Route.objects.create(
        person=teacher,
        year=today.year,
        goals="Устранить дефициты в оценивании и методике формирования функциональной грамотности.",
        diagnostic=diagnostic,
    )
    for text, month, status in [
        ("Посетить 3 урока наставника", 2, RouteStep.Status.DONE),
        ("Пройти КПК по критериальному оцениванию", 10, RouteStep.Status.IN_PROGRESS),
        ("Провести открытый урок на РМО", 12, RouteStep.Status.PLANNED),
    ]:
        RouteStep.objects.create(route=route, text=text, due_on=datetime.date(today.year, month, 15), status=status)
    mentor = (
        Person.objects.filter(school=teacher.school, qualification_category="highest")
        .exclude(pk=teacher.pk)
        .order_by("pk")
        .first()
    )
    if mentor is not None:
        Mentoring.objects.create(
            mentor=mentor, mentee=teacher, kind=Mentoring.Kind.YOUNG, starts_on=datetime.date(today.year - 1, 9, 1)
        )


DEMO_TOPICS = [
    ("Предметные компетенции", "Трудные задания ОГЭ и ЕГЭ: методика подготовки"),
    ("Методические компетенции", "Проектирование урока по обновлённым ФГОС"),
    ("Оценивание", "Критериальное оценивание и формирующее оценивание"),
    ("Функциональная грамотность", "Задания на функциональную грамотность на уроке"),
    ("Цифровые компетенции", "ФГИС «Моя школа» и цифровые образовательные ресурсы"),
    ("Инклюзивное образование", "Обучение детей с ОВЗ в обычном классе"),
    ("Работа с одарёнными детьми", "Подготовка к олимпиадам"),
]
DEMO_DIFFICULTIES = [
    "Не хватает времени на индивидуальную работу со слабыми учениками.",
    "Трудно составлять задания на функциональную грамотность по своему предмету.",
    "Нужна помощь с электронным журналом и цифровыми ресурсами.",
    "Не знаю, как выстроить работу с ребёнком с ОВЗ.",
    "",
    "",
]


def _answer(survey, person, topics, rng, submitted_at, units):
    from surveys.models import CourseFormat, NeedsAnswer

    answer = NeedsAnswer.objects.create(
        survey=survey,
        person=person,
        difficulties=rng.choice(DEMO_DIFFICULTIES),
        preferred_format=rng.choice(
            [CourseFormat.IN_PERSON, CourseFormat.REMOTE, CourseFormat.BLENDED, CourseFormat.BLENDED]
        ),
        submitted_at=submitted_at,
    )
    answer.topics.set(rng.sample(topics, rng.randint(1, 3)))
    answer.units.set(units)
    return answer


def _answers_from_members(survey, topics, rng, count, submitted_at, exclude=()):
    """`count` generated members of the organiser's subtree answer (their units at the time)."""
    from orgunits.subtree import subtree_q
    from people.models import Membership

    memberships = (
        Membership.objects.active()
        .filter(subtree_q(survey.unit, "unit__"))
        .exclude(person__in=list(exclude))
        .order_by("person_id", "unit_id")
        .values_list("person_id", "unit_id")
    )
    units_of: dict[int, list[int]] = {}
    for person_id, unit_id in memberships:
        units_of.setdefault(person_id, []).append(unit_id)
    chosen = rng.sample(sorted(units_of), min(count, len(units_of)))
    for person in Person.objects.filter(pk__in=chosen).order_by("pk"):
        _answer(survey, person, topics, rng, submitted_at, units_of[person.pk])


def load_demo_surveys(today: datetime.date) -> None:
    """The needs monitoring of «МунУМО Терского района» (seed 004: designed in January, run in March):
    this year's survey, open, answered by ~20 members and by the demo teacher; last year's, closed."""
    import random

    from django.utils import timezone

    from orgunits.models import OrgUnit
    from surveys.models import CourseFormat, NeedsSurvey, SurveyTopic
    from surveys.services import default_survey_dates, respondent_units

    rng = random.Random(today.year)
    organiser = OrgUnit.objects.get(region__code="kbr", short_name="МунУМО Терского района")
    teacher = Person.objects.get(user__username="teacher")
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(10, 0)))

    # Last year's monitoring: closed, its answers gave last year's plan-schedule.
    opens, closes = default_survey_dates(today.year - 1)
    last_march = timezone.make_aware(datetime.datetime.combine(closes, datetime.time(10, 0)))
    previous = NeedsSurvey.objects.create(
        unit=organiser,
        year=today.year - 1,
        title=f"Мониторинг профессиональных потребностей и дефицитов педагогов, {today.year - 1}",
        opens_on=opens,
        closes_on=closes,
        state=NeedsSurvey.State.CLOSED,
        opened_at=last_march,
        closed_at=last_march,
    )
    previous_topics = [
        SurveyTopic.objects.create(survey=previous, area=area, title=title, position=i)
        for i, (area, title) in enumerate(DEMO_TOPICS[:5], start=1)
    ]
    _answers_from_members(previous, previous_topics, rng, 18, last_march)

    # This year's monitoring runs in March. For the demo it is open whatever the date: before March
    # it opens today, after March its closing date moves to a fortnight ahead (within the year), so
    # that the demo teacher can answer and change the answer.
    opens, closes = default_survey_dates(today.year)
    opens = min(opens, today)
    closes = max(closes, min(today + datetime.timedelta(days=14), datetime.date(today.year, 12, 31)))
    current = NeedsSurvey.objects.create(
        unit=organiser,
        year=today.year,
        title=f"Мониторинг профессиональных потребностей и дефицитов педагогов, {today.year}",
        instructions=(
            "Уважаемые коллеги! Отметьте темы, по которым вам нужны курсы или методическая помощь, "
            "и опишите свои затруднения. Ответы войдут в план-график курсовой подготовки."
        ),
        opens_on=opens,
        closes_on=closes,
        state=NeedsSurvey.State.OPEN,
        opened_at=now,
    )
    topics = [
        SurveyTopic.objects.create(survey=current, area=area, title=title, position=i)
        for i, (area, title) in enumerate(DEMO_TOPICS, start=1)
    ]
    _answers_from_members(current, topics, rng, 20, now, exclude=[teacher.pk])
    # The demo teacher's own answer: their diagnostic showed a deficit in assessment.
    answer = _answer(current, teacher, topics, rng, now, respondent_units(teacher, current))
    answer.topics.set([t for t in topics if t.area in ("Оценивание", "Функциональная грамотность")])
    answer.preferred_format = CourseFormat.BLENDED
    answer.difficulties = "Трудно выстроить систему формирующего оценивания в 5–6 классах."
    answer.save()
