"""Every page of the portal, walked from the URL resolver, against the objects of a foreign region.

The demo network (two regions full of units, people, plans, meetings, orders, events, courses,
practices, monitoring…) is the foreign world; a small home region beside it holds a login for
every role. For every URL pattern — taken from `get_resolver()`, not from a hand-kept list — and
every home role:

- GET of a page about a foreign object answers 404 (the anonymous visitor: the login page), never
  200 and never 500; 403 only where the object is visible by design (VISIBLE_BY_DESIGN);
- GET of a page without an object (a list, a form) never shows a foreign row and never fails;
- POST (empty) to any page changes no row of the database, and for a foreign object answers
  403/404/405 (the anonymous visitor: the login page).

A new URL pattern whose arguments the walk cannot fill fails the suite (OBJECTS below), so a page
cannot be added without deciding which object it is about — and then without a check.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import logging

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat, Substr
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from demo.orgunits import inn_with_checksum, load_demo
from events.models import Event, Participation
from growth.models import Course, Diagnostic, Mentoring, Route, RouteStep
from meetings.models import AgendaItem, Meeting
from monitoring.models import IndicatorSet, MonitoringCampaign, Result, Row
from orders.models import Order
from orgunits.access import grant_role
from orgunits.models import OrgUnit, Region, School
from people.models import Candidacy, Consent, Membership, Person, PersonalDataAccess
from people.services import sync_person_access
from plans.models import PlanItem
from practices.models import Development, DevelopmentFile, ExpertAssignment
from programs.models import Program, RoadmapItem
from registers.models import Export, Import
from submissions.models import Attachment, Campaign, Submission
from surveys.models import NeedsSurvey, SurveyTopic

from . import factories as f

# A foreign row shows this in its name; no page a home user opens may contain it.
MARK = "ЧУЖОЙ·"
ROLES = ("admin", "reviewer", "methodist", "secretary", "teacher", "outsider")

# Pages anyone may open, with the reason.
PUBLIC = {
    "healthz": "the load balancer's probe, no data",
    "login": "the way in",
    "logout": "the way out",
    "password_reset": "asked for before login",
    "password_reset_done": "asked for before login",
    "password_reset_confirm": "the link in the letter, before login",
    "password_reset_complete": "asked for before login",
    # the open pages of a region (001 §1.3): no login; the walk's home region publishes nothing → 404
    **{
        f"public:{name}": "open data of a region, read without login"
        for name in (
            "index",
            "region",
            "unit",
            "unit_feed",
            "plans",
            "reports",
            "document",
            "document_pdf",
            "protocols",
        )
        + ("protocol", "orders", "order", "calendar", "practices", "practice", "practice_file")
    },
    "public:private_feed": "a calendar app cannot log in: the secret token is the key",
    # the read-only API's description: what it offers, no data (api/)
    "api:schema": "the OpenAPI schema of the API, no data",
    "api:docs": "the page describing the API, no data",
}
# The API (api/) answers an anonymous request 401 with WWW-Authenticate, not with the login page.
API_NAMESPACE = "api:"
# Patterns that are not pages of the portal.
SKIPPED_PREFIXES = ("admin/", "static/", "media/", "__debug__/")


def _unpublished(model):
    return lambda: model.objects.exclude(state="published")


# URL name → what fills its arguments: a model (a foreign row of it), a callable giving a queryset
# of candidates, or a literal value. A pattern with arguments missing here fails the walk.
OBJECTS: dict[str, dict[str, object]] = {
    "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
    # orgunits
    "orgunits:tree_children": {"pk": OrgUnit},
    "orgunits:unit": {"pk": OrgUnit},
    "orgunits:unit_add_child": {"pk": OrgUnit},
    "orgunits:unit_edit": {"pk": OrgUnit},
    "orgunits:unit_move": {"pk": OrgUnit},
    "orgunits:access": {"pk": OrgUnit},
    "orgunits:region_settings": {"pk": Region},
    "orgunits:region_access_log": {"pk": Region},
    "orgunits:region_grant_log": {"pk": Region},
    "orgunits:school": {"pk": School},
    "orgunits:school_edit": {"pk": School},
    # people
    "people:person": {"pk": Person},
    "people:edit": {"pk": Person},
    "people:access_log": {"pk": Person},
    "people:consent_add": {"pk": Person},
    "people:consent_revoke": {"pk": Consent},
    "people:consent_file": {"pk": Consent},
    "people:login": {"pk": Person},
    "people:member_add": {"pk": OrgUnit},
    "people:membership_end": {"pk": Membership},
    "people:membership_role": {"pk": Membership},
    "people:candidacy_new": {"pk": OrgUnit},
    "people:candidacy_edit": {"pk": Candidacy},
    # submissions, plans, reports, attachments
    "submissions:campaign": {"pk": Campaign},
    "submissions:campaign_edit": {"pk": Campaign},
    "submissions:campaign_remind": {"pk": Campaign},
    "submissions:campaign_export": {"pk": Campaign},
    "submissions:historical_add": {"pk": Campaign},
    "submissions:start": {"pk": Campaign, "unit_pk": OrgUnit},
    "submissions:submission": {"pk": Submission},
    "submissions:pdf": {"pk": Submission},
    "submissions:submit": {"pk": Submission},
    "submissions:send": {"pk": Submission},
    "submissions:approve": {"pk": Submission},
    "submissions:return": {"pk": Submission},
    "submissions:reopen": {"pk": Submission},
    "plans:edit": {"pk": Submission},
    "plans:copy_previous": {"pk": Submission},
    "plans:item_edit": {"pk": PlanItem},
    "plans:item_delete": {"pk": PlanItem},
    "plans:programs": {"pk": OrgUnit},
    "plans:program_add": {"pk": OrgUnit},
    "plans:program": {"pk": Program},
    "plans:program_edit": {"pk": Program},
    "plans:program_move": [{"pk": Program, "move": move} for move in ("start", "finish", "resume")],
    "plans:roadmap_item_add": {"pk": Program},
    "plans:roadmap_item_edit": {"pk": RoadmapItem},
    "plans:roadmap_item_delete": {"pk": RoadmapItem},
    "plans:roadmap_item_status": {"pk": RoadmapItem},
    "reports:edit": {"pk": Submission},
    "attachments:upload": {"pk": Submission},
    "attachments:download": {"pk": Attachment},
    "attachments:delete": {"pk": Attachment},
    # orders
    "orders:order": {"pk": Order},
    "orders:edit": {"pk": Order},
    "orders:sign": {"pk": Order},
    "orders:pdf": {"pk": Order},
    "orders:send_for_agreement": {"pk": Order},
    "orders:agreement": {"pk": Order},
    "orders:return_to_draft": {"pk": Order},
    "orders:agreement_scan": {"pk": Order},
    "orders:unit_register": {"pk": OrgUnit},
    "orders:create": {"pk": OrgUnit},
    "orders:composition": {"pk": OrgUnit},
    "orders:from_plan": {"pk": Submission},
    "orders:from_candidacy": {"pk": Submission},
    # meetings
    "meetings:list": {"pk": OrgUnit},
    "meetings:add": {"pk": OrgUnit},
    "meetings:meeting": {"pk": Meeting},
    "meetings:edit": {"pk": Meeting},
    "meetings:attendance": {"pk": Meeting},
    "meetings:quorum": {"pk": Meeting},
    "meetings:item_add": {"pk": Meeting},
    "meetings:confirm": {"pk": Meeting},
    "meetings:protocol": {"pk": Meeting},
    "meetings:item_edit": {"pk": AgendaItem},
    "meetings:item_delete": {"pk": AgendaItem},
    # growth
    "growth:portfolio": {"pk": Person},
    "growth:course_add": {"person": Person},
    "growth:course_edit": {"pk": Course},
    "growth:course_delete": {"pk": Course},
    "growth:course_file": {"pk": Course},
    "growth:course_confirm": {"pk": Course},
    "growth:course_reject": {"pk": Course},
    "growth:diagnostic_add": {"person": Person},
    "growth:diagnostic_edit": {"pk": Diagnostic},
    "growth:diagnostic_delete": {"pk": Diagnostic},
    "growth:route_add": {"person": Person},
    "growth:route_edit": {"pk": Route},
    "growth:route_delete": {"pk": Route},
    "growth:step_add": {"route": Route},
    "growth:step_edit": {"pk": RouteStep},
    "growth:step_delete": {"pk": RouteStep},
    "growth:step_status": {"pk": RouteStep},
    "growth:mentoring_add": {"person": Person},
    "growth:mentoring_edit": {"pk": Mentoring},
    "growth:mentoring_delete": {"pk": Mentoring},
    "growth:unit_surveys": {"pk": OrgUnit},
    "growth:survey_add": {"pk": OrgUnit},
    "growth:survey": {"pk": NeedsSurvey},
    "growth:survey_edit": {"pk": NeedsSurvey},
    "growth:topic_add": {"survey": NeedsSurvey},
    "growth:topic_edit": {"pk": SurveyTopic},
    "growth:topic_delete": {"pk": SurveyTopic},
    "growth:survey_open": {"pk": NeedsSurvey},
    "growth:survey_close": {"pk": NeedsSurvey},
    "growth:survey_answer": {"pk": NeedsSurvey},
    "growth:survey_results": {"pk": NeedsSurvey},
    "growth:survey_export": {"pk": NeedsSurvey},
    "growth:survey_difficulties": {"pk": NeedsSurvey},
    # events
    "events:event": {"pk": Event},
    "events:edit": {"pk": Event},
    "events:participant_add": {"pk": Event},
    "events:participant_remove": {"pk": Participation},
    "events:unit_list": {"pk": OrgUnit},
    "events:add": {"pk": OrgUnit},
    # practices: a published practice is in the open bank by design, so the walk takes the others
    "practices:practice": {"pk": _unpublished(Development)},
    "practices:file": {"pk": lambda: DevelopmentFile.objects.exclude(development__state="published")},
    "practices:unit_list": {"pk": OrgUnit},
    "practices:add": {"pk": OrgUnit},
    "practices:development": {"pk": _unpublished(Development)},
    "practices:edit": {"pk": _unpublished(Development)},
    "practices:submit": {"pk": _unpublished(Development)},
    "practices:resubmit": {"pk": _unpublished(Development)},
    "practices:assign": {"pk": _unpublished(Development)},
    "practices:conclude": {"pk": _unpublished(Development)},
    "practices:decide": {"pk": _unpublished(Development)},
    "practices:publish": {"pk": _unpublished(Development)},
    "practices:unpublish": {"pk": Development},
    "practices:unassign": {"pk": ExpertAssignment},
    # monitoring
    "monitoring:campaign": {"pk": MonitoringCampaign},
    "monitoring:compute": {"pk": MonitoringCampaign},
    "monitoring:compute_progress": {"pk": MonitoringCampaign},
    "monitoring:close": {"pk": MonitoringCampaign},
    "monitoring:export": {"pk": MonitoringCampaign},
    "monitoring:manual": {"pk": MonitoringCampaign},
    "monitoring:result": {"pk": Result},
    "monitoring:enter": {"pk": Result},
    "monitoring:evidence": {"pk": Result},
    "monitoring:row": {"pk": Row},
    "monitoring:recommendation": {"pk": Row},
    "monitoring:set": {"pk": IndicatorSet},
    "monitoring:set_edit": {"pk": IndicatorSet},
    # registers: the register code is not an object — the page shows the home user's own rows
    "registers:export": {"code": "people"},
    "registers:import": {"code": "people"},
    "registers:import_template": {"code": "people"},
    "registers:export_status": {"pk": Export},
    "registers:export_download": {"pk": Export},
    "registers:import_preview": {"pk": Import},
    # public: the open pages under the home region's code (it publishes nothing) and foreign objects
    "public:region": {"region": "home"},
    "public:unit": {"region": "home", "pk": OrgUnit},
    "public:unit_feed": {"region": "home", "pk": OrgUnit},
    "public:plans": {"region": "home"},
    "public:reports": {"region": "home"},
    "public:document": {"region": "home", "pk": Submission},
    "public:document_pdf": {"region": "home", "pk": Submission},
    "public:protocols": {"region": "home"},
    "public:protocol": {"region": "home", "pk": Meeting},
    "public:orders": {"region": "home"},
    "public:order": {"region": "home", "pk": Order},
    "public:calendar": {"region": "home"},
    "public:practices": {"region": "home"},
    "public:practice": {"region": "home", "pk": Development},
    "public:practice_file": {"region": "home", "pk": Development},
    "public:private_feed": {"token": "no-such-token"},
    # the read-only API (api/): a detail or a campaign's units of a foreign object is 404
    "api:unit-detail": {"pk": OrgUnit},
    "api:person-detail": {"pk": Person},
    "api:membership-detail": {"pk": Membership},
    "api:campaign-detail": {"pk": Campaign},
    "api:campaign-units": {"pk": Campaign},
    "api:plan-detail": {"pk": lambda: Submission.objects.filter(campaign__document_type="plan")},
    "api:report-detail": {"pk": lambda: Submission.objects.filter(campaign__document_type="report")},
    "api:meeting-detail": {"pk": Meeting},
    "api:order-detail": {"pk": Order},
    "api:event-detail": {"pk": Event},
    "api:monitoring-campaign-detail": {"pk": MonitoringCampaign},
    "api:monitoring-result-detail": {"pk": Row},
    # history: the «История» tab of any tracked record, and of an import
    "history:import": {"pk": Import},
    "history:object": [
        {"model": label, "pk": model}
        for label, model in [
            ("orgunits.orgunit", OrgUnit),
            ("orgunits.school", School),
            ("people.person", Person),
            ("people.membership", Membership),
            ("submissions.submission", Submission),
            ("orders.order", Order),
            ("meetings.meeting", Meeting),
            ("events.event", Event),
            ("practices.development", Development),
            ("monitoring.monitoringcampaign", MonitoringCampaign),
            ("surveys.needssurvey", NeedsSurvey),
            ("programs.program", Program),
            ("growth.course", Course),
        ]
    ],
}

# (URL name, role) → status, where a foreign object is visible to a home role by design.
VISIBLE_BY_DESIGN: dict[tuple[str, str], tuple[int, str]] = {}

# List pages that show rows of other regions by design, with the reason.
OPEN_TO_ALL = {
    "practices:bank": "published practices are open to every logged-in user of any region",
    "public:index": "the names of the regions that publish open data (001 §1.3), for anyone",
}

# Tables a request may write without changing anything: sessions and login records, and the journals
# of who read what (152-ФЗ) and who exported which register — those are checked for foreign rows instead.
VOLATILE = {
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "people.personaldataaccess",
    "registers.export",
}


def url_patterns(patterns=None, prefix="", namespace=None):
    """(route, URL name, pattern) of every page, from the resolver itself."""
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) or None
            yield from url_patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            if route.startswith(SKIPPED_PREFIXES):
                continue
            name = f"{namespace}:{p.name}" if namespace else (p.name or route)
            yield route, name, p


class Unmapped(Exception):
    pass


def fillings(name: str) -> list[dict]:
    entry = OBJECTS.get(name, {})
    return entry if isinstance(entry, list) else [entry]


def fill(name: str, pattern: URLPattern, foreign_pks: dict) -> list[tuple[dict, bool]]:
    """Each way to fill the kwargs of `pattern` with foreign objects, and whether it names an object;
    Unmapped when the table lacks one."""
    wanted = set(pattern.pattern.converters)
    filled = []
    for table in fillings(name):
        if wanted - set(table):
            raise Unmapped(f"{name}: no object for {sorted(wanted - set(table))} — add it to OBJECTS")
        kwargs = {k: table[k] if isinstance(table[k], str) else foreign_pks[table[k]] for k in wanted}
        filled.append((kwargs, any(not isinstance(table[k], str) for k in wanted)))
    return filled


def foreign_pk(source, home_pks) -> int:
    qs = source() if callable(source) and not isinstance(source, type) else source.objects.all()
    pk = qs.exclude(pk__in=home_pks.get(qs.model, ())).order_by("pk").values_list("pk", flat=True).first()
    assert pk is not None, f"the foreign world has no {qs.model.__name__}: add one to the `worlds` fixture"
    return pk


def writes_so_far() -> int | None:
    """Rows written on this connection so far (SQLite counts them for free); None elsewhere."""
    if connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    return connection.connection.total_changes


def snapshot() -> dict[str, str]:
    """A digest of every row of every table (but the volatile ones), by table."""
    digests = {}
    for model in apps.get_models():
        if model._meta.label_lower in VOLATILE or model._meta.proxy:
            continue
        digest = hashlib.sha256()
        for row in model._base_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
        digests[model._meta.label] = digest.hexdigest()
    return digests


def mark_foreign_names():
    """Put MARK into the names of everything that exists so far: all of it is foreign."""
    for model in apps.get_models():
        if model._meta.app_label not in {"orgunits", "people", "events", "growth", "meetings", "practices"} | {
            "plans",
            "programs",
            "surveys",
            "monitoring",
            "submissions",
            "orders",
        } or model._meta.model_name in {"unitkind", "subject", "indicatorset", "indicator"}:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, CharField) and field.name in {"name", "short_name", "title", "last_name"}:
                room = (field.max_length or 200) - len(MARK)
                model._base_manager.update(**{field.name: Concat(Value(MARK), Substr(F(field.name), 1, room))})


@pytest.fixture
def worlds(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo(datetime.date(2026, 11, 24))
    someone = f.UserFactory(username="foreign_clerk")
    submission = Submission.objects.order_by("pk").first()
    person = Person.objects.order_by("pk").first()
    # What the demo does not make: a consent, an attachment, a candidacy, an export and an import.
    Consent.objects.create(
        person=person,
        signed_on=datetime.date(2026, 9, 1),
        file=ContentFile(b"%PDF-1.4", name="c.pdf"),
        recorded_by=someone,
    )
    Attachment.objects.create(
        submission=submission, file=ContentFile(b"x", name="a.txt"), name="a.txt", size=1, uploaded_by=someone
    )
    Candidacy.objects.create(
        submission=Submission.objects.filter(candidacy__isnull=True).order_by("-pk").first(),
        person=person,
        justification="—",
    )
    Export.objects.create(user=someone, register="people")
    Import.objects.create(user=someone, register="people", file=ContentFile(b"x", name="i.xlsx"), original_name="i")
    mark_foreign_names()

    kinds = f.standard_kinds()
    region = f.RegionFactory(code="home", name="Домашний регион")
    rumo = f.unit(region, kinds["rumo"], name="РУМО дома")
    cnppm = f.unit(region, kinds["cnppm"], rumo, name="ЦНППМ дома")
    munumo = f.unit(region, kinds["munumo"], cnppm, name="МунУМО дома")
    rmo = f.unit(region, kinds["rmo"], munumo, name="РМО дома")
    school = f.SchoolFactory(municipality=munumo, short_name="Школа дома", inn=inn_with_checksum("990000001"))
    users = {}

    def login(role, unit=None, membership_role=None):
        user = f.UserFactory(username=f"home_{role}")
        person = f.PersonFactory(region=region, user=user, school=school, last_name=f"Домашний-{role}")
        if unit is not None:
            f.member(person, unit, membership_role)
            sync_person_access(person)
        users[role] = user
        return user

    grant_role(login("admin"), rumo, "administrator")
    grant_role(login("reviewer"), rumo, "reviewer")
    login("methodist", munumo, "methodist")
    login("secretary", munumo, "secretary")
    login("teacher", rmo, "member")
    login("outsider")
    home_pks = {
        OrgUnit: set(OrgUnit.objects.filter(region=region).values_list("pk", flat=True)),
        Region: {region.pk},
        School: {school.pk},
        Person: set(Person.objects.filter(region=region).values_list("pk", flat=True)),
        Membership: set(Membership.objects.filter(unit__region=region).values_list("pk", flat=True)),
    }
    sources = {
        source
        for name in OBJECTS
        for table in fillings(name)
        for source in table.values()
        if not isinstance(source, str)
    }
    return users, {source: foreign_pk(source, home_pks) for source in sources}


def content_of(response) -> str:
    if response.get("Content-Type", "").startswith(("text/html", "application/json")) and not response.streaming:
        return response.content.decode(errors="replace")
    return ""


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response["Location"]


def request(client, method, url):
    try:
        return getattr(client, method)(url)
    except Exception as exc:  # a page that fails is as bad as one that shows: report it, walk on
        return exc


@pytest.fixture
def quiet_logs():
    logging.disable(logging.WARNING)  # thousands of expected 403/404 lines would only slow the walk down
    yield
    logging.disable(logging.NOTSET)


def test_every_page_hides_foreign_objects_and_changes_nothing(worlds, quiet_logs):
    users, foreign_pks = worlds
    # One client per role, logged in once: a login writes last_login, a page must not write anything.
    clients = {"anonymous": Client()}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(users[role])
    failures = []
    pages = list(url_patterns())
    assert len(pages) > 150, "the walk found too few URL patterns: is the resolver walked?"
    state = snapshot()
    for _route, name, pattern in pages:
        try:
            filled = fill(name, pattern, foreign_pks)
        except Unmapped as exc:
            failures.append(str(exc))
            continue
        writes = writes_so_far()
        for (kwargs, about_object), (role, client) in itertools.product(filled, clients.items()):
            url = reverse(name, kwargs=kwargs)
            if name in PUBLIC and role != "anonymous":
                continue  # public pages have no object to leak, and «logout» would end the role's session
            for method in ("get", "post"):
                response = request(client, method, url)
                where = f"{method.upper()} {url} ({name}) as {role}"
                if isinstance(response, Exception):
                    failures.append(f"{where}: {type(response).__name__}: {response}")
                    continue
                status = response.status_code
                if MARK in content_of(response) and name not in OPEN_TO_ALL:
                    failures.append(f"{where}: {status} shows a foreign row")
                if name in PUBLIC:
                    continue
                if role == "anonymous":
                    if name.startswith(API_NAMESPACE) and status == 401:
                        continue
                    if not is_login_redirect(response):
                        failures.append(f"{where}: {status}, expected the login page")
                    continue
                if status >= 500:
                    failures.append(f"{where}: {status}")
                elif about_object:
                    # 405: a page that only takes POST (or only GET) says so before looking at the object.
                    expected = {VISIBLE_BY_DESIGN.get((name, role), (404, ""))[0], 404, 405}
                    if method == "post":
                        expected.add(403)
                    if status not in expected:
                        failures.append(f"{where}: {status}, expected {'/'.join(map(str, sorted(expected)))}")
        # Only when something was written (or the count is unknown) is the whole database compared.
        if writes is None or writes_so_far() != writes:
            now = snapshot()
            if changed := sorted(table for table, digest in now.items() if state.get(table) != digest):
                failures.append(f"{name}: a request changed {', '.join(changed)}")
            state = now
    logged = PersonalDataAccess.objects.exclude(person__region__code="home").exclude(person__isnull=True)
    failures += [f"the 152-ФЗ journal says {e.user} saw the foreign person #{e.person_id}" for e in logged]
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def test_a_pattern_the_walk_cannot_fill_fails():
    from django.urls import path

    new = path("widgets/<int:pk>/", lambda request, pk: None, name="widget")
    with pytest.raises(Unmapped):
        fill("widgets:widget", new, {})
    with pytest.raises(Unmapped):  # a second argument added to a known page
        fill("orgunits:unit", path("units/<int:pk>/<int:year>/", lambda request, pk, year: None), {OrgUnit: 1})
