"""The synthetic network generator (issue 6): a valid tree, the sizes asked for, refused twice."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from events.models import Event
from orgunits.models import OrgUnit, Region, School, validate_inn_checksum
from people.models import Membership, Person
from submissions.models import Submission

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


def generate(**sizes):
    args = []
    for name, value in {"regions": 2, "municipalities": 5, "schools": 12, "teachers": 300, **sizes}.items():
        args += [f"--{name}", str(value)]
    call_command("generate_network", *args, "--date", TODAY.isoformat(), "--events", "3")


def test_generator_builds_the_sizes_asked_for():
    generate()
    assert Region.objects.filter(code__startswith="gen").count() == 2
    assert School.objects.count() == 12
    assert Person.objects.count() == 300
    assert OrgUnit.objects.filter(kind__code="munumo").count() == 5
    assert OrgUnit.objects.filter(kind__code="shmo", school__isnull=False).count() == 12
    units_with_members = OrgUnit.objects.filter(memberships__isnull=False).distinct().count()
    assert Membership.objects.filter(role="chair").count() == units_with_members
    assert Submission.objects.exists() and Event.objects.count() == 5 * 3


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


def test_generator_refuses_to_run_twice():
    generate()
    with pytest.raises(CommandError, match="уже создана"):
        generate()


def test_generator_refuses_impossible_sizes():
    with pytest.raises(CommandError, match="регионов ≤ муниципалитетов ≤ школ"):
        generate(regions=3, municipalities=2)
