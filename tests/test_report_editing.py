"""The report editor: sections and figures in one form, figures from the portal's data and the
methodist's corrections, who may edit and when, optimistic locking, the query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import FIGURES, SECTIONS, ReportFigure, ReportSection
from submissions.editing import CONFLICT_MESSAGE

from . import documents as d
from . import factories as f

pytestmark = pytest.mark.django_db


def edit_url(submission):
    return reverse("reports:edit", args=[submission.pk])


def version(submission):
    submission.refresh_from_db()
    return submission.version


def form_data(submission, **overrides) -> dict:
    """The whole form as the page renders it, at the current version, with `overrides`."""
    data = {"expected_version": version(submission)}
    for section in submission.report_sections.all():
        data[f"section_{section.key}"] = section.text
    for figure in submission.report_figures.all():
        data[f"figure_{figure.key}"] = "" if figure.value is None else figure.value
    data.update(overrides)
    return data


def figure(submission, key):
    return ReportFigure.objects.get(submission=submission, key=key)


def test_editor_shows_every_section_and_figure_with_the_portal_value(net, login):
    report = d.report(net)

    page = login(net.users.secretary).get(edit_url(report))

    assert page.status_code == 200
    html = page.content.decode()
    for _, title in SECTIONS:
        assert title in html
    for _, label in FIGURES:
        assert label in html
    assert "по данным портала: 2" in html  # the methodist and the secretary of the Terek МунУМО


def test_figures_are_computed_from_the_members(net):
    f.member(f.PersonFactory(region=net.region), net.terek)
    f.member(f.PersonFactory(region=net.region), net.terek, left_on=d.YEAR_END)

    report = d.report(net)

    assert figure(report, "members_end").computed == 3
    assert figure(report, "members_joined").computed == 4
    assert figure(report, "members_left").computed == 1


def test_secretary_saves_sections_and_a_corrected_figure(net, login):
    report = d.report(net)
    before = version(report)

    response = login(net.users.secretary).post(
        edit_url(report), form_data(report, section_summary="Год прошёл продуктивно.", figure_members_end="5")
    )

    assert response.status_code == 302 and response.url == edit_url(report)
    assert ReportSection.objects.get(submission=report, key="summary").text == "Год прошёл продуктивно."
    members_end = figure(report, "members_end")
    assert (members_end.value, members_end.computed, members_end.corrected) == (5, 2, True)
    assert version(report) == before + 1


def test_an_empty_figure_means_the_portal_value(net, login):
    report = d.report(net)
    ReportFigure.objects.filter(submission=report, key="members_end").update(value=7)

    login(net.users.secretary).post(edit_url(report), form_data(report, figure_members_end=""))

    assert figure(report, "members_end").value is None


def test_a_corrected_figure_is_kept_when_recomputed(net, login):
    report = d.report(net)
    client = login(net.users.secretary)
    client.post(edit_url(report), form_data(report, figure_members_end="42"))
    f.member(f.PersonFactory(region=net.region), net.terek)  # the portal learns of a new member

    response = client.post(edit_url(report), form_data(report, action="refresh"))

    assert "пересчитаны" in d.message_texts(response)
    members_end = figure(report, "members_end")
    assert (members_end.value, members_end.computed) == (42, 3)
    assert figure(report, "members_joined").computed == 3


def test_a_negative_figure_is_refused_in_russian(net, login):
    report = d.report(net)
    before = version(report)

    response = login(net.users.secretary).post(edit_url(report), form_data(report, figure_members_left="-1"))

    assert response.status_code == 200
    assert "Число не может быть отрицательным." in response.context["form"].errors["figure_members_left"]
    assert version(report) == before


@pytest.mark.parametrize("who", ["teacher", "reviewer"])
def test_who_sees_the_report_but_does_not_file_it_gets_403(net, login, who):
    report = d.report(net, net.terek_rmo)
    client = login(getattr(net.users, who))

    assert client.get(edit_url(report)).status_code == 403
    assert client.post(edit_url(report), form_data(report, section_summary="Чужое")).status_code == 403
    assert ReportSection.objects.get(submission=report, key="summary").text == ""


def test_baksan_methodist_does_not_see_the_terek_report(net, login):
    report = d.report(net)
    client = login(net.users.baksan_methodist)

    assert client.get(edit_url(report)).status_code == 404
    assert client.post(edit_url(report), form_data(report, section_summary="Чужое")).status_code == 404


def test_a_plan_is_not_opened_in_the_report_editor(net, login):
    assert login(net.users.secretary).get(edit_url(d.plan(net))).status_code == 404


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_a_submitted_or_approved_report_is_not_changed(net, login, state):
    report = d.report(net)
    d.to_state(report, net, state)
    before = version(report)

    response = login(net.users.secretary).post(
        edit_url(report), form_data(report, section_summary="Поздняя правка", figure_members_end="9", action="refresh")
    )

    assert response.status_code == 302
    assert "изменить нельзя" in d.message_texts(response)
    assert ReportSection.objects.get(submission=report, key="summary").text == ""
    assert figure(report, "members_end").value is None
    assert version(report) == before


def test_the_second_of_two_editors_loaded_at_one_version_is_refused(net, login):
    report = d.report(net)
    first = form_data(report, section_summary="Текст первого")
    second = dict(first, section_summary="Текст второго")
    client = login(net.users.secretary)

    assert client.post(edit_url(report), first).status_code == 302
    response = client.post(edit_url(report), second)

    assert response.status_code == 200
    assert CONFLICT_MESSAGE in response.content.decode()
    assert ReportSection.objects.get(submission=report, key="summary").text == "Текст первого"


def test_editor_query_count_does_not_grow_with_attachments(net, login, django_assert_max_num_queries):
    from submissions.models import Attachment

    report = d.report(net)
    client = login(net.users.secretary)
    counts = []
    for total in (5, 100):
        for n in range(Attachment.objects.filter(submission=report).count(), total):
            Attachment.objects.create(
                submission=report, file=f"submissions/{report.pk}/f{n}.pdf", name=f"f{n}.pdf", size=10,
                uploaded_by=net.users.secretary,
            )  # fmt: skip
        with django_assert_max_num_queries(11), CaptureQueriesContext(connection) as queries:
            assert client.get(edit_url(report)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_figures_count_meetings_events_participation_and_courses_of_the_year(net):
    import datetime

    from events.models import Event, Participation
    from growth.models import Course

    from . import meetings_helpers as mh

    mh.add_chair(net)
    mh.confirmed_meeting(net, members=5, present=4, votes=(3, 0, 0))
    mh.new_meeting(net)  # a draft protocol does not count
    member = net.users.secretary_person
    event = Event.objects.create(unit=net.terek, title="Семинар", starts_on=datetime.date(2026, 4, 1))
    contest = Event.objects.create(unit=net.cnppm, title="Учитель года", kind="contest", starts_on=d.YEAR_END)
    Event.objects.create(unit=net.terek, title="Прошлогодний", starts_on=datetime.date(2025, 4, 1))
    Participation.objects.create(event=event, person=member, role="speaker")
    Participation.objects.create(event=contest, person=member, result="second")
    Course.objects.create(
        person=member,
        title="КПК",
        provider="ЦНППМ",
        hours=36,
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2026, 3, 20),
    )
    # A course the member added that the MO has not confirmed yet counts nowhere (issue 12).
    Course.objects.create(
        person=member,
        title="КПК без подтверждения",
        provider="ЦНППМ",
        hours=72,
        starts_on=datetime.date(2026, 4, 1),
        ends_on=datetime.date(2026, 4, 20),
        status=Course.Status.PENDING,
    )

    report = d.report(net)

    values = {key: figure(report, key).computed for key in ["meetings_held", "events_organised", "participations"]}
    assert values == {"meetings_held": 1, "events_organised": 1, "participations": 2}
    assert figure(report, "places_won").computed == 1
    assert figure(report, "courses_finished").computed == 1


def test_refreshing_an_older_report_adds_the_new_figures(net):
    from reports import content

    report = d.report(net)
    ReportFigure.objects.filter(submission=report, key="courses_finished").delete()
    content.refresh_figures(report)
    assert figure(report, "courses_finished").computed == 0
