import datetime
from dataclasses import dataclass

from django.conf import settings

from surveys.models import NeedsAnswer, SurveyTopic

from .models import Course, Diagnostic


def is_young_specialist(person, today: datetime.date) -> bool:
    """Fewer than settings.YOUNG_SPECIALIST_YEARS full calendar years since teaching began."""
    if person.teaching_since is None:
        return False
    return today.year - person.teaching_since < settings.YOUNG_SPECIALIST_YEARS


def years_before(today: datetime.date, years: int) -> datetime.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def courses_in_last_years(person, today: datetime.date, years: int = 3):
    """Confirmed courses finished within the last `years` years (up to today)."""
    return Course.objects.confirmed().filter(person=person, ends_on__gte=years_before(today, years), ends_on__lte=today)


# -- ИОМ suggestions


@dataclass(frozen=True)
class Suggestion:
    text: str
    source: str


def route_suggestions(person, year: int) -> list[Suggestion]:
    """Goals for the person's ИОМ of `year`: the deficits of their latest diagnostic (up to that
    year) and the needs they named in the surveys of that year. Three queries."""
    suggestions: list[Suggestion] = []
    diagnostic = Diagnostic.objects.filter(person=person, date__year__lte=year).order_by("-date", "-pk").first()
    if diagnostic is not None:
        source = f"диагностика {diagnostic.date:%d.%m.%Y}"
        for result in diagnostic.results.filter(is_deficit=True).order_by("percent", "pk"):
            suggestions.append(
                Suggestion(f"Устранить дефицит в области «{result.area}» (результат {result.percent} %).", source)
            )
    answers = NeedsAnswer.objects.filter(person=person, survey__year=year).select_related("survey")
    topics = (
        SurveyTopic.objects.filter(answers__in=answers).select_related("survey").order_by("survey_id", "position", "pk")
    )
    formats = {a.survey_id: a.get_preferred_format_display() for a in answers}
    for topic in topics:
        suggestions.append(
            Suggestion(
                f"Освоить тему «{topic.title}» ({topic.area}); формат обучения — {formats[topic.survey_id]}.",
                f"анкета «{topic.survey.title}»",
            )
        )
    unique = dict.fromkeys(suggestions)
    return list(unique)


def suggested_goals(suggestions: list[Suggestion]) -> str:
    return "\n".join(f"— {s.text}" for s in suggestions)
