"""London as a region, holding every STP footprint the register has (London's five)."""

from django.db import migrations

from boroughs.register import LONDON


def create_london(apps, schema_editor):
    Region = apps.get_model("boroughs", "Region")
    slug, name, code = LONDON
    london, _ = Region.objects.update_or_create(
        slug=slug, defaults={"name": name, "code": code, "display_order": 1}
    )
    apps.get_model("boroughs", "Stp").objects.filter(region__isnull=True).update(region=london)


def remove_london(apps, schema_editor):
    apps.get_model("boroughs", "Stp").objects.filter(region__slug=LONDON[0]).update(region=None)
    apps.get_model("boroughs", "Region").objects.filter(slug=LONDON[0]).delete()


class Migration(migrations.Migration):
    dependencies = [("boroughs", "0003_region")]

    operations = [migrations.RunPython(create_london, remove_london)]
