import datetime
from pathlib import Path

import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from surveys import workflow
from surveys.admin.imports import describe_import_errors
from surveys.choices import ReturnState, RoundState
from surveys.models import ScopingReturn, SurveyRound
from surveys.resources import FIXTURE_RESOURCES, BarrierResource, BenefitResource

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "2017"
SYSTEM_USERNAME = "system"
# The benefits seen and barriers met that a borough's own narrative states, quoted (the
# README's rules); loaded after the other child rows, before the returns are accepted.
THEMED_FILES = [("benefits.csv", BenefitResource), ("barriers.csv", BarrierResource)]


def system_user():
    """The account that loads historical data: it may act on every borough but cannot sign in."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "PCMH", "last_name": "data load"}
    )
    if created or user.has_usable_password() or user.is_active or not user.is_superuser:
        user.set_unusable_password()
        user.is_active = False
        user.is_superuser = True
        user.save()
    return user


def fixture_datasets(folder: Path = FIXTURES):
    """Each 2017 fixture file, in load order, with the import resource that reads it."""
    for file_name, resource_class in [*FIXTURE_RESOURCES, *THEMED_FILES]:
        dataset = tablib.Dataset().load(
            (folder / file_name).read_text(encoding="utf-8"), format="csv"
        )
        yield file_name, resource_class, dataset


class Command(BaseCommand):
    help = (
        "Load the 2017 pan-London scoping round from fixtures/2017 through the import resources, "
        "accept every return and publish the round. Idempotent."
    )

    def handle(self, *args, **options):
        existing = SurveyRound.objects.filter(slug="2017").first()
        if existing and existing.state == RoundState.PUBLISHED:
            count = ScopingReturn.objects.in_round(existing).accepted().count()
            self.stdout.write(f"The 2017 round is already published with {count} returns.")
            self.load_statements_and_aims()
            return
        user = system_user()
        with transaction.atomic():
            survey_round, _ = SurveyRound.objects.get_or_create(
                slug="2017",
                defaults={
                    "name": "2017 pan-London scoping",
                    "opens_on": datetime.date(2017, 1, 1),
                    "closes_on": datetime.date(2017, 9, 30),
                    "state": RoundState.OPEN,
                    "guidance": (
                        "Primary care mental health: pan-London scoping document, Healthy "
                        "London Partnership and the Clinical Network for Mental Health (London "
                        "region), version 1, September 2017."
                    ),
                },
            )
            if survey_round.state == RoundState.CLOSED:
                raise CommandError("The 2017 round is closed but not published: publish it.")
            for file_name, resource_class, dataset in fixture_datasets():
                result = resource_class().import_data(
                    dataset,
                    dry_run=False,
                    raise_errors=False,
                    user=user,
                    use_transactions=True,
                )
                if result.has_errors() or result.has_validation_errors():
                    problems = describe_import_errors(result) or "the import failed"
                    raise CommandError(f"{file_name}: {problems}")
                self.stdout.write(f"{file_name}: {len(dataset)} rows")
            for scoping_return in ScopingReturn.objects.in_round(survey_round).exclude(
                state=ReturnState.ACCEPTED
            ):
                if scoping_return.state != ReturnState.SUBMITTED:
                    scoping_return = workflow.submit(
                        scoping_return=scoping_return, by=user, notify=False
                    )
                workflow.accept(scoping_return=scoping_return, by=user, notify=False)
            survey_round = workflow.close_round(survey_round=survey_round, by=user, notify=False)
            workflow.publish_round(survey_round=survey_round, by=user, notify=False)
        self.stdout.write(
            f"Published {survey_round}: "
            f"{ScopingReturn.objects.in_round(survey_round).accepted().count()} accepted returns."
        )
        self.load_statements_and_aims()

    def load_statements_and_aims(self):
        """The report's statements beside its figures and its service aims: the reports app's
        data, added by its own command (collecting never imports reporting)."""
        call_command("load_2017_statements_and_aims", stdout=self.stdout)
