from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from boroughs.models import Borough
from surveys.models import ReturnState, RoundState, ScopingReturn, SurveyRound


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
            existing = set(
                ScopingReturn.objects.in_round(survey_round).values_list("borough_id", flat=True)
            )
            # With their "created" history records, as every other change to a return has.
            bulk_create_with_history(
                [
                    ScopingReturn(
                        survey_round=survey_round, borough=borough, state=ReturnState.DRAFT
                    )
                    for borough in Borough.objects.exclude(pk__in=existing)
                ],
                ScopingReturn,
                default_change_reason="Demo round created",
            )
        self.stdout.write(
            f"{'Created' if created else 'Found'} {survey_round}: "
            f"{ScopingReturn.objects.in_round(survey_round).count()} returns."
        )
