"""Filing and approving (issue 12): the reason of a return at the top of the document and its
editors, the report editor's error summary, «Сохранить и отправить» with the check before sending,
the reviewer's decision after the content with «Согласовать» confirmed, the resubmission mark."""

import re

import pytest
from django.urls import reverse

from reports.models import GUIDANCE, SECTIONS, ReportFigure, ReportSection
from submissions import services
from submissions.models import State

from . import documents as d
from .workflow import OPEN_DAY, freeze, moment

pytestmark = pytest.mark.django_db

REASON = "Дополните раздел о молодых специалистах."


@pytest.fixture
def day(monkeypatch):
    return freeze(monkeypatch, OPEN_DAY)


def text_of(response) -> str:
    return response.content.decode()


def edit_url(submission):
    return reverse("reports:edit", args=[submission.pk])


def form_data(submission, **overrides) -> dict:
    submission.refresh_from_db()
    data = {"expected_version": submission.version}
    for section in submission.report_sections.all():
        data[f"section_{section.key}"] = section.text
    for figure in submission.report_figures.all():
        data[f"figure_{figure.key}"] = "" if figure.value is None else figure.value
    data.update(overrides)
    return data


def complete(submission, **overrides) -> dict:
    """Every section written: nothing for the check to list."""
    sections = {f"section_{key}": f"Текст раздела «{title}»." for key, title in SECTIONS}
    return form_data(submission, **{**sections, **overrides})


def returned_report(net, day):
    report = d.report(net)
    services.submit(report, net.users.secretary, day, OPEN_DAY)
    services.return_for_revision(report, net.users.reviewer, REASON, moment(OPEN_DAY, 13))
    report.refresh_from_db()
    return report


# -- the reason of a return --------------------------------------------------------------------------


def test_a_returned_report_shows_the_reason_on_its_page(net, login, day):
    report = returned_report(net, day)

    html = text_of(login(net.users.secretary).get(report.get_absolute_url()))

    panel = html[html.index('id="return-reason"') :]
    assert "Возвращён на доработку" in panel and REASON in panel
    assert "10.02.2027 13:00" in panel and net.users.reviewer.get_full_name() in panel
    # At the top: before the content.
    assert html.index('id="return-reason"') < html.index("<h2>Содержание</h2>")


def test_a_returned_report_shows_the_reason_in_its_editor(net, login, day):
    report = returned_report(net, day)

    html = text_of(login(net.users.secretary).get(edit_url(report)))

    assert REASON in html and html.index('id="return-reason"') < html.index("Разделы отчёта")


def test_a_returned_plan_shows_the_reason_in_its_editor(net, login, day):
    plan = d.plan(net)
    d.item(plan)
    services.submit(plan, net.users.secretary, day, OPEN_DAY)
    services.return_for_revision(plan, net.users.reviewer, "Уточните сроки семинара.", moment(OPEN_DAY, 13))

    html = text_of(login(net.users.secretary).get(reverse("plans:edit", args=[plan.pk])))

    assert 'id="return-reason"' in html and "Уточните сроки семинара." in html


def test_a_reopened_document_shows_why_it_was_reopened(net, login, day):
    report = d.report(net)
    services.submit(report, net.users.secretary, day, OPEN_DAY)
    services.approve(report, net.users.reviewer, moment(OPEN_DAY, 13))
    services.reopen(report, net.users.reviewer, "Ошибка в числе заседаний.", moment(OPEN_DAY, 14))

    html = text_of(login(net.users.secretary).get(report.get_absolute_url()))

    assert "Открыт повторно после согласования" in html and "Ошибка в числе заседаний." in html


def test_no_reason_panel_once_the_document_is_sent_again(net, login, day):
    report = returned_report(net, day)
    services.submit(report, net.users.secretary, moment(OPEN_DAY, 15), OPEN_DAY)

    html = text_of(login(net.users.secretary).get(report.get_absolute_url()))

    assert 'id="return-reason"' not in html


# -- the report editor -------------------------------------------------------------------------------


def test_the_editor_gives_guidance_for_each_section(net, login, day):
    report = d.report(net)

    html = text_of(login(net.users.secretary).get(edit_url(report)))

    for key, guidance in GUIDANCE.items():
        assert f'id="id_section_{key}_helptext"' in html
        assert guidance.split(";")[0][:40] in html


def test_errors_are_summarised_at_the_top_with_links_to_the_fields(net, login, day):
    report = d.report(net)
    client = login(net.users.secretary)

    response = client.post(
        edit_url(report), form_data(report, section_summary="Итоги", figure_members_end="-1", figure_places_won="x")
    )

    html = text_of(response)
    assert response.status_code == 200
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    assert "Исправьте 2 ошибки" in summary
    assert 'href="#id_figure_members_end"' in summary and 'href="#id_figure_places_won"' in summary
    assert html.index('id="error-summary"') < html.index("Разделы отчёта")
    # Nothing was saved.
    assert ReportSection.objects.get(submission=report, key="summary").text == ""


def test_one_error_is_worded_in_the_singular(net, login, day):
    report = d.report(net)
    html = text_of(login(net.users.secretary).post(edit_url(report), form_data(report, figure_members_end="-1")))
    assert "Исправьте 1 ошибку" in html


def test_save_and_send_with_an_invalid_field_sends_nothing(net, login, day):
    report = d.report(net)

    response = login(net.users.secretary).post(
        edit_url(report), complete(report, figure_members_end="-3", action="send")
    )

    assert response.status_code == 200 and "Исправьте 1 ошибку" in text_of(response)
    report.refresh_from_db()
    assert report.state == State.DRAFT
    assert not ReportSection.objects.filter(submission=report).exclude(text="").exists()


def test_save_and_send_a_complete_report_sends_it(net, login, day):
    report = d.report(net)

    response = login(net.users.secretary).post(edit_url(report), complete(report, action="send"))

    assert response.status_code == 302 and response.url == report.get_absolute_url()
    report.refresh_from_db()
    assert report.state == State.SUBMITTED
    assert ReportSection.objects.get(submission=report, key="young").text.startswith("Текст раздела")


def test_save_and_send_first_lists_empty_sections_and_impossible_figures(net, login, day):
    report = d.report(net)
    data = complete(report, section_young="", figure_plan_items="3", figure_plan_items_done="5", action="send")

    response = login(net.users.secretary).post(edit_url(report), data)

    html = text_of(response)
    assert response.status_code == 200
    assert "Раздел «Работа с молодыми специалистами» не заполнен." in html
    assert "«Из них выполнено» (5) больше, чем «Пунктов в планах работы» (3)" in html
    assert "Отправить всё равно" in html and "Вернуться к редактированию" in html
    report.refresh_from_db()
    # Saved, not sent.
    assert report.state == State.DRAFT
    assert ReportFigure.objects.get(submission=report, key="plan_items_done").value == 5


def test_the_check_page_lists_every_empty_section(net, login, day):
    report = d.report(net)
    html = text_of(login(net.users.secretary).get(reverse("submissions:send", args=[report.pk])))
    assert html.count("не заполнен.") == len(SECTIONS)


def test_send_anyway_sends(net, login, day):
    report = d.report(net)
    client = login(net.users.secretary)

    response = client.post(
        reverse("submissions:send", args=[report.pk]), {"confirmed": "1", "expected_version": report.version}
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == State.SUBMITTED


def test_a_confirmation_given_on_an_older_version_is_checked_again(net, login, day):
    report = d.report(net)
    stale = report.version
    login(net.users.secretary).post(edit_url(report), form_data(report, section_summary="Дописано"))

    response = login(net.users.secretary).post(
        reverse("submissions:send", args=[report.pk]), {"confirmed": "1", "expected_version": stale}
    )

    assert response.status_code == 200 and "документ изменился" in text_of(response)
    report.refresh_from_db()
    assert report.state == State.DRAFT


def test_the_document_pages_send_button_goes_through_the_check(net, login, day):
    report = d.report(net)
    client = login(net.users.secretary)
    html = text_of(client.get(report.get_absolute_url()))
    assert f'action="{reverse("submissions:send", args=[report.pk])}"' in html

    response = client.post(reverse("submissions:send", args=[report.pk]), {"expected_version": report.version})

    assert response.status_code == 200 and "не заполнен" in text_of(response)
    report.refresh_from_db()
    assert report.state == State.DRAFT


def test_an_empty_plan_is_checked_before_sending(net, login, day):
    plan = d.plan(net)
    client = login(net.users.secretary)
    assert "Отправить на согласование" in text_of(client.get(reverse("plans:edit", args=[plan.pk])))

    response = client.post(reverse("submissions:send", args=[plan.pk]), {"expected_version": plan.version})

    assert "В плане нет ни одного пункта." in text_of(response)
    d.item(plan)
    response = client.post(reverse("submissions:send", args=[plan.pk]), {"expected_version": plan.version})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.state == State.SUBMITTED


@pytest.mark.parametrize(("who", "status"), [("reviewer", 403), ("teacher", 404), ("baksan_methodist", 404)])
def test_only_a_filer_sends(net, login, day, who, status):
    report = d.report(net)
    client = login(getattr(net.users, who))
    assert client.get(reverse("submissions:send", args=[report.pk])).status_code == status
    response = client.post(reverse("submissions:send", args=[report.pk]), {"confirmed": "1"})
    assert response.status_code == status
    report.refresh_from_db()
    assert report.state == State.DRAFT


def test_a_sent_document_is_not_sent_twice(net, login, day):
    report = d.report(net)
    services.submit(report, net.users.secretary, day, OPEN_DAY)
    client = login(net.users.secretary)
    response = client.post(reverse("submissions:send", args=[report.pk]), {"confirmed": "1"}, follow=True)
    assert "изменить нельзя" in text_of(response)


# -- the reviewer --------------------------------------------------------------------------------------


def test_the_decision_follows_the_content_and_approval_asks_first(net, login, day):
    report = d.report(net)
    services.submit(report, net.users.secretary, day, OPEN_DAY)

    html = text_of(login(net.users.reviewer).get(report.get_absolute_url()))

    approve = re.search(r'<form[^>]*action="[^"]*/approve/"[^>]*>', html).group(0)
    assert "data-confirm=" in approve and "заморожен" in approve
    assert html.index("<h2>Содержание</h2>") < html.index(approve) < html.index("История согласования</h2>")
    assert html.index("<h2>Содержание</h2>") < html.index("Вернуть на доработку")


def test_a_resubmission_is_marked_near_the_top(net, login, day):
    report = returned_report(net, day)
    section = report.report_sections.get(key="young")
    section.text = "Два молодых специалиста, два наставника."
    section.save()
    services.submit(report, net.users.secretary, moment(OPEN_DAY, 15), OPEN_DAY)

    html = text_of(login(net.users.reviewer).get(report.get_absolute_url()))

    assert "повторно, изменено с момента возврата" in html
    assert html.index('id="changes"') < html.index("<h2>Содержание</h2>")
    assert "Два молодых специалиста" in html[html.index('id="changes"') : html.index("<h2>Содержание</h2>")]


def test_a_first_submission_is_not_marked_as_resubmitted(net, login, day):
    report = d.report(net)
    services.submit(report, net.users.secretary, day, OPEN_DAY)
    html = text_of(login(net.users.reviewer).get(report.get_absolute_url()))
    assert "изменено с момента возврата" not in html and 'id="changes"' not in html
