"""The plan editor: who may edit (404 / 403), when (draft, returned), optimistic locking,
the rules of an item's term, copying last year's plan, and the page's query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Direction, PlanItem, Timing
from submissions.editing import CONFLICT_MESSAGE

from . import documents as d

pytestmark = pytest.mark.django_db


def edit_url(submission):
    return reverse("plans:edit", args=[submission.pk])


def version(submission):
    submission.refresh_from_db()
    return submission.version


# -- editing as a filer ---------------------------------------------------------------------------


def test_editor_lists_items_grouped_by_direction(net, login):
    plan = d.plan(net)
    d.item(plan, direction=Direction.YOUNG, activity="Школа молодого педагога")
    d.item(
        plan, direction=Direction.FGOS, activity="Семинар по ФГОС", timing=Timing.DATE, date=datetime.date(2026, 10, 3)
    )

    page = login(net.users.secretary).get(edit_url(plan))

    assert page.status_code == 200
    html = page.content.decode()
    assert Direction.FGOS.label in html and Direction.YOUNG.label in html
    assert html.index(Direction.FGOS.label) < html.index(Direction.YOUNG.label)  # the order of 001 §3.2
    assert "03.10.2026" in html and "Школа молодого педагога" in html
    assert 'name="expected_version"' in html


def test_secretary_adds_an_item(net, login):
    plan = d.plan(net)
    before = version(plan)

    response = login(net.users.secretary).post(edit_url(plan), d.item_data(plan))

    assert response.status_code == 302 and response.url == edit_url(plan)
    item = PlanItem.objects.get(submission=plan)
    assert (item.direction, item.date, item.month) == (Direction.YOUNG, datetime.date(2026, 11, 12), None)
    assert version(plan) == before + 1


def test_secretary_edits_an_item_and_marks_it_done(net, login):
    plan = d.plan(net)
    item = d.item(plan)

    response = login(net.users.secretary).post(
        reverse("plans:item_edit", args=[item.pk]),
        d.item_data(plan, activity="Семинар (перенесён)", timing=Timing.MONTH, month=12, date="", done="true"),
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.activity, item.month, item.date, item.done) == ("Семинар (перенесён)", 12, None, True)


def test_secretary_deletes_an_item(net, login):
    plan = d.plan(net)
    item = d.item(plan)

    response = login(net.users.secretary).post(
        reverse("plans:item_delete", args=[item.pk]), {"expected_version": version(plan)}
    )

    assert response.status_code == 302
    assert not PlanItem.objects.filter(pk=item.pk).exists()


def test_switching_timing_drops_the_unused_part_of_the_term(net, login):
    plan = d.plan(net)
    item = d.item(plan, timing=Timing.MONTH, month=10)

    login(net.users.secretary).post(
        reverse("plans:item_edit", args=[item.pk]),
        d.item_data(plan, timing=Timing.THROUGHOUT, month="10", date="2026-10-01"),
    )

    item.refresh_from_db()
    assert (item.timing, item.month, item.date, item.term_label) == (Timing.THROUGHOUT, None, None, "в течение года")


# -- who may edit -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["teacher", "reviewer", "admin"])
def test_who_sees_the_plan_but_does_not_file_it_gets_403(net, login, who):
    plan = d.plan(net, net.terek_rmo)  # the teacher is a member of this РМО
    item = d.item(plan)
    client = login(getattr(net.users, who))

    assert client.get(edit_url(plan)).status_code == 403
    assert client.post(edit_url(plan), d.item_data(plan)).status_code == 403
    assert client.post(reverse("plans:item_edit", args=[item.pk]), d.item_data(plan)).status_code == 403
    assert client.post(reverse("plans:item_delete", args=[item.pk]), {"expected_version": 1}).status_code == 403
    assert PlanItem.objects.filter(submission=plan).count() == 1


@pytest.mark.parametrize("who", ["baksan_methodist", "outsider"])
def test_who_does_not_see_the_plan_gets_404(net, login, who):
    plan = d.plan(net)
    item = d.item(plan)
    client = login(getattr(net.users, who))

    assert client.get(edit_url(plan)).status_code == 404
    assert client.post(edit_url(plan), d.item_data(plan)).status_code == 404
    assert client.get(reverse("plans:item_edit", args=[item.pk])).status_code == 404
    assert client.post(reverse("plans:item_delete", args=[item.pk]), {"expected_version": 1}).status_code == 404
    assert client.post(reverse("plans:copy_previous", args=[plan.pk]), {"expected_version": 1}).status_code == 404
    assert PlanItem.objects.filter(submission=plan).count() == 1


def test_anonymous_visitor_is_sent_to_login(net, client):
    plan = d.plan(net)
    response = client.get(edit_url(plan))
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_report_is_not_opened_in_the_plan_editor(net, login):
    report = d.report(net)
    assert login(net.users.secretary).get(edit_url(report)).status_code == 404


# -- when: only a draft or a returned plan ----------------------------------------------------------


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_a_submitted_or_approved_plan_is_not_changed(net, login, state):
    plan = d.plan(net)
    item = d.item(plan)
    d.to_state(plan, net, state)
    before = version(plan)
    client = login(net.users.secretary)

    responses = [
        client.post(edit_url(plan), d.item_data(plan)),
        client.post(reverse("plans:item_edit", args=[item.pk]), d.item_data(plan, activity="Другое")),
        client.post(reverse("plans:item_delete", args=[item.pk]), {"expected_version": before}),
    ]

    for response in responses:
        assert response.status_code == 302
        assert "изменить нельзя" in d.message_texts(response)
    assert list(PlanItem.objects.filter(submission=plan).values_list("pk", "activity")) == [(item.pk, item.activity)]
    assert version(plan) == before


def test_a_submitted_plan_is_shown_read_only(net, login):
    plan = d.plan(net)
    d.item(plan, activity="Семинар по ФГОС")
    d.submit(plan, net)

    html = login(net.users.secretary).get(edit_url(plan)).content.decode()

    assert "Семинар по ФГОС" in html
    assert "на согласовании» изменить нельзя" in html
    assert "Добавить пункт" not in html and "Прикрепить файл" not in html


def test_a_returned_plan_is_editable_again(net, login):
    from submissions import services

    plan = d.plan(net)
    services.return_for_revision(d.submit(plan, net), net.users.reviewer, "Добавьте конкурсы", d.opened(plan.campaign))

    response = login(net.users.secretary).post(edit_url(plan), d.item_data(plan))

    assert response.status_code == 302
    assert PlanItem.objects.filter(submission=plan).count() == 1


# -- two editors ------------------------------------------------------------------------------------


def test_the_second_of_two_editors_loaded_at_one_version_is_refused(net, login):
    plan = d.plan(net)
    item = d.item(plan, activity="Исходное")
    url = reverse("plans:item_edit", args=[item.pk])
    first = d.item_data(plan, activity="Правка первого")
    second = dict(first, activity="Правка второго")  # the same expected_version
    client = login(net.users.secretary)

    assert client.post(url, first).status_code == 302
    response = client.post(url, second)

    assert response.status_code == 200
    assert CONFLICT_MESSAGE in response.content.decode()
    item.refresh_from_db()
    assert item.activity == "Правка первого"


def test_a_stale_delete_is_refused(net, login):
    plan = d.plan(net)
    item = d.item(plan)
    stale = version(plan)
    client = login(net.users.secretary)
    client.post(edit_url(plan), d.item_data(plan))  # somebody adds an item meanwhile

    response = client.post(reverse("plans:item_delete", args=[item.pk]), {"expected_version": stale})

    assert "Пока вы редактировали, документ изменил другой пользователь" in d.message_texts(response)
    assert PlanItem.objects.filter(pk=item.pk).exists()


def test_a_change_without_the_version_is_refused(net, login):
    plan = d.plan(net)
    item = d.item(plan)

    response = login(net.users.secretary).post(reverse("plans:item_delete", args=[item.pk]), {})

    assert "обновите страницу" in d.message_texts(response)
    assert PlanItem.objects.filter(pk=item.pk).exists()


# -- the rules of an item ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"timing": Timing.DATE, "date": "2027-09-01"}, "date", "Дата вне учебного года 2026/2027."),
        ({"timing": Timing.DATE, "date": "2026-08-31"}, "date", "Дата вне учебного года 2026/2027."),
        ({"timing": Timing.DATE, "date": ""}, "date", "Укажите дату."),
        ({"timing": Timing.MONTH, "month": "", "date": ""}, "month", "Укажите месяц."),
        ({"activity": ""}, "activity", "Обязательное поле."),
        ({"direction": ""}, "direction", "Обязательное поле."),
    ],
)
def test_item_rules_are_explained_in_russian(net, login, overrides, field, message):
    plan = d.plan(net)
    before = version(plan)

    response = login(net.users.secretary).post(edit_url(plan), d.item_data(plan, **overrides))

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert not PlanItem.objects.filter(submission=plan).exists()
    assert version(plan) == before


# -- copying last year's plan -----------------------------------------------------------------------


def test_copy_previous_plan_moves_dates_a_year_on(net, login):
    last_year = d.plan(net, year=2025)
    d.item(last_year, timing=Timing.DATE, date=datetime.date(2025, 10, 15), done=True, activity="Конференция")
    d.item(last_year, timing=Timing.MONTH, month=3, activity="Конкурс")
    plan = d.plan(net)
    before = version(plan)

    response = login(net.users.secretary).post(
        reverse("plans:copy_previous", args=[plan.pk]), {"expected_version": before}
    )

    assert "Скопировано пунктов из плана прошлого года: 2" in d.message_texts(response)
    copied = {i.activity: i for i in PlanItem.objects.filter(submission=plan)}
    assert copied["Конференция"].date == datetime.date(2026, 10, 15)
    assert copied["Конференция"].done is None
    assert copied["Конкурс"].month == 3
    assert PlanItem.objects.filter(submission=last_year).count() == 2
    assert version(plan) == before + 1


def test_copy_is_refused_when_the_plan_already_has_items(net, login):
    d.item(d.plan(net, year=2025))
    plan = d.plan(net)
    d.item(plan, activity="Своё")

    response = login(net.users.secretary).post(
        reverse("plans:copy_previous", args=[plan.pk]), {"expected_version": version(plan)}
    )

    assert "В плане уже есть пункты" in d.message_texts(response)
    assert list(PlanItem.objects.filter(submission=plan).values_list("activity", flat=True)) == ["Своё"]


def test_copy_is_refused_without_a_previous_plan(net, login):
    plan = d.plan(net)
    before = version(plan)

    response = login(net.users.secretary).post(
        reverse("plans:copy_previous", args=[plan.pk]), {"expected_version": before}
    )

    assert "Плана на 2025/2026 учебный год нет" in d.message_texts(response)
    assert version(plan) == before


# -- cost of the page -------------------------------------------------------------------------------


def test_editor_query_count_does_not_grow_with_items(net, login, django_assert_max_num_queries):
    plan = d.plan(net)
    client = login(net.users.secretary)
    directions = list(Direction)
    counts = []
    for total in (5, 100):
        for n in range(PlanItem.objects.filter(submission=plan).count(), total):
            d.item(plan, direction=directions[n % len(directions)], activity=f"Пункт {n}")
        with django_assert_max_num_queries(11), CaptureQueriesContext(connection) as queries:
            assert client.get(edit_url(plan)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
