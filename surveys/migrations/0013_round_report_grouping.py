"""A round's report groups its units by ICB or STP footprint (as London's always have) or by
region."""

from django.db import migrations, models


def grouping():
    return models.CharField(
        choices=[("stp", "ICB or STP footprint"), ("region", "Region")],
        default="stp",
        help_text="The level of the register the report's tables group the units by: each ICB or "
        "STP footprint (London's report), or each region with its footprints under it.",
        max_length=10,
        verbose_name="report grouping",
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0012_publications_frozen_copies")]

    operations = [
        migrations.AddField(model_name="surveyround", name="report_grouping", field=grouping()),
        migrations.AddField(
            model_name="historicalsurveyround", name="report_grouping", field=grouping()
        ),
        migrations.AddConstraint(
            model_name="surveyround",
            constraint=models.CheckConstraint(
                condition=models.Q(("report_grouping__in", ["stp", "region"])),
                name="surveys_surveyround_report_grouping_valid",
                violation_error_message="Choose one of the answers listed for the report grouping",
            ),
        ),
    ]
