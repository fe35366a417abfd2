"""The steering group reads the regions, as it reads the rest of the register."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STEERING_GROUP = "Steering group"
CODENAMES = ["view_region"]


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the group needs this one now. The group
    # is made here if the surveys' migration that makes it has not run yet.
    config = apps.get_app_config("boroughs")
    previous, config.models_module = getattr(config, "models_module", None), True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = previous
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=STEERING_GROUP)
    group.permissions.add(
        *apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="boroughs", codename__in=CODENAMES
        )
    )


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name=STEERING_GROUP).first()
    if group:
        group.permissions.remove(
            *apps.get_model("auth", "Permission").objects.filter(
                content_type__app_label="boroughs", codename__in=CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("boroughs", "0005_stp_region_required"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
