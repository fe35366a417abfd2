"""A level above the ICB or STP footprints: the region (its footprints' region, empty for now)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("boroughs", "0002_register")]

    operations = [
        migrations.CreateModel(
            name="Region",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True)),
                ("slug", models.SlugField(unique=True)),
                ("code", models.CharField(blank=True, max_length=9, verbose_name="ONS code")),
                ("display_order", models.PositiveSmallIntegerField(default=0)),
            ],
            options={"ordering": ["display_order", "name"]},
        ),
        migrations.AlterModelOptions(
            name="stp",
            options={"ordering": ["display_order", "name"], "verbose_name": "ICB or STP footprint"},
        ),
        migrations.AlterField(
            model_name="borough",
            name="tile_x",
            field=models.PositiveSmallIntegerField(help_text="Column on the tile map (west = 0)."),
        ),
        migrations.AlterField(
            model_name="borough",
            name="tile_y",
            field=models.PositiveSmallIntegerField(help_text="Row on the tile map (north = 0)."),
        ),
        migrations.AddField(
            model_name="stp",
            name="region",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="stps",
                to="boroughs.region",
            ),
        ),
    ]
