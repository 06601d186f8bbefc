"""The data of the two-node test (tests/test_two_nodes.py), written into its own database.

Run inside the portal's settings by the test: `manage.py shell -c "from tests.two_nodes_seed import main;
main()"`. A region with its РУМО and one МунУМО, a secretary who files its plan and report, an
administrator who exports, a report to attach a file to and a plan long enough (more than
submissions.pdf.BACKGROUND_ITEMS items) to be rendered by the worker. Prints the ids as one JSON line.
"""

import json
from types import SimpleNamespace

from orgunits.access import grant_role
from people.services import sync_person_access
from submissions.pdf import BACKGROUND_ITEMS

from . import documents as d
from . import factories as f
from .conftest import PASSWORD


def main() -> None:
    kinds = f.standard_kinds()
    region = f.RegionFactory(code="kbr", name="Кабардино-Балкарская Республика")
    rumo = f.unit(region, kinds["rumo"], name="РУМО КБР")
    cnppm = f.unit(region, kinds["cnppm"], rumo, name="ЦНППМ КБР")
    terek = f.unit(region, kinds["munumo"], cnppm, name="Терское МунУМО")

    secretary = f.UserFactory(username="secretary", password=PASSWORD)
    person = f.PersonFactory(region=region, user=secretary, last_name="Секретарёва")
    f.member(person, terek, "secretary")
    sync_person_access(person)
    admin = f.UserFactory(username="admin", password=PASSWORD)
    f.PersonFactory(region=region, user=admin, last_name="Администраторова")
    grant_role(admin, rumo, "administrator")

    net = SimpleNamespace(region=region, kinds=kinds, terek=terek, users=SimpleNamespace(secretary=secretary))
    report = d.report(net)
    plan = d.plan(net)
    for n in range(BACKGROUND_ITEMS + 1):
        d.item(plan, activity=f"Семинар № {n + 1} по обновлённым ФГОС")
    report.refresh_from_db()
    print(json.dumps({"report": report.pk, "report_version": report.version, "plan": plan.pk}))
