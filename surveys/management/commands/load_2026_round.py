"""A second round to try: "2026 scoping", opened from 2017 as the steering group would open it
(every borough's draft prefilled), with a few boroughs' realistic changes saved and submitted,
so that a newcomer sees a changes page with data. Idempotent; never published."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from surveys import workflow
from surveys.management.commands.load_2017_round import system_user
from surveys.models import CareRole, ScopingReturn, SurveyRound
from surveys.sections import SECTION_OF, sections_for

# What some boroughs changed between 2017 and 2026, saved and submitted: (borough, answers,
# a care role added or None).
CHANGES = (
    ("brent", {"status": "established", "training": "yes"}, ("psychologist", "1.0")),
    ("enfield", {"status": "established"}, None),
    ("haringey", {"status": "established", "shared_it": "yes"}, ("pcmh_practitioner", "3.0")),
    ("merton", {"status": "established", "training": "yes", "recurrent_funding": "yes"}, None),
    ("islington", {"status": "pilot"}, ("mental_health_nurse", "2.0")),
    ("barking-dagenham", {"status": "pilot", "training": "yes"}, None),
    ("richmond", {"training": "yes"}, None),
)
UNCHANGED = ("bromley", "lewisham", "kingston")  # submitted with every section confirmed


class Command(BaseCommand):
    help = "Create the open 2026 round from 2017, with a few boroughs' changes (idempotent)."

    def handle(self, *args, **options):
        if SurveyRound.objects.filter(slug="2026").exists():
            self.stdout.write("Found 2026 scoping: nothing to do.")
            return
        previous = SurveyRound.objects.filter(slug="2017").first()
        if previous is None:
            self.stdout.write("No 2017 round: load it first (load_2017_round).")
            return
        user = system_user()
        today = timezone.localdate()
        with transaction.atomic():
            survey_round = workflow.open_round(
                name="2026 scoping",
                slug="2026",
                opens_on=today,
                closes_on=today + timedelta(days=30),
                previous=previous,
                guidance="A second round to try: prefilled from 2017; nothing here is published.",
                by=user,
            )
            returns = {
                r.borough.slug: r
                for r in ScopingReturn.objects.in_round(survey_round).select_related("borough")
            }
            for slug, answers, role in CHANGES:
                saved = returns[slug]
                by_section: dict = {}
                for name, value in answers.items():
                    by_section.setdefault(SECTION_OF[name].slug, {})[name] = value
                if role:
                    CareRole.objects.create(
                        scoping_return=saved, role=role[0], wte=role[1], post_status="in_post"
                    )
                    by_section.setdefault(SECTION_OF["care_roles"].slug, {})
                for section, fields in by_section.items():  # saved as a lead saves a section
                    saved = workflow.save_changes(
                        scoping_return=saved,
                        version=saved.version,
                        by=user,
                        fields=fields,
                        section=section,
                    )
                self._submit(saved, user)
            for slug in UNCHANGED:
                self._submit(returns[slug], user)
        self.stdout.write(
            f"Opened 2026 scoping from 2017: {len(returns)} returns, "
            f"{len(CHANGES) + len(UNCHANGED)} submitted."
        )

    def _submit(self, scoping_return, user):
        """Confirm every section still to check unchanged, then submit."""
        for section in sections_for(scoping_return.survey_round):
            scoping_return.refresh_from_db()
            if (
                section.slug
                not in scoping_return.saved_sections | scoping_return.unchanged_sections
            ):
                workflow.confirm_unchanged(
                    scoping_return=scoping_return,
                    version=scoping_return.version,
                    by=user,
                    section=section.slug,
                )
        scoping_return.refresh_from_db()
        workflow.submit(scoping_return=scoping_return, by=user, notify=False)
