"""A database that already holds the 2017 round gets its published statements and service aims
from fixtures/2017, as `load_2017_round` gives them to a new one."""

from django.db import migrations

from reports.loading import ROUND_SLUG, load_statements_and_aims


def load(apps, schema_editor):
    load_statements_and_aims(apps)


def unload(apps, schema_editor):
    for name in ("PublishedStatement", "RoundAim"):
        apps.get_model("reports", name).objects.filter(survey_round__slug=ROUND_SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_steering_group"),
        ("surveys", "0008_steering_group_queries"),
        ("boroughs", "0002_register"),
    ]

    operations = [migrations.RunPython(load, unload)]
