"""`manage.py install_unit_kinds`: a real region starts from the standard chain without the demo (issue 11)."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from orgunits.kinds import BY_CODE, STANDARD
from orgunits.models import OrgUnit, UnitKind, placement_errors

from . import factories as f

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("install_unit_kinds", *args, stdout=out)
    return out.getvalue()


def state():
    """Every kind with every field and its parents, to compare two moments."""
    return {
        kind.code: (
            kind.pk,
            kind.name,
            kind.short_name,
            kind.level,
            kind.requires_school,
            kind.files_documents,
            kind.approves_documents,
            sorted(kind.allowed_parents.values_list("code", flat=True)),
        )
        for kind in UnitKind.objects.prefetch_related("allowed_parents")
    }


def parents(code):
    return set(UnitKind.objects.get(code=code).allowed_parents.values_list("code", flat=True))


def test_a_fresh_database_gets_the_standard_chain_of_the_design():
    assert not UnitKind.objects.exists()
    output = run()
    assert "Созданы:" in output and "РУМО" in output
    assert set(UnitKind.objects.values_list("code", flat=True)) == set(STANDARD)
    # РУМО → ЦНППМ → МунУМО / ММС → РМО / ГМО → ШМО (DESIGN.md).
    assert parents("rumo") == set()
    assert parents("cnppm") == {"rumo"}
    assert parents("munumo") == {"cnppm", "rumo"}
    assert parents("mms") == {"cnppm", "rumo"}  # ИПК and РМММС are regional variants, not installed
    assert parents("rmo") == parents("gmo") == {"munumo", "mms"}
    assert parents("shmo") == {"rmo", "gmo", "munumo", "mms"}
    rumo, munumo, shmo = (UnitKind.objects.get(code=c) for c in ("rumo", "munumo", "shmo"))
    assert (rumo.level, munumo.level, shmo.level) == ("regional", "municipal", "school")
    assert shmo.requires_school and not munumo.requires_school
    assert rumo.approves("plan") and rumo.approves("development") and not rumo.files("plan")
    assert munumo.files("report") and munumo.approves("report")


def test_a_second_run_changes_nothing():
    run()
    before = state()
    output = run()
    assert state() == before
    assert "изменений нет" in output
    assert "Созданы" not in output and "Приведены" not in output


def test_a_changed_kind_is_brought_back_and_a_link_the_superuser_added_stays():
    run("--all")
    rmo = UnitKind.objects.get(code="rmo")
    rmo.name = "Что-то другое"
    rmo.files_documents = []
    rmo.save()
    UnitKind.objects.get(code="cnppm").allowed_parents.add(UnitKind.objects.get(code="ipk"))
    UnitKind.objects.get(code="gmo").allowed_parents.remove(UnitKind.objects.get(code="mms"))

    output = run()

    rmo.refresh_from_db()
    assert rmo.name == BY_CODE["rmo"]["name"] and rmo.files_documents == ["plan", "report"]
    assert "mms" in parents("gmo")
    assert parents("cnppm") == {"rumo", "ipk"}  # an extra link is the superuser's business
    assert "Приведены к поставляемому описанию: РМО, ГМО." in output
    assert UnitKind.objects.count() == len(BY_CODE)


def test_all_adds_the_regional_variants_and_links_them_to_kinds_installed_before():
    run()
    assert "school_council" not in parents("shmo")
    run("--all")
    assert UnitKind.objects.count() == len(BY_CODE)
    # ШМО, installed by the first run, now may also sit under a school's methodological council.
    assert "school_council" in parents("shmo")
    assert parents("mms") == {"cnppm", "rumo", "ipk", "rmmms"}
    before = state()
    run("--all")
    assert state() == before


def test_a_region_can_be_built_on_the_installed_kinds_alone():
    run()
    kinds = {kind.code: kind for kind in UnitKind.objects.all()}
    region = f.RegionFactory(code="new", name="Новый регион")
    rumo = f.unit(region, kinds["rumo"], name="РУМО")
    cnppm = f.unit(region, kinds["cnppm"], rumo, name="ЦНППМ")
    mms = f.unit(region, kinds["mms"], cnppm, name="ММС")
    gmo = f.unit(region, kinds["gmo"], mms, name="ГМО")
    school = f.SchoolFactory(municipality=mms)
    shmo = OrgUnit(region=region, kind=kinds["shmo"], parent=gmo, name="ШМО", school=school)
    shmo.full_clean()
    assert placement_errors(kinds["shmo"], gmo, region.pk) == {}
    assert placement_errors(kinds["rmo"], rumo, region.pk)  # РМО does not sit right under РУМО


def test_the_demo_loads_after_install_unit_kinds_on_the_same_kinds():
    run()
    standard = {kind.code: kind.pk for kind in UnitKind.objects.all()}
    call_command("load_demo_network", "--date", "2026-11-24", stdout=io.StringIO())
    assert OrgUnit.objects.filter(region__code="kbr").exists()
    assert UnitKind.objects.count() == len(BY_CODE)  # the demo uses the whole catalogue
    assert {code: pk for code, pk in UnitKind.objects.values_list("code", "pk") if code in standard} == standard
    assert "изменений нет" in run("--all")


@override_settings(DEMO_ENABLED=False)
def test_production_gets_the_kinds_but_not_the_demo():
    run()
    with pytest.raises(CommandError, match="PRODUCTION"):
        call_command("load_demo_network")
    assert UnitKind.objects.count() == len(STANDARD)
    assert not OrgUnit.objects.exists()


def test_no_production_app_carries_or_imports_demo_code():
    root = Path(__file__).resolve().parent.parent
    apps = [path.parent for path in root.glob("*/apps.py") if path.parent.name != "demo"]
    assert len(apps) > 10
    offenders = []
    for app in apps:
        offenders += [str(p.relative_to(root)) for p in app.rglob("demo.py")]
        for source in app.rglob("*.py"):
            if re.search(r"^\s*(from|import) demo\b|\.demo import", source.read_text(encoding="utf-8"), re.M):
                offenders.append(str(source.relative_to(root)))
    assert offenders == []
