"""«Мои задачи»: the courses teachers added themselves that wait for this user's confirmation."""

from __future__ import annotations

from worklist.registry import Task, provider

from .confirmation import confirmers_people_q
from .models import Course

GROUP = "Подтвердить курсы повышения квалификации"
REJECTED_GROUP = "Исправить сведения о курсах"
LIMIT = 50  # one group of the home page; the portfolios hold the rest


@provider
def courses_to_confirm(user, access, today):
    """One query: pending courses of the teachers the user confirms for (never their own)."""
    people_q = confirmers_people_q(access)
    if people_q is None:
        return []
    from people.models import Person

    courses = (
        Course.objects.pending()
        .filter(person__in=Person.objects.filter(people_q).values("pk"))
        .exclude(person__user=user)
        .select_related("person__school")
        .order_by("submitted_at", "pk")[:LIMIT]
    )
    return [
        Task(
            group=GROUP,
            title=f"{course.person.full_name}: {course.title} ({course.hours} ч.)",
            url=course.get_absolute_url(),
            order=40,
            decision=True,
            unit=course.person.school.short_name if course.person.school_id else "",
            since=course.submitted_at,
            kind="Курс повышения квалификации",
        )
        for course in courses
    ]


@provider
def my_rejected_courses(user, access, today):
    """The teacher's own courses the MO rejected: the reason, and the form to correct them. One query."""
    from django.urls import reverse

    courses = (
        Course.objects.filter(person__user=user, status=Course.Status.REJECTED)
        .select_related("person")
        .order_by("pk")[:LIMIT]
    )
    return [
        Task(
            group=REJECTED_GROUP,
            title=f"{course.title} ({course.hours} ч.)",
            url=reverse("growth:course_edit", args=[course.pk]),
            order=15,
            note=f"Не подтверждён: {course.reject_reason}" if course.reject_reason else "Не подтверждён.",
            kind="Курс повышения квалификации",
            action_label="Исправить",
        )
        for course in courses
    ]
