"""Two sweeps of one day at once (a beat tick and an administrator's replay): one letter each."""

import datetime
import threading

import pytest
from django.db import connection, connections  # noqa: F401 - `connection` is read by the skipif below

from network.models import Notification
from orgunits.models import DocumentType
from submissions import deadlines
from submissions.models import Campaign, DeadlineEvent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="row locks need PostgreSQL (SQLite serialises writers)"
    ),
]


def test_concurrent_sweeps_record_and_notify_once(net):
    campaign = Campaign.objects.create(
        region=net.region, document_type=DocumentType.REPORT, year=2026, **Campaign.defaults_for("report", 2026)
    )
    campaign.filer_kinds.set([net.kinds["munumo"], net.kinds["rmo"]])
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            deadlines.run_sweep(datetime.date(2027, 2, 26), send_email=False)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    units = sorted(DeadlineEvent.objects.values_list("unit_id", flat=True))
    assert units == sorted([net.terek.pk, net.baksan.pk, net.terek_rmo.pk, net.baksan_rmo.pk])
    assert Notification.objects.filter(user=net.users.secretary, text__contains="просрочен").count() == 1
