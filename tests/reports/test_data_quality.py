"""The steering group's data-quality page of the 2017 round."""

import pytest
from django.urls import reverse

from tests.reports.helpers import body, page, urls

pytestmark = pytest.mark.django_db


def test_data_quality_is_for_the_steering_group_only(client, round_2017, lead, reviewer):
    url = reverse("reports:data_quality", args=["2017"])
    assert client.get(url).status_code == 404
    client.force_login(lead)
    assert client.get(url).status_code == 404
    client.force_login(reviewer)
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
