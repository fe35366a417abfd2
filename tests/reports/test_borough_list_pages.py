"""The borough list comes a page at a time at national size, its filters kept in the page
links; London's boroughs stay on one page."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from reports.views import BOROUGHS_PER_PAGE
from surveys.models import Publication
from surveys.publications import freeze
from tests.reports.helpers import page
from tests.reports.synthetic import synthetic_round

pytestmark = pytest.mark.django_db


def published_round(count):
    """A published round of `count` new boroughs (and only them: its publication's)."""
    survey_round, boroughs = synthetic_round(count)
    freeze(Publication.objects.create(survey_round=survey_round, version=1))
    return survey_round, boroughs


def borough_rows(response) -> list[list[str]]:
    return page(response).table("Boroughs and their classifications")["rows"][1:]


def page_links(response) -> dict[str, dict]:
    """Each page link's text and what its query string asks for."""
    return {
        text: {k: v[0] for k, v in parse_qs(urlparse(href).query).items()}
        for href, text in page(response).links
        if "page=" in href
    }


def test_the_borough_list_of_a_national_round_comes_a_page_at_a_time(client):
    survey_round, boroughs = published_round(BOROUGHS_PER_PAGE + 30)
    url = reverse("reports:boroughs", args=[survey_round.slug])
    first = client.get(url)
    assert len(borough_rows(first)) == BOROUGHS_PER_PAGE
    second = client.get(url, {"page": 2})
    assert len(borough_rows(second)) == 30
    seen = {row[0] for row in borough_rows(first) + borough_rows(second)}
    assert seen == {b.name for b in boroughs}
    assert "Next page" in page_links(first)


def test_the_page_links_keep_the_lists_filters(client):
    survey_round, _ = published_round(5 * BOROUGHS_PER_PAGE)
    url = reverse("reports:boroughs", args=[survey_round.slug])
    response = client.get(url, {"status": "established"})
    links = page_links(response)
    assert links, "a filtered list longer than a page has page links"
    assert all(query["status"] == "established" for query in links.values())
    next_page = client.get(url, links["Next page"])
    assert all(row[2].startswith("Established") for row in borough_rows(next_page))


def test_londons_boroughs_stay_on_one_page(client, round_2017):
    response = client.get(reverse("reports:boroughs", args=[round_2017.slug]))
    assert len(borough_rows(response)) == 32
    assert page_links(response) == {}
