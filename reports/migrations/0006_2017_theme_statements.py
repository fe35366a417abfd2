"""A database that already holds the 2017 round gets Tables 1 and 2 of the report (the benefits
and barriers under their themes) from fixtures/2017, as `load_2017_round` gives them to a new
one; and the steering group may read and edit theme statements."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from reports.loading import ROUND_SLUG, load_theme_statements

CODENAMES = [f"{action}_themestatement" for action in ("view", "add", "change", "delete")]


def load(apps, schema_editor):
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
    load_theme_statements(apps)


def unload(apps, schema_editor):
    ThemeStatement = apps.get_model("reports", "ThemeStatement")
    ThemeStatement.objects.filter(survey_round__slug=ROUND_SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_theme_statements"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(load, unload)]
