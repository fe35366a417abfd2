"""Section 11, the self-assessment: a round uses the toolkit (and which version), and a return's
levels per guidance area, its benefits seen and its barriers met, each with its history."""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import surveys.rules


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0013_round_report_grouping"),
        ("toolkit", "0002_first_toolkit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Barrier",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(max_length=2000)),
                ("themes", models.CharField(max_length=200)),
            ],
            options={
                "verbose_name": "barrier met",
                "verbose_name_plural": "barriers met",
                "ordering": ["id"],
                "abstract": False,
            },
            bases=(surveys.rules.FollowsRules, models.Model),
        ),
        migrations.CreateModel(
            name="Benefit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(max_length=2000)),
                ("themes", models.CharField(max_length=200)),
            ],
            options={
                "verbose_name": "benefit seen",
                "verbose_name_plural": "benefits seen",
                "ordering": ["id"],
                "abstract": False,
            },
            bases=(surveys.rules.FollowsRules, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalBarrier",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(max_length=2000)),
                ("themes", models.CharField(max_length=200)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical barrier met",
                "verbose_name_plural": "historical barriers met",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalBenefit",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField(max_length=2000)),
                ("themes", models.CharField(max_length=200)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical benefit seen",
                "verbose_name_plural": "historical benefits seen",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSelfAssessment",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "evidence",
                    models.TextField(blank=True, max_length=4000, verbose_name="evidence"),
                ),
                (
                    "next_step",
                    models.TextField(blank=True, max_length=2000, verbose_name="next step"),
                ),
                (
                    "target_date",
                    models.DateField(blank=True, null=True, verbose_name="next step's target date"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
            ],
            options={
                "verbose_name": "historical self-assessment",
                "verbose_name_plural": "historical self-assessments",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="SelfAssessment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "evidence",
                    models.TextField(blank=True, max_length=4000, verbose_name="evidence"),
                ),
                (
                    "next_step",
                    models.TextField(blank=True, max_length=2000, verbose_name="next step"),
                ),
                (
                    "target_date",
                    models.DateField(blank=True, null=True, verbose_name="next step's target date"),
                ),
            ],
            options={
                "verbose_name": "self-assessment",
                "ordering": ["id"],
                "abstract": False,
            },
            bases=(surveys.rules.FollowsRules, models.Model),
        ),
        migrations.AddField(
            model_name="historicalsurveyround",
            name="toolkit_version",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The descriptors its leads read while choosing a level.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="toolkit.toolkitversion",
            ),
        ),
        migrations.AddField(
            model_name="historicalsurveyround",
            name="uses_toolkit",
            field=models.BooleanField(
                default=False,
                help_text="Its returns have Section 11, Self-assessment, and need a level for every guidance area to be submitted.",
                verbose_name="uses the self-assessment toolkit",
            ),
        ),
        migrations.AddField(
            model_name="surveyround",
            name="toolkit_version",
            field=models.ForeignKey(
                blank=True,
                help_text="The descriptors its leads read while choosing a level.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rounds",
                to="toolkit.toolkitversion",
            ),
        ),
        migrations.AddField(
            model_name="surveyround",
            name="uses_toolkit",
            field=models.BooleanField(
                default=False,
                help_text="Its returns have Section 11, Self-assessment, and need a level for every guidance area to be submitted.",
                verbose_name="uses the self-assessment toolkit",
            ),
        ),
        migrations.AddConstraint(
            model_name="surveyround",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("uses_toolkit", False), ("toolkit_version__isnull", False), _connector="OR"
                ),
                name="toolkit_round_has_a_toolkit_version",
                violation_error_message="Choose the toolkit version a round using the toolkit uses",
            ),
        ),
        migrations.AddField(
            model_name="barrier",
            name="scoping_return",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="barriers",
                to="surveys.scopingreturn",
            ),
        ),
        migrations.AddField(
            model_name="benefit",
            name="scoping_return",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="benefits",
                to="surveys.scopingreturn",
            ),
        ),
        migrations.AddField(
            model_name="historicalbarrier",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalbarrier",
            name="scoping_return",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="surveys.scopingreturn",
            ),
        ),
        migrations.AddField(
            model_name="historicalbenefit",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalbenefit",
            name="scoping_return",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="surveys.scopingreturn",
            ),
        ),
        migrations.AddField(
            model_name="historicalselfassessment",
            name="area",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="toolkit.guidancearea",
                verbose_name="guidance area",
            ),
        ),
        migrations.AddField(
            model_name="historicalselfassessment",
            name="history_user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalselfassessment",
            name="level",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="toolkit.level",
            ),
        ),
        migrations.AddField(
            model_name="historicalselfassessment",
            name="scoping_return",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="surveys.scopingreturn",
            ),
        ),
        migrations.AddField(
            model_name="selfassessment",
            name="area",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="toolkit.guidancearea",
                verbose_name="guidance area",
            ),
        ),
        migrations.AddField(
            model_name="selfassessment",
            name="level",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="toolkit.level",
            ),
        ),
        migrations.AddField(
            model_name="selfassessment",
            name="scoping_return",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="self_assessments",
                to="surveys.scopingreturn",
            ),
        ),
        migrations.AddConstraint(
            model_name="barrier",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("text"), 2000
                ),
                name="surveys_barrier_text_length",
                violation_error_message="Text must be 2,000 characters or fewer",
            ),
        ),
        migrations.AddConstraint(
            model_name="benefit",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("text"), 2000
                ),
                name="surveys_benefit_text_length",
                violation_error_message="Text must be 2,000 characters or fewer",
            ),
        ),
        migrations.AddConstraint(
            model_name="selfassessment",
            constraint=models.UniqueConstraint(
                fields=("scoping_return", "area"),
                name="one_self_assessment_per_area",
                violation_error_message="The return already has a level for this guidance area",
            ),
        ),
        migrations.AddConstraint(
            model_name="selfassessment",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("evidence"), 4000
                ),
                name="surveys_selfassessment_evidence_length",
                violation_error_message="Evidence must be 4,000 characters or fewer",
            ),
        ),
        migrations.AddConstraint(
            model_name="selfassessment",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("next_step"), 2000
                ),
                name="surveys_selfassessment_next_step_length",
                violation_error_message="Next step must be 2,000 characters or fewer",
            ),
        ),
    ]
