"""One borough's return as a workbook (return.xlsx): the sheets of returns.xlsx, only its rows,
for the same readers as its printable copy."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from surveys.choices import ReturnState, RoundState
from surveys.models import CareRole, Contact, FundingLine, OutcomeMeasure
from tests.factories import SurveyRoundFactory, complete_return
from tests.reports.helpers import Page, body

pytestmark = pytest.mark.django_db

# The sheets whose rows belong to a borough, and the column that names it.
BOROUGH_COLUMNS = {
    "tables": "borough",
    "returns": "borough",
    "care_roles": "borough",
    "contacts": "borough",
    "outcome_measures": "borough",
    "funding_lines": "borough",
}


def _with_rows(scoping_return, tag):
    CareRole.objects.create(scoping_return=scoping_return, role="psychologist", notes=tag)
    CareRole.objects.create(scoping_return=scoping_return, role="gp_lead", notes=tag)
    OutcomeMeasure.objects.create(scoping_return=scoping_return, name=f"SWEMWBS {tag}")
    FundingLine.objects.create(scoping_return=scoping_return, amount=1000, notes=tag)
    Contact.objects.create(scoping_return=scoping_return, name=f"Dr {tag}")
    return scoping_return


def _round(state, camden, croydon, camden_state=ReturnState.SUBMITTED):
    survey_round = SurveyRoundFactory(slug=f"r-{state}", state=state)
    _with_rows(complete_return(survey_round=survey_round, borough=camden, state=camden_state), "C")
    _with_rows(
        complete_return(survey_round=survey_round, borough=croydon, state=ReturnState.ACCEPTED),
        "Croydon's own",
    )
    return survey_round


@pytest.fixture
def open_round(camden, croydon):
    # Camden's return of another round must not appear either.
    _with_rows(complete_return(survey_round=SurveyRoundFactory(), borough=camden), "other round")
    return _round(RoundState.OPEN, camden, croydon)


@pytest.fixture
def published_round(camden, croydon):
    return _round(RoundState.PUBLISHED, camden, croydon, camden_state=ReturnState.ACCEPTED)


def _url(survey_round, borough_slug="camden"):
    return reverse("reports:return_xlsx", args=[survey_round.slug, borough_slug])


def _sheets(response) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def test_one_boroughs_xlsx_has_that_boroughs_rows_only(client, reviewer, open_round):
    client.force_login(reviewer)
    response = client.get(_url(open_round))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="pcmh-{open_round.slug}-camden-return.xlsx"'
    )
    sheets = _sheets(response)
    for title, column in BOROUGH_COLUMNS.items():
        header, *rows = sheets[title]
        values = {row[header.index(column)] for row in rows}
        assert values == ({"Camden"} if title == "tables" else {"camden"}), title
        if "round" in header:
            assert {row[header.index("round")] for row in rows} == {open_round.slug}, title
    counts = {title: len(rows) - 1 for title, rows in sheets.items() if title in BOROUGH_COLUMNS}
    # complete_return gives each return a contact of its own, besides the one added here.
    expected = {"care_roles": 2, "contacts": 2, "outcome_measures": 1, "funding_lines": 1}
    assert counts == {"tables": 1, "returns": 1, **expected}
    cells = [str(cell) for rows in sheets.values() for row in rows for cell in row]
    assert not [cell for cell in cells if "Croydon" in cell or "other round" in cell]
    assert dict(row for row in sheets["about"][1:])["Borough"] == "Camden"


def test_its_sheets_and_headers_are_those_of_returns_xlsx(client, reviewer, open_round):
    client.force_login(reviewer)
    whole = _sheets(client.get(reverse("reports:returns_xlsx", args=[open_round.slug])))
    one = _sheets(client.get(_url(open_round)))
    assert list(one) == list(whole)
    assert {title: rows[0] for title, rows in one.items()} == {
        title: rows[0] for title, rows in whole.items()
    }
    assert one["data dictionary"] == whole["data dictionary"]


def test_a_lead_downloads_their_own_draft_return(client, lead, camden):
    survey_round = SurveyRoundFactory(slug="draft-round")
    _with_rows(complete_return(survey_round=survey_round, borough=camden), "C")
    client.force_login(lead)
    response = client.get(_url(survey_round))
    assert response.status_code == 200
    header, row = _sheets(response)["returns"]
    assert row[header.index("state")] == ReturnState.DRAFT


def test_anonymous_gets_404_on_an_open_round(client, open_round):
    assert client.get(_url(open_round)).status_code == 404


def test_a_lead_of_another_borough_gets_404_on_an_open_round(client, other_lead, open_round):
    client.force_login(other_lead)
    assert client.get(_url(open_round)).status_code == 404
    assert client.get(_url(open_round, "croydon")).status_code == 200


def test_anyone_downloads_an_accepted_return_once_the_round_is_published(client, published_round):
    response = client.get(_url(published_round))
    assert response.status_code == 200
    header, row = _sheets(response)["returns"]
    assert row[header.index("borough")] == "camden"


def test_a_return_not_accepted_stays_hidden_in_a_published_round(client, camden, croydon):
    survey_round = _round(RoundState.PUBLISHED, camden, croydon, ReturnState.CHANGES_REQUESTED)
    assert client.get(_url(survey_round)).status_code == 404
    assert client.get(_url(survey_round, "croydon")).status_code == 200


def _copy_links(client, survey_round, borough_slug) -> list[str]:
    page = Page(client.get(reverse("reports:borough", args=[survey_round.slug, borough_slug])).text)
    return [href for href, _ in page.links if href.endswith(("/print/", "/return.xlsx"))]


def test_the_public_profile_links_to_the_print_page_and_the_workbook(client, published_round):
    slug = published_round.slug
    assert _copy_links(client, published_round, "camden") == [
        f"/reports/{slug}/boroughs/camden/print/",
        f"/reports/{slug}/boroughs/camden/return.xlsx",
    ]
    assert _copy_links(client, published_round, "brent") == []  # no return


@pytest.mark.parametrize("who", ["anonymous", "limited_reviewer", "reviewer"])
@pytest.mark.parametrize("state", [RoundState.OPEN, RoundState.PUBLISHED])
def test_every_copy_a_profile_links_to_opens_for_its_reader(
    client, who, state, request, camden, croydon
):
    survey_round = _round(state, camden, croydon, camden_state=ReturnState.ACCEPTED)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    links = [
        href
        for borough_slug in ("camden", "croydon")
        for href in _copy_links(client, survey_round, borough_slug)
    ]
    if state == RoundState.PUBLISHED:
        expected = 4
    else:  # the report of an open round is the steering group's, within its limit
        expected = {"anonymous": 0, "limited_reviewer": 2, "reviewer": 4}[who]
    assert len(links) == expected
    assert [client.get(href).status_code for href in links] == [200] * len(links)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["anonymous", "lead", "reviewer"])
def test_the_workbook_makes_a_fixed_number_of_queries(
    client, who, request, published_round, django_assert_max_num_queries
):
    # A signed-in reader's every request reads and saves the session and reads the user and
    # their groups: the download's own queries are counted beyond those of a page that reads
    # nothing else (none for an anonymous reader).
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    session = _queries(client, reverse("accessibility")) if who != "anonymous" else 0
    with django_assert_max_num_queries(session + 10):
        assert client.get(_url(published_round)).status_code == 200
