"""«Напомнить непредставившим» (issue 12): first who will be told, then a message that says how many
people in how many units were told and names the units nobody could be told, never a success
when nobody was; each reminder recorded, the sweep's too; the dashboard's «напоминали» column."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from network.models import Notification
from orgunits.access import access_for
from submissions import deadlines, reminders
from submissions.models import DeadlineEvent, Reminder

from . import factories as f
from .workflow import AFTER_DUE, OPEN_DAY, freeze, grow, report_campaign, submitted

pytestmark = pytest.mark.django_db

TEREK_RMO = "РМО учителей математики Терского района"
BAKSAN_RMO = "РМО учителей математики Баксанского района"
SHMO = "ШМО математиков СОШ № 1"


@pytest.fixture
def campaign(net):
    return report_campaign(net)


def remind_url(campaign):
    return reverse("submissions:campaign_remind", args=[campaign.pk])


def preview(client, campaign, unit):
    return client.get(remind_url(campaign), {"unit": unit.pk})


def send(client, campaign, unit):
    return client.post(remind_url(campaign), {"unit": unit.pk}, follow=True)


def said(response) -> list[str]:
    """The messages shown on the dashboard the reminder leads back to."""
    return [html.unescape(m) for m in re.findall(r'<li class="msg msg-\w+">(.*?)</li>', response.content.decode())]


def filer(net, unit, role="secretary", email="", **names):
    user = f.UserFactory(email=email)
    person = f.PersonFactory(region=net.region, user=user, **names)
    f.member(person, unit, role)
    return user


# -- the preview -----------------------------------------------------------------------------------------


def test_the_preview_names_who_will_be_told_and_who_cannot_be(client, net, campaign, monkeypatch):
    submitted(campaign, net.terek, net.users.secretary)
    net.users.baksan_methodist.email = "baksan@example.org"
    net.users.baksan_methodist.save()
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)

    response = preview(client, campaign, net.rumo)

    assert response.status_code == 200
    plan = response.context["plan"]
    assert {u.unit.name: [r.user.username for r in u.recipients] for u in plan.told} == {
        "Баксанское МунУМО": ["baksan_methodist"],
        SHMO: ["shmo_secretary"],
    }
    assert {u.name for u in plan.nobody} == {TEREK_RMO, BAKSAN_RMO}
    html = response.content.decode()
    assert "Фамилия-baksan_methodist" in html and "baksan@example.org" in html
    assert "без e-mail" in html  # the ШМО's secretary has none: told in the portal only
    assert "Некому напомнить: 2 подразделения" in html and TEREK_RMO in html and BAKSAN_RMO in html
    assert "Получат напоминание: 2 человека в 2 подразделениях" in html


def test_the_preview_sends_nothing(client, net, campaign, monkeypatch):
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    preview(client, campaign, net.rumo)
    assert not Notification.objects.exists() and not Reminder.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("methodist", 403), ("teacher", 403), ("baksan_methodist", 404)])
def test_only_reviewers_and_administrators_see_the_preview(client, net, campaign, monkeypatch, who, status):
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(getattr(net.users, who))
    assert preview(client, campaign, net.terek).status_code == status


# -- sending -------------------------------------------------------------------------------------------------


def test_the_message_counts_people_and_units_and_names_the_unreachable(client, net, campaign, monkeypatch):
    submitted(campaign, net.terek, net.users.secretary)
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)

    response = send(client, campaign, net.rumo)

    messages = said(response)
    assert "Напоминание получили 2 человека в 2 подразделениях." in messages
    nobody = next(m for m in messages if m.startswith("Некому напомнить"))
    assert TEREK_RMO in nobody and BAKSAN_RMO in nobody
    told = Notification.objects.filter(text__startswith="Напоминание")
    assert set(told.values_list("user__username", flat=True)) == {"baksan_methodist", "shmo_secretary"}
    assert all(note.needs_action for note in told)


def test_each_unit_told_is_recorded_with_whom_and_by_whom(client, net, campaign, monkeypatch):
    at = freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)

    send(client, campaign, net.terek)

    reminder = Reminder.objects.get()
    assert (reminder.unit, reminder.sent_by, reminder.sent_at) == (net.shmo, net.users.reviewer, at)
    assert [u.username for u in reminder.recipients.all()] == ["shmo_secretary"]
    # A unit nobody could be told was not reminded: no record, and tomorrow it may be tried again.
    assert list(DeadlineEvent.objects.values_list("unit__name", flat=True)) == [SHMO]


def test_never_a_success_when_nobody_was_told(client, net, campaign, monkeypatch):
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)

    response = send(client, campaign, net.baksan)  # its РМО only, with no filer with a login

    messages = said(response)
    assert len(messages) == 1 and messages[0].startswith("Напоминание не отправлено никому")
    assert BAKSAN_RMO in messages[0]
    assert not any("получили" in m for m in messages)
    assert not Reminder.objects.exists() and not Notification.objects.exists()


def test_a_second_press_the_same_day_tells_nobody_twice(client, net, campaign, monkeypatch):
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    send(client, campaign, net.rumo)
    sent = Notification.objects.count()

    messages = said(send(client, campaign, net.rumo))

    assert messages[0].startswith("Новых напоминаний нет")
    assert Notification.objects.count() == sent and Reminder.objects.count() == 3  # Terek, Baksan, the ШМО


def test_a_filer_given_a_login_later_the_same_day_is_told(client, net, campaign, monkeypatch):
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    send(client, campaign, net.baksan)
    user = filer(net, net.baksan_rmo)

    messages = said(send(client, campaign, net.baksan))

    assert messages == ["Напоминание получили 1 человек в 1 подразделении."]
    assert Reminder.objects.get().recipients.get() == user


def test_everyone_submitted(client, net, campaign, monkeypatch):
    freeze(monkeypatch, OPEN_DAY)
    submitted(campaign, net.baksan_rmo, None)
    client.force_login(net.users.reviewer)
    messages = said(send(client, campaign, net.baksan))
    assert messages == ["Напоминать некому: все подразделения представили документ."]


# -- the sweep records its reminders through the same record ---------------------------------------------


def test_the_sweeps_reminder_is_recorded(net, campaign):
    deadlines.run_sweep(datetime.date(2027, 2, 18), send_email=False)  # reminder-7

    rows = Reminder.objects.filter(campaign=campaign)
    assert {r.unit.name for r in rows} == {"Терское МунУМО", "Баксанское МунУМО", SHMO}
    assert all(r.sent_by is None and r.key == "reminder-7" for r in rows)
    assert {timezone.localdate(r.sent_at) for r in rows} == {datetime.date(2027, 2, 18)}  # the day swept
    assert set(rows.get(unit=net.terek).recipients.values_list("username", flat=True)) == {"methodist", "secretary"}


# -- the dashboard ---------------------------------------------------------------------------------------------


def test_the_dashboard_shows_when_each_unit_was_last_reminded(client, net, campaign, monkeypatch):
    freeze(monkeypatch, datetime.date(2027, 2, 20))
    client.force_login(net.users.reviewer)
    send(client, campaign, net.rumo)
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    send(client, campaign, net.terek)

    response = client.get(reverse("submissions:campaign", args=[campaign.pk]) + f"?unit={net.rumo.pk}")

    rows = {r.name: r for r in response.context["rows"]}
    assert rows[SHMO].last_reminded.date() == AFTER_DUE
    assert rows["Баксанское МунУМО"].last_reminded.date() == datetime.date(2027, 2, 20)
    assert rows[TEREK_RMO].last_reminded is None
    html = response.content.decode()
    assert "<th>Напоминали</th>" in html and "27.02.2027" in html and "20.02.2027" in html


def test_the_dashboard_links_to_the_preview_not_a_blind_send(client, net, campaign, monkeypatch):
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    html = client.get(reverse("submissions:campaign", args=[campaign.pk]) + f"?unit={net.terek.pk}").content.decode()
    assert f'href="{remind_url(campaign)}?unit={net.terek.pk}"' in html
    assert f'action="{remind_url(campaign)}"' not in html


def queries(client, address) -> int:
    client.get(address)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_and_preview_queries_stay_bounded(client, net, campaign, monkeypatch, django_assert_max_num_queries):
    freeze(monkeypatch, AFTER_DUE)
    dashboard = reverse("submissions:campaign", args=[campaign.pk]) + f"?unit={net.terek.pk}"
    preview_address = remind_url(campaign) + f"?unit={net.terek.pk}"
    units = grow(net, 12)
    for unit in units[:4]:
        filer(net, unit)
    client.force_login(net.users.reviewer)
    send(client, campaign, net.terek)
    small = (queries(client, dashboard), queries(client, preview_address))

    more = grow(net, 60)
    for unit in more[:20]:
        filer(net, unit, role="methodist")
    freeze(monkeypatch, AFTER_DUE + datetime.timedelta(days=1))
    client.force_login(net.users.reviewer)
    send(client, campaign, net.terek)
    assert Reminder.objects.count() > 20

    big = (queries(client, dashboard), queries(client, preview_address))
    assert big == small
    with django_assert_max_num_queries(20):
        client.get(dashboard)
    with django_assert_max_num_queries(15):
        client.get(preview_address)


def test_the_plan_reads_three_tables(net, campaign, django_assert_max_num_queries):
    access_for(net.users.reviewer)  # the grants, loaded once per request
    with django_assert_max_num_queries(3):
        reminders.plan(campaign, net.rumo, net.users.reviewer, AFTER_DUE)


def test_a_long_preview_lists_the_first_300_units_and_counts_the_rest(client, net, campaign, monkeypatch):
    # A region's campaign can owe thousands of units: the page stays readable, the counts stay whole.
    for n in range(300):
        f.unit(net.region, net.kinds["rmo"], net.baksan, name=f"РМО № {n:03d} Баксанского района")
    freeze(monkeypatch, AFTER_DUE)
    client.force_login(net.users.reviewer)
    page = preview(client, campaign, net.rumo).content.decode()
    assert "Некому напомнить: 302 подразделения" in page
    assert "…и ещё 2 (полный список — в выгрузке свода в Excel)." in page
    assert page.count('<li><span class="kind">') == 300
