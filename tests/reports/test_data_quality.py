"""The steering group's data-quality page of the 2017 round."""

import pytest
from django.urls import reverse

from tests.reports.helpers import body, page, urls

pytestmark = pytest.mark.django_db


def test_the_data_quality_of_the_published_2017_round_is_public(client, round_2017, lead):
    url = reverse("reports:data_quality", args=["2017"])
    assert client.get(url).status_code == 200  # anonymous
    client.force_login(lead)
    response = client.get(url)
    assert response.status_code == 200
    parsed = page(response)
    not_stated = parsed.table('Counted returns answering "Not stated"')
    training = next(row for row in not_stated["rows"] if row[0].startswith("Regular mental"))
    assert training[1].split()[0] == "11"
    assert parsed.table("Where the narrative contradicts")["rows"][1:]
    assert "Every counted return has every required answer." in response.content.decode()


def test_the_public_reads_every_page_and_download_of_a_published_round(client, round_2017):
    for url in urls("2017"):
        response = client.get(url)
        assert response.status_code == 200, url
        body(response)


def test_the_data_quality_of_an_open_round_stays_with_the_steering_group(
    client, camden, lead, reviewer
):
    from surveys.choices import ReturnState
    from tests.factories import SurveyRoundFactory, complete_return

    survey_round = SurveyRoundFactory(slug="open-round")
    complete_return(survey_round=survey_round, borough=camden, state=ReturnState.SUBMITTED)
    url = reverse("reports:data_quality", args=["open-round"])
    assert client.get(url).status_code == 404
    client.force_login(lead)
    assert client.get(url).status_code == 404
    client.force_login(reviewer)
    assert client.get(url).status_code == 200


def _notes(client, query=""):
    response = client.get(reverse("reports:data_quality", args=["2017"]) + query)
    assert response.status_code == 200
    table = [t for t in page(response).tables if t["caption"].startswith("Where the narrative")]
    return response, (table[0]["rows"][1:] if table else [])


def test_the_summary_links_to_the_data_quality_page_with_the_number_of_notes(client, round_2017):
    from surveys.models import DataQualityNote

    count = DataQualityNote.objects.filter(scoping_return__survey_round=round_2017).count()
    links = page(client.get(reverse("reports:summary", args=["2017"]))).links
    url = reverse("reports:data_quality", args=["2017"])
    text = f"{count} places where a borough's narrative and its classification disagree"
    assert (url, text) in links
    _, rows = _notes(client)
    assert len(rows) == count


def test_the_notes_filter_by_borough_stp_and_question(client, round_2017):
    from surveys.models import DataQualityNote

    notes = DataQualityNote.objects.filter(scoping_return__survey_round=round_2017)
    _, rows = _notes(client, "?borough=islington")
    assert {row[0] for row in rows} == {"Islington"}
    assert len(rows) == notes.filter(scoping_return__borough__slug="islington").count()
    _, rows = _notes(client, "?stp=north-central-london")
    in_ncl = notes.filter(scoping_return__borough__stp__slug="north-central-london")
    assert len(rows) == in_ncl.count()
    assert {row[0] for row in rows} == set(
        in_ncl.values_list("scoping_return__borough__name", flat=True)
    )
    response, rows = _notes(client, "?question=shared_it")
    assert {row[1] for row in rows} == {"Shared IT system with general practice"}
    assert len(rows) == notes.filter(field="shared_it").count()
    html = response.content.decode()
    assert '<option value="shared_it" selected>' in html
    _, rows = _notes(client, "?stp=north-central-london&question=shared_it")
    assert len(rows) == in_ncl.filter(field="shared_it").count()
    # A borough of the register without notes, and a question without notes, match none.
    response, rows = _notes(client, "?borough=camden&question=clozapine_clinic")
    assert rows == [] and "No data-quality note matches." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?borough=atlantis", "“atlantis” is not a borough of the register"),
        ("?stp=mars", "“mars” is not an STP footprint of the register"),
        ("?question=favourite_colour", "“favourite_colour” is not a question of the framework"),
        ("?borough=" + "x" * 500, "is not a borough of the register"),
    ],
)
def test_bad_note_filters_are_refused_in_words(client, round_2017, query, message):
    response = client.get(reverse("reports:data_quality", args=["2017"]) + query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'href="/reports/2017/data-quality/"' in response.content.decode()
