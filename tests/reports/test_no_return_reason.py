"""A borough the steering group recorded as making no return shows "No return: <reason>" on its
profile and in the borough list, without a query more."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from boroughs.models import Borough
from surveys import workflow
from surveys.models import ScopingReturn
from tests.factories import SurveyRoundFactory, complete_return
from tests.reports.helpers import page
from tests.reports.test_query_counts import MAX_QUERIES

pytestmark = pytest.mark.django_db

REASON = "Commissioned with Sutton this year"


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _row(response, borough_name) -> list[str]:
    table = page(response).table("Boroughs and their classifications")
    return next(row for row in table["rows"] if row[0] == borough_name)


@pytest.fixture
def survey_round(camden, lead, reviewer):
    survey_round = SurveyRoundFactory(slug="demo")
    submitted = workflow.submit(
        scoping_return=complete_return(borough=camden, survey_round=survey_round),
        by=lead,
        notify=False,
    )
    workflow.accept(scoping_return=submitted, by=reviewer, notify=False)
    return survey_round


def _query_counts(client, survey_round) -> dict[str, int]:
    counts = {}
    for name, args in (("boroughs", []), ("borough", ["croydon"])):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(f"reports:{name}", args=[survey_round.slug, *args]))
            assert response.status_code == 200
        counts[name] = len(captured)
    return counts


def test_a_borough_marked_no_return_shows_its_reason_on_its_profile_and_in_the_list(
    client, reviewer, survey_round, croydon, django_assert_max_num_queries
):
    client.force_login(reviewer)
    before = _query_counts(client, survey_round)
    workflow.mark_no_return(survey_round=survey_round, borough=croydon, by=reviewer, reason=REASON)

    profile = client.get(reverse("reports:borough", args=["demo", "croydon"]))
    assert f"No return: {REASON} Croydon has no submitted or accepted return" in _text(profile)
    listing = client.get(reverse("reports:boroughs", args=["demo"]))
    assert _row(listing, "Croydon")[2] == f"No return: {REASON}"
    assert _row(listing, "Islington")[2] == "No return"  # not marked: no reason to give
    assert _row(listing, "Camden")[2] == "Established"
    assert "No return" not in _text(client.get(reverse("reports:borough", args=["demo", "camden"])))
    assert _query_counts(client, survey_round) == before

    # Published, for anyone to read, once every other borough is marked too.
    for borough in workflow.round_position(survey_round)["unready"]:
        workflow.mark_no_return(
            survey_round=survey_round, borough=borough, by=reviewer, reason="Not asked"
        )
    workflow.close_round(survey_round=survey_round, by=reviewer, notify=False)
    workflow.publish_round(survey_round=survey_round, by=reviewer, notify=False)
    client.logout()
    profile = client.get(reverse("reports:borough", args=["demo", "croydon"]))
    assert f"No return: {REASON} Croydon has no accepted return" in _text(profile)
    with django_assert_max_num_queries(MAX_QUERIES):
        listing = client.get(reverse("reports:boroughs", args=["demo"]))
    assert _row(listing, "Croydon")[2] == f"No return: {REASON}"
    assert _row(listing, "Islington")[2] == "No return: Not asked"
    assert Borough.objects.count() == len(page(listing).tables[0]["rows"]) - 1


def test_a_submitted_return_is_shown_whatever_was_recorded_before(
    client, reviewer, other_lead, survey_round, croydon
):
    draft = complete_return(borough=croydon, survey_round=survey_round)
    workflow.mark_no_return(survey_round=survey_round, borough=croydon, by=reviewer, reason=REASON)
    workflow.submit(scoping_return=draft, by=other_lead, notify=False)
    assert ScopingReturn.objects.get(pk=draft.pk).no_return_reason == ""
    client.force_login(reviewer)
    profile = _text(client.get(reverse("reports:borough", args=["demo", "croydon"])))
    assert "No return" not in profile and REASON not in profile
