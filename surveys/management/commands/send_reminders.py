"""E-mail the leads of boroughs that have not submitted, before and after their deadline."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from surveys import reminders


class Command(BaseCommand):
    help = (
        "E-mail deadline reminders (14, 7 and 1 days before a return's deadline, and the day "
        "after), each once. Meant for cron, once a day."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be sent; send nothing"
        )

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["dry_run"]:
            due = reminders.due_reminders(today)
            verb = "Would send"
        else:
            due = reminders.send_reminders(today)
            verb = "Sent"
        for reminder in due:
            r = reminder.scoping_return
            self.stdout.write(
                f"{verb} “{reminder.kind}” to {', '.join(reminder.recipients)}: {r.borough}, "
                f"{r.survey_round} (due {reminder.deadline:%-d %B %Y})"
            )
        self.stdout.write(f"{verb} {len(due)} reminder{'' if len(due) == 1 else 's'}.")
