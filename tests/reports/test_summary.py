"""The 2017 pan-London summary: figures from the data, percentages with their denominators,
charts with their tables, and every count traceable to the boroughs behind it."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from reports import queries
from surveys.models import CareRole
from tests.reports.helpers import Page, label_of, page

pytestmark = pytest.mark.django_db

REPORT_2017 = {
    # The figures of the published 2017 report's summary.
    "status": {"established": 18, "pilot": 6, "planned": 7, "not_applicable": 1},
    "percent": {"established": 56, "pilot": 19, "planned": 22, "not_applicable": 3},
    "scope": {"smi_plus": 23},
    "training": {"yes": 13},
    "shared_it": {"yes": 9},
    "outcome_measures": {"yes": 17},
    "recurrent_funding": {"yes": 7},
}


def test_summary_json_gives_the_2017_reports_figures(client, round_2017):
    data = client.get(reverse("reports:summary_json", args=["2017"])).json()
    assert data["round"] == "2017"
    assert data["boroughs"] == 32 and data["counted"] == 32
    assert data["provisional"] is False
    assert data["status"] == REPORT_2017["status"]
    for key in ("scope", "training", "shared_it", "outcome_measures", "recurrent_funding"):
        for answer, count in REPORT_2017[key].items():
            assert data[key][answer] == count, key


def test_summary_json_lists_every_answer_key_zeros_included(client, round_2017):
    data = client.get(reverse("reports:summary_json", args=["2017"])).json()
    assert set(data["scope"]) == {"smi", "smi_plus", "not_stated", "not_applicable"}
    answers = {"yes", "no", "planned", "not_stated", "not_applicable"}
    for key in (
        "training",
        "shared_it",
        "outcome_measures",
        "medicines_management",
        "recurrent_funding",
    ):
        assert set(data[key]) == answers, key
        assert sum(data[key].values()) == data["counted"], key
    assert data["outcome_measures"]["no"] == 0  # a zero is present, not left out
    assert set(data["it_systems"]) == {"emis_web", "systmone", "rio", "jade", "other"}
    assert data["care_roles"]["gp_lead"]["boroughs"] >= 1


def _figure_table(response, title):
    """{answer label: its "n of N boroughs, p%" cell} of one figure set's table."""
    table = page(response).table(f"{title}: boroughs by answer")
    return {row[0]: row[2] for row in table["rows"][1:]}


def test_summary_page_shows_each_figure_with_numerator_denominator_and_percentage(
    client, round_2017
):
    response = client.get(reverse("reports:summary", args=["2017"]))
    status = _figure_table(response, "Service status")
    assert status == {
        "Established": "18 of 32 boroughs, 56%",
        "Pilot": "6 of 32 boroughs, 19%",
        "Planned": "7 of 32 boroughs, 22%",
        "Not applicable": "1 of 32 boroughs, 3%",
    }
    assert _figure_table(response, "Scope")["SMI+"] == "23 of 32 boroughs, 72%"
    assert _figure_table(response, "Regular mental health training")["Yes"] == (
        "13 of 32 boroughs, 41%"
    )
    assert _figure_table(response, "Shared IT with general practice")["Yes"] == (
        "9 of 32 boroughs, 28%"
    )
    assert _figure_table(response, "Outcome measures described")["Yes"] == (
        "17 of 32 boroughs, 53%"
    )
    assert _figure_table(response, "Recurrent funding secured")["Yes"] == "7 of 32 boroughs, 22%"


def test_the_it_systems_named_are_those_of_the_boroughs_that_share_it(client, round_2017):
    """The report: nine boroughs share IT with their practices, "either EMIS or SystmOne"."""
    data = client.get(reverse("reports:summary_json", args=["2017"])).json()
    systems = data["it_systems"]
    assert systems["emis_web"] + systems["systmone"] <= data["shared_it"]["yes"] == 9
    assert systems["emis_web"] >= 1 and systems["systmone"] >= 1
    url = reverse("reports:boroughs", args=["2017"]) + "?shared_it=yes&it_system=emis_web"
    rows = page(client.get(url)).table("Boroughs and their classifications")["rows"][1:]
    assert len(rows) == systems["emis_web"]
    assert {label_of(row[5]) for row in rows} == {"Yes"}  # the shared IT column


def test_every_chart_has_a_table_with_the_same_figures(client, round_2017):
    response = client.get(reverse("reports:summary", args=["2017"]))
    parsed = page(response)
    charts = [svg for svg in parsed.svgs if svg.get("role") == "img"]
    report = queries.report_for(round_2017, None)
    figure_sets = queries.summary(report)
    assert len(charts) == len(figure_sets)
    html = response.content.decode()
    for figure_set in figure_sets:
        chart_id = f"chart-{figure_set.key}"
        assert any(svg["aria-labelledby"] == f"{chart_id}-title {chart_id}-desc" for svg in charts)
        assert f'<title id="{chart_id}-title">' in html and f'<desc id="{chart_id}-desc">' in html
        table = parsed.table(f"{figure_set.title}: boroughs by answer")
        counts = {row[0]: row[1].split()[0] for row in table["rows"][1:]}
        assert counts == {f.label: str(f.count) for f in figure_set.rows}


def test_care_roles_table_counts_boroughs_and_total_wte_per_role(client, round_2017):
    from django.db.models import Sum

    from surveys.models import CareRole

    table = page(client.get(reverse("reports:summary", args=["2017"]))).table("Care roles")
    rows = {row[0]: row for row in table["rows"][1:]}
    nurses = CareRole.objects.filter(role="mental_health_nurse")
    in_post = nurses.filter(post_status="in_post")
    nurse_row = rows["Mental health nurse / CPN"]
    assert nurse_row[1].split()[0] == str(in_post.values("scoping_return").distinct().count())
    total = in_post.aggregate(total=Sum("wte"))["total"]
    assert nurse_row[2] == format(total.normalize(), "f")
    planned = nurses.filter(post_status="planned").aggregate(total=Sum("wte"))["total"]
    assert nurse_row[4] == format(planned.normalize(), "f")
    assert nurse_row[6].split()[0] == str(nurses.values("scoping_return").distinct().count())


def test_the_wte_in_post_excludes_planned_roles_and_says_about_for_an_approximate_one(
    client, round_2017
):
    """The report's words: West London's "Step 2 and Step 3 Talking Therapist approximately 45
    WTE" is in post; Enfield's proposed staffing ("Link Worker Band 6 (2.5WTE)", "Consultant
    psychiatrist (1WTE)") and Wandsworth's "Care Navigators (Band 4, 3 WTE's)", being formed,
    are planned."""
    roles = {role.key: role for role in queries.care_roles(queries.report_for(round_2017, None))}
    other = roles["other"]
    assert other.in_post.wte == 45 and other.in_post.approximate
    assert other.planned.wte == Decimal("2.5") and not other.planned.approximate
    navigators = roles["care_navigator"]
    # In post: Hillingdon's 2 WTE, Camden's 0.9 and 2 @ 0.8; planned: West London's 5 (new
    # wellbeing services) and Wandsworth's 3.
    assert navigators.in_post.wte == Decimal("2") + Decimal("0.9") + Decimal("1.6")
    assert navigators.planned.wte == Decimal("5") + Decimal("3")
    assert navigators.wte == navigators.in_post.wte
    # Consultant psychiatrists in post: Central London 0.5, Hounslow 1 (full time), West London
    # 1.4, Camden 0.5, Tower Hamlets 0.2, Greenwich 2 x full time; Enfield's 1 is proposed.
    consultants = roles["consultant_psychiatrist"]
    assert consultants.wte == Decimal("5.6")
    assert consultants.planned.wte == Decimal("1")
    html = client.get(reverse("reports:summary", args=["2017"])).content.decode()
    row = {r[0]: r for r in Page(html).table("Care roles")["rows"][1:]}["Other"]
    assert row[2] == "about 45"


def test_a_psychiatrist_named_without_a_grade_is_not_counted_as_a_consultant(round_2017):
    """ "Psychiatrist (as required basis)" (Barnet), "Psychiatrists – chair practice-based MDT
    meetings" (City & Hackney), "a psychiatrist" (Harrow's future plans) and "a dedicated
    psychiatrist" (Hillingdon, being considered)."""
    roles = {role.key: role for role in queries.care_roles(queries.report_for(round_2017, None))}
    assert roles["psychiatrist"].label == "Psychiatrist (grade not stated)"
    assert roles["psychiatrist"].boroughs == 4
    assert (roles["psychiatrist"].in_post.boroughs, roles["psychiatrist"].planned.boroughs) == (
        2,
        2,
    )
    consultants = CareRole.objects.filter(role="consultant_psychiatrist")
    for slug in ("barnet", "city-hackney", "harrow", "hillingdon"):
        assert not consultants.filter(scoping_return__borough__slug=slug).exists(), slug


def _count_links(response):
    """(query, link text) of every link to the borough list on a page."""
    prefix = reverse("reports:boroughs", args=["2017"]) + "?"
    return [
        (href[len(prefix) - 1 :], text)
        for href, text in page(response).links
        if href.startswith(prefix)
    ]


def test_every_count_on_the_summary_links_to_exactly_the_boroughs_behind_it(client, round_2017):
    links = _count_links(client.get(reverse("reports:summary", args=["2017"])))
    assert len(links) > 40
    for query, text in set(links):
        count = int(text.split()[0])
        listing = page(client.get(reverse("reports:boroughs", args=["2017"]) + query))
        rows = listing.table("Boroughs and their classifications")["rows"][1:] if count else []
        assert len(rows) == count, query


def test_the_borough_list_filter_matches_the_table_values(client, round_2017):
    response = client.get(reverse("reports:boroughs", args=["2017"]) + "?status=established")
    parsed = page(response)
    rows = parsed.table("Boroughs and their classifications")["rows"][1:]
    assert len(rows) == 18
    assert {row[2] for row in rows} == {"Established"}
    assert "18 of 32 boroughs, 56%" in response.content.decode()


def test_borough_list_combines_filters(client, round_2017):
    url = reverse("reports:boroughs", args=["2017"]) + "?status=established&shared_it=yes"
    rows = page(client.get(url)).table("Boroughs and their classifications")["rows"][1:]
    assert rows and all(row[2] == "Established" and label_of(row[5]) == "Yes" for row in rows)


@pytest.mark.parametrize(
    "query",
    ["?status=bogus", "?scope=SMI%2B", "?training=maybe", "?colour=blue", "?it_system=dos"],
)
def test_a_bad_filter_value_is_a_clear_400(client, round_2017, query):
    response = client.get(reverse("reports:boroughs", args=["2017"]) + query)
    assert response.status_code == 400
    assert "is not" in response.content.decode()


def test_an_unknown_stp_filter_is_a_400(client, round_2017):
    response = client.get(reverse("reports:boroughs", args=["2017"]) + "?stp=atlantis")
    assert response.status_code == 400


def test_links_on_the_summary_keep_their_query_strings_parseable(client, round_2017):
    for query, _ in _count_links(client.get(reverse("reports:summary", args=["2017"]))):
        params = parse_qs(urlsplit(query).query)
        assert params and all(len(values) == 1 for values in params.values())


def test_each_care_roles_count_is_read_with_its_article(client, round_2017):
    html = client.get(reverse("reports:summary", args=["2017"])).content.decode()
    assert "boroughs with an Occupational therapist in post (list)" in html
    assert "boroughs with a GP lead planned or proposed (list)" in html
    assert " with a Occupational" not in html and " with a Administrator" not in html
    assert " with a Other" not in html and " with an Other" not in html
