"""Every report page and download answers in ten queries or fewer (the session, the user and
the context processors included), with no cache, whoever reads it, and the number does not
grow with the returns."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pcmh.middleware import IDLE_REFRESHED
from reports.exports import EXPORT_FILES
from surveys.models import Publication
from surveys.publications import freeze
from tests.reports.helpers import body
from tests.reports.synthetic import add_returns, synthetic_round

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10
READERS = ("anonymous", "lead", "steering group")


@pytest.fixture(autouse=True)
def _no_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def published(survey_round):
    """The round as publishing leaves it: its returns frozen in version 1."""
    freeze(Publication.objects.create(survey_round=survey_round, version=1))
    return survey_round


def two_rounds(count):
    """A published round of `count` boroughs and the published round before it."""
    previous, boroughs = synthetic_round(count)
    current, _ = synthetic_round(0, previous_round=published(previous))
    add_returns(current, boroughs)
    return published(current), boroughs


def report_urls(survey_round, borough) -> dict[str, str]:
    slug = survey_round.slug
    urls = {
        name: reverse(f"reports:{name}", args=[slug])
        for name in (
            "summary",
            "stp_tables",
            "map",
            "boroughs",
            "report",
            "changes",
            "changes_csv",
            "data_quality",
            "tables_csv",
            "data_dictionary",
            "returns_xlsx",
            "summary_json",
            "self_assessment",
            "themes",
            "themes_csv",
        )
    }
    urls.update(
        {name: reverse("reports:data_csv", args=[slug, name]) for name in EXPORT_FILES},
        stp_table=reverse("reports:stp_table", args=[slug, borough.stp.slug]),
        borough=reverse("reports:borough", args=[slug, borough.slug]),
        filtered=reverse("reports:boroughs", args=[slug]) + "?status=pilot&it_system=rio",
    )
    return urls


def sign_in(client, reader, *, lead, reviewer):
    client.logout()
    if reader == "lead":
        client.force_login(lead)
    elif reader == "steering group":
        client.force_login(reviewer)


def idle_time_started_now(client) -> None:
    """The signed-in reader's idle time started again just now, so that the once-a-minute
    session write does not fall into a page's count on a slow run (it is not the page's)."""
    if "_auth_user_id" in client.session:
        session = client.session
        session[IDLE_REFRESHED] = int(time.time())
        session.save()


def query_counts(client, urls) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        idle_time_started_now(client)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            body(response)  # a streamed download queries while it is read
        assert response.status_code == 200, name  # the page itself, not a redirect
        counts[name] = len(captured)
    return counts


def every_reader(client, urls, *, lead, reviewer) -> dict[str, dict[str, int]]:
    counts = {}
    for reader in READERS:
        sign_in(client, reader, lead=lead, reviewer=reviewer)
        client.get(urls["summary"])  # signing in has been recorded in the session
        counts[reader] = query_counts(client, urls)
    return counts


def over_the_limit(counts) -> dict:
    return {
        (reader, name): count
        for reader, pages in counts.items()
        for name, count in pages.items()
        if count > MAX_QUERIES
    }


def test_every_page_and_download_of_the_2017_round_within_ten_queries(
    client, round_2017, reviewer, make_user
):
    from boroughs.models import Borough

    camden = Borough.objects.select_related("stp").get(slug="camden")
    urls = report_urls(round_2017, camden)
    urls.pop("changes_csv")  # 2017 has no previous round to compare with
    lead = make_user("lead-of-camden", boroughs=[camden])
    counts = every_reader(client, urls, lead=lead, reviewer=reviewer)
    assert over_the_limit(counts) == {}


def test_query_counts_stay_within_ten_and_flat_from_32_to_1000_returns(
    client, reviewer, make_user, django_assert_max_num_queries
):
    counts = {}
    for size in (32, 1000):
        survey_round, boroughs = two_rounds(size)
        assert survey_round.returns.count() == size
        lead = make_user(f"lead-of-one-of-{size}", boroughs=[boroughs[0]])
        urls = report_urls(survey_round, boroughs[0])
        counts[size] = every_reader(client, urls, lead=lead, reviewer=reviewer)
        assert over_the_limit(counts[size]) == {}
    assert counts[1000] == counts[32]
    for url in urls.values():
        idle_time_started_now(client)
        with django_assert_max_num_queries(MAX_QUERIES):
            body(client.get(url))
