"""The approver is found by kind, not by depth."""

from orgunits.models import Level
from submissions.services import approver_for
from tests import factories as f


def test_municipal_umo_reports_to_rumo_past_the_cnppm(net):
    assert approver_for(net.terek, "report") == net.rumo


def test_subject_mo_plan_goes_to_the_nearest_approving_kind(net):
    net.kinds["munumo"].approves_documents = ["plan", "report"]
    net.kinds["munumo"].save()
    assert approver_for(net.terek_rmo, "plan") == net.terek


def test_uneven_tree_school_mo_directly_under_a_municipal_service(net):
    mms = f.kind("mms", "ММС", Level.MUNICIPAL, ["cnppm"], files=["plan", "report"], approves=["plan", "report"])
    net.kinds["shmo"].allowed_parents.add(mms)
    service = f.unit(net.region, mms, net.cnppm, name="Иволгинская ММС")
    school = f.SchoolFactory(municipality=service)
    shmo = f.unit(net.region, net.kinds["shmo"], service, name="ШМО начальных классов", school=school)
    assert approver_for(shmo, "plan") == service  # one level up, where a level-based rule would look two up
    assert approver_for(service, "plan") == net.rumo


def test_no_approving_ancestor_means_no_route(net):
    assert approver_for(net.rumo, "report") is None


def test_a_kind_that_approves_only_plans_is_skipped_for_reports(net):
    net.kinds["munumo"].approves_documents = ["plan"]
    net.kinds["munumo"].save()
    assert approver_for(net.terek_rmo, "report") == net.rumo
