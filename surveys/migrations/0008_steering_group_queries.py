"""Let the steering group read the queries list (raising and resolving them is the review
page's, through the review permission)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_answerquery"]


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the group needs this one now.
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
    dependencies = [("surveys", "0007_review_queries_and_round_guards")]

    operations = [migrations.RunPython(grant, revoke)]
