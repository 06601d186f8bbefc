"""`restrict(user, action)` fails closed: every model users see has one, each names the actions it
knows, and an action it does not know raises instead of quietly meaning «view» (issue 11)."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from events.models import Event, Participation
from growth.models import Course, Mentoring, Route, RouteStep
from meetings.models import AgendaItem, Meeting, MeetingQuerySet
from monitoring.models import MonitoringCampaign
from orders.models import Order, OrderQuerySet
from orgunits.access import RestrictedQuerySet
from orgunits.models import OrgUnit, OrgUnitQuerySet, School
from people.models import Consent, Membership, Person
from practices.models import Development, DevelopmentQuerySet
from programs.models import Program
from submissions.models import Submission
from surveys.models import NeedsSurvey

from . import factories as f

RESTRICTED = [
    OrgUnit,
    School,
    Person,
    Membership,
    Submission,
    Order,
    Meeting,
    Event,
    Participation,
    Program,
    Development,
    MonitoringCampaign,
    NeedsSurvey,
    Course,
    Route,
    RouteStep,
    Mentoring,
    Consent,
]


@pytest.mark.parametrize("model", RESTRICTED, ids=lambda m: m.__name__)
def test_every_model_users_see_has_restrict_with_declared_actions(model):
    queryset = model.objects.all()
    assert isinstance(queryset, RestrictedQuerySet)
    assert "view" in queryset.actions


@pytest.mark.parametrize("model", RESTRICTED, ids=lambda m: m.__name__)
@pytest.mark.parametrize("action", ["approve", "veiw", "edit"])
def test_an_action_the_model_does_not_know_raises(model, action, db, django_user_model):
    # Before: submissions and developments read any action as «view», the others failed somewhere deep
    # (a KeyError in the grants table) or returned rows; now the door refuses to guess.
    user = django_user_model.objects.create(username="someone")
    with pytest.raises(ImproperlyConfigured, match=action):
        model.objects.restrict(user, action)


def test_submissions_no_longer_read_an_editing_action_as_view(net):
    # «manage» used to fall back to the «view» filter: every reader of a unit passed an editors' check.
    with pytest.raises(ImproperlyConfigured):
        Submission.objects.restrict(net.users.teacher, "manage")
    with pytest.raises(ImproperlyConfigured):
        Development.objects.restrict(net.users.teacher, "manage")


# -- the new ones, per role ---------------------------------------------------------------------


@pytest.fixture
def records(net):
    """A meeting, an event with a participant, a course and a route (with a step) in Terek and in Baksan."""
    terek_teacher = net.users.teacher_person
    baksan_teacher = f.PersonFactory(region=net.region, school=net.baksan_school, last_name="Баксанова")
    f.member(baksan_teacher, net.baksan_rmo)
    day = datetime.date(2026, 10, 1)
    out = {}
    for place, unit, person in [("terek", net.terek_rmo, terek_teacher), ("baksan", net.baksan_rmo, baksan_teacher)]:
        meeting = Meeting.objects.create(unit=unit, year=2026, number=1, date=day)
        event = Event.objects.create(unit=unit, title=f"Семинар {place}", starts_on=day)
        participation = Participation.objects.create(event=event, person=person)
        course = Course.objects.create(
            person=person, title=f"Курс {place}", provider="ЦНППМ", hours=36, starts_on=day, ends_on=day
        )
        route = Route.objects.create(person=person, year=2026, goals=f"Маршрут {place}")
        step = RouteStep.objects.create(route=route, text="Шаг", due_on=day)
        out[place] = {
            "meeting": meeting,
            "event": event,
            "participation": participation,
            "course": course,
            "route": route,
            "step": step,
        }
    out["munumo"] = {"meeting": Meeting.objects.create(unit=net.terek, year=2026, number=1, date=day)}
    out["membership_terek"] = Membership.objects.get(person=terek_teacher, unit=net.terek_rmo)
    out["membership_baksan"] = Membership.objects.get(person=baksan_teacher, unit=net.baksan_rmo)
    return out


# role → which of the two places it sees (terek, baksan)
SEES = {
    "admin": {"terek", "baksan"},
    "reviewer": {"terek", "baksan"},
    "methodist": {"terek"},
    "baksan_methodist": {"baksan"},
    "outsider": set(),
}


@pytest.mark.parametrize("role", SEES)
def test_meetings_events_participations_and_members_follow_the_unit(net, records, role):
    user = getattr(net.users, role)
    expected = SEES[role]
    for kind, model in [("meeting", Meeting), ("event", Event), ("participation", Participation)]:
        seen = set(model.objects.restrict(user, "view").values_list("pk", flat=True))
        assert {place for place in ("terek", "baksan") if records[place][kind].pk in seen} == expected, kind
    members = set(Membership.objects.restrict(user, "view").values_list("pk", flat=True))
    assert {p for p in ("terek", "baksan") if records[f"membership_{p}"].pk in members} == expected


@pytest.mark.parametrize("role", SEES)
def test_portfolio_records_follow_the_teachers_card(net, records, role):
    user = getattr(net.users, role)
    for kind, model in [("course", Course), ("route", Route), ("step", RouteStep)]:
        seen = set(model.objects.restrict(user, "view").values_list("pk", flat=True))
        people = set(Person.objects.restrict(user, "view").values_list("pk", flat=True))
        for place in ("terek", "baksan"):
            record = records[place][kind]
            owner = record.route.person_id if kind == "step" else record.person_id
            assert (record.pk in seen) == (owner in people), (kind, place)
        assert {p for p in ("terek", "baksan") if records[p][kind].pk in seen} == SEES[role], kind


def test_a_teacher_sees_their_own_portfolio_but_keeps_nobody_elses(net, records):
    teacher = net.users.teacher
    assert set(Course.objects.restrict(teacher, "view")) == {records["terek"]["course"]}
    assert not Course.objects.restrict(teacher, "manage").exists()


def test_anonymous_sees_nothing(net, records):
    from django.contrib.auth.models import AnonymousUser

    for model in RESTRICTED:
        assert not model.objects.restrict(AnonymousUser(), "view").exists(), model.__name__


# -- the one rule in views: not visible → 404, visible but not allowed → 403 ----------------------


def _meeting_view():
    from django.http import HttpResponse
    from django.views import View

    from network.views import RestrictedObjectMixin

    class KeepMeeting(RestrictedObjectMixin, View):
        model = Meeting
        action = "file"

        def get(self, request, *args, **kwargs):
            return HttpResponse(f"meeting {self.object.pk}")

    return KeepMeeting.as_view()


@pytest.mark.parametrize(
    ("role", "place", "status"),
    [
        ("secretary", "munumo", 200),  # files the Terek МунУМО's documents
        ("secretary", "terek", 403),  # sees the РМО below, does not file for it
        ("reviewer", "munumo", 403),  # sees the meeting, does not keep protocols
        ("teacher", "terek", 403),  # a member of the РМО: sees it, may not file
        ("baksan_methodist", "terek", 404),  # another municipality: the meeting does not exist for them
        ("outsider", "baksan", 404),
    ],
)
def test_restricted_object_mixin_applies_the_one_rule(net, records, rf, role, place, status):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    request = rf.get("/")
    request.user = getattr(net.users, role)
    view, pk = _meeting_view(), records[place]["meeting"].pk
    if status == 200:
        assert view(request, pk=pk).content == f"meeting {pk}".encode()
    else:
        with pytest.raises(PermissionDenied if status == 403 else Http404):
            view(request, pk=pk)


def test_restricted_object_mixin_sends_the_anonymous_visitor_to_login(net, records, rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/meetings/1/")
    request.user = AnonymousUser()
    response = _meeting_view()(request, pk=records["terek"]["meeting"].pk)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("reviewer", 403), ("baksan_methodist", 404)])
def test_deleting_a_portfolio_record_follows_the_one_rule(net, records, login, role, status):
    course = records["terek"]["course"]
    response = login(getattr(net.users, role)).get(f"/portfolio/courses/{course.pk}/delete/")
    assert response.status_code == status
    response = login(getattr(net.users, role)).post(f"/portfolio/courses/{course.pk}/delete/")
    assert Course.objects.filter(pk=course.pk).exists() == (status != 200)


# -- the last pages that checked by hand: meetings, documents, practices, orders ------------------
# Before, these fetched the row by its number and asked `access.can` about its unit; now they ask
# `restrict()` — so a page can no longer show what the lists (the same door) would not.


def _block(monkeypatch, queryset_class, blocked: str):
    """Make `restrict(…, blocked)` of one model let nothing through, whoever asks."""
    original = queryset_class._restrict_q

    def restrict_q(self, access, action):
        return None if action == blocked else original(self, access, action)

    monkeypatch.setattr(queryset_class, "_restrict_q", restrict_q)


@pytest.fixture
def munumo_meeting(net):
    meeting = Meeting.objects.create(unit=net.terek, year=2026, number=7, date=datetime.date(2026, 10, 1))
    item = AgendaItem.objects.create(meeting=meeting, title="О плане работы")
    return meeting, item


@pytest.mark.parametrize(
    ("page", "blocked", "status"),
    [
        ("meetings:meeting", "view", 404),
        ("meetings:protocol", "view", 404),
        ("meetings:edit", "view", 404),
        ("meetings:edit", "file", 403),
        ("meetings:item_edit", "view", 404),
        ("meetings:item_edit", "file", 403),
    ],
)
def test_meeting_pages_go_through_restrict(net, login, munumo_meeting, monkeypatch, page, blocked, status):
    meeting, item = munumo_meeting
    url = reverse(page, args=[item.pk if page.startswith("meetings:item") else meeting.pk])
    client = login(net.users.secretary)  # files the Terek МунУМО's documents: every page is open to them
    assert client.get(url).status_code in (200, 302)
    _block(monkeypatch, MeetingQuerySet, blocked)
    assert client.get(url).status_code == status


@pytest.mark.parametrize(("page", "blocked", "status"), [("meetings:list", "view", 404), ("meetings:add", "file", 403)])
def test_a_units_meeting_pages_go_through_restrict(net, login, monkeypatch, page, blocked, status):
    url = reverse(page, args=[net.terek.pk])
    client = login(net.users.secretary)
    assert client.get(url).status_code == 200
    _block(monkeypatch, OrgUnitQuerySet, blocked)
    assert client.get(url).status_code == status


def test_an_agenda_item_of_an_unseen_meeting_is_404_and_stays(net, login, munumo_meeting):
    meeting, item = munumo_meeting
    for page in ("meetings:item_edit", "meetings:item_delete"):
        response = login(net.users.baksan_methodist).post(reverse(page, args=[item.pk]), {"expected_version": 1})
        assert response.status_code == 404
    assert AgendaItem.objects.filter(pk=item.pk, title="О плане работы").exists()


@pytest.fixture
def terek_order(net):
    from orders.models import OrderTemplate
    from orders.services import create_order

    return create_order(net.terek, OrderTemplate.FREE, datetime.date(2026, 4, 1), None, heading="О семинаре")


@pytest.mark.parametrize("page", ["orders:edit", "orders:sign"])
def test_preparing_an_order_asks_restrict_for_keep_records(net, login, terek_order, monkeypatch, page):
    client = login(net.users.secretary)
    _block(monkeypatch, OrderQuerySet, "keep_records")
    url = reverse(page, args=[terek_order.pk])
    response = client.post(url) if page == "orders:sign" else client.get(url)
    assert response.status_code == 403
    terek_order.refresh_from_db()
    assert not terek_order.is_signed
    # Reading it is still the «view» door: the order page stays open.
    assert client.get(reverse("orders:order", args=[terek_order.pk])).status_code == 200


def test_my_developments_are_those_restrict_lets_through(net, login, monkeypatch):
    from .test_practices import new_dev

    dev = new_dev(net)
    client = login(net.users.teacher)
    assert dev in client.get(reverse("practices:mine")).context["page_obj"].object_list
    _block(monkeypatch, DevelopmentQuerySet, "view")
    assert dev not in client.get(reverse("practices:mine")).context["page_obj"].object_list


def test_a_candidacy_has_no_pdf_page(net, login):
    # A candidacy has no campaign: the PDF page read the campaign's type and failed with a 500.
    candidate = f.PersonFactory(region=net.region, last_name="Кандидатова", school=net.school)
    f.member(candidate, net.terek, "member")
    client = login(net.users.methodist)
    response = client.post(
        reverse("people:candidacy_new", args=[net.terek.pk]),
        {"person": candidate.pk, "role": "chair", "justification": "Опыт руководства РМО пять лет."},
    )
    assert response.status_code == 302
    candidacy = Submission.objects.get(unit=net.terek, own_kind="candidate")
    assert client.get(reverse("submissions:pdf", args=[candidacy.pk])).status_code == 404
    assert login(net.users.baksan_methodist).get(reverse("submissions:pdf", args=[candidacy.pk])).status_code == 404


def test_get_restricted_costs_one_query_when_allowed(net, records, django_assert_num_queries):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from network.views import get_restricted
    from orgunits.access import access_for

    secretary, meeting = net.users.secretary, records["munumo"]["meeting"]
    access_for(secretary)  # the grants are read once per request anyway
    with django_assert_num_queries(1):  # both doors in one query, not a fetch and then a second look
        assert get_restricted(Meeting.objects.all(), secretary, meeting.pk, "file") == meeting
    with pytest.raises(PermissionDenied):
        get_restricted(Meeting.objects.all(), secretary, records["terek"]["meeting"].pk, "file")
    with pytest.raises(Http404):
        get_restricted(Meeting.objects.all(), secretary, records["baksan"]["meeting"].pk, "file")
