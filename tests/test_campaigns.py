"""Who owes a document in a campaign, and when filing may start."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from orgunits.models import DocumentType
from submissions import services
from submissions.models import Campaign

D = datetime.date


@pytest.fixture
def campaign(net):
    c = Campaign.objects.create(
        region=net.region, document_type=DocumentType.REPORT, year=2026, **Campaign.defaults_for("report", 2026)
    )
    c.filer_kinds.set([net.kinds["munumo"], net.kinds["rmo"]])
    return c


def test_filing_kinds_of_the_region_are_expected(net, campaign):
    assert set(campaign.expected_units()) == {net.terek, net.baksan, net.terek_rmo, net.baksan_rmo}


def test_expected_within_a_subtree(net, campaign):
    assert set(campaign.expected_units(within=net.terek)) == {net.terek_rmo}


def test_a_unit_opened_after_the_due_date_is_not_expected(net, campaign):
    net.baksan_rmo.opened_on = D(2027, 2, 26)
    net.baksan_rmo.save()
    assert net.baksan_rmo not in campaign.expected_units()


def test_a_unit_closed_before_the_due_date_is_not_expected(net, campaign):
    net.baksan_rmo.closed_on = D(2027, 1, 31)
    net.baksan_rmo.save()
    assert net.baksan_rmo not in campaign.expected_units()


def test_a_unit_closed_after_the_due_date_still_owes_it(net, campaign):
    net.baksan_rmo.closed_on = D(2027, 2, 28)
    net.baksan_rmo.save()
    assert net.baksan_rmo in campaign.expected_units()


def test_filing_cannot_start_before_the_campaign_opens(net, campaign):
    before = timezone.make_aware(datetime.datetime(2027, 1, 5, 10))
    with pytest.raises(ValidationError, match="откроется 10.01.2027"):
        services.start(campaign, net.terek, net.users.secretary, before)


def test_a_kind_that_does_not_file_cannot_start(net, campaign):
    now = timezone.make_aware(datetime.datetime(2027, 2, 1, 10))
    with pytest.raises(ValidationError, match="не представляет"):
        services.start(campaign, net.cnppm, net.users.admin, now)


def test_dates_out_of_order_are_refused(net):
    c = Campaign(
        region=net.region,
        document_type="report",
        year=2030,
        opens_on=D(2031, 3, 1),
        due_on=D(2031, 2, 25),
        closes_on=D(2031, 3, 1),
    )
    with pytest.raises(ValidationError, match="по порядку"):
        c.full_clean()
