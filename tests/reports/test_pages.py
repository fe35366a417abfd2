"""Every report page is usable: one h1, a page title, breadcrumbs and navigation between the
report's pages, tables with captions and header scopes, and no inline style (CSP)."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from tests.reports.helpers import page

pytestmark = pytest.mark.django_db


def page_urls(slug):
    return {
        "index": reverse("reports:index"),
        "summary": reverse("reports:summary", args=[slug]),
        "stp tables": reverse("reports:stp_tables", args=[slug]),
        "stp table": reverse("reports:stp_table", args=[slug, "south-west-london"]),
        "map": reverse("reports:map", args=[slug]),
        "boroughs": reverse("reports:boroughs", args=[slug]),
        "filtered": reverse("reports:boroughs", args=[slug]) + "?training=yes",
        "profile": reverse("reports:borough", args=[slug, "kingston"]),
        "report": reverse("reports:report", args=[slug]),
        "data quality": reverse("reports:data_quality", args=[slug]),
    }


def test_every_report_page_has_one_h1_a_title_and_accessible_tables(client, round_2017, reviewer):
    client.force_login(reviewer)
    titles = set()
    for name, url in page_urls("2017").items():
        response = client.get(url)
        assert response.status_code == 200, name
        parsed = page(response)
        assert len(parsed.h1) == 1, name
        assert parsed.title.endswith("– PCMH Returns") and parsed.title not in titles, name
        titles.add(parsed.title)
        assert parsed.style_attributes == 0, name
        html = response.content.decode()
        assert "<style" not in html and "<script>" not in html and "onclick" not in html, name
        for table in parsed.tables:
            assert table["caption"], (name, table["rows"][:1])
            assert table["th_without_scope"] == 0, (name, table["caption"])


def test_report_pages_link_to_each_other_and_to_the_downloads(client, round_2017, reviewer):
    client.force_login(reviewer)
    expected = {
        reverse("reports:summary", args=["2017"]),
        reverse("reports:stp_tables", args=["2017"]),
        reverse("reports:map", args=["2017"]),
        reverse("reports:boroughs", args=["2017"]),
        reverse("reports:report", args=["2017"]),
        reverse("reports:summary", args=["2017"]) + "#downloads",
        reverse("reports:data_quality", args=["2017"]),
    }
    for name, url in page_urls("2017").items():
        if name == "index":
            continue
        html = client.get(url).content.decode()
        hrefs = {href for href, _ in page(client.get(url)).links}
        assert expected <= hrefs, name
        assert 'aria-label="Breadcrumb"' in html, name
        assert reverse("reports:index") in hrefs, name
    summary = page(client.get(reverse("reports:summary", args=["2017"])))
    downloads = {href for href, _ in summary.links}
    for name in ("tables.csv", "returns.csv", "care_roles.csv", "contacts.csv", "returns.xlsx"):
        assert f"/reports/2017/{name}" in downloads
    assert "/reports/2017/data-dictionary.csv" in downloads
    assert "/reports/2017/summary.json" in downloads


def test_the_public_is_linked_to_the_data_quality_of_a_published_round(client, round_2017):
    links = page(client.get(reverse("reports:summary", args=["2017"]))).links
    url = reverse("reports:data_quality", args=["2017"])
    assert (url, "Data quality") in links  # the report's navigation
    assert any(
        href == url and "narrative and its classification disagree" in text for href, text in links
    )


def test_the_full_report_links_the_print_stylesheet(client, round_2017):
    html = client.get(reverse("reports:report", args=["2017"])).content.decode()
    assert 'href="/static/css/print.css" media="print"' in html
    assert 'class="report-part page-break"' in html


def test_the_full_report_has_no_duplicate_ids(client, round_2017):
    html = client.get(reverse("reports:report", args=["2017"])).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [name for name, count in ids.items() if count > 1] == []
    labelled = re.findall(r'aria-labelledby="([^"]+)"', html)
    for names in labelled:
        assert all(name in ids for name in names.split()), names


# A table in its scroll region, which is named by the table's caption (the id each caption has).
TABLE_IN_REGION = re.compile(
    r'<div class="pcmh-table-scroll" role="region" aria-labelledby="([^"]+)" tabindex="0">\s*'
    r'<table[^>]*>\s*<caption[^>]* id="([^"]+)"'
)


def test_every_report_table_scrolls_in_a_region_named_by_its_caption(client, round_2017, reviewer):
    client.force_login(reviewer)
    for name, url in page_urls("2017").items():
        html = client.get(url).content.decode()
        regions = TABLE_IN_REGION.findall(html)
        assert len(regions) == html.count("<table"), name
        assert all(label == caption for label, caption in regions), name
        if name != "index":
            assert 'href="/static/css/reports.css"' in html, name
