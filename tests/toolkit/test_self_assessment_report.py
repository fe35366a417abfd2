"""Section 11 in the report: the self-assessment page (heatmap by STP, levels per area, shares
per principle, STP medians), the benchmark and "Learn from" on a borough profile, the levels
that moved on the changes page, summary.json's "self_assessment" and self_assessments.csv;
every figure counted here from the levels the test gave, within ten queries at any size."""

import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from boroughs.models import Borough
from surveys import workflow
from surveys.models import Contact, SelfAssessment
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return
from tests.reports.helpers import body, csv_rows, page
from tests.reports.synthetic import add_returns, synthetic_round
from tests.reports.test_query_counts import published
from toolkit.models import GuidanceArea, Level, ToolkitVersion

pytestmark = pytest.mark.django_db

MAX_QUERIES = 10


def _levels():
    return list(Level.objects.order_by("rank"))


def _areas():
    return list(GuidanceArea.objects.select_related("principle").order_by("order", "name"))


def _seeded_levels(boroughs, seed):
    """A level slug (or None, now and then) per borough and area, drawn from a seeded random."""
    rng = random.Random(seed)
    slugs = [level.slug for level in _levels()]
    return {
        borough: {
            area.slug: (None if rng.random() < 0.06 else rng.choice(slugs)) for area in _areas()
        }
        for borough in boroughs
    }


def _toolkit_round(levels_by_borough, *, slug, by, previous=None, publish=True, version=None):
    """A toolkit round whose boroughs' accepted returns hold the given levels; published.
    `version`: the toolkit version it uses (the first, unless given)."""
    survey_round = SurveyRoundFactory(
        toolkit=True,
        name=f"Round {slug}",
        slug=slug,
        previous_round=previous,
        **({"toolkit_version": version} if version else {}),
    )
    for borough, levels in levels_by_borough.items():
        scoping_return = complete_return(borough=borough, survey_round=survey_round)
        workflow.submit(scoping_return=scoping_return, by=by, notify=False)
        for area, level in levels.items():
            SelfAssessment.objects.filter(scoping_return=scoping_return, area_id=area).update(
                level_id=level
            )
        workflow.accept(scoping_return=scoping_return, by=by, notify=False)
    if publish:
        close_and_publish(survey_round, by)
    return survey_round


def _lower_median(slugs):
    rank = {level.slug: level.rank for level in _levels()}
    ordered = sorted((s for s in slugs if s), key=rank.__getitem__)
    return ordered[(len(ordered) - 1) // 2] if ordered else None


def _name(slug):
    return {level.slug: level.name for level in _levels()}.get(slug)


@pytest.fixture
def toolkit_round(reviewer):
    """A published toolkit round: 28 of the register's boroughs with seeded levels (four
    without a return); what each gave, for the test to count on its own."""
    boroughs = list(Borough.objects.select_related("stp").order_by("pk"))[:28]
    given = _seeded_levels(boroughs, seed=18)
    return _toolkit_round(given, slug="2027", by=reviewer), given


def test_the_heatmap_names_each_boroughs_level_under_its_stp(client, toolkit_round):
    survey_round, given = toolkit_round
    html = client.get(reverse("reports:self_assessment", args=[survey_round.slug]))
    assert html.status_code == 200
    found = page(html)
    table = found.table("Each borough's level in each guidance area")
    assert table["th_without_scope"] == 0
    areas = _areas()
    assert table["rows"][1] == ["Borough", *(area.name for area in areas)]
    by_name = {b.name: b for b in Borough.objects.select_related("stp")}
    stp = None
    seen = set()
    for row in table["rows"][2:]:
        if len(row) == 1:  # an STP footprint's heading
            stp = row[0]
            continue
        borough = by_name[row[0]]
        assert borough.stp.name == stp, borough
        seen.add(borough)
        if borough in given:
            expected = [_name(given[borough][a.slug]) or "Not answered" for a in areas]
        else:
            expected = ["No return"] * len(areas)
        assert row[1:] == expected, borough
    assert seen == set(by_name.values())
    # The level is written in the cell; the class that colours it follows the level.
    content = body(html).decode()
    assert 'class="govuk-table__cell pcmh-level pcmh-level--embedded">Embedded</td>' in content
    assert 'class="govuk-table__cell pcmh-level pcmh-level--no-return">No return</td>' in content


def test_each_areas_levels_are_counted_with_a_chart_and_its_table(client, toolkit_round):
    survey_round, given = toolkit_round
    found = page(client.get(reverse("reports:self_assessment", args=[survey_round.slug])))
    total = Borough.objects.count()
    for area in _areas():
        counts = Counter(levels[area.slug] for levels in given.values())
        rows = found.table(f"{area.name}: boroughs by level")["rows"][1:]
        expected = [[level.name, str(counts[level.slug])] for level in _levels()]
        if counts[None]:
            expected.append(["Not answered", str(counts[None])])
        expected.append(["No return", str(total - len(given))])
        assert [row[:2] for row in rows] == expected, area.slug
    assert len(found.svgs) >= len(_areas())  # a bar chart per area, beside its table


def test_the_stp_medians_are_the_lower_medians_of_their_boroughs(client, toolkit_round):
    survey_round, given = toolkit_round
    found = page(client.get(reverse("reports:self_assessment", args=[survey_round.slug])))
    rows = {row[0]: row[1:] for row in found.table("The lower median level")["rows"][1:]}
    areas = _areas()
    stps = {borough.stp.name for borough in given}
    for stp in stps:
        expected = [
            _name(_lower_median(lv[a.slug] for b, lv in given.items() if b.stp.name == stp))
            or "No level given"
            for a in areas
        ]
        assert rows[stp] == expected, stp
    london = [_name(_lower_median(lv[a.slug] for lv in given.values())) for a in areas]
    assert rows["London"] == london


def test_the_lower_median_is_taken_with_an_even_number_of_boroughs(client, reviewer):
    boroughs = list(Borough.objects.filter(stp__slug="north-central-london").order_by("pk"))[:4]
    area = _areas()[0]
    levels = ["embedded", "not-started", "implementing", "planning"]  # sorted: the 2nd, planning
    given = {b: {area.slug: level} for b, level in zip(boroughs, levels, strict=True)}
    survey_round = _toolkit_round(given, slug="even", by=reviewer)
    found = page(client.get(reverse("reports:self_assessment", args=[survey_round.slug])))
    rows = {row[0]: row[1:] for row in found.table("The lower median level")["rows"][1:]}
    assert rows[boroughs[0].stp.name][0] == "Planning"
    assert rows["London"][0] == "Planning"


def test_the_share_per_principle_counts_boroughs_at_implementing_or_above_in_every_area(
    client, toolkit_round
):
    survey_round, given = toolkit_round
    found = page(client.get(reverse("reports:self_assessment", args=[survey_round.slug])))
    rows = {row[0]: row for row in found.table("Boroughs at “Implementing” or above")["rows"][1:]}
    rank = {level.slug: level.rank for level in _levels()}
    high = rank["implementing"]
    total = Borough.objects.count()
    principles = {area.principle for area in _areas()}
    for principle in principles:
        slugs = [a.slug for a in _areas() if a.principle == principle]
        at_or_above = sum(
            all(lv[s] is not None and rank[lv[s]] >= high for s in slugs) for lv in given.values()
        )
        ratings = [lv[s] for lv in given.values() for s in slugs if lv[s] is not None]
        high_ratings = sum(rank[s] >= high for s in ratings)
        row = rows[principle.name]
        assert row[2] == str(at_or_above)
        assert row[3].startswith(f"{at_or_above} of {total}")
        assert row[4].startswith(f"{high_ratings} of {len(ratings)}")


def test_a_draft_versions_descriptors_are_marked_draft(client, toolkit_round, make_user):
    survey_round, _ = toolkit_round
    url = reverse("reports:self_assessment", args=[survey_round.slug])
    html = client.get(url).content.decode()
    version = ToolkitVersion.objects.get(number=1)
    assert version.is_draft
    assert "Draft" in html
    first = version.descriptors.select_related("area").first()
    assert escape(first.text) in html
    # The round is published: its draft stays a draft, and its pages say so.
    from toolkit import versions

    approver = make_user("approver", steering=True)
    with pytest.raises(versions.VersionError, match="published"):
        versions.approve(version=version, by=approver)
    assert ToolkitVersion.objects.get(number=1).is_draft
    assert "Draft" in client.get(url).content.decode()
    # A round against an approved copy shows the same descriptors without "Draft".
    copy = versions.copy_as_draft(version=version, by=approver)
    approved = versions.approve(version=copy, by=approver)
    assert not approved.is_draft
    camden = Borough.objects.get(slug="camden")
    later = _toolkit_round({camden: {}}, slug="later", by=approver, version=approved)
    html = client.get(reverse("reports:self_assessment", args=[later.slug])).content.decode()
    assert "Draft" not in html
    assert escape(first.text) in html


def test_the_2017_round_did_not_use_the_toolkit(client, round_2017):
    response = client.get(reverse("reports:self_assessment", args=[round_2017.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert escape(f"The {round_2017.name} round did not use the self-assessment toolkit") in html
    assert "pcmh-heatmap" not in html
    summary = client.get(reverse("reports:summary", args=[round_2017.slug])).content.decode()
    assert reverse("reports:self_assessment", args=[round_2017.slug]) not in summary
    # summary.json gives {} rather than zeros for a round without the toolkit.
    data = client.get(reverse("reports:summary_json", args=[round_2017.slug])).json()
    assert data["self_assessment"] == {}


def test_the_navigation_links_the_page_for_a_toolkit_round(client, toolkit_round):
    survey_round, _ = toolkit_round
    summary = client.get(reverse("reports:summary", args=[survey_round.slug])).content.decode()
    assert reverse("reports:self_assessment", args=[survey_round.slug]) in summary


def test_summary_json_counts_every_level_of_every_area(client, toolkit_round):
    survey_round, given = toolkit_round
    data = client.get(reverse("reports:summary_json", args=[survey_round.slug])).json()
    expected = {
        area.slug: {
            level.slug: sum(lv[area.slug] == level.slug for lv in given.values())
            for level in _levels()
        }
        for area in _areas()
    }
    assert data["self_assessment"] == expected


def test_self_assessments_csv_has_a_row_per_borough_and_area(client, toolkit_round):
    survey_round, given = toolkit_round
    rows = csv_rows(
        client.get(reverse("reports:data_csv", args=[survey_round.slug, "self_assessments"]))
    )
    header, rows = rows[0], rows[1:]
    at = {name: header.index(name) for name in ("borough", "area", "level")}
    found = {(row[at["borough"]], row[at["area"]]): row[at["level"]] for row in rows}
    expected = {
        (borough.slug, area): level or ""
        for borough, lv in given.items()
        for area, level in lv.items()
    }
    assert len(rows) == len(given) * len(_areas())
    assert found == expected


# --- The borough profile's benchmark -----------------------------------------------------------


def test_a_profile_sets_its_levels_beside_its_stps_and_londons_medians(client, toolkit_round):
    survey_round, given = toolkit_round
    borough = next(iter(given))
    found = page(client.get(reverse("reports:borough", args=[survey_round.slug, borough.slug])))
    rows = found.table(f"{borough.name}'s level per guidance area")["rows"][1:]
    for row, area in zip(rows, _areas(), strict=True):
        stp = [lv[area.slug] for b, lv in given.items() if b.stp_id == borough.stp_id]
        assert row == [
            area.name,
            _name(given[borough][area.slug]) or "Not answered",
            _name(_lower_median(stp)) or "No level given",
            _name(_lower_median(lv[area.slug] for lv in given.values())) or "No level given",
        ]


def _learn_from(html):
    """{area slug: [linked borough slugs, in order]} of a profile's "Learn from"."""
    import re

    found = {}
    for area, block in re.findall(r'data-area="([^"]+)">(.*?)</div>', html, re.S):
        found[area] = re.findall(r'href="/reports/[^/]+/boroughs/([^/]+)/"', block)
    return found


def _learn_more(html):
    """{area slug: how many more boroughs its "Learn from" counts without naming them}."""
    import re

    return {
        area: int(more)
        for area, more in re.findall(
            r'data-area="([^"]+)">(?:(?!data-area=).)*?And (\d+) more borough', html, re.S
        )
    }


def test_learn_from_names_only_boroughs_embedded_where_the_borough_is_at_planning_or_below(
    client, toolkit_round
):
    survey_round, given = toolkit_round
    rank = {level.slug: level.rank for level in _levels()}
    Contact.all_rows.filter(
        scoping_return__survey_round=survey_round, scoping_return__publication__isnull=False
    ).update(name="Dr B Embedded", email="b.embedded@nhs.net")
    checked = counted_more = 0
    for borough in list(given)[:6]:
        html = client.get(reverse("reports:borough", args=[survey_round.slug, borough.slug]))
        html = html.content.decode()
        learn = _learn_from(html)
        weak = [
            area.slug
            for area in _areas()
            if given[borough][area.slug] and rank[given[borough][area.slug]] <= rank["planning"]
        ]
        assert sorted(learn) == sorted(weak), borough
        for area in weak:
            peers = [b for b, lv in given.items() if lv[area] == "embedded" and b != borough]
            peers.sort(key=lambda b: (b.stp_id != borough.stp_id, b.name))
            # The nearest five are named (London is one region), the rest counted.
            assert learn[area] == [b.slug for b in peers[:5]], (borough, area)
            checked += len(peers)
            more = _learn_more(html).get(area)
            assert more == (len(peers) - 5 if len(peers) > 5 else None), (borough, area)
            counted_more += more or 0
        if any(learn.values()):
            assert "b.embedded@nhs.net" in html
    assert checked  # the seed gives someone to learn from
    assert counted_more  # and an area with more than five


def test_a_profile_shows_last_rounds_next_step_beside_this_rounds_level(client, reviewer):
    camden, islington = (Borough.objects.get(slug=s) for s in ("camden", "islington"))
    before = _seeded_levels([camden], seed=3)
    previous = _toolkit_round(before, slug="then", by=reviewer, publish=False)
    planned = {
        area.slug: (f"Train two more staff in {area.name}" if number % 2 else "")
        for number, area in enumerate(_areas())
    }
    for row in SelfAssessment.objects.filter(scoping_return__survey_round=previous):
        row.next_step = planned[row.area_id]
        row.save()
    close_and_publish(previous, reviewer)
    after = _seeded_levels([camden, islington], seed=4)
    current = _toolkit_round(after, slug="now", by=reviewer, previous=previous)

    found = page(client.get(reverse("reports:borough", args=[current.slug, "camden"])))
    table = found.table("Camden's level per guidance area")
    assert table["rows"][0][-1] == "Planned in Round then"
    for row, area in zip(table["rows"][1:], _areas(), strict=True):
        now = (_name(after[camden][area.slug]) or "no level chosen").lower()
        expected = (
            f"planned: {planned[area.slug]}; now: {now}"
            if planned[area.slug]
            else "No next step was planned in Round then"
        )
        assert row[-1] == expected, area.slug
    # Islington had no return in the previous round: nothing was planned to show.
    found = page(client.get(reverse("reports:borough", args=[current.slug, "islington"])))
    heading = found.table("Islington's level per guidance area")["rows"][0]
    assert heading[-1] == "London median"


def test_a_round_without_the_toolkit_has_no_benchmark(client, reviewer, camden):
    survey_round = SurveyRoundFactory(slug="plain")
    scoping_return = complete_return(borough=camden, survey_round=survey_round)
    workflow.submit(scoping_return=scoping_return, by=reviewer, notify=False)
    workflow.accept(scoping_return=scoping_return, by=reviewer, notify=False)
    close_and_publish(survey_round, reviewer)
    html = client.get(reverse("reports:borough", args=[survey_round.slug, "camden"]))
    assert html.status_code == 200
    assert "level per guidance area" not in html.content.decode()


# --- Change since the previous round ----------------------------------------------------------


def test_the_changes_page_counts_levels_up_and_down_per_area(client, reviewer):
    boroughs = list(Borough.objects.select_related("stp").order_by("pk"))
    before = _seeded_levels(boroughs[:26], seed=1)
    after = _seeded_levels(boroughs[3:30], seed=2)
    previous = _toolkit_round(before, slug="then", by=reviewer)
    current = _toolkit_round(after, slug="now", by=reviewer, previous=previous)
    found = page(client.get(reverse("reports:changes", args=[current.slug])))
    rows = {row[0]: row for row in found.table("Boroughs whose self-assessment level")["rows"][1:]}
    rank = {level.slug: level.rank for level in _levels()}
    for area in _areas():
        up, down = [], []
        for borough in boroughs:
            then = before.get(borough, {}).get(area.slug)
            now = after.get(borough, {}).get(area.slug)
            if then and now and rank[now] != rank[then]:
                (up if rank[now] > rank[then] else down).append(borough.name)
        row = rows[area.name]
        assert row[1] == str(len(up)) and row[3] == str(len(down)), area.slug
        for name in up:
            assert name in row[2]
        for name in down:
            assert name in row[4]


def test_the_changes_page_has_no_levels_when_the_previous_round_had_no_toolkit(
    client, reviewer, camden
):
    previous = SurveyRoundFactory(slug="before")
    old = complete_return(borough=camden, survey_round=previous)
    workflow.submit(scoping_return=old, by=reviewer, notify=False)
    workflow.accept(scoping_return=old, by=reviewer, notify=False)
    close_and_publish(previous, reviewer)
    current = _toolkit_round({camden: {}}, slug="after", by=reviewer, previous=previous)
    html = client.get(reverse("reports:changes", args=[current.slug])).content.decode()
    assert "Self-assessment levels that moved" not in html


# --- Query counts -----------------------------------------------------------------------------


def _synthetic_toolkit_rounds(count):
    """Two published toolkit rounds of `count` new boroughs, levels varied by position."""
    areas, levels = _areas(), _levels()

    def rate(returns, shift):
        SelfAssessment.objects.bulk_create(
            [
                SelfAssessment(scoping_return=r, area=a, level=levels[(i * shift + j) % 4])
                for i, r in enumerate(returns)
                for j, a in enumerate(areas)
            ],
            batch_size=2000,
        )

    previous, boroughs = synthetic_round(count, toolkit=True)
    rate(list(previous.returns.order_by("pk")), 1)
    current, _ = synthetic_round(0, toolkit=True, previous_round=published(previous))
    rate(add_returns(current, boroughs), 3)
    return published(current), boroughs


@pytest.fixture
def _no_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.mark.usefixtures("_no_cache")
def test_the_pages_keep_within_ten_queries_from_32_to_1000_returns(
    client, make_user, django_assert_max_num_queries
):
    counts = {}
    for size in (32, 1000):
        survey_round, boroughs = _synthetic_toolkit_rounds(size)
        slug = survey_round.slug
        urls = {
            "self_assessment": reverse("reports:self_assessment", args=[slug]),
            "borough": reverse("reports:borough", args=[slug, boroughs[0].slug]),
            "changes": reverse("reports:changes", args=[slug]),
            "summary_json": reverse("reports:summary_json", args=[slug]),
        }
        lead = make_user(f"lead-of-one-of-{size}", boroughs=[boroughs[0]])
        counts[size] = {}
        for name, url in urls.items():
            # Signed in afresh (the session's idle time is started again once a minute: a
            # slow run would count that session write in the page's queries).
            client.force_login(lead)
            client.get(reverse("reports:summary", args=[slug]))
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
                body(response)
            assert response.status_code == 200, name
            counts[size][name] = len(captured)
        assert "Learn from" in client.get(urls["borough"]).content.decode()
    assert counts[1000] == counts[32]
    for name in ("self_assessment", "borough", "changes", "summary_json"):
        client.force_login(lead)
        client.get(urls["self_assessment"])
        with django_assert_max_num_queries(MAX_QUERIES):
            body(client.get(urls[name]))
