"""/healthz: anyone learns "ok" or "fail"; only staff learn which part failed and how."""

import os

import pytest
from django.contrib.auth import get_user_model

BROKER_DOWN = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


@pytest.fixture
def staff_client(client, db):
    user = get_user_model().objects.create_user("ops", password="x", is_staff=True)
    client.force_login(user)
    return client


def test_anonymous_caller_learns_only_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_anonymous_caller_learns_only_fail_when_the_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = BROKER_DOWN
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "fail"}
    # Neither the transport nor an exception's name leaks out.
    assert b"redis" not in response.content
    assert b"Error" not in response.content


def test_a_logged_in_user_who_is_not_staff_learns_only_the_status(net, client, settings):
    settings.CELERY_BROKER_URL = BROKER_DOWN
    client.force_login(net.users.admin)  # a regional administrator, not staff of the installation
    assert client.get("/healthz").json() == {"status": "fail"}


def test_staff_see_database_and_broker(staff_client):
    response = staff_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


@pytest.mark.skipif("CELERY_BROKER_URL" in os.environ, reason="the broker is configured from the environment")
def test_staff_see_the_default_filesystem_transport(staff_client):
    assert staff_client.get("/healthz").json()["broker_transport"] == "filesystem"


def test_staff_see_which_part_is_down(staff_client, settings):
    settings.CELERY_BROKER_URL = BROKER_DOWN
    response = staff_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")
    assert body["broker_transport"] == "redis"


def test_a_superuser_sees_the_details_even_without_the_staff_flag(client, db):
    client.force_login(get_user_model().objects.create_user("root2", password="x", is_superuser=True))
    assert client.get("/healthz").json()["database"] == "ok"
