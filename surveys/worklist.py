"""«Мои задачи»: needs surveys addressed to the user that accept answers today and are not answered yet
(surveys.services.awaiting_answer — the rule of the survey pages)."""

from __future__ import annotations

from django.urls import reverse

from worklist.registry import Task, limited, provider

from .services import awaiting_answer

GROUP = "Ответить на анкеты"


@provider
def surveys_to_answer(user, access, today):
    from people.models import Person

    person = Person.objects.filter(user=user).first()
    if person is None:
        return []
    surveys = awaiting_answer(person, today).select_related("unit").order_by("closes_on", "pk")
    return limited(
        surveys,
        lambda survey: Task(
            group=GROUP,
            title=f"«{survey.title}»",
            url=reverse("growth:survey_answer", args=[survey.pk]),
            order=50,
            unit=str(survey.unit),
            due_on=survey.closes_on,
            kind="Анкета",
            action_label="Ответить",
        ),
        more_url=reverse("growth:my_surveys"),
    )
