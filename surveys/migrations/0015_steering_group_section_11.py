"""The steering group reads and corrects Section 11's rows (levels, benefits, barriers) as it
does every other kind of a return's child rows."""

from django.db import migrations

from pcmh.permissions import steering_group_may

CODENAMES = [
    f"{action}_{model}"
    for model in ("selfassessment", "benefit", "barrier")
    for action in ("view", "add", "change", "delete")
]


class Migration(migrations.Migration):
    dependencies = [("surveys", "0014_toolkit")]

    operations = [steering_group_may("surveys", CODENAMES)]
