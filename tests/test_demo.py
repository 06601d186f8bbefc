"""The demo network of `make run` loads and shows what the README promises."""

from django.core.management import call_command
from django.http import HttpRequest  # django-axes checks every login against its request

from orgunits.models import OrgUnit
from people.models import Person
from submissions.models import Submission


def test_demo_loads_once_and_shows_a_teachers_portfolio(db, client, capsys):
    call_command("load_demo_network", "--date", "2026-11-24")
    call_command("load_demo_network", "--date", "2026-11-24")
    assert "уже загружена" in capsys.readouterr().out
    assert OrgUnit.objects.filter(region__code="kbr").count() > 20
    assert Submission.objects.filter(unit__name__contains="Терск", state="approved").exists()
    teacher = Person.objects.get(user__username="teacher")
    client.login(request=HttpRequest(), username="teacher", password="metodset-demo")
    page = client.get(f"/people/{teacher.pk}/portfolio/").content.decode()
    assert "Функциональная грамотность" in page and "наставляемый" in page and "молодой специалист" in page
