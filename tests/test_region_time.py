"""Time is the region's (issue 13): every date rule uses the time zone of the unit's region, the daily sweep
runs per region at its local morning, pages show times in the viewer's region (network.clock).

The calendar is 001's: «МунУМО направляет ежегодно не позднее 25 февраля в РУМО отчет» (001 §3.8), the
year's report «в срок не позднее 1 марта» (001 §2.6); protocols of meetings held (001 §2.4). The `net`
region stands for Buryatia (Asia/Irkutsk, UTC+8; Moscow is UTC+3).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import workflow
from meetings import services as meeting_services
from network import clock, periodic
from network.models import Notification, SweepRun
from orgunits.access import grant_role
from orgunits.models import DocumentType
from submissions import deadlines, services
from submissions.models import Campaign, DeadlineEvent

from . import factories as f
from .meetings_helpers import MEETING_DAY, add_chair, item, mark_present, new_meeting

D = datetime.date
UTC = datetime.UTC
IRKUTSK = ZoneInfo("Asia/Irkutsk")


def at(zone, y, m, d, hh, mm=0):
    """A moment given on a wall clock of `zone` (an aware datetime)."""
    return datetime.datetime(y, m, d, hh, mm, tzinfo=zone)


@pytest.fixture
def buryatia(net):
    net.region.timezone = "Asia/Irkutsk"
    net.region.save()
    return net


@pytest.fixture
def campaign(buryatia):
    c = Campaign.objects.create(
        region=buryatia.region, document_type=DocumentType.REPORT, year=2026, **Campaign.defaults_for("report", 2026)
    )
    c.filer_kinds.set([buryatia.kinds["munumo"]])
    return c


@pytest.fixture
def moscow(kinds):
    """A second region on Moscow time, with one МунУМО that owes the same report."""
    region = f.RegionFactory(code="msk", name="Московская область", timezone="Europe/Moscow")
    rumo = f.unit(region, kinds["rumo"], name="РУМО МО")
    munumo = f.unit(region, kinds["munumo"], rumo, name="Подольское МунУМО")
    c = Campaign.objects.create(
        region=region, document_type=DocumentType.REPORT, year=2026, **Campaign.defaults_for("report", 2026)
    )
    c.filer_kinds.set([kinds["munumo"]])
    return region, munumo, c


def send(net, campaign, now):
    """The Terek МунУМО starts and sends its report at `now`; the engine decides «today» (no date passed)."""
    submission = services.start(campaign, net.terek, net.users.secretary, now)
    return workflow.perform(submission, "submit", net.users.secretary, now=now)


# -- the clock ----------------------------------------------------------------------------------------------


def test_region_of_follows_what_an_object_belongs_to(buryatia, campaign):
    submission = services.start(campaign, buryatia.terek, buryatia.users.secretary, at(IRKUTSK, 2027, 2, 20, 10))
    assert clock.region_of(buryatia.region) == buryatia.region
    assert clock.region_of(buryatia.terek) == buryatia.region
    assert clock.region_of(campaign) == buryatia.region
    assert clock.region_of(submission) == buryatia.region
    assert clock.region_of(None) is None and clock.region_of(object()) is None


def test_a_zone_falls_back_to_the_portal_time_zone(settings):
    assert clock.zone("Asia/Irkutsk") == IRKUTSK
    assert clock.zone(None) == ZoneInfo(settings.TIME_ZONE)
    assert clock.zone("Нет/Такого") == ZoneInfo(settings.TIME_ZONE)


def test_local_today_is_the_regions_date_of_the_same_moment(buryatia):
    moment = at(UTC, 2027, 2, 25, 16, 30)  # 26.02 00:30 in Irkutsk, 25.02 19:30 in Moscow
    assert clock.local_today(buryatia.region, moment) == D(2027, 2, 26)
    assert clock.local_today(None, moment) == D(2027, 2, 25)


# -- timeliness (001 §3.8: the report «не позднее 25 февраля») ------------------------------------------


def test_sent_at_half_past_midnight_local_on_26_february_is_late(buryatia, campaign):
    # 001 §3.8: due 25.02. 26.02 00:30 Irkutsk = 25.02 19:30 Moscow: late, although Moscow is still on the 25th.
    moment = at(IRKUTSK, 2027, 2, 26, 0, 30)
    assert timezone.localtime(moment, ZoneInfo("Europe/Moscow")).date() == D(2027, 2, 25)
    assert send(buryatia, campaign, moment).on_time is False


def test_sent_at_half_past_eleven_local_on_25_february_is_on_time(buryatia, campaign):
    # 001 §3.8: 25.02 23:30 Irkutsk is still the due date there.
    assert send(buryatia, campaign, at(IRKUTSK, 2027, 2, 25, 23, 30)).on_time is True


def test_the_send_page_judges_timeliness_by_the_regions_date(client, buryatia, campaign, monkeypatch):
    # 001 §3.8 through the page: the request's clock is read where the document's region is.
    submission = services.start(campaign, buryatia.terek, buryatia.users.secretary, at(IRKUTSK, 2027, 2, 20, 10))
    monkeypatch.setattr(timezone, "now", lambda: at(IRKUTSK, 2027, 2, 26, 0, 30).astimezone(UTC))
    client.force_login(buryatia.users.secretary)
    response = client.post(reverse("submissions:submit", args=[submission.pk]))
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.first_submitted_on is not None and submission.on_time is False


def test_a_campaign_opens_on_its_regions_date(buryatia, campaign):
    # Filing starts on the opening date of the region (DESIGN: campaign calendar), not Moscow's.
    morning = datetime.datetime.combine(campaign.opens_on, datetime.time(4), tzinfo=IRKUTSK)  # 23:00 Moscow, eve
    assert clock.local_today(None, morning) < campaign.opens_on
    assert services.start(campaign, buryatia.terek, buryatia.users.secretary, morning).pk
    eve = morning - datetime.timedelta(hours=4, minutes=1)  # 23:59 of the eve in Irkutsk
    with pytest.raises(ValidationError, match="откроется"):
        services.start(campaign, buryatia.baksan, buryatia.users.baksan_methodist, eve)


# -- protocols (001 §2.4: a protocol records a meeting that took place) -------------------------------------


def test_a_protocol_of_today_in_irkutsk_is_confirmed_while_moscow_is_still_on_the_eve(buryatia):
    add_chair(buryatia)
    meeting = mark_present(buryatia, new_meeting(buryatia), 2)
    item(buryatia, meeting, (2, 0, 0))
    morning = at(IRKUTSK, MEETING_DAY.year, MEETING_DAY.month, MEETING_DAY.day, 4)  # 23:00 of the eve in Moscow
    meeting = meeting_services.confirm(meeting, buryatia.users.secretary, meeting.version, morning)
    assert meeting.secretary_confirmed_at is not None


def test_a_protocol_of_tomorrow_in_irkutsk_is_not_confirmed(buryatia):
    add_chair(buryatia)
    meeting = mark_present(buryatia, new_meeting(buryatia), 2)
    item(buryatia, meeting, (2, 0, 0))
    eve = at(IRKUTSK, MEETING_DAY.year, MEETING_DAY.month, MEETING_DAY.day, 0) - datetime.timedelta(minutes=1)
    with pytest.raises(ValidationError, match="ещё не состоялось"):
        meeting_services.confirm(meeting, buryatia.users.secretary, meeting.version, eve)


# -- pages show times in the viewer's region -------------------------------------------------------------


def test_a_buryatia_user_sees_an_entry_at_12_utc_as_20_00(client, buryatia):
    Notification.objects.create(user=buryatia.users.secretary, text="Проверка часового пояса", url="/")
    Notification.objects.filter(user=buryatia.users.secretary).update(created_at=at(UTC, 2027, 2, 25, 12))
    client.force_login(buryatia.users.secretary)
    page = client.get(reverse("notifications")).content.decode()
    assert "25.02.2027 20:00" in page and "25.02.2027 15:00" not in page


def test_a_user_without_a_card_takes_the_zone_of_their_grant(client, buryatia):
    user = f.UserFactory(username="cardless")
    grant_role(user, buryatia.rumo, "reviewer")
    assert clock.viewer_zone_name(user) == "Asia/Irkutsk"


def test_a_superuser_sees_the_portal_time(client, buryatia, settings):
    Notification.objects.create(user=buryatia.users.superuser, text="Проверка", url="/")
    Notification.objects.filter(user=buryatia.users.superuser).update(created_at=at(UTC, 2027, 2, 25, 12))
    client.force_login(buryatia.users.superuser)
    assert "25.02.2027 15:00" in client.get(reverse("notifications")).content.decode()  # Moscow
    assert timezone.get_current_timezone() == ZoneInfo(settings.TIME_ZONE)  # deactivated after the request


# -- the daily sweep per region at its local morning (001 §3.8 / §2.6 calendar) ---------------------------


def test_a_run_at_22_utc_sweeps_irkutsks_next_day_but_not_moscows(buryatia, campaign, moscow):
    # 001 §3.8: due 25.02. At 25.02 22:00 UTC it is 26.02 06:00 in Irkutsk (late) and 26.02 01:00 in Moscow.
    region, munumo, msk_campaign = moscow
    reports = deadlines.run_regional_sweeps(at(UTC, 2027, 2, 25, 22), send_email=False)
    assert [(r.region, r.day) for r in reports] == [(buryatia.region, D(2027, 2, 26))]
    assert DeadlineEvent.objects.filter(campaign=campaign, key="late", on=D(2027, 2, 26)).count() == 2
    assert not DeadlineEvent.objects.filter(campaign=msk_campaign, key="late").exists()
    assert SweepRun.objects.get(region=buryatia.region, day=D(2027, 2, 26)).finished_at is not None
    assert not SweepRun.objects.filter(region=region).exists()


def test_moscow_is_swept_at_its_own_morning(buryatia, campaign, moscow):
    # 001 §3.8: the Moscow unit is late on its 26.02, swept at 06:00 Moscow = 03:00 UTC.
    region, munumo, msk_campaign = moscow
    deadlines.run_regional_sweeps(at(UTC, 2027, 2, 25, 22), send_email=False)
    reports = deadlines.run_regional_sweeps(at(UTC, 2027, 2, 26, 3), send_email=False)
    assert [(r.region, r.day) for r in reports] == [(region, D(2027, 2, 26))]
    assert DeadlineEvent.objects.get(campaign=msk_campaign, unit=munumo, key="late").on == D(2027, 2, 26)


def test_a_region_is_swept_once_per_local_date(buryatia, campaign):
    deadlines.run_regional_sweeps(at(UTC, 2027, 2, 25, 22), send_email=False)
    sent = Notification.objects.count()
    assert deadlines.run_regional_sweeps(at(UTC, 2027, 2, 25, 23), send_email=False) == []
    assert Notification.objects.count() == sent and SweepRun.objects.count() == 1


def test_before_the_local_morning_nothing_is_swept(buryatia, campaign, settings):
    settings.SWEEP_LOCAL_HOUR = 6
    # 25.02 21:00 UTC = 26.02 05:00 in Irkutsk: not yet.
    assert deadlines.run_regional_sweeps(at(UTC, 2027, 2, 25, 21), send_email=False) == []
    assert not SweepRun.objects.exists()


def test_the_closing_date_is_the_regions(buryatia, campaign):
    # 001 §2.6: the year's report «не позднее 1 марта»: missing from Irkutsk's 02.03, = 01.03 22:00 UTC.
    deadlines.run_regional_sweeps(at(UTC, 2027, 3, 1, 22), send_email=False)
    assert DeadlineEvent.objects.filter(campaign=campaign, key="missing", on=D(2027, 3, 2)).count() == 2


def test_a_failed_region_is_taken_again_by_the_next_hour(buryatia, campaign, monkeypatch):
    calls = []

    def boom(today, report, region=None):
        calls.append((today, region))
        raise RuntimeError("шаг недоступен")

    periodic.steps()
    monkeypatch.setitem(periodic._STEPS, "tests.boom", periodic.Step("tests.boom", boom, 99))
    with pytest.raises(RuntimeError):
        deadlines.run_regional_sweeps(at(UTC, 2027, 2, 25, 22), send_email=False)
    run = SweepRun.objects.get(region=buryatia.region)
    assert run.finished_at is None and run.started_at is None
    monkeypatch.delitem(periodic._STEPS, "tests.boom")
    assert deadlines.run_regional_sweeps(at(UTC, 2027, 2, 25, 23), send_email=False)
    assert calls == [(D(2027, 2, 26), buryatia.region)]
    assert SweepRun.objects.get(region=buryatia.region).finished_at is not None
    # The late flags of the failed run were recorded once, not twice.
    assert DeadlineEvent.objects.filter(campaign=campaign, key="late").count() == 2


def test_a_step_sweeps_only_its_region(buryatia, campaign, moscow):
    region, munumo, msk_campaign = moscow
    deadlines.run_sweep(D(2027, 2, 26), send_email=False, region=region)
    assert DeadlineEvent.objects.filter(campaign=msk_campaign).count() == 1
    assert not DeadlineEvent.objects.filter(campaign=campaign).exists()


def test_every_registered_step_takes_a_region():
    for step in periodic.steps():
        if step.name.startswith("tests."):
            continue
        assert periodic._takes_region(step.func), step.name


def test_the_command_with_a_date_still_sweeps_every_region(buryatia, campaign, moscow):
    region, munumo, msk_campaign = moscow
    call_command("run_deadline_sweep", "--date", "2027-02-26")
    assert DeadlineEvent.objects.filter(key="late").count() == 3


def test_due_regions_costs_the_same_queries_for_many_regions(buryatia, django_assert_max_num_queries):
    for n in range(20):
        f.RegionFactory(code=f"z{n}", name=f"Регион {n}", timezone="Asia/Vladivostok")
    with django_assert_max_num_queries(2):
        due = deadlines.due_regions(at(UTC, 2027, 2, 25, 22))
    assert len(due) == 21


def test_the_command_without_a_date_sweeps_each_region_on_its_own_date(buryatia, campaign, moscow, monkeypatch):
    # 001 §3.8: at 25.02 20:00 UTC Irkutsk is on 26.02 (late), Moscow still on 25.02 23:00 (on time).
    region, munumo, msk_campaign = moscow
    monkeypatch.setattr(timezone, "now", lambda: at(UTC, 2027, 2, 25, 20))
    call_command("run_deadline_sweep")
    assert DeadlineEvent.objects.filter(campaign=campaign, key="late").count() == 2
    assert not DeadlineEvent.objects.filter(campaign=msk_campaign, key="late").exists()


def test_the_beat_starts_the_regional_sweep_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-sweep"]
    assert entry["task"] == "network.regional_sweep"
    assert entry["schedule"].hour == set(range(24))


def test_the_hourly_task_sweeps_the_regions_whose_morning_came(buryatia, campaign, moscow, monkeypatch):
    # 001 §3.8: at 25.02 22:00 UTC only Irkutsk's 26.02 has begun its morning.
    from network.tasks import regional_sweep

    monkeypatch.setattr(timezone, "now", lambda: at(UTC, 2027, 2, 25, 22))
    summaries = regional_sweep()
    assert len(summaries) == 1 and summaries[0].startswith(f"{buryatia.region}, 26.02.2027")
    assert "просрочено 2" in summaries[0]


def test_a_pdf_is_rendered_in_its_documents_region_whoever_asks(net, monkeypatch):
    """One rendered file serves every reader: its times are the document's region's, not the portal's or
    the first reader's (a worker has no viewer at all)."""
    from django.utils import timezone as tz

    from network import pdf
    from network.models import RenderedDocument

    net.region.timezone = "Asia/Irkutsk"
    net.region.save()
    seen = []

    def build(obj):
        seen.append(tz.get_current_timezone_name())
        return "pdf/document.html", {}, "probe"

    monkeypatch.setitem(pdf.REGISTRY, "tz-probe", pdf.PdfDocument("tz-probe", type(net.terek), build, lambda obj: 1))
    monkeypatch.setattr(pdf, "render_pdf", lambda template, context: b"%PDF-1.4\n")
    rendered = RenderedDocument.objects.create(kind="tz-probe", object_id=net.terek.pk, version=1)
    with tz.override("Europe/Moscow"):
        pdf.render_and_store(rendered)
    assert seen == ["Asia/Irkutsk"]


def test_a_spreadsheet_writes_times_in_the_active_zone():
    """Excel keeps no zone: a time is written as the reader's wall clock (12:00 UTC is 20:00 in Irkutsk)."""
    from django.utils import timezone as tz
    from openpyxl import Workbook

    from network.spreadsheets import cell

    ws = Workbook(write_only=True).create_sheet("Лист")
    noon_utc = datetime.datetime(2027, 2, 25, 12, 0, tzinfo=datetime.UTC)
    with tz.override("Asia/Irkutsk"):
        assert cell(ws, noon_utc).value == datetime.datetime(2027, 2, 25, 20, 0)


def test_a_background_export_is_written_in_the_requesters_zone(net, monkeypatch):
    """The worker has no request: the file takes the zone of the region of whoever asked for it."""
    from django.utils import timezone as tz

    from registers import services
    from registers.models import Export
    from registers.tasks import run_export

    net.region.timezone = "Asia/Irkutsk"
    net.region.save()
    seen = []
    monkeypatch.setattr(services, "write_file", lambda export: seen.append(tz.get_current_timezone_name()) or "done")
    export = Export.objects.create(
        user=net.users.secretary, register="units", background=True, rows_total=1, filename="units.xlsx"
    )
    run_export(export.pk)
    assert seen == ["Asia/Irkutsk"]
