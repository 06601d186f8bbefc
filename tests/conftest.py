import os
from types import SimpleNamespace

import pytest

from orgunits.access import grant_role
from people.services import sync_person_access

from . import factories as f

# A real S3-protocol server for the object-storage tests (moto_server, or S3_TEST_URL): tests/s3server.py.
pytest_plugins = ["tests.s3server"]

PASSWORD = "pass-Word-123"


@pytest.fixture
def kinds(db):
    return f.standard_kinds()


@pytest.fixture
def net(kinds):
    """Two municipalities of one region, a school MO, and a login for every role.

    region ─ РУМО ─ ЦНППМ ─┬─ Терское МунУМО ─ РМО математиков ─ ШМО (СОШ № 1)
                           └─ Баксанское МунУМО ─ РМО математиков
    """
    region = f.RegionFactory(code="kbr", name="Кабардино-Балкарская Республика")
    rumo = f.unit(region, kinds["rumo"], name="РУМО КБР")
    cnppm = f.unit(region, kinds["cnppm"], rumo, name="ЦНППМ КБР")
    terek = f.unit(region, kinds["munumo"], cnppm, name="Терское МунУМО")
    baksan = f.unit(region, kinds["munumo"], cnppm, name="Баксанское МунУМО")
    terek_rmo = f.unit(region, kinds["rmo"], terek, name="РМО учителей математики Терского района")
    baksan_rmo = f.unit(region, kinds["rmo"], baksan, name="РМО учителей математики Баксанского района")
    school = f.SchoolFactory(municipality=terek, short_name="СОШ № 1 г. Терека")
    baksan_school = f.SchoolFactory(municipality=baksan, short_name="СОШ № 1 г. Баксана")
    shmo = f.unit(region, kinds["shmo"], terek_rmo, name="ШМО математиков СОШ № 1", school=school)

    def login_person(username, unit_obj=None, role=None, school_obj=None):
        user = f.UserFactory(username=username)
        person = f.PersonFactory(region=region, user=user, school=school_obj, last_name=f"Фамилия-{username}")
        if unit_obj is not None:
            f.member(person, unit_obj, role)
            sync_person_access(person)
        return user, person

    users = SimpleNamespace()
    users.admin, _ = login_person("admin")
    grant_role(users.admin, rumo, "administrator")
    users.reviewer, _ = login_person("reviewer")
    grant_role(users.reviewer, rumo, "reviewer")
    users.methodist, users.methodist_person = login_person("methodist", terek, "methodist")
    users.secretary, users.secretary_person = login_person("secretary", terek, "secretary")
    users.baksan_methodist, _ = login_person("baksan_methodist", baksan, "methodist")
    users.shmo_secretary, _ = login_person("shmo_secretary", shmo, "secretary", school)
    users.teacher, users.teacher_person = login_person("teacher", terek_rmo, "member", school)
    users.outsider, _ = login_person("outsider")
    users.superuser = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    for u in vars(users).values():
        if hasattr(u, "_metodset_access"):
            del u._metodset_access

    return SimpleNamespace(
        region=region,
        rumo=rumo,
        cnppm=cnppm,
        terek=terek,
        baksan=baksan,
        terek_rmo=terek_rmo,
        baksan_rmo=baksan_rmo,
        shmo=shmo,
        school=school,
        baksan_school=baksan_school,
        users=users,
        kinds=kinds,
    )


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


def pytest_report_header(config):
    database = os.environ.get("DATABASE_URL", "sqlite (default)")
    return f"database: {database}; broker: {os.environ.get('CELERY_BROKER_URL', 'filesystem://')}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 costs ~0.3 s a user; the fixtures create a dozen logins per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads, scans and rendered PDFs of a test never land in the developer's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"
