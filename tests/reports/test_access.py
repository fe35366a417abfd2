"""Who reads which round, and which returns count: published rounds for everyone, open and
closed rounds (provisional) for the steering group, limited reviewers to their STPs."""

import pytest
from django.urls import reverse

from boroughs.models import Borough, Stp
from surveys.choices import ReturnState, RoundState
from tests.factories import SurveyRoundFactory, complete_return
from tests.reports.helpers import PAGES, csv_rows, page, urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_round(camden, croydon):
    """An open round: Camden's return submitted, Croydon's accepted, Islington's a draft."""
    survey_round = SurveyRoundFactory(slug="next", name="Next round", state=RoundState.OPEN)
    complete_return(survey_round=survey_round, borough=camden, state=ReturnState.SUBMITTED)
    complete_return(survey_round=survey_round, borough=croydon, state=ReturnState.ACCEPTED)
    complete_return(
        survey_round=survey_round,
        borough=Borough.objects.get(slug="islington"),
        state=ReturnState.DRAFT,
    )
    return survey_round


def test_an_unpublished_round_is_404_for_the_public_and_leads(client, open_round, lead):
    for url in urls("next"):
        assert client.get(url).status_code == 404, url
    client.force_login(lead)
    for url in urls("next"):
        assert client.get(url).status_code == 404, url
    assert "Next round" not in client.get(reverse("reports:index")).content.decode()


def test_an_unpublished_round_is_provisional_on_every_page_for_the_steering_group(
    client, open_round, reviewer
):
    client.force_login(reviewer)
    for name in PAGES:
        response = client.get(reverse(f"reports:{name}", args=["next"]))
        assert response.status_code == 200, name
        parsed = page(response)
        assert parsed.title.startswith("Provisional: "), name
        assert "Provisional" in parsed.h1[0], name
        assert "Provisional figures." in response.content.decode(), name
    assert "Provisional" in client.get(reverse("reports:index")).content.decode()


def test_provisional_exports_say_so(client, open_round, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("reports:tables_csv", args=["next"]))
    assert 'filename="pcmh-next-provisional-tables.csv"' in response["Content-Disposition"]
    for url in urls("next")[len(PAGES) :]:
        response = client.get(url)
        if "Content-Disposition" in response:
            assert "-provisional-" in response["Content-Disposition"], url
    data = client.get(reverse("reports:summary_json", args=["next"])).json()
    assert data["provisional"] is True


def test_a_provisional_report_counts_submitted_and_accepted_returns_not_drafts(
    client, open_round, reviewer
):
    client.force_login(reviewer)
    data = client.get(reverse("reports:summary_json", args=["next"])).json()
    assert data["boroughs"] == Borough.objects.count()
    assert data["counted"] == 2
    assert data["no_return"] == data["boroughs"] - 2
    islington = client.get(reverse("reports:borough", args=["next", "islington"]))
    assert "No return." in islington.content.decode()


def test_a_return_that_is_not_accepted_is_not_counted_in_a_published_round(client, open_round):
    open_round.state = RoundState.PUBLISHED
    open_round.save()
    data = client.get(reverse("reports:summary_json", args=["next"])).json()
    assert data["provisional"] is False
    assert data["counted"] == 1  # Croydon's; Camden's is only submitted
    rows = csv_rows(client.get(reverse("reports:tables_csv", args=["next"])))
    camden = next(row for row in rows if row[1] == "Camden")
    croydon = next(row for row in rows if row[1] == "Croydon")
    assert camden[2] == "No return" and croydon[2] == "Established"
    assert len(rows) - 1 == Borough.objects.count()


def test_a_limited_reviewers_provisional_report_covers_only_their_stp(
    client, open_round, limited_reviewer
):
    client.force_login(limited_reviewer)
    ncl = Stp.objects.get(slug="north-central-london")
    data = client.get(reverse("reports:summary_json", args=["next"])).json()
    assert data["boroughs"] == ncl.boroughs.count()
    assert data["counted"] == 1  # Camden; Croydon is in South West London
    rows = csv_rows(client.get(reverse("reports:tables_csv", args=["next"])))[1:]
    assert {row[0] for row in rows} == {"North Central London"}
    assert len(rows) == ncl.boroughs.count()
    assert client.get(reverse("reports:borough", args=["next", "croydon"])).status_code == 404
    other = reverse("reports:stp_table", args=["next", "south-west-london"])
    assert client.get(other).status_code == 404
    summary = client.get(reverse("reports:summary", args=["next"])).content.decode()
    assert "They cover only your STP footprints: North Central London." in summary
    returns = csv_rows(client.get(reverse("reports:data_csv", args=["next", "returns"])))
    assert [row[1] for row in returns[1:]] == ["camden"]


def test_data_quality_lists_returns_with_fields_missing(client, open_round, reviewer):
    from surveys.models import ScopingReturn

    ScopingReturn.objects.filter(borough__slug="camden").update(training="")
    client.force_login(reviewer)
    response = client.get(reverse("reports:data_quality", args=["next"]))
    table = page(response).table("Counted returns that miss answers")
    assert [row[0] for row in table["rows"][1:]] == ["Camden"]
    assert (
        "Regular mental health training established (Mental health training)"
        in (table["rows"][1][2])
    )


def test_the_index_lists_readable_rounds_or_says_there_are_none(client, open_round, reviewer):
    response = client.get(reverse("reports:index"))
    assert "No report has been published yet." in response.content.decode()
    client.force_login(reviewer)
    assert "Next round" in client.get(reverse("reports:index")).content.decode()
