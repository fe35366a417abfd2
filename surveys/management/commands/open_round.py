"""Open a new round from the command line (for scripts), as the steering group's page does."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from surveys import workflow
from surveys.management.commands.load_2017_round import system_user
from surveys.models import ScopingReturn, SurveyRound
from toolkit.models import ToolkitVersion


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"“{text}” is not a date: write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Open a round: every borough's return is created at once, a draft prefilled from its "
        "last accepted return (in --previous or before), or empty; --toolkit for Section 11. "
        "Exits 1 if the slug exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--opens", required=True, help="YYYY-MM-DD")
        parser.add_argument("--closes", required=True, help="YYYY-MM-DD")
        parser.add_argument("--previous", help="the slug of the round it follows")
        parser.add_argument("--guidance", default="")
        parser.add_argument(
            "--toolkit",
            action="store_true",
            help="its returns have Section 11, Self-assessment (the toolkit's latest approved "
            "version unless --toolkit-version says which)",
        )
        parser.add_argument(
            "--toolkit-version", type=int, help="the number of the toolkit version it uses"
        )

    def handle(self, *args, **options):
        previous = None
        if options["previous"]:
            previous = SurveyRound.objects.filter(slug=options["previous"]).first()
            if previous is None:
                raise CommandError(f"There is no round with the slug “{options['previous']}”.")
        toolkit_version = None
        if options["toolkit_version"] is not None:
            if not options["toolkit"]:
                raise CommandError("--toolkit-version needs --toolkit.")
            toolkit_version = ToolkitVersion.objects.filter(
                number=options["toolkit_version"]
            ).first()
            if toolkit_version is None:
                raise CommandError(f"There is no toolkit version {options['toolkit_version']}.")
        try:
            survey_round = workflow.open_round(
                name=options["name"],
                slug=options["slug"],
                opens_on=_date(options["opens"]),
                closes_on=_date(options["closes"]),
                previous=previous,
                guidance=options["guidance"],
                uses_toolkit=options["toolkit"],
                toolkit_version=toolkit_version,
                by=system_user(),
            )
        except workflow.WorkflowError as error:
            raise CommandError(str(error)) from None
        carried = len(workflow.last_accepted_returns(previous))
        toolkit = (
            f" It uses the self-assessment toolkit, {survey_round.toolkit_version}."
            if survey_round.uses_toolkit
            else ""
        )
        self.stdout.write(
            f"Opened {survey_round}: {ScopingReturn.objects.in_round(survey_round).count()} "
            f"returns, {carried} prefilled from the boroughs' last accepted returns.{toolkit}"
        )
