from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from boroughs.models import Borough
from surveys import workflow
from surveys.models import RoundState, ScopingReturn, SurveyRound


class Command(BaseCommand):
    help = "Create the open demo round with an empty draft return for every borough (idempotent)."

    def handle(self, *args, **options):
        today = timezone.localdate()
        with transaction.atomic():
            survey_round, created = SurveyRound.objects.get_or_create(
                slug="demo",
                defaults={
                    "name": "Demo round",
                    "opens_on": today,
                    "closes_on": today + timedelta(days=30),
                    "state": RoundState.OPEN,
                    "guidance": "A round to try the forms: nothing here is published.",
                    "previous_round": SurveyRound.objects.filter(slug="2017").first(),
                },
            )
            for borough in Borough.objects.exclude(returns__survey_round=survey_round):
                workflow.start_return(
                    survey_round=survey_round, borough=borough, by=None, reason="Demo round created"
                )
        self.stdout.write(
            f"{'Created' if created else 'Found'} {survey_round}: "
            f"{ScopingReturn.objects.in_round(survey_round).count()} returns."
        )
