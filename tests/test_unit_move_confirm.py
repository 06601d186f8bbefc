"""Moving a unit asks first and says what changes: the new parent and path, who approves its
documents after the move, which roles from above stop and start applying (issue 12)."""

import pytest
from django.urls import reverse

from orgunits import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipal_approval(net, kinds):
    """A МунУМО agrees the plans of its РМО: moving an РМО changes who approves its plan."""
    kinds["munumo"].approves_documents = ["plan"]
    kinds["munumo"].save()
    return net


def test_posting_a_target_shows_the_confirmation_and_moves_nothing(municipal_approval, client):
    net = municipal_approval
    client.force_login(net.users.admin)
    response = client.post(reverse("orgunits:unit_move", args=[net.terek_rmo.pk]), {"new_parent": net.baksan.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Переместить" in page and 'name="confirm" value="1"' in page
    net.terek_rmo.refresh_from_db()
    assert net.terek_rmo.parent_id == net.terek.pk


def test_the_confirmation_names_the_new_parent_and_path(municipal_approval, client):
    net = municipal_approval
    client.force_login(net.users.admin)
    response = client.post(reverse("orgunits:unit_move", args=[net.terek_rmo.pk]), {"new_parent": net.baksan.pk})
    preview = response.context["preview"]
    assert preview["new_parent"] == net.baksan
    assert preview["new_path"] == [net.rumo, net.cnppm, net.baksan]
    assert "РУМО КБР › ЦНППМ КБР › Баксанское МунУМО ›" in response.content.decode()


def test_the_confirmation_says_who_will_approve_the_documents(municipal_approval):
    net = municipal_approval
    preview = services.move_preview(net.terek_rmo, net.baksan)
    by_label = {a["label"]: a for a in preview["approvers"]}
    plan, report = by_label["план работы"], by_label["годовой отчёт"]
    assert (plan["before"], plan["after"], plan["changes"]) == (net.terek, net.baksan, True)
    # The report still goes to РУМО: nobody in between approves reports.
    assert (report["before"], report["after"], report["changes"]) == (net.rumo, net.rumo, False)


def test_the_approver_is_computed_without_moving(municipal_approval):
    net = municipal_approval
    assert services.approver_under("plan", net.baksan) == net.baksan
    assert services.approver_under("report", net.baksan) == net.rumo
    net.terek_rmo.refresh_from_db()
    assert net.terek_rmo.parent_id == net.terek.pk


def test_the_confirmation_lists_the_roles_from_above_that_change(municipal_approval):
    net = municipal_approval
    preview = services.move_preview(net.terek_rmo, net.baksan)
    lost = {(user.username, role.code) for user, role, _ in preview["lost"]}
    gained = {(user.username, role.code) for user, role, _ in preview["gained"]}
    assert ("methodist", "methodist") in lost and ("baksan_methodist", "methodist") in gained
    # The regional administrator holds the role above both places: nothing changes for them.
    assert not any(user == net.users.admin for user, _, _ in preview["lost"] + preview["gained"])


def test_confirming_moves_the_unit(municipal_approval, client):
    net = municipal_approval
    client.force_login(net.users.admin)
    url = reverse("orgunits:unit_move", args=[net.terek_rmo.pk])
    response = client.post(url, {"new_parent": net.baksan.pk, "confirm": "1"}, follow=True)
    assert f"«{net.terek_rmo}» перенесено в «{net.baksan}»." in response.content.decode()
    net.terek_rmo.refresh_from_db()
    assert net.terek_rmo.parent_id == net.baksan.pk


def test_a_target_outside_the_list_is_refused_before_the_confirmation(municipal_approval, client):
    net = municipal_approval
    client.force_login(net.users.admin)
    response = client.post(reverse("orgunits:unit_move", args=[net.terek_rmo.pk]), {"new_parent": net.rumo.pk})
    assert "preview" not in response.context
    assert "Выберите подразделение из списка." in response.content.decode()


def test_the_confirmation_is_only_for_those_who_may_move(municipal_approval, client):
    net = municipal_approval
    client.force_login(net.users.methodist)
    url = reverse("orgunits:unit_move", args=[net.terek_rmo.pk])
    assert client.post(url, {"new_parent": net.baksan.pk}).status_code == 403
    net.terek_rmo.refresh_from_db()
    assert net.terek_rmo.parent_id == net.terek.pk


def test_documents_on_approval_are_named_with_their_approver(municipal_approval, kinds, client):
    from .workflow import report_campaign, submitted

    net = municipal_approval
    kinds["munumo"].approves_documents = ["plan", "report"]
    kinds["munumo"].save()
    report = submitted(report_campaign(net), net.terek_rmo, net.users.superuser)
    assert report.approver == net.terek
    preview = services.move_preview(net.terek_rmo, net.baksan)
    assert [(s.pk, s.approver, s.after) for s in preview["pending"]] == [(report.pk, net.terek, net.baksan)]
    client.force_login(net.users.admin)
    page = client.post(reverse("orgunits:unit_move", args=[net.terek_rmo.pk]), {"new_parent": net.baksan.pk})
    assert "Уже на согласовании" in page.content.decode()
    assert "у «Терское МунУМО», затем «Баксанское МунУМО»" in page.content.decode()
