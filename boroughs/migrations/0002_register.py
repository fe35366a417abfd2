"""Create the 5 STP footprints and the 32 units of the 2017 report, in the report's order."""

from django.db import migrations

from boroughs.register import BOROUGHS, STPS


def create_register(apps, schema_editor):
    Stp = apps.get_model("boroughs", "Stp")
    Borough = apps.get_model("boroughs", "Borough")
    stps = {}
    for order, (slug, name, code) in enumerate(STPS, start=1):
        stps[slug], _ = Stp.objects.update_or_create(
            slug=slug, defaults={"name": name, "code": code, "display_order": order}
        )
    for order, (slug, name, stp, covers, gss, ods, (x, y)) in enumerate(BOROUGHS, start=1):
        Borough.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "stp": stps[stp],
                "covers": covers,
                "gss_codes": gss,
                "ods_code": ods,
                "tile_x": x,
                "tile_y": y,
                "display_order": order,
            },
        )


def remove_register(apps, schema_editor):
    apps.get_model("boroughs", "Borough").objects.filter(
        slug__in=[row[0] for row in BOROUGHS]
    ).delete()
    apps.get_model("boroughs", "Stp").objects.filter(slug__in=[row[0] for row in STPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("boroughs", "0001_initial")]

    operations = [migrations.RunPython(create_register, remove_register)]
