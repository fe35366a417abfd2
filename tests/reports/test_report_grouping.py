"""A round's report groups its units by ICB or STP footprint (London's) or by region."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from boroughs.models import Region
from surveys.choices import ReportGrouping
from surveys.generate import Shape, generate
from surveys.management.commands.load_2017_round import system_user
from surveys.models import SurveyRound

pytestmark = pytest.mark.django_db


def _headings(html: str, tag: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html)
    ]


def test_grouped_by_region_the_stp_tables_put_each_regions_footprints_under_it(client):
    generate(Shape(units=45, regions=3, icbs=8, rounds=1), by=system_user())
    survey_round = SurveyRound.objects.get()
    assert survey_round.report_grouping == ReportGrouping.REGION
    url = reverse("reports:stp_tables", args=[survey_round.slug])
    with CaptureQueriesContext(connection) as by_region:
        html = client.get(url).content.decode()
    regions = list(Region.objects.order_by("display_order"))
    assert [h for h in _headings(html, "h2") if h in {r.name for r in regions}] == [
        r.name for r in regions
    ]
    footprints = _headings(html, "h3")
    for region in regions:  # every footprint of the region after its heading, before the next
        start = html.index(f'id="region-{region.slug}"')
        for stp in region.stps.all():
            assert html.index(f'id="stp-{stp.slug}-heading"') > start
    assert len(footprints) == 8
    map_page = unescape(
        client.get(reverse("reports:map", args=[survey_round.slug])).content.decode()
    )
    assert "Map of the units by service status" in map_page
    assert "London's boroughs" not in map_page
    summary = client.get(reverse("reports:summary", args=[survey_round.slug])).content.decode()
    assert "<h1" in summary and "National summary" in _headings(summary, "h1")[0]

    SurveyRound.objects.filter(pk=survey_round.pk).update(report_grouping=ReportGrouping.STP)
    with CaptureQueriesContext(connection) as by_stp:
        html = client.get(url + "?by=stp").content.decode()  # a page not in the cache
    assert not any(f'id="region-{r.slug}"' in html for r in regions)
    assert len(_headings(html, "h3")) == 0
    assert len(by_region) <= len(by_stp)  # grouping by region reads nothing more


def test_londons_map_is_still_londons(client, reviewer):
    survey_round = SurveyRound.objects.create(
        name="2027 London", slug="2027-london", opens_on="2027-01-10", closes_on="2027-03-31"
    )
    client.force_login(reviewer)  # the open round's provisional map, every London borough on it
    page = unescape(client.get(reverse("reports:map", args=[survey_round.slug])).content.decode())
    assert "Map of London's boroughs by service status" in page
    assert page.count("data-borough=") == 32


def test_a_new_round_groups_by_stp_footprint_unless_the_steering_group_chooses_region(
    client, make_user
):
    admin = make_user("root", superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/surveys/surveyround/add/",
        {
            "name": "2027 national",
            "slug": "2027-national",
            "opens_on": "2027-01-10",
            "closes_on": "2027-03-31",
            "guidance": "",
            "report_grouping": "region",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert SurveyRound.objects.get(slug="2027-national").report_grouping == "region"
    london = SurveyRound.objects.create(
        name="2027 London", slug="2027-london", opens_on="2027-01-10", closes_on="2027-03-31"
    )
    assert london.report_grouping == ReportGrouping.STP
