"""A candidacy belongs to no campaign: it names its kind and year itself (issue 11).

Until now each candidacy rode on a made-up per-region, per-year «candidate» campaign that nobody
was expected to file in. The candidacies leave those campaigns (keeping the campaign's year)
and the campaigns are deleted. Reversible: the campaigns are recreated as they were made
(open the whole year, no filers, no reminders) and the candidacies put back on them.
"""

import datetime

from django.db import migrations


def off_campaigns(apps, schema_editor):
    Campaign = apps.get_model("submissions", "Campaign")
    Submission = apps.get_model("submissions", "Submission")
    for campaign in Campaign.objects.filter(document_type="candidate"):
        Submission.objects.filter(campaign=campaign).update(campaign=None, own_kind="candidate", own_year=campaign.year)
        campaign.events.all().delete()  # the sweep never wrote any: no unit was expected
        campaign.filer_kinds.clear()
        campaign.delete()


def onto_campaigns(apps, schema_editor):
    Campaign = apps.get_model("submissions", "Campaign")
    Submission = apps.get_model("submissions", "Submission")
    loose = Submission.objects.filter(campaign__isnull=True).select_related("unit")
    for submission in loose.iterator():
        year = submission.own_year
        campaign, _ = Campaign.objects.get_or_create(
            region_id=submission.unit.region_id,
            document_type=submission.own_kind,
            year=year,
            defaults={
                "opens_on": datetime.date(year, 1, 1),
                "due_on": datetime.date(year, 12, 31),
                "closes_on": datetime.date(year, 12, 31),
                "reminder_offsets": [],
            },
        )
        Submission.objects.filter(pk=submission.pk).update(campaign=campaign, own_kind="", own_year=None)


class Migration(migrations.Migration):
    dependencies = [("submissions", "0006_candidacy_without_campaign")]

    operations = [migrations.RunPython(off_campaigns, onto_campaigns)]
