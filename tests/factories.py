"""Factories for the network: a small standard chain per test, built through the real models."""

import datetime

import factory
from django.contrib.auth import get_user_model

from demo.orgunits import inn_with_checksum
from orgunits.models import Level, OrgUnit, Region, School, UnitKind
from people.models import Membership, Person

TERM_START = datetime.date(2026, 9, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Иван"
    last_name = factory.Sequence(lambda n: f"Пользователев{n}")
    password = factory.django.Password("pass-Word-123")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"r{n}")
    name = factory.Sequence(lambda n: f"Регион {n}")


def kind(code, name, level, parents=(), requires_school=False, files=(), approves=()):
    obj, _ = UnitKind.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "short_name": name,
            "level": level,
            "requires_school": requires_school,
            "files_documents": list(files),
            "approves_documents": list(approves),
        },
    )
    obj.allowed_parents.set([UnitKind.objects.get(code=p) for p in parents])
    return obj


def standard_kinds():
    """The standard chain of DESIGN.md: РУМО → ЦНППМ → МунУМО → РМО → ШМО."""
    return {
        "rumo": kind("rumo", "РУМО", Level.REGIONAL, approves=["plan", "report", "candidate", "development"]),
        "cnppm": kind("cnppm", "ЦНППМ", Level.REGIONAL, ["rumo"]),
        "munumo": kind("munumo", "МунУМО", Level.MUNICIPAL, ["cnppm", "rumo"], files=["plan", "report"]),
        "rmo": kind("rmo", "РМО", Level.MUNICIPAL, ["munumo"], files=["plan", "report"]),
        "shmo": kind("shmo", "ШМО", Level.SCHOOL, ["rmo", "munumo"], requires_school=True, files=["plan", "report"]),
    }


_inn_seq = iter(range(1, 10_000_000))


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Средняя общеобразовательная школа № {n}")
    short_name = factory.Sequence(lambda n: f"СОШ № {n}")
    inn = factory.LazyFunction(lambda: inn_with_checksum(f"07{next(_inn_seq):07d}"))
    municipality = None


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    region = factory.SubFactory(RegionFactory)
    last_name = factory.Sequence(lambda n: f"Педагогова{n}")
    first_name = "Мария"
    middle_name = "Ивановна"
    position = "учитель"
    email = factory.Sequence(lambda n: f"teacher{n}@example.org")


def unit(region, kind_obj, parent=None, name=None, school=None):
    return OrgUnit.objects.create(
        region=region,
        kind=kind_obj,
        parent=parent,
        name=name or f"{kind_obj.name} {OrgUnit.objects.count() + 1}",
        school=school,
    )


def member(person, unit_obj, role="member", starts_on=TERM_START, left_on=None):
    return Membership.objects.create(
        person=person,
        unit=unit_obj,
        role=role,
        starts_on=starts_on,
        ends_on=Membership.default_term_end(starts_on),
        left_on=left_on,
    )


# The logins of the `net` fixture, in the column order of the permission matrices.
MATRIX_ROLES = (
    "admin",
    "reviewer",
    "methodist",
    "secretary",
    "baksan_methodist",
    "shmo_secretary",
    "teacher",
    "outsider",
    "superuser",
    "anonymous",
)


def bulk_node(region, kind, parent, name, school=None):
    """An unsaved unit for bulk_create under disable_mptt_updates(); partial_rebuild fixes the bounds."""
    from network.models import normalize_search

    return OrgUnit(
        region=region,
        kind=kind,
        parent=parent,
        name=name,
        school=school,
        search=normalize_search(name),
        tree_id=parent.tree_id,
        lft=0,
        rght=0,
        level=0,
    )


def matrix_cases(matrix, roles=MATRIX_ROLES):
    """pytest params (page, role, expected status) from a {page: (status per role, …)} table."""
    import pytest

    return [
        pytest.param(page, role, status, id=f"{page}-{role}")
        for page, statuses in matrix.items()
        for role, status in zip(roles, statuses, strict=True)
    ]
