"""«Мои задачи» and «Входящие» (issue 12): each group appears when something is due, disappears when it is
done, is never shown to a user of another unit; the home page and the inbox cost a bounded number of queries."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from growth.models import Route, RouteStep
from meetings import services as meetings
from orders import services as orders
from orders.models import CONTROL_SELF, OrderTemplate
from practices import services as practices
from programs.models import ItemStatus, RoadmapItem
from submissions import services
from submissions.models import State, Submission
from surveys.models import CourseFormat, NeedsAnswer, NeedsSurvey, SurveyTopic
from worklist.registry import Task, tasks_for

from . import factories as f
from .meetings_helpers import MEETING_DAY, add_chair, item, mark_present, new_meeting
from .test_practices import NOW as DEV_NOW
from .test_practices import advance, new_dev, rumo_expert
from .test_programs import due_item, make_program
from .workflow import AFTER_DUE, OPEN_DAY, freeze, grow, moment, report_campaign, submitted

D = datetime.date


def groups(user, today) -> dict[str, list[Task]]:
    result: dict[str, list[Task]] = {}
    for task in tasks_for(user, today):
        result.setdefault(task.group, []).append(task)
    return result


def titles(user, today, group) -> list[str]:
    return [(t.title, t.unit) for t in groups(user, today).get(group, [])]


# -- documents to file ----------------------------------------------------------------------------------


FILE = "Представить документы"
RETURNED = "Возвращены на доработку"
AGREE = "Согласовать документы"


def test_a_document_to_file_shows_its_due_date_and_a_start_button(net, login, monkeypatch):
    campaign = report_campaign(net)
    freeze(monkeypatch, OPEN_DAY)
    [task] = groups(net.users.secretary, OPEN_DAY)[FILE]
    assert (task.title, task.unit, task.due_on) == ("Годовой отчёт 2026", "Терское МунУМО", D(2027, 2, 25))
    assert task.action_url == reverse("submissions:start", args=[campaign.pk, net.terek.pk])
    page = login(net.users.secretary)
    html = page.get("/").content.decode()
    assert "Мои задачи" in html and "Годовой отчёт 2026" in html and "Начать" in html
    assert "срок 25.02.2027, осталось 15 дн." in html
    # The button starts the draft; the task stays (a draft is not filed) and continues it.
    assert page.post(task.action_url).status_code == 302
    [task] = groups(net.users.secretary, OPEN_DAY)[FILE]
    assert (task.action_url, task.action_label, task.note) == ("", "Продолжить", "черновик начат")


def test_a_filed_document_is_no_longer_due(net):
    campaign = report_campaign(net)
    submitted(campaign, net.terek, net.users.secretary)
    assert FILE not in groups(net.users.secretary, OPEN_DAY)


def test_overdue_until_the_campaign_closes_then_nothing_to_file(net):
    report_campaign(net)
    [task] = groups(net.users.secretary, AFTER_DUE)[FILE]
    assert task.days_left(AFTER_DUE) == -2
    assert FILE not in groups(net.users.secretary, D(2027, 3, 2))  # closed 01.03.2027: «не представлен»
    assert FILE not in groups(net.users.secretary, D(2027, 1, 9))  # not open yet


def test_only_the_units_one_files_for(net):
    report_campaign(net)
    assert titles(net.users.baksan_methodist, OPEN_DAY, FILE) == [("Годовой отчёт 2026", "Баксанское МунУМО")]
    assert titles(net.users.shmo_secretary, OPEN_DAY, FILE) == [("Годовой отчёт 2026", "ШМО математиков СОШ № 1")]
    for user in (net.users.teacher, net.users.reviewer, net.users.admin, net.users.outsider, net.users.superuser):
        assert FILE not in groups(user, OPEN_DAY), user


# -- returned and to agree ------------------------------------------------------------------------------


def test_a_returned_document_shows_the_reason_until_it_is_sent_again(net, login):
    campaign = report_campaign(net)
    doc = submitted(campaign, net.terek, net.users.secretary)
    services.return_for_revision(doc, net.users.reviewer, "Нет раздела о наставничестве.", moment(OPEN_DAY, 14))
    [task] = groups(net.users.secretary, OPEN_DAY)[RETURNED]
    assert task.note == "Причина возврата: Нет раздела о наставничестве."
    assert "Нет раздела о наставничестве." in login(net.users.secretary).get("/").content.decode()
    assert RETURNED not in groups(net.users.baksan_methodist, OPEN_DAY)
    assert RETURNED not in groups(net.users.reviewer, OPEN_DAY)
    doc.refresh_from_db()
    services.submit(doc, net.users.secretary, moment(OPEN_DAY, 15), OPEN_DAY)
    assert RETURNED not in groups(net.users.secretary, OPEN_DAY)


def test_documents_to_agree_oldest_first_with_the_resubmitted_mark(net):
    campaign = report_campaign(net)
    baksan = submitted(campaign, net.baksan, net.users.baksan_methodist, day=D(2027, 2, 12))
    terek = submitted(campaign, net.terek, net.users.secretary, day=D(2027, 2, 11))
    tasks = groups(net.users.reviewer, AFTER_DUE)[AGREE]
    assert [(t.unit, t.resubmitted, t.decision) for t in tasks] == [
        ("Терское МунУМО", False, True),
        ("Баксанское МунУМО", False, True),
    ]
    assert tasks[0].waiting_days(AFTER_DUE) == 16
    services.return_for_revision(terek, net.users.reviewer, "Доработать.", moment(D(2027, 2, 13)))
    terek.refresh_from_db()
    services.submit(terek, net.users.secretary, moment(D(2027, 2, 14)), D(2027, 2, 14))
    tasks = groups(net.users.reviewer, AFTER_DUE)[AGREE]
    assert [(t.unit, t.resubmitted) for t in tasks] == [("Баксанское МунУМО", False), ("Терское МунУМО", True)]
    services.approve(baksan, net.users.reviewer, moment(AFTER_DUE))
    assert [t.unit for t in groups(net.users.reviewer, AFTER_DUE)[AGREE]] == ["Терское МунУМО"]


def test_documents_to_agree_only_for_their_reviewers(net):
    campaign = report_campaign(net)
    submitted(campaign, net.terek, net.users.secretary)
    assert AGREE in groups(net.users.reviewer, OPEN_DAY)
    for user in (net.users.secretary, net.users.baksan_methodist, net.users.teacher, net.users.outsider):
        assert AGREE not in groups(user, OPEN_DAY), user


# -- protocols ------------------------------------------------------------------------------------------


PROTOCOLS = "Подтвердить протоколы"


def test_a_protocol_waits_for_each_signer_until_they_confirm(net):
    add_chair(net)
    meeting = new_meeting(net)
    day = MEETING_DAY + datetime.timedelta(days=2)
    assert PROTOCOLS not in groups(net.users.chair, MEETING_DAY - datetime.timedelta(days=1))  # not held yet
    for user in (net.users.chair, net.users.secretary):
        [task] = groups(user, day)[PROTOCOLS]
        assert (task.title, task.decision, task.waiting_days(day)) == (str(meeting), True, 2)
    for user in (net.users.methodist, net.users.baksan_methodist, net.users.reviewer, net.users.teacher):
        assert PROTOCOLS not in groups(user, day), user
    mark_present(net, meeting, 2)
    item(net, meeting)
    meeting.refresh_from_db()
    meetings.confirm(meeting, net.users.chair, meeting.version, moment(day))
    assert PROTOCOLS not in groups(net.users.chair, day)
    [task] = groups(net.users.secretary, day)[PROTOCOLS]
    assert task.note == "второй подписант уже подтвердил"


# -- orders ---------------------------------------------------------------------------------------------


SIGN = "Подписать приказы"


def test_a_draft_order_waits_for_the_units_filers_until_signed(net, login):
    chair = f.PersonFactory(region=net.region, last_name="Председателева", first_name="Анна", middle_name="Петровна")
    f.member(chair, net.terek, "chair")
    order = orders.create_order(net.terek, OrderTemplate.FREE, D(2026, 9, 1), None, heading="О семинаре")
    orders.update_order(
        order, fields={}, points=[{"text": "Провести семинар."}, {"text": CONTROL_SELF}], expected_version=order.version
    )
    today = D(2026, 9, 3)
    [task] = groups(net.users.secretary, today)[SIGN]
    assert (task.url, task.decision, task.unit) == (order.get_absolute_url(), True, "Терское МунУМО")
    for user in (net.users.baksan_methodist, net.users.teacher, net.users.reviewer, net.users.admin):
        assert SIGN not in groups(user, today), user
    assert login(net.users.secretary).post(reverse("orders:sign", args=[order.pk])).status_code == 302
    assert SIGN not in groups(net.users.secretary, today)


# -- developments ---------------------------------------------------------------------------------------


def test_the_expertise_of_a_development_step_by_step(net):
    today = DEV_NOW.date()
    expert = rumo_expert(net)
    dev = new_dev(net)
    assert not groups(net.users.reviewer, today)
    advance(net, dev, "submitted")
    assert [t.title for t in groups(net.users.reviewer, today)["Назначить экспертов"]] == [f"«{dev.title}»"]
    assert "Назначить экспертов" not in groups(net.users.secretary, today)
    advance(net, dev, "in_expertise", expert=expert)
    assert "Назначить экспертов" not in groups(net.users.reviewer, today)
    [task] = groups(expert, today)["Написать заключение эксперта"]
    assert task.decision
    assert "Написать заключение эксперта" not in groups(net.users.reviewer, today)
    advance(net, dev, "concluded", expert=expert)
    assert "Написать заключение эксперта" not in groups(expert, today)
    assert "Принять решение по разработке" in groups(net.users.reviewer, today)
    dev.refresh_from_db()
    practices.decide(dev, net.users.reviewer, "revise", "Добавьте критерии оценивания.", DEV_NOW, dev.version)
    assert "Принять решение по разработке" not in groups(net.users.reviewer, today)
    [task] = groups(net.users.teacher, today)["Доработать разработку"]
    assert task.note == "Что доработать: Добавьте критерии оценивания."
    assert "Доработать разработку" not in groups(net.users.baksan_methodist, today)


# -- surveys, roadmaps, ИОМ -----------------------------------------------------------------------------


def test_a_survey_to_answer_until_answered(net):
    survey = NeedsSurvey.objects.create(
        unit=net.terek,
        year=2027,
        title="Потребности педагогов",
        opens_on=D(2027, 3, 1),
        closes_on=D(2027, 3, 31),
        state=NeedsSurvey.State.OPEN,
    )
    SurveyTopic.objects.create(survey=survey, area="Цифровые компетенции", title="Электронный журнал")
    today = D(2027, 3, 10)
    [task] = groups(net.users.teacher, today)["Ответить на анкеты"]
    assert (task.title, task.due_on, task.url) == (
        "«Потребности педагогов»",
        D(2027, 3, 31),
        reverse("growth:survey_answer", args=[survey.pk]),
    )
    assert "Ответить на анкеты" not in groups(net.users.baksan_methodist, today)
    assert "Ответить на анкеты" not in groups(net.users.teacher, D(2027, 4, 1))  # the answering period is over
    NeedsAnswer.objects.create(
        survey=survey, person=net.users.teacher_person, preferred_format=CourseFormat.REMOTE, submitted_at=moment(today)
    )
    assert "Ответить на анкеты" not in groups(net.users.teacher, today)


def test_an_overdue_roadmap_item_for_whom_answers_for_it(net):
    program = make_program(net.terek)
    start = program.start_year
    item = due_item(program, D(start, 3, 1), responsible_person=net.users.teacher_person)
    assert "Просроченные пункты дорожных карт" not in groups(net.users.teacher, D(start, 3, 1))
    [task] = groups(net.users.teacher, D(start, 3, 5))["Просроченные пункты дорожных карт"]
    assert task.days_left(D(start, 3, 5)) == -4
    assert "Просроченные пункты дорожных карт" not in groups(net.users.baksan_methodist, D(start, 3, 5))
    RoadmapItem.objects.filter(pk=item.pk).update(status=ItemStatus.DONE)
    assert "Просроченные пункты дорожных карт" not in groups(net.users.teacher, D(start, 3, 5))


def test_an_overdue_step_of_ones_own_route(net):
    route = Route.objects.create(person=net.users.teacher_person, year=2026, goals="Цифровые навыки")
    step = RouteStep.objects.create(route=route, text="Пройти КПК", due_on=D(2026, 10, 15))
    assert "Просроченные шаги ИОМ" not in groups(net.users.teacher, D(2026, 10, 15))
    [task] = groups(net.users.teacher, D(2026, 10, 20))["Просроченные шаги ИОМ"]
    assert task.title == "Пройти КПК (ИОМ на 2026 год)"
    assert "Просроченные шаги ИОМ" not in groups(net.users.secretary, D(2026, 10, 20))
    RouteStep.objects.filter(pk=step.pk).update(status=RouteStep.Status.DONE)
    assert "Просроченные шаги ИОМ" not in groups(net.users.teacher, D(2026, 10, 20))


# -- the home page and the inbox ------------------------------------------------------------------------


def test_an_empty_list_says_so(net, login):
    html = login(net.users.outsider).get("/").content.decode()
    assert "Сейчас от вас ничего не ждут" in html
    assert "Мои подразделения" in html and "Мои роли" in html


def seed_waiting(net, campaign, units, first=0):
    """Reports of `units` on approval at РУМО, sent one a day from 10.01.2027 (cycling over 40 days)."""
    Submission.objects.bulk_create(
        Submission(
            campaign=campaign,
            unit=unit,
            state=State.SUBMITTED,
            approver=net.rumo,
            submitted_at=moment(D(2027, 1, 10) + datetime.timedelta(days=(first + i) % 40)),
            first_submitted_on=D(2027, 1, 10),
        )
        for i, unit in enumerate(units)
    )


def test_the_home_page_costs_the_same_whatever_is_waiting(net, login, monkeypatch, django_assert_max_num_queries):
    campaign = report_campaign(net)
    units = grow(net, 200)
    seed_waiting(net, campaign, units[:60])
    freeze(monkeypatch, AFTER_DUE)
    client = login(net.users.reviewer)
    client.get("/")
    with CaptureQueriesContext(connection) as small:
        html = client.get("/").content.decode()
    assert "и ещё 10" in html
    seed_waiting(net, campaign, units[60:180], first=60)
    with django_assert_max_num_queries(len(small)):
        html = client.get("/").content.decode()
    assert "Согласовать документы" in html and "и ещё 130" in html
    assert html.count("Годовой отчёт 2026") == 50


def test_the_inbox_lists_every_decision_oldest_first(net, login, monkeypatch, django_assert_max_num_queries):
    campaign = report_campaign(net)
    submitted(campaign, net.baksan, net.users.baksan_methodist, day=D(2027, 2, 12))
    submitted(campaign, net.terek, net.users.secretary, day=D(2027, 2, 11))
    freeze(monkeypatch, AFTER_DUE)
    client = login(net.users.reviewer)
    address = reverse("worklist:inbox")
    assert address == "/inbox/"
    with django_assert_max_num_queries(40):
        response = client.get(address)
    rows = [r.task.unit for r in response.context["page_obj"]]
    assert rows == ["Терское МунУМО", "Баксанское МунУМО"]
    html = response.content.decode()
    assert "16 дн." in html and "15 дн." in html and reverse("submissions:inbox") in html
    newest = [r.task.unit for r in client.get(address + "?sort=newest").context["page_obj"]]
    assert newest == ["Баксанское МунУМО", "Терское МунУМО"]


def test_the_inbox_holds_decisions_only(net, login, monkeypatch):
    report_campaign(net)  # the secretary owes a report: a task, not a decision
    freeze(monkeypatch, OPEN_DAY)
    response = login(net.users.secretary).get(reverse("worklist:inbox"))
    assert list(response.context["page_obj"]) == []
    assert "Решений и подписей от вас сейчас не ждут" in response.content.decode()
    assert "Годовой отчёт 2026" in login(net.users.secretary).get("/").content.decode()


def test_the_inbox_query_count_does_not_grow(net, login, monkeypatch, django_assert_max_num_queries):
    campaign = report_campaign(net)
    units = grow(net, 200)
    seed_waiting(net, campaign, units[:60])
    freeze(monkeypatch, AFTER_DUE)
    client = login(net.users.reviewer)
    client.get(reverse("worklist:inbox"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("worklist:inbox"))
    seed_waiting(net, campaign, units[60:180], first=60)
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("worklist:inbox"))
    assert len(response.context["page_obj"]) == 50
    assert [r.task.more for r in response.context["more"]] == [130]
