"""The steering group reads and corrects Section 11's rows (levels, benefits, barriers) as it
does every other kind of a return's child rows."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = [
    f"{action}_{model}"
    for model in ("selfassessment", "benefit", "barrier")
    for action in ("view", "add", "change", "delete")
]


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the group needs these now.
    config = apps.get_app_config("surveys")
    previous, config.models_module = getattr(config, "models_module", None), True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Steering group").first()
    if group:
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="surveys", codename__in=CODENAMES)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Steering group").first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="surveys", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0014_toolkit")]

    operations = [migrations.RunPython(grant, revoke)]
