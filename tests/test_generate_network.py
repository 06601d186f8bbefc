"""The synthetic network generator (issues 6 and 14): the shape of the real network (several school MOs
by subject in each school, a subject MO per subject in each municipality, teachers in the MOs of their
subjects), the data the benchmark opens, a valid tree, and a run that goes on where it stopped."""

import datetime
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Max

from demo import synthetic
from demo.synthetic import SUBJECT_GROUPS, school_mo_count
from events.models import Event
from history.models import LogEntry
from meetings.models import Attendance, Meeting
from monitoring.models import MonitoringCampaign, Result
from network.models import Notification
from orders.models import Order, OrderCounter
from orgunits.models import OrgUnit, Region, School, validate_inn_checksum
from people.models import Membership, Person
from plans.models import PlanItem
from practices.models import Development
from registers.models import Import
from submissions.models import State, Submission

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
SIZES = {
    "regions": 2,
    "municipalities": 4,
    "schools": 12,
    "teachers": 300,
    "orders": 120,
    "notifications": 30,
    "import-rows": 10,
    "events": 2,
}
GROUP_SUBJECTS = {code: set(subjects) for code, _title, _share, subjects in SUBJECT_GROUPS}


def generate(**sizes):
    args = []
    for name, value in {**SIZES, **sizes}.items():
        args += [f"--{name}", str(value)]
    call_command("generate_network", *args, "--date", TODAY.isoformat())


def group_of(unit) -> str:
    """«ШМО math СОШ 3 СР-1», «РМО nat р-на 2 СР-1» → the subject group's code."""
    return unit.short_name.split()[1]


def test_generator_builds_the_sizes_asked_for():
    generate()
    assert Region.objects.filter(code__startswith="gen").count() == 2
    assert School.objects.count() == 12
    assert Person.objects.count() == 300
    assert OrgUnit.objects.filter(kind__code="munumo").count() == 4
    assert Order.objects.count() == 120
    assert Event.objects.count() == 4 * 2


def test_every_school_has_several_school_mos_by_subject_and_every_municipality_one_per_subject():
    generate()
    for school in School.objects.annotate(n_staff=Count("staff", distinct=True)):
        mos = list(OrgUnit.objects.filter(kind__code="shmo", school=school))
        groups = [group_of(unit) for unit in mos]
        assert len(groups) == len(set(groups)) == school_mo_count(school.n_staff), school
        assert len(mos) >= 2  # every school has at least three teachers, so at least two MOs
        # A school MO sits under its municipality's subject MO of the same subject.
        for unit in mos:
            assert unit.parent.kind.code == "rmo" and group_of(unit.parent) == group_of(unit)
            assert unit.parent.parent_id == school.municipality_id
    for muni in OrgUnit.objects.filter(kind__code="munumo"):
        subject_mos = [group_of(u) for u in muni.get_children()]
        assert sorted(subject_mos) == sorted(code for code, *_ in SUBJECT_GROUPS)
    # Small schools have fewer MOs than large ones.
    assert school_mo_count(3) < school_mo_count(25) <= school_mo_count(80)


def test_teachers_are_members_of_the_school_mos_of_their_subjects():
    generate()
    per_person = Counter()
    for m in Membership.objects.filter(unit__kind__code="shmo").select_related("unit", "person"):
        subjects = {s.name for s in m.person.subjects.all()}
        assert subjects & GROUP_SUBJECTS[group_of(m.unit)], (m.person, m.unit)
        assert m.unit.school_id == m.person.school_id
        per_person[m.person_id] += 1
    assert set(per_person.values()) <= {1, 2}
    assert len(per_person) == Person.objects.count()  # nobody is left out
    assert 2 in per_person.values()  # some teach two subjects
    # Each municipal subject MO draws from teachers of its subject in its municipality.
    for m in Membership.objects.filter(unit__kind__code="rmo").select_related("unit", "person__school"):
        assert {s.name for s in m.person.subjects.all()} & GROUP_SUBJECTS[group_of(m.unit)]
        assert m.person.school.municipality_id == m.unit.parent_id
    # One chair per unit with members.
    units_with_members = OrgUnit.objects.filter(memberships__isnull=False).distinct().count()
    assert Membership.objects.filter(role="chair").count() == units_with_members


def test_documents_orders_meetings_and_the_bench_objects_exist():
    generate()
    # Plans and reports in every state, each move in the history.
    states = set(Submission.objects.values_list("state", flat=True))
    assert states == {State.DRAFT, State.SUBMITTED, State.RETURNED, State.APPROVED}
    returned = Submission.objects.filter(state=State.RETURNED).select_related("approver").first()
    entry = LogEntry.objects.get(object_id=returned.pk, move="return", kind=returned.campaign.document_type)
    assert entry.actor is not None and entry.reason
    for s in Submission.objects.exclude(state=State.DRAFT)[:50]:
        assert LogEntry.objects.filter(object_id=s.pk, move="submit").exists()
    # Orders: numbered per unit and year with the counter, signed by the issuing unit's chair.
    for order in Order.objects.filter(signatory__isnull=False).select_related("unit")[:50]:
        assert Membership.objects.filter(unit=order.unit, person=order.signatory, role="chair").exists()
    for counter in OrderCounter.objects.all():
        top = Order.objects.filter(unit=counter.unit, year=counter.year).aggregate(m=Max("number"))["m"]
        assert counter.last_number == top
    assert set(Order.objects.values_list("status", flat=True)) == {"signed", "draft"}
    # Meetings with protocols: attendance of members only, a confirmed protocol confirmed by both.
    assert Meeting.objects.filter(status="confirmed", chair_confirmed_at__isnull=True).count() == 0
    attendance = Attendance.objects.select_related("meeting").first()
    assert Membership.objects.filter(unit=attendance.meeting.unit, person=attendance.person).exists()
    assert Meeting.objects.filter(items__isnull=False).exists()
    # The bench's objects in the first region.
    reviewer = get_user_model().objects.get(username=synthetic.REVIEWER)
    assert Notification.objects.filter(user=reviewer).count() == 30
    upload = Import.objects.get(original_name=synthetic.IMPORT_NAME)
    assert upload.status == Import.Status.PREVIEW and len(upload.rows) == 10 and upload.totals["new"] == 10
    assert PlanItem.objects.values("submission").annotate(n=Count("pk")).filter(n=100).exists()
    assert Person.objects.get(phone=synthetic.PORTFOLIO_PHONE).courses.count() >= 8
    assert Development.objects.filter(state="published").exists()
    assert Development.objects.filter(state="in_expertise", assignments__expert=reviewer).exists()
    computed = MonitoringCampaign.objects.get(region__code="gen01")
    assert computed.computed_at is not None and Result.objects.filter(row__campaign=computed).exists()
    assert MonitoringCampaign.objects.get(region__code="gen02").computed_at is None  # --compute 1


def test_the_bench_pages_of_the_first_region_open(client):
    """The chair made for the benchmark edits the 100-item plan and the report; the reviewer reads
    his notifications and the expertise queue; the administrator sees the import's preview."""
    generate()
    User = get_user_model()
    chair = User.objects.get(username="gen01-chair")
    unit = Membership.objects.get(person__user=chair, role="chair", unit__kind__code="munumo").unit
    plan = Submission.objects.get(unit=unit, campaign__document_type="plan")
    report = Submission.objects.get(unit=unit, campaign__document_type="report")
    assert plan.plan_items.count() == 100 and plan.state in (State.DRAFT, State.RETURNED)
    assert report.report_sections.exclude(text="").count() == 6
    client.force_login(chair)
    assert client.get(f"/submissions/{plan.pk}/plan/").status_code == 200
    assert client.get(f"/submissions/{report.pk}/report/").status_code == 200
    client.force_login(User.objects.get(username=synthetic.REVIEWER))
    assert client.get("/notifications/").status_code == 200
    assert client.get("/practices/expertise/").status_code == 200
    client.force_login(User.objects.get(username=synthetic.ADMIN))
    upload = Import.objects.get(original_name=synthetic.IMPORT_NAME)
    assert client.get(f"/registers/imports/{upload.pk}/").status_code == 200


def test_generated_tree_is_what_mptt_itself_would_build():
    generate()
    before = list(OrgUnit.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level", "parent_id"))
    OrgUnit.objects.rebuild()
    after = list(OrgUnit.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level", "parent_id"))
    assert before == after
    assert OrgUnit.objects.filter(parent__isnull=True).count() == 2  # one tree per region


def test_generated_schools_have_valid_inns():
    generate()
    for inn in School.objects.values_list("inn", flat=True):
        validate_inn_checksum(inn)


def tables():
    return {
        model.__name__: model.objects.count()
        for model in (Region, OrgUnit, Person, Membership, Submission, Order, Meeting, Notification, Import, PlanItem)
    }


def test_a_second_run_skips_what_is_built():
    generate()
    before = tables()
    generate()
    assert tables() == before  # nothing twice, the bench objects included


def test_an_interrupted_run_goes_on_with_the_region_that_failed(monkeypatch):
    calls = []
    original = synthetic.Generator.practices

    def fail_in_the_second_region(self, ctx):
        calls.append(ctx.region.code)
        if ctx.region.code == "gen02" and len(calls) == 2:
            raise RuntimeError("обрыв")
        return original(self, ctx)

    monkeypatch.setattr(synthetic.Generator, "practices", fail_in_the_second_region)
    with pytest.raises(RuntimeError):
        generate()
    # The first region stays whole; nothing of the second one is left (one transaction per region).
    assert list(Region.objects.values_list("code", flat=True)) == ["gen01"]
    assert not OrgUnit.objects.exclude(region__code="gen01").exists()
    gen01 = tables()
    generate()
    assert calls == ["gen01", "gen02", "gen02"]  # gen01 was not built again
    assert sorted(Region.objects.values_list("code", flat=True)) == ["gen01", "gen02"]
    assert Person.objects.filter(region__code="gen01").count() == gen01["Person"]
    assert OrgUnit.objects.filter(region__code="gen02").exists()


def test_generator_refuses_impossible_sizes():
    with pytest.raises(CommandError, match="регионов ≤ муниципалитетов ≤ школ"):
        generate(regions=3, municipalities=2)
