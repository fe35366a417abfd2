"""A published round's pages and downloads come from the cache on the second request, until a
correction is published (or what the pages show is edited); other rounds are never cached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.models import PublishedStatement
from surveys import workflow
from surveys.models import Publication
from tests.reports.test_publications import _corrected_camden

pytestmark = pytest.mark.django_db

SUMMARY = reverse("reports:summary", args=["2017"])
TABLES_CSV = reverse("reports:tables_csv", args=["2017"])


def _body(response) -> bytes:
    assert response.status_code == 200, response
    streamed = getattr(response, "streaming_content", None)
    return b"".join(streamed) if streamed is not None else response.content


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        body = _body(client.get(url))
    return body, [q["sql"] for q in queries.captured_queries]


def test_a_published_summarys_second_request_asks_no_figure_query(client, round_2017):
    first, computed = _queries(client, SUMMARY)
    assert len(computed) > 5  # the figures, counted
    again, queries = _queries(client, SUMMARY)
    assert again == first
    assert queries == []  # no figure counted again, nor the version looked up again


def test_a_published_correction_is_a_new_page_at_once(client, round_2017, reviewer):
    before = _body(client.get(SUMMARY))
    csv_before = _body(client.get(TABLES_CSV))
    _corrected_camden(round_2017, reviewer)
    assert _body(client.get(SUMMARY)) == before  # corrected, not yet published: the same page

    workflow.publish_correction(
        survey_round=round_2017, by=reviewer, note="Camden's recurrent funding corrected"
    )
    after = _body(client.get(SUMMARY)).decode()
    assert "Camden&#x27;s recurrent funding corrected" in after
    assert _body(client.get(TABLES_CSV)) != csv_before
    # Version 1 stays readable, computed and then cached under its own version.
    old = _body(client.get(SUMMARY + "?version=1")).decode()
    assert "You are reading version 1 of this report" in old
    assert Publication.objects.filter(survey_round=round_2017).count() == 2


def test_an_edited_statement_is_on_the_page_at_once(client, round_2017):
    statement = PublishedStatement.objects.filter(survey_round=round_2017).first()
    assert statement is not None
    _body(client.get(SUMMARY))
    statement.explanation = "one borough counted its pilot twice in the printed report"
    statement.save()
    assert statement.explanation in _body(client.get(SUMMARY)).decode()


def test_signed_in_readers_get_their_own_page_and_share_the_downloads(
    client, round_2017, lead, reviewer
):
    client.force_login(lead)
    _body(client.get(SUMMARY))
    _, queries = _queries(client, SUMMARY)
    assert len(queries) > 5  # their name, their sign-out form: the page is computed for them
    assert b"lead-a" in _body(client.get(SUMMARY))

    first = _body(client.get(TABLES_CSV))
    client.force_login(reviewer)
    again, queries = _queries(client, TABLES_CSV)
    assert again == first
    assert not any("surveys_scopingreturn" in sql for sql in queries), queries


def test_a_round_not_published_is_never_cached(client, round_2017, reviewer):
    round_2017.state = "closed"
    round_2017.save()
    client.force_login(reviewer)
    _body(client.get(TABLES_CSV))
    _, queries = _queries(client, TABLES_CSV)
    assert any("surveys_scopingreturn" in sql for sql in queries)


def test_migrating_starts_a_new_generation_of_the_cached_pages(client, round_2017):
    """A data migration may change what a published page shows without a save signal (the 2017
    boroughs' benefits added to the frozen copies, say): after `migrate` the pages are
    computed again."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    _body(client.get(SUMMARY))
    assert _queries(client, SUMMARY)[1] == []  # cached
    config = apps.get_app_config("reports")
    post_migrate.send(
        sender=config, app_config=config, verbosity=0, interactive=False, using="default",
        apps=apps, plan=[],
    )  # fmt: skip
    assert _queries(client, SUMMARY)[1] != []  # computed again
