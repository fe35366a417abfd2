"""The number of queries of every report page and download does not grow with the returns."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.reports.helpers import body
from tests.reports.synthetic import add_boroughs, add_returns, synthetic_round

pytestmark = pytest.mark.django_db

# The most queries each page or download may make, whatever the number of returns, for a
# signed-in steering-group reader (about 7 of them are the session, the user and their groups).
MAX_QUERIES = {
    "summary": 19,
    "stp_tables": 11,
    "map": 12,
    "boroughs": 11,
    "report": 30,
    # One more than before its notes could be filtered: the filters' options (boroughs, STP
    # footprints and questions, each with its count of notes) are one grouped query.
    "data_quality": 13,
    "tables_csv": 9,
    "data_dictionary": 7,
    "returns_xlsx": 15,
    "summary_json": 18,
    "returns": 8,
    "care_roles": 8,
    "contacts": 8,
    "outcome_measures": 8,
    "funding_lines": 8,
    "stp_table": 11,
    "borough": 15,
    "filtered": 11,
}


def report_urls(survey_round, borough, stp):
    slug = survey_round.slug
    urls = {
        name: reverse(f"reports:{name}", args=[slug])
        for name in (
            "summary",
            "stp_tables",
            "map",
            "boroughs",
            "report",
            "data_quality",
            "tables_csv",
            "data_dictionary",
            "returns_xlsx",
            "summary_json",
        )
    }
    for name in ("returns", "care_roles", "contacts", "outcome_measures", "funding_lines"):
        urls[name] = reverse("reports:data_csv", args=[slug, name])
    urls["stp_table"] = reverse("reports:stp_table", args=[slug, stp.slug])
    urls["borough"] = reverse("reports:borough", args=[slug, borough.slug])
    urls["filtered"] = reverse("reports:boroughs", args=[slug]) + "?status=pilot&it_system=rio"
    return urls


def query_counts(client, urls) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            body(response)  # a streamed download queries while it is read
        assert response.status_code == 200, name
        counts[name] = len(captured)
    return counts


def assert_within_limits(client, urls, django_assert_max_num_queries):
    for name, url in urls.items():
        with django_assert_max_num_queries(MAX_QUERIES[name]):
            body(client.get(url))


def test_query_counts_of_the_2017_round_are_pinned(
    client, round_2017, reviewer, django_assert_max_num_queries
):
    from boroughs.models import Borough

    client.force_login(reviewer)
    camden = Borough.objects.select_related("stp").get(slug="camden")
    urls = report_urls(round_2017, camden, camden.stp)
    assert_within_limits(client, urls, django_assert_max_num_queries)


def test_query_counts_stay_flat_from_32_to_1000_returns(
    client, reviewer, django_assert_max_num_queries
):
    client.force_login(reviewer)
    survey_round, boroughs = synthetic_round(32)
    borough = boroughs[0]
    urls = report_urls(survey_round, borough, borough.stp)
    small = query_counts(client, urls)

    add_returns(survey_round, add_boroughs(1000 - 32))
    assert survey_round.returns.count() == 1000
    large = query_counts(client, urls)
    assert large == small
    assert_within_limits(client, urls, django_assert_max_num_queries)
