"""Compute a published round's pages and downloads into the report cache, so that the first
readers after publishing (or after a correction, or a release) are not the ones who wait.

It reads the round's report as a reader who is not signed in would, from its summary, following
every link that stays within the round's report: each region's page, each page of the borough
list, each borough's profile, the downloads. Filtered lists (any other query string) are left to
be computed when asked for. Run it after publishing, e.g. from the same cron as send_reminders,
or by hand: `python manage.py warm_report_cache` (every published round) or `--round 2017`.
"""

import html
import re
import time
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.urls import reverse

from surveys.choices import RoundState
from surveys.models import SurveyRound

LINK = re.compile(r'href="([^"#]+)')
# The query strings a cached page is kept for (the rest are a reader's own filters).
KEPT_PARAMETERS = {"region", "page", "version"}
NOT_CACHED = ("/print/", "/return.xlsx")  # a return's own copies: computed for their reader


def _host() -> str:
    """A host name the site answers to (the first of ALLOWED_HOSTS that is one)."""
    for host in settings.ALLOWED_HOSTS:
        host = host.lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def _links(body: str, page: str, prefix: str) -> list[str]:
    """The addresses `page` links to within `prefix` that are kept in the cache."""
    found = []
    for href in LINK.findall(body):
        address = urlsplit(urljoin(page, html.unescape(href)))  # "?page=2": of this page
        if address.netloc or not address.path.startswith(prefix):
            continue
        if any(part in address.path for part in NOT_CACHED):
            continue
        if {name for name, _ in parse_qsl(address.query)} - KEPT_PARAMETERS:
            continue
        found.append(address.path + (f"?{address.query}" if address.query else ""))
    return found


class Command(BaseCommand):
    help = "Compute every page and download of published rounds into the report cache."

    def add_arguments(self, parser):
        parser.add_argument(
            "--round", dest="slugs", action="append", help="a round's slug (repeatable)"
        )

    def handle(self, *args, slugs=None, **options):
        rounds = SurveyRound.objects.filter(state=RoundState.PUBLISHED).order_by("opens_on")
        if slugs:
            rounds = rounds.filter(slug__in=slugs)
            missing = set(slugs) - set(rounds.values_list("slug", flat=True))
            if missing:
                raise CommandError(
                    f"No published round with the slug {', '.join(sorted(missing))}."
                )
        client = Client(HTTP_HOST=_host(), raise_request_exception=False)
        failed = 0
        for survey_round in rounds:
            started = time.perf_counter()
            summary = reverse("reports:summary", args=[survey_round.slug])
            queue, seen = [summary], {summary}
            while queue:
                path = queue.pop(0)
                response = client.get(path, secure=True)
                if response.status_code != 200:
                    failed += 1
                    self.stderr.write(f"{path}: {response.status_code}")
                    continue
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)  # kept in the cache as it streams
                    continue
                if not response.get("Content-Type", "").startswith("text/html"):
                    continue
                for link in _links(response.content.decode(), path, summary):
                    if link not in seen:
                        seen.add(link)
                        queue.append(link)
            self.stdout.write(
                f"{survey_round}: {len(seen)} pages and downloads in the cache "
                f"({time.perf_counter() - started:.0f} s)"
            )
        if failed:
            raise CommandError(f"{failed} pages or downloads did not answer 200 (listed above).")
