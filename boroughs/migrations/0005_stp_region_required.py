"""Every ICB or STP footprint is in a region (London by default)."""

import django.db.models.deletion
from django.db import migrations, models

import boroughs.models


class Migration(migrations.Migration):
    dependencies = [("boroughs", "0004_london_region")]

    operations = [
        migrations.AlterField(
            model_name="stp",
            name="region",
            field=models.ForeignKey(
                default=boroughs.models.london_region,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="stps",
                to="boroughs.region",
            ),
        ),
    ]
