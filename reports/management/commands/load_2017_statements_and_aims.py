from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from reports.loading import load_statements_and_aims, load_theme_statements


class Command(BaseCommand):
    help = (
        "Add the 2017 report's published statements and service aims (with the boroughs whose "
        "narratives state each) and the benefits and barriers of Tables 1 and 2 from fixtures/2017 "
        "to the 2017 round. Adds only what is missing."
    )

    def handle(self, *args, **options):
        added = load_statements_and_aims(apps)
        if added is None:
            raise CommandError("There is no 2017 round: run load_2017_round.")
        for file_name, count in added.items():
            self.stdout.write(f"{file_name}: {count} rows added")
        self.stdout.write(f"theme_statements.csv: {load_theme_statements(apps)} rows added")
