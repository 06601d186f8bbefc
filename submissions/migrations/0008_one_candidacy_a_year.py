"""The rules of a document without a campaign: it names its kind and year, one a year per unit."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("submissions", "0007_candidacies_leave_campaigns")]

    operations = [
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.UniqueConstraint(
                condition=models.Q(("campaign__isnull", True)),
                fields=("unit", "own_kind", "own_year"),
                name="submission_one_a_year_without_campaign",
            ),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("campaign__isnull", False),
                    models.Q(models.Q(("own_kind", ""), _negated=True), ("own_year__isnull", False)),
                    _connector="OR",
                ),
                name="submission_campaign_or_own_kind",
            ),
        ),
    ]
