"""A national report (grouped by region, more units than a page holds) shows its map, its STP
tables and the full report's profiles one region at a time, each region's page answering
itself within ten queries; London's report stays one page."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from boroughs.models import Borough, Region
from reports.views import ONE_PAGE_UNITS
from surveys.generate import Shape, generate
from surveys.management.commands.load_2017_round import system_user
from surveys.models import SurveyRound
from tests.reports.helpers import page
from toolkit.choices import Theme
from toolkit.models import GuidanceArea, Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    generate(Shape(units=ONE_PAGE_UNITS + 50, regions=3, icbs=8, rounds=1), by=system_user())
    return SurveyRound.objects.get()


@pytest.fixture
def national_toolkit(settings):
    """A national round of more units than a page holds, using the self-assessment toolkit."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    shape = Shape(units=ONE_PAGE_UNITS + 50, regions=3, icbs=8, rounds=1, toolkit=True)
    generate(shape, by=system_user())
    return SurveyRound.objects.get()


@pytest.fixture
def national_rounds(settings):
    """Two published national rounds using the toolkit, of more units than a page holds: the
    second's changes page compares them."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    shape = Shape(
        units=ONE_PAGE_UNITS + 50, regions=3, icbs=8, rounds=2, last_round_open=False, toolkit=True
    )
    generate(shape, by=system_user())
    return SurveyRound.objects.order_by("opens_on").last()


def each_regions_page(client, url):
    """(region, its page of `url`), each page answering itself within ten queries."""
    for region in Region.objects.all():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {"region": region.slug})
        assert response.status_code == 200
        assert len(captured) <= 10, region.slug
        yield region, response


def profile_links(response, slug) -> set[str]:
    prefix = f"/reports/{slug}/boroughs/"
    return {
        href
        for href, _ in page(response).links
        if href.startswith(prefix) and href != prefix and "?" not in href
    }


def test_the_map_shows_one_region_at_a_time_and_every_unit_in_one_of_them(client, national):
    url = reverse("reports:map", args=[national.slug])
    seen = []
    for region in Region.objects.all():
        response = client.get(url, {"region": region.slug})
        assert response.status_code == 200
        shown = profile_links(response, national.slug)
        units = Borough.objects.filter(stp__region=region, returns__survey_round=national)
        assert shown == {f"/reports/{national.slug}/boroughs/{b.slug}/" for b in units}
        seen += shown
    assert len(seen) == len(set(seen)) == national.returns.count()
    assert client.get(url).status_code == 200  # the first region, without a redirect
    assert client.get(url, {"region": "atlantis"}).status_code == 404


def test_the_full_report_gives_its_summary_then_a_region_a_page(client, national):
    url = reverse("reports:report", args=[national.slug])
    first = client.get(url)
    assert "National summary" in first.content.decode()
    assert _profile_headings(first) == []  # the profiles are on the regions' pages
    region = Region.objects.filter(stps__boroughs__returns__survey_round=national).first()
    part = client.get(url, {"region": region.slug})
    units = Borough.objects.filter(stp__region=region, returns__survey_round=national).distinct()
    assert sorted(_profile_headings(part)) == sorted(b.name for b in units)


def _profile_headings(response) -> list[str]:
    html = response.content.decode()
    return [
        unescape(chunk.split(">", 1)[1].split("<", 1)[0])
        for chunk in html.split('<h3 class="govuk-heading-m govuk-!-margin-bottom-2"')[1:]
    ]


def test_each_regions_page_within_ten_queries(client, national, reviewer):
    client.force_login(reviewer)
    region = Region.objects.filter(stps__boroughs__returns__survey_round=national).first()
    for name in ("map", "stp_tables", "report"):
        url = reverse(f"reports:{name}", args=[national.slug])
        for params in ({}, {"region": region.slug}):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, params).status_code == 200
            assert len(captured) <= 10, (name, params)


def test_the_self_assessment_heatmap_shows_one_region_at_a_time_with_the_whole_reports_figures(
    client, national_toolkit
):
    national = national_toolkit
    url = reverse("reports:self_assessment", args=[national.slug])
    everything = client.get(reverse("reports:summary_json", args=[national.slug])).json()
    names = dict(Level.objects.values_list("slug", "name"))
    units_in_all = national.returns.count()
    seen = []
    for region, response in each_regions_page(client, url):
        shown = profile_links(response, national.slug)
        units = Borough.objects.filter(stp__region=region, returns__survey_round=national)
        assert shown == {f"/reports/{national.slug}/boroughs/{b.slug}/" for b in units}
        seen += shown
        # The spread of levels per area is the whole report's, whichever region is shown.
        found = page(response)
        for area in GuidanceArea.objects.all():
            rows = found.table(f"{area.name}: boroughs by level, out of {units_in_all}")["rows"]
            shown_counts = {name: int(count) for name, count, _ in rows[1:]}
            expected = everything["self_assessment"][area.slug]
            assert shown_counts == {names[slug]: n for slug, n in expected.items()}, area.slug
    assert len(seen) == len(set(seen)) == national.returns.count()
    assert client.get(url).status_code == 200  # the first region, without a redirect
    assert client.get(url, {"region": "atlantis"}).status_code == 404


def test_the_themes_page_lists_one_regions_statements_at_a_time_under_the_whole_counts(
    client, national_toolkit
):
    from surveys.models import Benefit

    national = national_toolkit

    url = reverse("reports:themes", args=[national.slug])
    counts = client.get(reverse("reports:summary_json", args=[national.slug])).json()["themes"]
    seen = []
    for region, response in each_regions_page(client, url):
        linked = profile_links(response, national.slug)
        # Only the region's boroughs are quoted; the ranking counts every region's.
        stating = Borough.objects.filter(
            stp__region=region, returns__in=Benefit.objects.values("scoping_return")
        )
        assert linked >= {f"/reports/{national.slug}/boroughs/{b.slug}/" for b in stating}
        outside = Borough.objects.exclude(stp__region=region).values_list("slug", flat=True)
        assert not linked & {f"/reports/{national.slug}/boroughs/{s}/" for s in outside}
        seen += linked
        rows = page(response).table("Benefits seen: themes ranked")["rows"][1:]
        assert {row[1]: int(row[2]) for row in rows} == {
            label: counts["benefits"][code] for code, label in Theme.choices
        }
    assert client.get(url, {"region": "atlantis"}).status_code == 404


def test_a_national_profile_learns_from_its_footprint_then_its_region_then_the_rest(
    client, national_toolkit
):
    national = national_toolkit
    from surveys.models import SelfAssessment
    from tests.toolkit.test_self_assessment_report import _learn_from

    embedded = {}
    for area, slug in SelfAssessment.objects.filter(
        scoping_return__survey_round=national, level_id="embedded"
    ).values_list("area_id", "scoping_return__borough__slug"):
        embedded.setdefault(area, set()).add(slug)
    boroughs = {b.slug: b for b in Borough.objects.select_related("stp")}
    checked = 0
    weak = SelfAssessment.objects.filter(
        scoping_return__survey_round=national, level__rank__lte=1
    ).values_list("scoping_return__borough__slug", "area_id")
    for slug, area in list(weak.order_by("scoping_return__borough__slug", "area_id"))[:12]:
        own = boroughs[slug]

        def place(other, own=own):
            b = boroughs[other]
            return (b.stp_id != own.stp_id, b.stp.region_id != own.stp.region_id, b.name)

        peers = sorted(embedded.get(area, set()) - {slug}, key=place)
        html = client.get(reverse("reports:borough", args=[national.slug, slug])).content.decode()
        assert _learn_from(html)[area] == peers[:5], (slug, area)
        checked += len(peers)
    assert checked


def test_a_national_summary_links_to_the_boroughs_at_an_age_rather_than_naming_them(
    client, national
):
    from reports import queries
    from reports.queries.counts import NAMED_AT_MOST

    report = queries.report_for(national, None)
    every = queries.ages(report, named=None)  # summary.json's: every borough named
    shown = queries.ages(report)
    crowded = [
        (full, part)
        for full, part in zip(
            (*every.minimum[:1], *every.upper), (*shown.minimum[:1], *shown.upper), strict=True
        )
        if full.count > NAMED_AT_MOST
    ]
    assert crowded, "the generated round has an age shared by many boroughs"
    html = unescape(client.get(reverse("reports:summary", args=[national.slug])).content.decode())
    for full, part in crowded:
        assert len(full.boroughs) == full.count == part.count
        assert part.boroughs == ()
        assert f'?{part.query}">{part.phrase}</a>' in html
        named = [name for name, _ in full.boroughs if f">{name}</a>" in html]
        assert len(named) < len(full.boroughs)
    # A published statement's "returns give" counts the boroughs of such an age.
    from reports.queries.statements import figure_values

    given = figure_values(report, sets=[], ages=shown, aims=[], care_roles=[])
    for _, part in crowded:
        key = "ages.youngest" if part in shown.minimum else "ages.upper"
        assert f"({part.phrase})" in given[key]
    # An age with few boroughs is named in full, in the report's order, as summary.json names it.
    for full, part in zip(every.upper, shown.upper, strict=True):
        if full.count <= NAMED_AT_MOST:
            assert part.boroughs == full.boroughs


def test_the_changes_page_lists_one_regions_boroughs_behind_the_whole_rounds_changes(
    client, national_rounds
):
    from reports import queries
    from reports.queries import changes, selfassessment

    current = national_rounds
    report = queries.report_for(current, None)
    previous = queries.report_for(current.previous_round, None)
    whole = changes.compare(report, previous)
    transitions = {
        t.anchor: t
        for t in [*whole.changed_status, *(t for _, _, moved in whole.questions for t in moved)]
    }
    moves = {m.area.slug: m for m in selfassessment.level_changes(report, previous)}
    assert transitions and any(m.up or m.down for m in moves.values())
    listed: dict[str, list] = {anchor: [] for anchor in transitions}
    moved: dict[str, list] = {area: [] for area in moves}
    url = reverse("reports:changes", args=[current.slug])
    for region, response in each_regions_page(client, url):
        units = Borough.objects.filter(stp__region=region, returns__survey_round=current)
        in_region = {f"/reports/{current.slug}/boroughs/{b.slug}/" for b in units}
        assert profile_links(response, current.slug) <= in_region  # no other region's borough
        html = unescape(response.content.decode())
        comparison = response.context["comparison"]
        shown = {
            t.anchor: t
            for t in [
                *comparison.changed_status,
                *(t for _, _, ts in comparison.questions for t in ts),
            ]
        }
        # Every change of the whole round, with the whole round's count, on every region's page.
        assert {a: t.count for a, t in shown.items()} == {
            a: t.count for a, t in transitions.items()
        }
        for anchor, transition in shown.items():
            assert f'id="{anchor}"' in html
            assert {b.region for b in transition.listed} <= {region.slug}
            listed[anchor] += [b.slug for b in transition.listed]
        for area in response.context["level_changes"]:
            assert (len(area.up), len(area.down)) == (
                len(moves[area.area.slug].up),
                len(moves[area.area.slug].down),
            )
            moved[area.area.slug] += [m.borough_slug for m in (*area.up_listed, *area.down_listed)]
        stps = {slug for _, slug, _ in comparison.per_stp}
        assert stps <= set(region.stps.values_list("slug", flat=True))
    # Across the regions' pages, each change lists each of its boroughs once.
    for anchor, transition in transitions.items():
        assert sorted(listed[anchor]) == sorted(b.slug for b in transition.boroughs), anchor
    for area, found in moves.items():
        assert sorted(moved[area]) == sorted(m.borough_slug for m in (*found.up, *found.down))
    assert client.get(url, {"region": "atlantis"}).status_code == 404


# Last: the 2017 round, once loaded, stays for the rest of the module (generate_data wants a
# database without rounds).
def test_londons_map_stays_one_page(client, round_2017):
    response = client.get(reverse("reports:map", args=[round_2017.slug]))
    assert len(profile_links(response, round_2017.slug)) == 32
