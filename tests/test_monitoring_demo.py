"""The demo of `make run`: the Ivolginsky campaign for 2026 shows computed scores for every МО with drill-down."""

from django.core.management import call_command
from django.http import HttpRequest  # django-axes checks every login against its request
from django.urls import reverse

from monitoring.models import IndicatorSet, MonitoringCampaign, Result


def test_demo_ivolginsky_campaign(db, client):
    call_command("load_demo_network", "--date", "2026-11-24")
    current = MonitoringCampaign.objects.get(year=2026, root__name__contains="Иволгинск")
    previous = MonitoringCampaign.objects.get(year=2025, root=current.root)
    assert current.state == "open" and previous.state == "closed"
    assert current.indicator_set.is_default and current.indicator_set.indicators.count() == 11
    assert IndicatorSet.objects.filter(region__code="kbr", is_default=True, indicators__method="manual").exists()

    rows = list(current.rows.all())
    assert len(rows) >= 10 and all(r.assessed == "mo" and r.teachers > 0 and r.scored >= 10 for r in rows)
    scores = set(Result.objects.filter(row__campaign=current).values_list("score", flat=True))
    assert {0, 1, 2} <= scores
    assert len({r.total for r in rows}) > 3  # the МО score differently
    assert previous.rows.filter(recommendation__isnull=False).exists()

    assert client.login(request=HttpRequest(), username="reviewer_rb", password="metodset-demo")
    page = client.get(reverse("monitoring:campaign", args=[current.pk])).content.decode()
    assert "Районное методическое объединение учителей русского языка" in page
    assert "Изменение к 2025" in page and ("change-up" in page or "change-down" in page)
    result = Result.objects.filter(row__campaign=current, indicator__code="routes").order_by("-score").first()
    drill = client.get(reverse("monitoring:result", args=[result.pk]))
    assert drill.status_code == 200 and result.records[0]["name"] in drill.content.decode()
