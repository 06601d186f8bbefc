"""Rules of the tree: which kind may sit under which, and how units move (services and views)."""

import datetime
from collections import defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from orgunits import services
from orgunits.models import OrgUnit

from . import factories as f


def unit_form_data(kind, name="Новое подразделение", school=None):
    return {
        "kind": kind.pk,
        "name": name,
        "short_name": "",
        "school": school.pk if school else "",
        "description": "",
        "opened_on": "",
        "expected_version": 1,
    }


def messages_of(exc: ValidationError) -> list[str]:
    return exc.messages


def assert_tree_consistent():
    """The MPTT columns of every node agree with the parent links (what a rebuild would give)."""
    nodes = {u.pk: u for u in OrgUnit._base_manager.all()}
    children = defaultdict(list)
    for node in nodes.values():
        children[node.parent_id].append(node.pk)

    def subtree(pk):
        result = set()
        for child in children[pk]:
            result |= {child} | subtree(child)
        return result

    def depth(node):
        return 0 if node.parent_id is None else depth(nodes[node.parent_id]) + 1

    by_tree = defaultdict(list)
    for node in nodes.values():
        by_tree[node.tree_id].append(node)
    for tree_nodes in by_tree.values():
        bounds = sorted([n.lft for n in tree_nodes] + [n.rght for n in tree_nodes])
        assert bounds == list(range(1, 2 * len(tree_nodes) + 1))
        assert len([n for n in tree_nodes if n.parent_id is None]) == 1
    for node in nodes.values():
        by_links = subtree(node.pk)
        by_bounds = {
            n.pk for n in nodes.values() if n.tree_id == node.tree_id and node.lft < n.lft and n.rght < node.rght
        }
        assert by_bounds == by_links, node
        assert node.rght - node.lft - 1 == 2 * len(by_links), node
        assert node.level == depth(node), node
        if node.parent_id is not None:
            assert node.tree_id == nodes[node.parent_id].tree_id, node
        assert set(node.get_descendants().values_list("pk", flat=True)) == by_links, node


@pytest.fixture
def other_region(kinds):
    region = f.RegionFactory(code="kchr", name="Карачаево-Черкесская Республика")
    rumo = f.unit(region, kinds["rumo"], name="РУМО КЧР")
    cnppm = f.unit(region, kinds["cnppm"], rumo, name="ЦНППМ КЧР")
    munumo = f.unit(region, kinds["munumo"], cnppm, name="Черкесское МунУМО")
    return munumo


# -- placement on creation ---------------------------------------------------------------------


def test_service_refuses_kind_not_allowed_under_parent(net):
    before = OrgUnit.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_unit(region=net.region, kind=net.kinds["rmo"], parent=net.cnppm, name="РМО физиков")
    assert "«РМО» не может входить в «ЦНППМ». Допустимо: МунУМО." in messages_of(exc.value)
    assert OrgUnit.objects.count() == before


def test_view_refuses_kind_not_allowed_under_parent(net, client):
    client.force_login(net.users.admin)
    before = OrgUnit.objects.count()
    response = client.post(
        reverse("orgunits:unit_add_child", args=[net.cnppm.pk]), unit_form_data(net.kinds["rmo"], "РМО физиков")
    )
    assert response.status_code == 200
    assert "не может входить в «ЦНППМ»" in response.content.decode()
    assert OrgUnit.objects.count() == before
    assert not OrgUnit.objects.filter(name="РМО физиков").exists()


def test_add_child_form_offers_only_allowed_kinds(net, client):
    client.force_login(net.users.admin)
    response = client.get(reverse("orgunits:unit_add_child", args=[net.terek.pk]))
    assert response.status_code == 200
    offered = set(response.context["form"].fields["kind"].queryset)
    assert offered == {net.kinds["rmo"], net.kinds["shmo"]}


def test_root_kind_cannot_be_placed_under_parent(net):
    before = OrgUnit.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_unit(region=net.region, kind=net.kinds["rumo"], parent=net.cnppm, name="Второе РУМО")
    assert "«РУМО» может быть только корнем дерева региона." in messages_of(exc.value)
    assert OrgUnit.objects.count() == before


def test_non_root_kind_cannot_be_root(net):
    with pytest.raises(ValidationError) as exc:
        services.create_unit(region=net.region, kind=net.kinds["cnppm"], parent=None, name="ЦНППМ без РУМО")
    assert "«ЦНППМ» не может быть корнем: укажите вышестоящее (РУМО)." in messages_of(exc.value)
    assert not OrgUnit.objects.filter(name="ЦНППМ без РУМО").exists()


def test_school_kind_requires_school_in_service(net):
    with pytest.raises(ValidationError) as exc:
        services.create_unit(region=net.region, kind=net.kinds["shmo"], parent=net.baksan_rmo, name="ШМО без школы")
    assert exc.value.message_dict["school"] == ["Для вида «ШМО» укажите образовательную организацию."]
    assert not OrgUnit.objects.filter(name="ШМО без школы").exists()


def test_school_kind_requires_school_in_view(net, client):
    client.force_login(net.users.admin)
    response = client.post(
        reverse("orgunits:unit_add_child", args=[net.baksan_rmo.pk]), unit_form_data(net.kinds["shmo"], "ШМО без школы")
    )
    assert response.status_code == 200
    assert "Для вида «ШМО» укажите образовательную организацию." in response.content.decode()
    assert not OrgUnit.objects.filter(name="ШМО без школы").exists()


def test_kind_outside_school_refuses_a_school(net):
    with pytest.raises(ValidationError) as exc:
        services.create_unit(
            region=net.region, kind=net.kinds["rmo"], parent=net.terek, name="РМО со школой", school=net.school
        )
    assert exc.value.message_dict["school"] == ["Вид «РМО» не относится к школе: оставьте поле пустым."]


def test_allowed_creation_in_view_keeps_tree_consistent(net, client):
    client.force_login(net.users.admin)
    response = client.post(
        reverse("orgunits:unit_add_child", args=[net.baksan_rmo.pk]),
        unit_form_data(net.kinds["shmo"], "ШМО математиков СОШ № 1 г. Баксана", net.baksan_school),
    )
    created = OrgUnit.objects.get(name="ШМО математиков СОШ № 1 г. Баксана")
    assert response.status_code == 302
    assert response.url == created.get_absolute_url()
    assert created.parent == net.baksan_rmo
    assert created.region == net.region
    assert_tree_consistent()


# -- moves -------------------------------------------------------------------------------------


def test_allowed_move_keeps_tree_consistent(net):
    moved = services.move_unit(net.terek_rmo, net.baksan)
    assert moved.parent_id == net.baksan.pk
    net.shmo.refresh_from_db()
    assert net.shmo.parent_id == net.terek_rmo.pk  # the subtree travels along
    baksan, terek = OrgUnit.objects.get(pk=net.baksan.pk), OrgUnit.objects.get(pk=net.terek.pk)
    assert set(baksan.get_descendants()) == {net.baksan_rmo, net.terek_rmo, net.shmo}
    assert set(terek.get_descendants()) == set()
    assert_tree_consistent()


def test_move_into_own_descendant_is_refused(net):
    with pytest.raises(ValidationError) as exc:
        services.move_unit(net.terek, net.terek_rmo)
    assert "Нельзя перенести подразделение внутрь самого себя или своего потомка." in messages_of(exc.value)
    net.terek.refresh_from_db()
    assert net.terek.parent_id == net.cnppm.pk
    assert_tree_consistent()


def test_move_into_itself_is_refused(net):
    with pytest.raises(ValidationError) as exc:
        services.move_unit(net.terek_rmo, OrgUnit.objects.get(pk=net.terek_rmo.pk))
    assert "Нельзя перенести подразделение внутрь самого себя или своего потомка." in messages_of(exc.value)


def test_move_across_regions_is_refused(net, other_region):
    with pytest.raises(ValidationError) as exc:
        services.move_unit(net.terek_rmo, other_region)
    assert messages_of(exc.value) == ["Перенос между регионами невозможен."]
    net.terek_rmo.refresh_from_db()
    assert net.terek_rmo.parent_id == net.terek.pk
    assert net.terek_rmo.region_id == net.region.pk
    assert_tree_consistent()


def test_move_to_disallowed_kind_is_refused(net):
    with pytest.raises(ValidationError) as exc:
        services.move_unit(net.terek_rmo, net.cnppm)
    assert messages_of(exc.value) == ["«РМО» не может входить в «ЦНППМ». Допустимо: МунУМО."]
    net.terek_rmo.refresh_from_db()
    assert net.terek_rmo.parent_id == net.terek.pk
    assert_tree_consistent()


def test_root_kind_cannot_be_moved_under_a_parent(net, kinds):
    second_root = f.unit(net.region, kinds["rumo"], name="Второе РУМО")
    with pytest.raises(ValidationError) as exc:
        services.move_unit(second_root, net.cnppm)
    assert messages_of(exc.value) == ["«РУМО» может быть только корнем дерева региона."]
    second_root.refresh_from_db()
    assert second_root.parent_id is None


def test_move_needs_a_new_parent(net):
    with pytest.raises(ValidationError) as exc:
        services.move_unit(net.terek_rmo, None)
    assert messages_of(exc.value) == ["Подразделение можно перенести только внутрь другого подразделения."]


def test_move_view_moves_the_unit(net, client):
    client.force_login(net.users.admin)
    url = reverse("orgunits:unit_move", args=[net.terek_rmo.pk])
    response = client.post(url, {"new_parent": net.baksan.pk, "confirm": "1"}, follow=True)
    assert response.status_code == 200
    assert f"«{net.terek_rmo}» перенесено в «{net.baksan}»." in response.content.decode()
    net.terek_rmo.refresh_from_db()
    assert net.terek_rmo.parent_id == net.baksan.pk
    assert_tree_consistent()


def test_move_view_offers_only_allowed_targets(net, client):
    client.force_login(net.users.admin)
    response = client.get(reverse("orgunits:unit_move", args=[net.terek_rmo.pk]))
    assert response.status_code == 200
    # Only МунУМО, not the current parent, never its own subtree or another kind.
    assert set(response.context["form"].fields["new_parent"].queryset) == {net.baksan}


@pytest.mark.parametrize("target", ["terek_rmo", "shmo", "cnppm"])
def test_move_view_refuses_target_not_allowed(net, client, target):
    client.force_login(net.users.admin)
    url = reverse("orgunits:unit_move", args=[net.terek.pk])
    response = client.post(url, {"new_parent": getattr(net, target).pk})
    assert response.status_code == 200
    assert "Выберите подразделение из списка." in response.content.decode()
    net.terek.refresh_from_db()
    assert net.terek.parent_id == net.cnppm.pk
    assert_tree_consistent()


def test_move_view_refuses_empty_target(net, client):
    client.force_login(net.users.admin)
    response = client.post(reverse("orgunits:unit_move", args=[net.terek_rmo.pk]), {"new_parent": ""})
    assert response.status_code == 200
    assert "Обязательное поле." in response.content.decode()
    net.terek_rmo.refresh_from_db()
    assert net.terek_rmo.parent_id == net.terek.pk


# -- closed units ------------------------------------------------------------------------------


def close(unit_obj, on=datetime.date(2026, 6, 30)):
    unit_obj.closed_on = on
    unit_obj.save()
    return unit_obj


def test_closed_unit_cannot_receive_children_in_service(net):
    close(net.baksan_rmo)
    with pytest.raises(ValidationError) as exc:
        services.create_unit(
            region=net.region, kind=net.kinds["shmo"], parent=net.baksan_rmo, name="ШМО", school=net.baksan_school
        )
    assert f"«{net.baksan_rmo}» прекратило работу: в него нельзя добавлять подразделения." in messages_of(exc.value)
    assert net.baksan_rmo.get_descendant_count() == 0


def test_closed_unit_cannot_receive_children_in_view(net, client):
    close(net.baksan_rmo)
    client.force_login(net.users.admin)
    response = client.post(
        reverse("orgunits:unit_add_child", args=[net.baksan_rmo.pk]),
        unit_form_data(net.kinds["shmo"], "ШМО в закрытом РМО", net.baksan_school),
    )
    assert response.status_code == 200
    assert "прекратило работу: в него нельзя добавлять подразделения." in response.content.decode()
    assert not OrgUnit.objects.filter(name="ШМО в закрытом РМО").exists()


def test_closed_unit_cannot_receive_a_moved_unit(net):
    close(net.baksan_rmo)
    with pytest.raises(ValidationError) as exc:
        services.move_unit(net.shmo, net.baksan_rmo)
    assert f"«{net.baksan_rmo}» прекратило работу: в него нельзя добавлять подразделения." in messages_of(exc.value)
    net.shmo.refresh_from_db()
    assert net.shmo.parent_id == net.terek_rmo.pk


def test_closed_unit_is_not_offered_as_move_target(net, client):
    close(net.baksan)
    client.force_login(net.users.admin)
    response = client.get(reverse("orgunits:unit_move", args=[net.terek_rmo.pk]))
    assert net.baksan not in set(response.context["form"].fields["new_parent"].queryset)
