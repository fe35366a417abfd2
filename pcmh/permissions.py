"""The steering group's permissions, granted by data migrations (each app's models as they come):
the one way a migration gives the group a permission and takes it back."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STEERING_GROUP = "Steering group"


def steering_group_may(app_label: str, codenames: list[str]) -> migrations.RunPython:
    """A migration operation that grants the steering group `codenames` of `app_label` (and
    takes them back when it is undone); nothing where the group does not exist yet."""

    def _permissions(apps):
        return apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )

    def _group(apps):
        return apps.get_model("auth", "Group").objects.filter(name=STEERING_GROUP).first()

    def grant(apps, schema_editor):
        # Permissions are normally created after migrate; the group needs these now.
        config = apps.get_app_config(app_label)
        previous, config.models_module = getattr(config, "models_module", None), True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = previous
        group = _group(apps)
        if group:
            group.permissions.add(*_permissions(apps))

    def revoke(apps, schema_editor):
        group = _group(apps)
        if group:
            group.permissions.remove(*_permissions(apps))

    return migrations.RunPython(grant, revoke)
