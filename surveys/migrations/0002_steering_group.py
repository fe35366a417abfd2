"""The steering group: a Group with the permissions to review, import and export returns."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

STEERING_GROUP = "Steering group"
PERMISSIONS = {
    "boroughs": ["view_stp", "view_borough", "view_boroughmembership", "view_reviewerstp"],
    "surveys": [
        "view_surveyround",
        "view_scopingreturn",
        "change_scopingreturn",
        "review_scopingreturn",
        "import_scopingreturn",
        "export_scopingreturn",
        "view_carerole",
        "add_carerole",
        "change_carerole",
        "delete_carerole",
        "view_contact",
        "add_contact",
        "change_contact",
        "delete_contact",
        "view_outcomemeasure",
        "add_outcomemeasure",
        "change_outcomemeasure",
        "delete_outcomemeasure",
        "view_fundingline",
        "add_fundingline",
        "change_fundingline",
        "delete_fundingline",
        "view_dataqualitynote",
        "add_dataqualitynote",
        "change_dataqualitynote",
        "delete_dataqualitynote",
        "view_returnevent",
        "view_returncomment",
        "add_returncomment",
    ],
}


def create_group(apps, schema_editor):
    for label in PERMISSIONS:
        # Permissions are normally created after migrate; the group needs them now.
        config = apps.get_app_config(label)
        previous, config.models_module = getattr(config, "models_module", None), True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=STEERING_GROUP)
    for label, codenames in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=STEERING_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("boroughs", "0002_register"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
