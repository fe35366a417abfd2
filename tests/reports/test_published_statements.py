"""Section 1 of the 2017 report, line by line: each statement that gives a figure either equals
the app's figure, or is one of the round's published statements, shown beside its figure on the
summary and in the full report, with why the returns give another, and listed in summary.json.

The printed figures are written here from the report's text (Section 1, "Summary of Findings"),
never from the app's output. Where a statement is published, the test also checks the facts
its explanation states, so that a change to the returns that makes the explanation wrong fails.
"""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from reports.figures import section_of
from reports.models import PublishedStatement
from reports.queries import percent
from surveys.models import CareRole, DataQualityNote, ScopingReturn
from tests.reports.helpers import page

pytestmark = pytest.mark.django_db

SUMMARY = reverse("reports:summary", args=["2017"])
FULL_REPORT = reverse("reports:report", args=["2017"])
SUMMARY_JSON = reverse("reports:summary_json", args=["2017"])


def data(client) -> dict:
    return client.get(SUMMARY_JSON).json()


def returns():
    return ScopingReturn.objects.filter(survey_round__slug="2017", state="accepted")


def slugs(queryset) -> set[str]:
    return set(queryset.values_list("borough__slug", flat=True))


def listed(client, query: str) -> list[str]:
    """The boroughs the borough list shows for `query` (a count's link)."""
    url = reverse("reports:boroughs", args=["2017"]) + "?" + query
    parsed = page(client.get(url))
    tables = [t for t in parsed.tables if t["caption"].startswith("Boroughs and their")]
    return [row[0] for row in tables[0]["rows"][1:]] if tables else []


# The parts of the summary whose element ids are not their figure set's key.
SECTION_IDS = {"care_roles": "care-roles"}


def section_html(html: str, section: str) -> str:
    """The HTML of the part of a page that shows one figure set (`<section>` to `</section>`)."""
    for key, element_id in SECTION_IDS.items():
        section = section.replace(key, element_id, 1) if section.startswith(key) else section
    match = re.search(
        rf'<section[^>]*aria-labelledby="{re.escape(section)}-heading">(.*?)</section>',
        html,
        re.DOTALL,
    )
    assert match, f"no section {section}"
    return match.group(1)


def assert_published(client, figure: str, printed_value: str) -> PublishedStatement:
    """The round publishes a statement for `figure`, as printed, with an explanation; the
    summary and the full report show it beside the figure, and summary.json lists it."""
    statement = PublishedStatement.objects.get(survey_round__slug="2017", figure=figure)
    assert statement.printed_value == printed_value
    assert len(statement.explanation) > 40
    for url, suffix in ((SUMMARY, ""), (FULL_REPORT, "-report")):
        html = client.get(url).content.decode()
        part = section_html(html, section_of(figure) + suffix)
        inset = part[part.index(f'id="statement-{statement.key}{suffix}"') :]
        inset = inset[: inset.index("</div>")]
        for words in (statement.printed, statement.printed_value, statement.explanation):
            assert escape(words) in inset, (url, words)
        assert "the returns give" in inset.lower() and "because" in inset
    listed_statements = data(client)["published_statements"]
    assert {
        "figure": figure,
        "printed": statement.printed,
        "printed_value": printed_value,
        "explanation": statement.explanation,
    } in listed_statements
    return statement


def equals_or_published(client, figure: str, printed, actual, printed_value: str):
    """The issue's rule: the app's figure equals the printed one (and no statement says it
    does not), or the printed one is a published statement of the round."""
    if actual == printed:
        assert not PublishedStatement.objects.filter(
            survey_round__slug="2017", figure=figure
        ).exists(), f"{figure}: the returns give the printed figure, yet a statement says not"
        return None
    return assert_published(client, figure, printed_value)


# --- Primary Care Mental Health Model Types ---------------------------------------------------


def test_32_boroughs_more_than_half_with_an_established_model(client, round_2017):
    """ "... across the 32 boroughs, although more than 50% of boroughs now have an
    established primary care mental health model." """
    summary = data(client)
    assert summary["boroughs"] == 32
    assert summary["status"]["established"] / summary["boroughs"] > 0.5


def test_fig_2_established_56_pilot_19_planning_22_not_applicable_3(client, round_2017):
    """ "Established PCMH service = 56%, Pilot Phase = 19%, Planning Phase = 22%, N/A = 3%" """
    table = page(client.get(SUMMARY)).table("Service status: boroughs by answer")
    shares = {row[0]: row[2].rpartition(", ")[2] for row in table["rows"][1:]}
    assert shares == {
        "Established": "56%",
        "Pilot": "19%",
        "Planned": "22%",
        "Not applicable": "3%",
    }


def test_wrap_around_models_in_north_west_london(client, round_2017):
    """ "wrap-around models (e.g. in the Like Minded Collaborative in North West London)" """
    assert listed(client, "model_type=wrap_around&stp=north-west-london")


def test_an_in_reach_model_in_croydon(client, round_2017):
    """ "in-reach models of care (such as in Croydon)" """
    assert "Croydon" in listed(client, "model_type=in_reach")


def test_most_models_provide_stepped_care(client, round_2017):
    """ "Most models provide care in a stepped format ... 'step-up' or 'step-down'" """
    with_a_model = returns().exclude(model_types="")
    stepped = with_a_model.filter(model_types__contains="step_")
    assert stepped.count() > with_a_model.count() / 2
    summary = data(client)["model_types"]
    assert summary["step_up"] + summary["step_down"] >= stepped.count()


def test_link_workers_in_barnet(client, round_2017):
    """ "Other boroughs have established a network of Link Workers ... (as in Barnet)." """
    assert "Barnet" in listed(client, "model_type=link_working")


def test_the_summary_shows_model_types_each_linking_to_its_boroughs(client, round_2017):
    table = page(client.get(SUMMARY)).table("Model types: boroughs by answer")
    rows = {row[0]: int(row[1].split()[0]) for row in table["rows"][1:]}
    assert rows["Collaborative care"] == len(listed(client, "model_type=collaborative_care"))
    assert rows["Step-down"] == len(listed(client, "model_type=step_down"))


# --- Service Scope ------------------------------------------------------------------------------


def test_the_majority_23_have_or_plan_broad_based_smi_plus_services(client, round_2017):
    """ "The majority of boroughs (23) have or are planning broad-based PCMH services" """
    summary = data(client)
    assert summary["scope"]["smi_plus"] == 23 > summary["boroughs"] / 2


def test_one_borough_offers_a_service_from_age_17_5(client, round_2017):
    """ "All services offer support to individuals aged 18 years and over (with the exception
    of one borough offering a service from age 17.5 years and above)." """
    printed = {Decimal("17.5"): 1}  # the minimum ages below 18, and how many boroughs have each
    ages = data(client)["ages"]
    actual = {Decimal(age): count for age, count in ages["minimum"].items() if Decimal(age) < 18}
    statement = equals_or_published(
        client, "ages.youngest", printed, actual, "17.5, in one borough"
    )
    assert statement is not None
    # What the explanation says: West London from 16, Islington from 17.5.
    assert ages["youngest"] == {"age": "16", "boroughs": ["west-london"]}
    assert slugs(returns().filter(min_age=Decimal("17.5"))) == {"islington"}
    html = client.get(SUMMARY).content.decode()
    assert "The youngest minimum age is <strong>16</strong>" in section_html(html, "ages")


def test_one_borough_has_an_upper_age_limit_of_65(client, round_2017):
    """ "One borough has an upper age limit of 65 years for their service." """
    printed = {Decimal("65"): 1}
    upper = data(client)["ages"]["upper"]
    actual = {Decimal(age): len(limit["boroughs"]) for age, limit in upper.items()}
    equals_or_published(client, "ages.upper", printed, actual, "one borough, 65")
    table = page(client.get(SUMMARY)).table("Ages: boroughs by the minimum and maximum age")
    rows = {row[0]: row[1].split()[0] for row in table["rows"][1:]}
    assert rows["Up to age 65"] == "1"
    assert len(listed(client, "max_age=65")) == 1


SECTION_1_AIMS = [
    "Supporting individuals with psychotic illness who are stable and are transitioning back "
    "to primary care from specialist services",
    "Individuals with mental health difficulties who are currently managed by their GP where "
    "advice and support is required from specialists (including to help prevent the need for "
    "secondary care referral)",
    "Individuals with mental health difficulties who are currently managed by their GP who "
    "would benefit from referral to community-based sources of support",
]


def test_the_three_service_aims_each_with_the_boroughs_whose_aims_match(client, round_2017):
    """ "The forms of support offered in general have one or more of the following service
    aims:" and the three aims."""
    aims = data(client)["aims"]
    assert [aim["printed"] for aim in aims] == SECTION_1_AIMS
    table = page(client.get(SUMMARY)).table("Service aims: boroughs whose narrative")
    for aim, row in zip(aims, table["rows"][1:], strict=True):
        assert row[0] == aim["printed"]
        assert aim["boroughs"] and int(row[1].split()[0]) == len(aim["boroughs"])
        assert len(listed(client, f"aim={aim['key']}")) == len(aim["boroughs"])
    # "one or more": every borough with a service has at least one of the aims.
    tagged = {slug for aim in aims for slug in aim["boroughs"]}
    assert "bexley" not in tagged  # no PCMH service (N/A)


# --- New Care Roles -----------------------------------------------------------------------------


def test_the_care_roles_section_1_names_are_among_the_returns(client, round_2017):
    """ "... such as consultant psychiatrist, primary care nurse (or community psychiatric
    nurse), social workers, administrators, psychologists, occupational therapists and
    employment advisers ... The increasing presence of peer-support workers" """
    roles = data(client)["care_roles"]
    for role in (
        "consultant_psychiatrist",
        "mental_health_nurse",
        "social_worker",
        "administrator",
        "psychologist",
        "occupational_therapist",
        "employment_adviser",
        "peer_support_worker",
    ):
        assert roles[role]["boroughs"] >= 1, role


def test_gp_based_pharmacists_in_existing_and_planned_services(client, round_2017):
    """ "The presence of GP-based pharmacists is also evident in existing and planned PCMH
    services." """
    pharmacists = CareRole.objects.filter(scoping_return__in=returns(), role="pharmacist")
    assert pharmacists.filter(post_status="in_post").exists()
    assert pharmacists.filter(post_status="planned").exists()


# --- Training, Funding, Outcome Measures -------------------------------------------------------


def test_thirteen_boroughs_41_percent_have_regular_training(client, round_2017):
    """ "Thirteen boroughs (41%) have regular mental health training established." """
    summary = data(client)
    assert summary["training"]["yes"] == 13
    assert percent(summary["training"]["yes"], summary["boroughs"]) == 41


def test_approximately_22_percent_7_out_of_18_have_recurrent_funding(client, round_2017):
    """ "Approximately 22% of boroughs (7 out of 18 boroughs who shared funding data) have
    recurrent funding secured for their primary care mental health services." """
    summary = data(client)
    funding = summary["recurrent_funding"]
    assert funding["yes"] == 7
    assert percent(funding["yes"], summary["boroughs"]) == 22
    shared = summary["counted"] - funding["not_stated"]  # the boroughs that gave an answer
    actual = (funding["yes"], shared, percent(funding["yes"], shared))
    statement = equals_or_published(
        client,
        "recurrent_funding.yes",
        (7, 18, 22),
        actual,
        "approximately 22% (7 out of 18 boroughs)",
    )
    assert statement is not None
    # What the explanation says: 18 answers other than "Not stated"; 7 of 18 is 39%.
    assert (shared, percent(7, 18)) == (18, 39)
    assert (funding["no"], funding["planned"], funding["not_applicable"]) == (6, 4, 1)


def test_seventeen_boroughs_defined_outcome_measures(client, round_2017):
    """ "Seventeen boroughs reported outcome measures having been defined" """
    assert data(client)["outcome_measures"]["yes"] == 17


def test_a_further_seven_boroughs_are_planning_their_outcome_measures(client, round_2017):
    """ "A further seven boroughs are in the process of planning their outcome measures." """
    planned = data(client)["outcome_measures"]["planned"]
    statement = equals_or_published(client, "outcome_measures.planned", 7, planned, "seven")
    assert statement is not None
    # What the explanation says: the six of the appendix, and Haringey's and Lewisham's notes.
    assert slugs(returns().filter(outcome_measures="planned")) == {
        "brent",
        "harrow",
        "barking-dagenham",
        "havering",
        "redbridge",
        "merton",
    }
    noted = DataQualityNote.objects.filter(
        scoping_return__in=returns(), field="outcome_measures", appendix="Not stated"
    )
    assert {"haringey", "lewisham"} <= set(
        noted.values_list("scoping_return__borough__slug", flat=True)
    )


# --- Psychopharmacology -------------------------------------------------------------------------


def test_depot_is_less_available_in_primary_care_and_some_plan_it(client, round_2017):
    """ "... depot medication is less available to individuals via primary care, although more
    boroughs are planning to include this offer via primary care services." """
    depot = data(client)["prescribing"]["depot_antipsychotics"]
    assert depot["yes"] < data(client)["boroughs"] / 2
    assert depot["planned"] >= 1


def test_some_boroughs_plan_clozapine_or_lithium_clinics(client, round_2017):
    """ "Notably, some boroughs are planning primary care-based clozapine and/or lithium
    clinics." """
    planning = returns().filter(clozapine_clinic="planned") | returns().filter(
        lithium_clinic="planned"
    )
    assert planning.count() >= 2


def test_the_primary_care_pharmacist_is_taken_forward_by_one_borough(client, round_2017):
    """ "The newly established role of primary care-based pharmacist is noted as being taken
    forward by one borough" """
    # The prescribing question: a pharmacist in post (Yes) or taken forward (Planned).
    answers = data(client)["prescribing"]["primary_care_pharmacist"]
    taken_forward = answers["yes"] + answers["planned"]
    for answer in ("yes", "planned"):
        equals_or_published(
            client, f"primary_care_pharmacist.{answer}", 1, taken_forward, "one borough"
        )
    # The care roles: every borough whose narrative names a pharmacist among its roles.
    roles = data(client)["care_roles"]["pharmacist"]["boroughs"]
    statement = equals_or_published(client, "care_roles.pharmacist", 1, roles, "one borough")
    assert statement is not None
    # What the explanation says, borough by borough.
    pharmacists = CareRole.objects.filter(scoping_return__in=returns(), role="pharmacist")
    assert slugs_of_roles(pharmacists.filter(post_status="in_post")) == {"sutton"}
    assert slugs_of_roles(pharmacists.filter(post_status="planned")) == {
        "islington",
        "harrow",
        "enfield",
    }
    assert slugs(returns().filter(primary_care_pharmacist="planned")) == {"islington"}


def slugs_of_roles(queryset) -> set[str]:
    return set(queryset.values_list("scoping_return__borough__slug", flat=True))


def test_two_boroughs_note_telephone_advice_on_prescribing(client, round_2017):
    """ "Two boroughs specifically note the availability of telephone advice on psychotropic
    medication prescribing for primary care staff by specialists." """
    assert data(client)["prescribing"]["advice_line"]["yes"] == 2


# --- Communication: Shared IT systems ------------------------------------------------------------


def test_nine_boroughs_have_shared_it_systems(client, round_2017):
    """ "Nine boroughs have shared IT systems between their general practices and the Primary
    Care Mental health team." """
    assert data(client)["shared_it"]["yes"] == 9


def test_the_shared_systems_are_either_emis_or_systmone(client, round_2017):
    """ "This is either EMIS or SystmOne." """
    systems = data(client)["it_systems"]
    named = {code for code, count in systems.items() if count}
    equals_or_published(
        client, "it_systems", {"emis_web", "systmone"}, named, "either EMIS or SystmOne"
    )


def test_southwark_has_a_shared_care_record(client, round_2017):
    """ "One borough (Southwark) has developed an electronic shared care record which is
    accessible by both primary and secondary care staff." """
    assert "Southwark" in listed(client, "shared_it=yes")


# --- The statements as a whole -------------------------------------------------------------------


def test_summary_json_lists_the_published_statements_in_the_reports_order(client, round_2017):
    listed_statements = data(client)["published_statements"]
    stored = PublishedStatement.objects.filter(survey_round__slug="2017").order_by("order")
    assert [s["figure"] for s in listed_statements] == [s.figure for s in stored]
    assert all(
        set(s) == {"figure", "printed", "printed_value", "explanation"} for s in listed_statements
    )
    assert listed_statements  # the 2017 report's departures (fixtures/2017/published_statements)


def test_every_published_statement_is_listed_at_the_top_of_the_summary(client, round_2017):
    links = page(client.get(SUMMARY)).links
    for statement in PublishedStatement.objects.filter(survey_round__slug="2017"):
        assert any(href == f"#statement-{statement.key}" for href, _ in links), statement.key


def test_every_printed_sentence_is_in_section_1_of_the_report():
    """The statements quote the report: each sentence is in Section 1, word for word."""
    import csv
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    source = (root / "fixtures/2017/source/pan-london-scoping-2017.txt").read_text(encoding="utf-8")
    section_1 = source[source.index("Summary of Findings") : source.index("Key Themes in PCMH")]
    words = " ".join(re.sub(r"-[ \t]*\n\s*", "-", section_1).split())  # "care-\nbased"
    with (root / "fixtures/2017/published_statements.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert " ".join(row["printed"].split()) in words, row["key"]
    with (root / "fixtures/2017/aims.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert " ".join(row["printed"].split()) in words, row["key"]
