"""Concurrent moves in one tree keep the nested sets consistent (the tree is locked)."""

import threading

import pytest
from django.db import connection, connections

from orgunits import services
from orgunits.models import OrgUnit
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "connection.vendor != 'postgresql'", reason="row locks need PostgreSQL (SQLite serialises writers)"
    ),
]


def assert_nested_sets_consistent(tree_id):
    nodes = list(OrgUnit.objects.filter(tree_id=tree_id).values("pk", "parent_id", "lft", "rght", "level"))
    bounds = sorted(b for n in nodes for b in (n["lft"], n["rght"]))
    assert bounds == list(range(1, 2 * len(nodes) + 1)), "lft/rght must be a permutation of 1..2n"
    by_pk = {n["pk"]: n for n in nodes}
    for n in nodes:
        assert n["lft"] < n["rght"]
        if n["parent_id"]:
            parent = by_pk[n["parent_id"]]
            assert parent["lft"] < n["lft"] and n["rght"] < parent["rght"]
            assert n["level"] == parent["level"] + 1


def test_concurrent_moves_keep_the_tree_consistent(kinds):
    region = f.RegionFactory()
    rumo = f.unit(region, kinds["rumo"], name="РУМО")
    cnppm = f.unit(region, kinds["cnppm"], rumo, name="ЦНППМ")
    municipalities = [f.unit(region, kinds["munumo"], cnppm, name=f"МунУМО {i}") for i in range(4)]
    rmos = [f.unit(region, kinds["rmo"], m, name=f"РМО {m.pk}-{j}") for m in municipalities for j in range(5)]
    moves = [(rmos[i], municipalities[(i // 5 + 1) % 4]) for i in range(0, len(rmos), 2)]
    barrier = threading.Barrier(2)
    errors = []

    def worker(batch):
        try:
            barrier.wait(timeout=10)
            for unit_obj, target in batch:
                services.move_unit(OrgUnit.objects.get(pk=unit_obj.pk), OrgUnit.objects.get(pk=target.pk))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(moves[k::2],)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert_nested_sets_consistent(rumo.tree_id)
    for unit_obj, target in moves:
        assert OrgUnit.objects.get(pk=unit_obj.pk).parent_id == target.pk
    assert connection.vendor == "postgresql"
