"""The needs surveys: who organises and answers them, their moves, their answers and results."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

import workflow
from network.models import StaleVersionError
from network.notify import notify
from orgunits.access import access_for
from orgunits.models import OrgUnit
from orgunits.subtree import ancestors_q, subtree_q
from people.models import Membership

from .models import CourseFormat, NeedsAnswer, NeedsSurvey, SurveyTopic

# -- Monitoring of professional needs and deficits (issue 5, part 7; seed 004 roadmap) --------------

# Seed 004 (Oktyabrsky district): the monitoring is designed in January and run in March.
SURVEY_OPENS = (3, 1)
SURVEY_CLOSES = (3, 31)

# Competence areas offered when a topic is added: the seed 004 programme's expected results, then
# whatever the region's diagnostics already use (the vocabulary teachers see in their portfolios).
DEFAULT_AREAS = [
    "Предметные компетенции",
    "Методические компетенции",
    "Оценивание образовательных результатов",
    "Функциональная грамотность",
    "Цифровые компетенции",
    "Инклюзивное образование",
    "Работа с одарёнными детьми",
    "Воспитательная работа",
]
AREA_SUGGESTIONS_LIMIT = 100

NO_TOPICS = "Анкету нельзя открыть без тем: добавьте хотя бы одну тему."
EMPTY_ANSWER = "Отметьте хотя бы одну тему или опишите свои затруднения."


def default_survey_dates(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, *SURVEY_OPENS), datetime.date(year, *SURVEY_CLOSES)


def area_suggestions(region_id) -> list[str]:
    from growth.models import DiagnosticResult  # the vocabulary of the diagnostics (growth)

    used = (
        DiagnosticResult.objects.filter(diagnostic__person__region_id=region_id)
        .values_list("area", flat=True)
        .distinct()
        .order_by("area")[:AREA_SUGGESTIONS_LIMIT]
    )
    seen = dict.fromkeys(DEFAULT_AREAS)
    seen.update(dict.fromkeys(used))
    return list(seen)


# -- who may do what


def can_organise(user, unit) -> bool:
    """Design, open and close the unit's surveys: those who keep its records (its filers and its
    administrators: `keep_records` covers `manage`)."""
    return access_for(user).can("keep_records", unit)


def can_see_results(user, unit) -> bool:
    """Organisers, and reviewers above the unit (РУМО curators, the chair of a МунУМО)."""
    return can_organise(user, unit) or access_for(user).can("review", unit)


def organised_surveys(user):
    """Surveys the user organises or sees the results of (`can_see_results` as a filter)."""
    access = access_for(user)
    parts = [q for q in (access.q_for_units(a, prefix="unit__") for a in ("keep_records", "review")) if q is not None]
    if not parts:
        return NeedsSurvey.objects.none()
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return NeedsSurvey.objects.filter(q)


def respondent_units(person, survey):
    """The person's active memberships' units inside the organiser's subtree."""
    return OrgUnit.objects.filter(
        subtree_q(survey.unit),
        pk__in=Membership.objects.active().filter(person=person).values("unit_id"),
    )


def is_respondent(person, survey) -> bool:
    """A teacher with a login who is an active member of a unit in the organiser's subtree."""
    if person is None or person.user_id is None:
        return False
    return Membership.objects.active().filter(subtree_q(survey.unit, "unit__"), person=person).exists()


def addressed_to(person, survey) -> bool:
    """The survey is out (not being designed) and the person is among its respondents."""
    return survey.state != NeedsSurvey.State.DESIGN and is_respondent(person, survey)


def accepting_answers(survey, today: datetime.date) -> str | None:
    """None when answers are accepted today; else why not."""
    if survey.state == NeedsSurvey.State.DESIGN:
        return "Анкета ещё готовится: ответы не принимаются."
    if survey.state == NeedsSurvey.State.CLOSED:
        return "Анкетирование завершено: ответ изменить нельзя."
    if today < survey.opens_on:
        return f"Приём ответов начнётся {survey.opens_on:%d.%m.%Y}."
    if today > survey.closes_on:
        return f"Приём ответов закончился {survey.closes_on:%d.%m.%Y}."
    return None


def surveys_for(person):
    """Surveys addressed to the person (open or closed, never those being designed): any organised
    by one of their active units or by a unit above one."""
    if person is None or person.user_id is None:
        return NeedsSurvey.objects.none()
    units = [m.unit for m in Membership.objects.active().filter(person=person).select_related("unit")]
    if not units:
        return NeedsSurvey.objects.none()
    q = Q()
    for unit in units:
        q |= ancestors_q(unit, "unit__")
    return NeedsSurvey.objects.filter(q).exclude(state=NeedsSurvey.State.DESIGN)


def awaiting_answer(person, today: datetime.date):
    """Open surveys for the person that accept answers today and that they have not answered."""
    return (
        surveys_for(person)
        .filter(state=NeedsSurvey.State.OPEN, opens_on__lte=today, closes_on__gte=today)
        .exclude(answers__person=person)
    )


# -- transitions


def respondent_users(survey):
    from django.contrib.auth import get_user_model

    people = Membership.objects.active().filter(subtree_q(survey.unit, "unit__")).values("person_id")
    return get_user_model().objects.filter(person__in=people, is_active=True)


def open_survey(survey, today: datetime.date, now=None, by=None):
    """design → open: only with at least one topic and while the closing date is ahead
    (the move «open» of surveys/machines.py; `by` None is the system)."""
    return workflow.perform(survey, "open", by, now=now, today=today)


def close_survey(survey, now=None, by=None):
    """open → closed, by its organiser or (by=None) the daily sweep."""
    return workflow.perform(survey, "close", by, now=now)


def close_expired_surveys(today: datetime.date, report, region=None) -> None:
    """The daily sweep: a survey whose answering period ended before `today` is closed and its
    organisers are told the results are final. Idempotent: only open surveys are touched. With `region`,
    only its surveys (`today` is its local date)."""
    from submissions.services import unit_filers

    surveys = NeedsSurvey.objects.filter(state=NeedsSurvey.State.OPEN, closes_on__lt=today)
    if region is not None:
        surveys = surveys.filter(unit__region=region)
    expired = list(surveys.select_related("unit"))
    if not expired:
        return
    filers = unit_filers({s.unit_id for s in expired})
    for survey in expired:
        try:
            close_survey(survey)
        except ValidationError:
            continue  # closed by its organiser meanwhile
        notify(
            filers.get(survey.unit_id, []),
            f"Анкета «{survey}» завершена: приём ответов закончился {survey.closes_on:%d.%m.%Y}. Итоги готовы.",
            reverse("growth:survey_results", args=[survey.pk]),
        )
        report.surveys_closed += 1
        report.lines.append(f"Анкета «{survey}» ({survey.unit}) — завершена по сроку")


@transaction.atomic
def save_answer(*, survey, person, topics, difficulties, preferred_format, expected_version, today, now=None):
    """Create or change the person's answer. Raises ValidationError (closed survey, not a
    respondent, a topic of another survey) or StaleVersionError (changed in another tab)."""
    if not is_respondent(person, survey):
        raise ValidationError("Анкета адресована педагогам подразделений организатора.")
    locked = NeedsSurvey.objects.select_for_update().get(pk=survey.pk)
    reason = accepting_answers(locked, today)
    if reason:
        raise ValidationError(reason)
    topics = list(topics)
    if any(t.survey_id != survey.pk for t in topics):
        raise ValidationError({"topics": "Выберите темы из этой анкеты."})
    difficulties = difficulties.strip()
    if not topics and not difficulties:
        raise ValidationError({"topics": EMPTY_ANSWER})
    answer = NeedsAnswer.objects.filter(survey=survey, person=person).first()
    fields = {"difficulties": difficulties, "preferred_format": preferred_format}
    if answer is None:
        if expected_version not in (None, 1):
            raise StaleVersionError
        try:
            with transaction.atomic():
                answer = NeedsAnswer.objects.create(
                    survey=survey, person=person, submitted_at=now or timezone.now(), **fields
                )
        except IntegrityError as exc:  # the same form sent twice at once
            raise StaleVersionError from exc
    else:
        for name, value in fields.items():
            setattr(answer, name, value)
        answer.save_versioned(expected_version)
    answer.topics.set(topics)
    answer.units.set(respondent_units(person, survey))
    return answer


# -- results


@dataclass
class TopicResult:
    topic: object
    count: int
    share: int  # % of the respondents
    formats: dict  # format code -> count
    preferred: str  # the format most of those who asked for the topic prefer ("" if nobody)

    @property
    def preferred_label(self):
        return CourseFormat(self.preferred).label if self.preferred else "—"

    def format_counts(self):
        return [(label, self.formats.get(code, 0)) for code, label in CourseFormat.choices]


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def topic_results(survey) -> tuple[int, list[TopicResult]]:
    """(respondents, topics in their order with counts, shares and preferred formats): 3 queries."""
    total = survey.answers.count()
    counts = dict(SurveyTopic.objects.filter(survey=survey).annotate(n=Count("answers")).values_list("pk", "n"))
    formats: dict[int, dict] = {}
    for topic_id, fmt, n in (
        NeedsAnswer.objects.filter(survey=survey, topics__isnull=False)
        .values_list("topics", "preferred_format")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        formats.setdefault(topic_id, {})[fmt] = n
    rows = []
    for topic in survey.topics.all():
        by_format = formats.get(topic.pk, {})
        order = list(CourseFormat.values)
        preferred = max(by_format, key=lambda c: (by_format[c], -order.index(c))) if by_format else ""
        n = counts.get(topic.pk, 0)
        rows.append(TopicResult(topic, n, percent(n, total), by_format, preferred))
    return total, rows


def plan_schedule(rows: list[TopicResult]) -> list[TopicResult]:
    """The «план-график курсовой подготовки» suggestion: topics asked for, the most demanded first."""
    return sorted((r for r in rows if r.count), key=lambda r: (-r.count, r.topic.position, r.topic.pk))


def format_totals(survey) -> list[tuple[str, int]]:
    rows = survey.answers.values("preferred_format").annotate(n=Count("pk")).order_by()
    counts = {row["preferred_format"]: row["n"] for row in rows}
    return [(label, counts.get(code, 0)) for code, label in CourseFormat.choices]


def unit_breakdown_units(survey):
    """The respondents' units (in the organiser's subtree), each with its number of respondents."""
    return (
        OrgUnit.objects.filter(survey_answers__survey=survey)
        .annotate(respondents=Count("survey_answers"))
        .order_by("tree_id", "lft")
    )


def unit_topic_counts(survey, unit_ids) -> dict[tuple[int, int], int]:
    """(unit, topic) -> respondents of that unit who asked for the topic: one query."""
    rows = (
        NeedsAnswer.objects.filter(survey=survey, units__in=list(unit_ids), topics__isnull=False)
        .values_list("units", "topics")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(unit_id, topic_id): n for unit_id, topic_id, n in rows}


def unit_rows(units, topics, counts):
    """Per unit: (unit, respondents, [(count, share) per topic])."""
    return [
        (
            unit,
            unit.respondents,
            [
                (counts.get((unit.pk, t.pk), 0), percent(counts.get((unit.pk, t.pk), 0), unit.respondents))
                for t in topics
            ],
        )
        for unit in units
    ]
