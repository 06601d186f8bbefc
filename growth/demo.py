"""Demo growth records: the demo teacher's portfolio shows courses, a diagnosis, a route and a mentor."""

import datetime

from people.models import Person

from .models import Course, Diagnostic, DiagnosticResult, Mentoring, Route, RouteStep


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


def load_demo_surveys(today: datetime.date) -> None:
    """Placeholder until the needs survey lands (issue 5, part 7)."""
