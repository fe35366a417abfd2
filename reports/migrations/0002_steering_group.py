"""Let the steering group read and edit a round's published statements and service aims."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    f"{action}_{model}"
    for model in ("publishedstatement", "roundaim", "roundaimborough")
    for action in ("view", "add", "change", "delete")
]


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the group needs these now.
    config = apps.get_app_config("reports")
    previous, config.models_module = getattr(config, "models_module", None), True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Steering group").first()
    if group:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="reports", codename__in=CODENAMES)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Steering group").first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="reports", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("surveys", "0002_steering_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
