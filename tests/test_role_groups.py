from guardian.models import GroupObjectPermission

from orgunits.access import role_group, sync_role_group_permissions


def test_sync_restores_a_role_groups_permissions(net):
    group = role_group(net.terek, "methodist")
    GroupObjectPermission.objects.filter(group=group, permission__codename="manage_members_subtree").delete()
    assert sync_role_group_permissions()[0] == 1
    codenames = set(GroupObjectPermission.objects.filter(group=group).values_list("permission__codename", flat=True))
    assert codenames == {"view_subtree", "manage_members_subtree", "file_documents"}
    assert sync_role_group_permissions()[0] == 0
