"""The bell separates what needs action from what is for information (issue 12): a move says whether its
notification asks to act (submit → the reviewers decide, return → the filers fix; approve only informs),
and the page lists the two in tabs with counts."""

import pytest
from django.urls import reverse

from network.models import Notification
from network.notify import notify
from submissions import services

from .workflow import OPEN_DAY, moment, report_campaign, submitted


def mine(user):
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("text", "needs_action"))


def test_a_plain_notification_is_for_information(net):
    [note] = notify([net.users.teacher], "Опубликован новый план-график.")
    assert note.needs_action is False
    [note] = notify([net.users.teacher], "Подтвердите курс.", needs_action=True)
    assert Notification.objects.get(pk=note.pk).needs_action is True


def test_submit_asks_the_reviewers_return_asks_the_filers_approve_informs(net):
    campaign = report_campaign(net)
    doc = submitted(campaign, net.terek, net.users.secretary)
    assert mine(net.users.reviewer) == [(f"На согласование: {doc}", True)]
    services.return_for_revision(doc, net.users.reviewer, "Нет подписи.", moment(OPEN_DAY, 13))
    assert mine(net.users.secretary) == [(f"Возвращён на доработку: {doc}. Нет подписи.", True)]
    doc.refresh_from_db()
    services.submit(doc, net.users.secretary, moment(OPEN_DAY, 14), OPEN_DAY)
    doc.refresh_from_db()
    services.approve(doc, net.users.reviewer, moment(OPEN_DAY, 15))
    assert mine(net.users.secretary)[-1] == (f"Согласован: {doc}", False)


@pytest.fixture
def bell(net):
    user = net.users.secretary
    notify([user], "На согласование: план РМО", "/inbox/", needs_action=True)
    notify([user], "Возвращён на доработку: отчёт", "/", needs_action=True)
    notify([user], "Согласован: план", "/")
    old = notify([user], "Согласован: отчёт прошлого года", "/")[0]
    Notification.objects.filter(pk=old.pk).update(read_at=old.created_at)
    return user


def texts(response):
    return [n.text for n in response.context["page_obj"]]


def test_two_tabs_with_counts(login, bell):
    client = login(bell)
    response = client.get(reverse("notifications"))
    assert response.context["tab"] == "action"
    assert sorted(texts(response)) == ["Возвращён на доработку: отчёт", "На согласование: план РМО"]
    tabs = {t["code"]: (t["label"], t["count"], t["unread"]) for t in response.context["tabs"]}
    assert tabs == {"action": ("Требуют действия", 2, 2), "info": ("Для сведения", 2, 1)}
    html = response.content.decode()
    assert "Требуют действия" in html and "Для сведения" in html
    info = client.get(reverse("notifications") + "?tab=info")
    assert texts(info) == ["Согласован: план", "Согласован: отчёт прошлого года"]  # unread first


def test_with_nothing_to_act_on_the_information_opens(login, net):
    notify([net.users.teacher], "Опубликована практика.", "/")
    response = login(net.users.teacher).get(reverse("notifications"))
    assert response.context["tab"] == "info" and texts(response) == ["Опубликована практика."]


def test_the_page_shows_only_ones_own(login, net, bell):
    response = login(net.users.teacher).get(reverse("notifications") + "?tab=action")
    assert texts(response) == []
    assert "Уведомлений, требующих действия, нет" in response.content.decode()


def test_the_bell_still_counts_every_unread(login, bell):
    html = login(bell).get(reverse("notifications")).content.decode()
    assert "Уведомления: непрочитанных 3" in html
