"""The corrected 2017 returns give two figures as the printed report does: its shared IT
systems ("either EMIS or SystmOne") and its one borough with a primary care pharmacist (in the
prescribing answers). A database loaded before the correction loses those two statements and
gets the one that replaces the second: the care-roles table's pharmacists."""

from django.db import migrations

from reports.loading import ROUND_SLUG, load_statements_and_aims

WITHDRAWN = ["shared-it-systems", "primary-care-pharmacist"]


def withdraw(apps, schema_editor):
    PublishedStatement = apps.get_model("reports", "PublishedStatement")
    PublishedStatement.objects.filter(survey_round__slug=ROUND_SLUG, key__in=WITHDRAWN).delete()
    load_statements_and_aims(apps)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_2017_statements_and_aims")]

    # Going back leaves the statements as they are: the returns they were about are corrected.
    operations = [migrations.RunPython(withdraw, migrations.RunPython.noop)]
