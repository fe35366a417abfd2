"""Let the steering group create and edit rounds (and so close and publish them)."""

from django.db import migrations

CODENAMES = ["add_surveyround", "change_surveyround"]


def grant(apps, schema_editor):
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
    dependencies = [("surveys", "0002_steering_group")]

    operations = [migrations.RunPython(grant, revoke)]
