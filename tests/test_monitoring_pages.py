"""Monitoring pages: permissions for every role, bad input on every form and upload, the results
table (queries that do not grow with the network), the drill-down, the export, recommendations."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from growth.models import Route
from monitoring.models import IndicatorSet, MonitoringCampaign, Recommendation, Result, Row
from orgunits.models import OrgUnit
from people.models import PersonalDataAccess
from tests import factories as f

from .background import worker
from .test_monitoring_rules import TODAY, YEAR, make_campaign, make_set, result_of, teachers

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def campaign(net):
    """The Terek МунУМО's monitoring: ИОМ (computed) and a value entered by hand, for its РМО and ШМО."""
    indicator_set = make_set(
        net.region,
        ("routes", "routes", {}, {"short_name": "ИОМ", "hint": "Разработать ИОМ педагогам без маршрута."}),
        ("assessment", "", {}, {"short_name": "Оценка компетенций"}),
    )
    people = teachers(net.region, net.terek_rmo, 4)
    Route.objects.create(person=people[0], year=YEAR, goals="ИОМ")
    return make_campaign(indicator_set, net.terek, today=datetime.date.today())


def urls(campaign, net):
    routes = result_of(campaign, net.terek_rmo, "routes")
    manual = result_of(campaign, net.shmo, "assessment")
    row = Row.objects.get(campaign=campaign, unit=net.terek_rmo)
    return {
        "list": reverse("monitoring:campaigns"),
        "campaign": reverse("monitoring:campaign", args=[campaign.pk]),
        "records": reverse("monitoring:result", args=[routes.pk]),
        "row": reverse("monitoring:row", args=[row.pk]),
        "manual_list": reverse("monitoring:manual", args=[campaign.pk]),
        "enter": reverse("monitoring:enter", args=[manual.pk]),
        "recommendation": reverse("monitoring:recommendation", args=[row.pk]),
        "export": reverse("monitoring:export", args=[campaign.pk]),
        "create": reverse("monitoring:campaign_add"),
        "set": reverse("monitoring:set", args=[campaign.indicator_set_id]),
    }


# list, campaign, records, row, manual list, enter, recommendation, export, create, set, compute (POST)
EXPECTED = {
    "admin": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "reviewer": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "methodist": (200, 200, 200, 200, 200, 403, 403, 200, 403, 200, 403),
    "secretary": (200, 200, 200, 200, 200, 403, 403, 200, 403, 200, 403),
    "baksan_methodist": (200, 404, 404, 404, 404, 404, 404, 404, 403, 200, 404),
    "shmo_secretary": (200, 403, 403, 403, 200, 200, 403, 403, 403, 200, 403),
    "teacher": (200, 403, 403, 200, 404, 404, 403, 403, 403, 200, 403),
    "outsider": (200, 404, 404, 404, 404, 404, 404, 404, 403, 404, 404),
    "superuser": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 302),
    "anonymous": (302, 302, 302, 302, 302, 302, 302, 302, 302, 302, 302),
}


@pytest.mark.parametrize("role", f.MATRIX_ROLES)
def test_permission_matrix(net, client, campaign, role):
    if role != "anonymous":
        client.force_login(getattr(net.users, role))
    pages = urls(campaign, net)
    got = tuple(client.get(url).status_code for url in pages.values())
    got += (client.post(reverse("monitoring:compute", args=[campaign.pk])).status_code,)
    assert got == EXPECTED[role]
    # Only a reviewer of the root starts a computation (a worker runs it: test_long_jobs.py).
    assert campaign.computations.exists() == (EXPECTED[role][-1] == 302 and role != "anonymous")


@pytest.mark.parametrize(
    "role, status, closed",
    [("reviewer", 302, True), ("admin", 302, True), ("methodist", 403, False), ("outsider", 404, False)],
)
def test_close_permissions(net, client, campaign, role, status, closed):
    client.force_login(getattr(net.users, role))
    assert client.post(reverse("monitoring:close", args=[campaign.pk])).status_code == status
    campaign.refresh_from_db()
    assert (campaign.state == "closed") == closed


def test_list_shows_campaigns_the_user_sees_and_ones_to_fill(net, login, campaign):
    page = login(net.users.methodist).get(reverse("monitoring:campaigns")).content.decode()
    assert str(campaign) in page
    page = login(net.users.shmo_secretary).get(reverse("monitoring:campaigns")).content.decode()
    assert "Показатели для заполнения" in page and reverse("monitoring:manual", args=[campaign.pk]) in page
    page = login(net.users.outsider).get(reverse("monitoring:campaigns")).content.decode()
    assert str(campaign) not in page


def test_to_fill_lists_only_campaigns_with_values_the_user_enters(net, login, campaign):
    """A campaign that assesses no unit of the user's is not offered: its manual list would be a 404."""
    only_rmo = make_set(net.region, ("assessment", "", {}), mo_kinds=("rmo",))
    other = make_campaign(only_rmo, net.terek, today=datetime.date.today())
    client = login(net.users.shmo_secretary)
    page = client.get(reverse("monitoring:campaigns")).content.decode()
    assert reverse("monitoring:manual", args=[campaign.pk]) in page
    assert reverse("monitoring:manual", args=[other.pk]) not in page
    assert client.get(reverse("monitoring:manual", args=[other.pk])).status_code == 404
    # The list holds exactly the values the user may enter.
    page = client.get(reverse("monitoring:manual", args=[campaign.pk])).content.decode()
    shmo_value = result_of(campaign, net.shmo, "assessment")
    rmo_value = result_of(campaign, net.terek_rmo, "assessment")
    assert reverse("monitoring:enter", args=[shmo_value.pk]) in page
    assert reverse("monitoring:enter", args=[rmo_value.pk]) not in page


def test_results_table_shows_scores_totals_and_links_to_records(net, login, campaign):
    page = login(net.users.reviewer).get(reverse("monitoring:campaign", args=[campaign.pk])).content.decode()
    routes = result_of(campaign, net.terek_rmo, "routes")
    assert reverse("monitoring:result", args=[routes.pk]) in page
    assert "16,6 %" in page  # 1 of 6 teachers (16.67 % is truncated, not rounded)
    assert f'href="{reverse("monitoring:result", args=[routes.pk])}" title="ИОМ: 0 б.' in page  # a zero is shown
    assert ">не внесено</a>" in page  # the hand-entered value still missing
    assert "69,5 %" in page and "не округляется" in page  # the boundary sentence
    assert "Распределение баллов" in page and "средний балл по муниципалитетам" in page
    assert net.terek.name in page  # the heat table row
    # A plain member of the РМО sees the unit page but not the teachers behind the score.
    page = login(net.users.teacher).get(reverse("monitoring:row", args=[routes.row_id])).content.decode()
    assert reverse("monitoring:result", args=[routes.pk]) not in page


def test_drill_down_lists_teachers_and_logs_the_read(net, login, campaign):
    routes = result_of(campaign, net.terek_rmo, "routes")
    response = login(net.users.reviewer).get(reverse("monitoring:result", args=[routes.pk]))
    page = response.content.decode()
    names = [r["name"] for r in routes.records]
    assert all(name in page for name in names)
    assert "ИОМ на 2026 год" in page or f"ИОМ на {YEAR} год" in page
    logged = PersonalDataAccess.objects.filter(user=net.users.reviewer, action="view")
    assert logged.count() == len(names) == 6  # 4 teachers + the РМО's member and the ШМО secretary
    only_counted = login(net.users.reviewer).get(reverse("monitoring:result", args=[routes.pk]) + "?show=counts")
    assert only_counted.content.decode().count("score s2") == 1
    junk = login(net.users.reviewer).get(reverse("monitoring:result", args=[routes.pk]) + "?show=<x>&page=abc")
    assert junk.status_code == 200 and junk.context["page_obj"].number == 1


def test_drill_down_of_a_closed_year_shows_the_snapshot(net, login, campaign):
    from monitoring import services
    from people.models import Person

    routes = result_of(campaign, net.terek_rmo, "routes")
    services.close(campaign.pk, net.users.reviewer, datetime.datetime.now(datetime.UTC))
    person = Person.objects.get(pk=routes.records[0]["person"])
    old_name = person.full_name
    Person.objects.filter(pk=person.pk).update(last_name="Новофамильная")
    Route.objects.create(person=Person.objects.get(pk=routes.records[1]["person"]), year=YEAR, goals="поздно")
    page = login(net.users.reviewer).get(reverse("monitoring:result", args=[routes.pk])).content.decode()
    assert old_name in page and "Новофамильная" not in page
    assert "1 из 6" in page or "Учтено: 1" in page
    # The closed campaign offers no compute button, and a POST is refused with a message.
    page = login(net.users.reviewer).get(reverse("monitoring:campaign", args=[campaign.pk])).content.decode()
    assert reverse("monitoring:compute", args=[campaign.pk]) not in page
    response = login(net.users.reviewer).post(reverse("monitoring:compute", args=[campaign.pk]), follow=True)
    assert "закрыта" in response.content.decode()
    assert result_of(campaign, net.terek_rmo, "routes").numerator == 1


# -- creating a campaign ----------------------------------------------------------------------------


def create_data(net, chosen_set, **kw):
    data = {"indicator_set": chosen_set.pk, "root": net.baksan.pk, "year": TODAY.year, "title": ""}
    return {**data, **kw}


def test_reviewer_creates_and_computes_a_campaign(net, login, django_capture_on_commit_callbacks):
    indicator_set = make_set(net.region, ("routes", "routes", {}))
    with worker(django_capture_on_commit_callbacks):
        response = login(net.users.reviewer).post(reverse("monitoring:campaign_add"), create_data(net, indicator_set))
    campaign = MonitoringCampaign.objects.get()
    assert response.status_code == 302 and response.url == campaign.get_absolute_url()
    assert campaign.computed_on is not None and campaign.rows.filter(unit=net.baksan_rmo).exists()
    assert campaign.region == net.region and campaign.state == "open"


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"year": datetime.date.today().year + 1}, "year", "ещё не начался"),
        ({"year": 1999}, "year", "не раньше 2000"),
        ({"year": "двадцать"}, "year", "целое число"),
        ({"root": ""}, "root", "Выберите подразделение"),
        ({"indicator_set": ""}, "indicator_set", "Выберите набор"),
        ({"root": 10**9}, "root", "из списка"),
    ],
)
def test_campaign_form_bad_input_changes_nothing(net, login, change, field, message):
    indicator_set = make_set(net.region, ("routes", "routes", {}))
    response = login(net.users.reviewer).post(
        reverse("monitoring:campaign_add"), create_data(net, indicator_set, **change)
    )
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert not MonitoringCampaign.objects.exists()


def test_campaign_form_refuses_a_root_one_does_not_review_and_a_set_of_another_region(net, login):
    indicator_set = make_set(net.region, ("routes", "routes", {}))
    other_region = f.RegionFactory(code="bur", name="Республика Бурятия")
    alien = IndicatorSet.objects.create(region=other_region, name="Чужой набор")
    client = login(net.users.reviewer)
    response = client.post(reverse("monitoring:campaign_add"), create_data(net, alien))
    assert "indicator_set" in response.context["form"].errors
    # The Terek methodist reviews nothing: the page itself is refused.
    assert (
        login(net.users.methodist).post(reverse("monitoring:campaign_add"), create_data(net, indicator_set)).status_code
        == 403
    )
    assert not MonitoringCampaign.objects.exists()


def test_campaign_form_refuses_a_second_campaign_for_the_same_year(net, login):
    indicator_set = make_set(net.region, ("routes", "routes", {}))
    client = login(net.users.reviewer)
    client.post(reverse("monitoring:campaign_add"), create_data(net, indicator_set))
    response = client.post(reverse("monitoring:campaign_add"), create_data(net, indicator_set))
    assert response.status_code == 200
    assert "уже есть" in str(response.context["form"].errors)
    assert MonitoringCampaign.objects.count() == 1


# -- hand-entered values ------------------------------------------------------------------------------


def enter_data(**kw):
    data = {"numerator": "7", "denominator": "10", "evidence_text": "Приказ № 12", "evidence_url": ""}
    return {**data, **kw}


def test_shmo_secretary_enters_a_value_with_a_file(net, login, campaign):
    manual = result_of(campaign, net.shmo, "assessment")
    client = login(net.users.shmo_secretary)
    upload = io.BytesIO(PDF)
    upload.name = "приказ.pdf"
    response = client.post(reverse("monitoring:enter", args=[manual.pk]), enter_data(evidence_file=upload))
    assert response.status_code == 302
    manual.refresh_from_db()
    assert (manual.score, manual.entered_by, manual.evidence_name) == (2, net.users.shmo_secretary, "приказ.pdf")
    assert Row.objects.get(pk=manual.row_id).total == 2
    served = client.get(reverse("monitoring:evidence", args=[manual.pk]))
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF")
    assert login(net.users.outsider).get(reverse("monitoring:evidence", args=[manual.pk])).status_code == 404


def renamed_exe():
    upload = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 100)
    upload.name = "отчёт.pdf"
    return upload


@pytest.mark.parametrize(
    "data, field, message",
    [
        (enter_data(numerator="11"), "numerator", "не может быть больше"),
        (enter_data(denominator="0"), "denominator", "не меньше 1"),
        (enter_data(numerator="-1"), "numerator", "не меньше 0"),
        (enter_data(numerator="семь"), "numerator", "целое число"),
        (enter_data(denominator=""), "denominator", "Укажите знаменатель"),
        (enter_data(evidence_text=""), "evidence_text", "Опишите подтверждение"),
        (enter_data(evidence_url="javascript:alert(1)"), "evidence_url", "http"),
        (enter_data(evidence_file="__exe__"), "evidence_file", "не соответствует расширению"),
        (enter_data(evidence_file="__big__"), "evidence_file", "слишком большой"),
        (enter_data(evidence_file="__bat__"), "evidence_file", "нельзя"),
    ],
)
def test_manual_entry_bad_input_changes_nothing(net, login, campaign, monkeypatch, data, field, message):
    manual = result_of(campaign, net.shmo, "assessment")
    if data.get("evidence_file") == "__exe__":
        data["evidence_file"] = renamed_exe()
    elif data.get("evidence_file") == "__big__":
        monkeypatch.setattr("submissions.attachments.MAX_ATTACHMENT_BYTES", 10)
        data["evidence_file"] = io.BytesIO(PDF)
        data["evidence_file"].name = "big.pdf"
    elif data.get("evidence_file") == "__bat__":
        data["evidence_file"] = io.BytesIO(b"echo off")
        data["evidence_file"].name = "run.bat"
    response = login(net.users.shmo_secretary).post(reverse("monitoring:enter", args=[manual.pk]), data)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field]), response.context["form"].errors
    manual.refresh_from_db()
    assert manual.score is None and manual.entered_by is None and not manual.evidence_file


def test_manual_entry_closed_or_computed_is_refused(net, login, campaign):
    from monitoring import services

    client = login(net.users.reviewer)
    computed = result_of(campaign, net.terek_rmo, "routes")
    assert client.get(reverse("monitoring:enter", args=[computed.pk])).status_code == 404
    manual = result_of(campaign, net.shmo, "assessment")
    services.close(campaign.pk, net.users.reviewer, datetime.datetime.now(datetime.UTC))
    assert client.post(reverse("monitoring:enter", args=[manual.pk]), enter_data()).status_code == 403
    manual.refresh_from_db()
    assert manual.score is None


# -- recommendations ------------------------------------------------------------------------------------


def test_recommendation_form_is_prefilled_with_suggestions_and_notifies(net, login, campaign):
    from network.models import Notification

    row = Row.objects.get(campaign=campaign, unit=net.terek_rmo)
    client = login(net.users.reviewer)
    form = client.get(reverse("monitoring:recommendation", args=[row.pk])).context["form"]
    assert "Разработать ИОМ педагогам без маршрута." in form.initial["text"]
    response = client.post(
        reverse("monitoring:recommendation", args=[row.pk]), {"text": "Разработать ИОМ.", "expected_version": 0}
    )
    assert response.status_code == 302
    assert Recommendation.objects.get(row=row).text == "Разработать ИОМ."
    page = login(net.users.teacher).get(reverse("monitoring:row", args=[row.pk])).content.decode()
    assert "Разработать ИОМ." in page
    # The shmo secretary files for the ШМО, not the РМО: the РМО's leaders get the note (none with a login here).
    assert not Notification.objects.filter(user=net.users.shmo_secretary).exists()


def test_recommendation_bad_input_and_conflict(net, login, campaign):
    row = Row.objects.get(campaign=campaign, unit=net.terek_rmo)
    client = login(net.users.reviewer)
    url = reverse("monitoring:recommendation", args=[row.pk])
    response = client.post(url, {"text": "  ", "expected_version": 0})
    assert response.status_code == 400 and "Напишите рекомендации." in response.content.decode()
    response = client.post(url, {"text": "x" * 10001, "expected_version": 0})
    assert response.status_code == 400
    assert not Recommendation.objects.exists()
    client.post(url, {"text": "Первая редакция.", "expected_version": 0})
    # A second reviewer loaded the empty form before the first one saved.
    response = client.post(url, {"text": "Вторая редакция.", "expected_version": 0})
    assert response.status_code == 400 and "другой пользователь" in response.content.decode()
    rec = Recommendation.objects.get()
    assert rec.text == "Первая редакция."
    assert client.post(url, {"text": "Исправлено.", "expected_version": rec.version}).status_code == 302
    assert Recommendation.objects.get().text == "Исправлено."


# -- export, the set page --------------------------------------------------------------------------------


def test_export_has_summary_and_values_sheets(net, login, campaign):
    response = login(net.users.reviewer).get(reverse("monitoring:export", args=[campaign.pk]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.sheetnames == ["Итоги", "Значения"]
    summary = list(wb["Итоги"].iter_rows(values_only=True))
    assert summary[1][:5] == ("Место", "Подразделение / ОО", "Что оценивается", "ИОМ", "Оценка компетенций")
    rmo_line = next(r for r in summary[2:] if r[1] == net.terek_rmo.name)
    assert rmo_line[3] == 0 and rmo_line[4] == "н/д"
    values = list(wb["Значения"].iter_rows(values_only=True))
    assert len(values) == 1 + Result.objects.filter(row__campaign=campaign).count()


def test_export_cells_cannot_start_a_formula(net, login, campaign):
    OrgUnit.objects.filter(pk=net.terek_rmo.pk).update(name="=HYPERLINK(1)")
    from monitoring import services

    services.compute(campaign.pk, datetime.date.today())
    response = login(net.users.reviewer).get(reverse("monitoring:export", args=[campaign.pk]))
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "=HYPERLINK(1)" in [r[1] for r in wb["Итоги"].iter_rows(values_only=True)]
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_set_page_says_how_a_boundary_scores(net, login, campaign):
    page = login(net.users.teacher).get(reverse("monitoring:set", args=[campaign.indicator_set_id])).content.decode()
    assert "69,5 %" in page and "1 балл" in page and "39,9 %" in page
    assert "2 — от 70 %" in page


# -- queries do not grow with the network ---------------------------------------------------------------


def grow(net, assessed_total):
    """Bring the Terek МунУМО to `assessed_total` МО (РМО and ШМО); the first new ones get teachers."""
    net.terek.refresh_from_db()
    have = OrgUnit.objects.filter(
        tree_id=net.terek.tree_id, lft__gt=net.terek.lft, lft__lt=net.terek.rght, kind__code__in=["rmo", "shmo"]
    ).count()
    need = assessed_total - have
    with OrgUnit.objects.disable_mptt_updates():
        units = OrgUnit.objects.bulk_create(
            [f.bulk_node(net.region, net.kinds["rmo"], net.terek, f"РМО № {i}") for i in range(need)]
        )
    OrgUnit.objects.partial_rebuild(net.rumo.tree_id)
    for unit in units[:20]:
        teachers(net.region, unit, 2)


def measure(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("page", ["campaign", "list", "manual", "register"])
def test_query_counts_same_for_10_and_500_units(net, client, django_assert_max_num_queries, page):
    indicator_set = make_set(net.region, ("routes", "routes", {}), ("assessment", "", {}))
    campaign = make_campaign(indicator_set, net.terek, compute=False)
    client.force_login(net.users.shmo_secretary if page == "manual" else net.users.reviewer)
    url = {
        "campaign": reverse("monitoring:campaign", args=[campaign.pk]),
        "list": reverse("monitoring:campaigns"),
        "manual": reverse("monitoring:manual", args=[campaign.pk]),
        "register": reverse("registers:export", args=["indicator_results"]) + f"?campaign={campaign.pk}",
    }[page]
    from monitoring import services

    counts = []
    for size in (10, 500):
        grow(net, size)
        services.compute(campaign.pk, TODAY)
        assert campaign.rows.count() == size
        n, _ = measure(client, url)
        counts.append(n)
    with django_assert_max_num_queries(20):
        client.get(url)
    print(f"{page}: {counts[0]} queries at 10 МО, {counts[1]} at 500")
    assert counts[0] == counts[1], counts


def test_a_new_campaign_is_computed_in_the_background(net, login, monkeypatch, django_capture_on_commit_callbacks):
    from monitoring import tasks

    queued = []
    monkeypatch.setattr(tasks.compute_campaign, "delay", lambda *args: queued.append(args))
    indicator_set = make_set(net.region, ("routes", "routes", {}))
    with django_capture_on_commit_callbacks(execute=True):  # queued after the commit (network.jobs)
        response = login(net.users.reviewer).post(
            reverse("monitoring:campaign_add"), create_data(net, indicator_set), follow=True
        )
    campaign = MonitoringCampaign.objects.get()
    assert queued == [(campaign.pk, datetime.date.today().isoformat())]
    assert "в фоне" in response.content.decode() and campaign.computed_at is None
    # The task itself: computes the computation asked for, and on a closed campaign stops with the reason.
    job = campaign.computations.get()
    assert "оценивается" in tasks.compute_campaign(campaign.pk, job.day.isoformat())
    from monitoring import services

    services.close(campaign.pk, net.users.reviewer, datetime.datetime.now(datetime.UTC))
    job = campaign.computations.create(day=TODAY)
    assert "закрыта" in tasks.compute_campaign(campaign.pk, TODAY.isoformat())
    job.refresh_from_db()
    assert job.status == "done" and "закрыта" in job.summary


def test_admin_configures_sets_with_inline_indicators(net, login):
    indicator_set = make_set(net.region, ("routes", "routes", {}))
    client = login(net.users.superuser)
    assert client.get(reverse("admin:monitoring_indicatorset_change", args=[indicator_set.pk])).status_code == 200
    data = {
        "region": net.region.pk,
        "name": "Новый набор",
        "basis": "",
        "mo_kinds": [net.kinds["rmo"].pk],
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
        "indicators-0-position": "1",
        "indicators-0-code": "events",
        "indicators-0-short_name": "Мероприятия",
        "indicators-0-name": "Выступления",
        "indicators-0-assessed": "mo",
        "indicators-0-method": "computed",
        "indicators-0-rule": "events",
        "indicators-0-params": '{"level": "galactic", "format": "remote"}',
        "indicators-0-scoring": "percent",
        "indicators-0-mid": "40",
        "indicators-0-high": "70",
        "indicators-0-criteria": "",
        "indicators-0-hint": "",
    }
    response = client.post(reverse("admin:monitoring_indicatorset_add"), data)
    assert response.status_code == 200 and "«level»" in response.content.decode()
    assert not IndicatorSet.objects.filter(name="Новый набор").exists()
    data["indicators-0-params"] = '{"level": "regional", "format": "remote"}'
    assert client.post(reverse("admin:monitoring_indicatorset_add"), data).status_code == 302
    assert IndicatorSet.objects.get(name="Новый набор").indicators.get().params["level"] == "regional"


def test_legend_states_thresholds_only_when_every_share_indicator_has_the_same(net, login, campaign):
    client = login(net.users.reviewer)
    url = reverse("monitoring:campaign", args=[campaign.pk])
    assert "от 70 % и выше" in client.get(url).content.decode()
    indicator = campaign.indicator_set.indicators.filter(scoring="percent").first()
    indicator.high = 80
    indicator.save()
    page = client.get(url).content.decode()
    assert "от 70 % и выше" not in page and "они разные" in page
