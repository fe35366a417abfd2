"""Each publication keeps the register's and the toolkit's names as they stood when it was
published (pcmh.published_names). Publications made before this migration get the names as
they stand now: the nearest this database knows to what their reports showed."""

from django.db import migrations, models

from pcmh.published_names import snapshot


def keep_names(apps, schema_editor):
    Publication = apps.get_model("surveys", "Publication")
    publications = list(Publication.objects.filter(register={}))
    if publications:
        names = snapshot(apps)
        for publication in publications:
            publication.register = names
        Publication.objects.bulk_update(publications, ["register"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0017_sections_lists_hold_every_section"),
        ("toolkit", "0002_first_toolkit"),
        ("boroughs", "0006_steering_group_reads_regions"),
    ]

    operations = [
        migrations.AddField(
            model_name="publication",
            name="register",
            field=models.JSONField(
                blank=True,
                default=dict,
                editable=False,
                help_text="The register's and the toolkit's names when this version was "
                "published (pcmh.published_names): what the report shows, whatever is renamed "
                "later.",
                verbose_name="names as published",
            ),
        ),
        migrations.RunPython(keep_names, migrations.RunPython.noop),
    ]
