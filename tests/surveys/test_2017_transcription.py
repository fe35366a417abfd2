"""The 2017 round follows the report's own rules: the prescribing answers are the appendix's
Medicines Management cells, the appendix's words survive beside each classification, shared IT
is a system shared with general practice, outcome measures are measures, and a care role says
whether it is staffed. Every expected value here is quoted from the report, never from the app."""

from collections import Counter

import pytest

from reports.queries import prescribing, report_for
from surveys.fidelity import borough_sources, squeeze
from surveys.models import CareRole, OutcomeMeasure, ScopingReturn

pytestmark = pytest.mark.django_db

PRESCRIBING = (
    "depot_antipsychotics",
    "clozapine_clinic",
    "lithium_clinic",
    "advice_line",
    "primary_care_pharmacist",
)
# Every appendix Medicines Management cell that names one of the prescribing questions, in the
# report's words, with what it says of each question it names.
NAMING_CELLS = {
    "hammersmith-fulham": (
        "Yes (consultant psychiatrist advice telephone line for primary care staff)",
        {"advice_line": "yes"},
    ),
    "barnet": (
        "No (Some GP practices administering antipsychotic depot)",
        {"depot_antipsychotics": "yes"},
    ),
    "camden": (
        "Yes (medicines advice available from specialists for GP’s)",
        {"advice_line": "yes"},
    ),
    "haringey": (
        "Planned - Planning clozapine and lithium clinics in primary care",
        {"clozapine_clinic": "planned", "lithium_clinic": "planned"},
    ),
    "islington": (
        "No - but planned primary care-based mental health team pharmacist",
        {"primary_care_pharmacist": "planned"},
    ),
    "kingston": (
        "No (planning antipsychotic depot via primary care team)",
        {"depot_antipsychotics": "planned"},
    ),
    "bromley": (
        "Plans include primary care prescribing/monitoring antipsychotic depot & lithium",
        {"depot_antipsychotics": "planned", "lithium_clinic": "planned"},
    ),
}


def _appendix_answer(slug: str, name: str) -> str:
    """What the appendix's cell says of one prescribing question: its words where it names the
    question, N/A for Bexley (N/A throughout), otherwise not stated."""
    if slug == "bexley":
        return "not_applicable"
    return NAMING_CELLS.get(slug, ("", {}))[1].get(name, "not_stated")


def test_the_naming_cells_are_the_appendixs_words():
    sources = borough_sources()
    for slug, (words, _) in NAMING_CELLS.items():
        assert squeeze(words) in sources[slug].appendix, slug


def test_each_prescribing_count_is_the_count_of_the_appendix_cells_classifications(round_2017):
    slugs = list(ScopingReturn.objects.in_round(round_2017).values_list("borough__slug", flat=True))
    assert len(slugs) == 32
    figures = {fs.key: fs.as_dict() for fs in prescribing(report_for(round_2017, None))}
    for name in PRESCRIBING:
        expected = Counter(_appendix_answer(slug, name) for slug in slugs)
        counted = {code: count for code, count in figures[name].items() if count}
        assert counted == dict(expected), name


def test_the_summary_s_prescribing_sentences_hold(round_2017):
    """'The newly established role of primary care-based pharmacist is noted as being taken
    forward by one borough'; 'Two boroughs specifically note the availability of telephone
    advice'; 'some boroughs are planning primary care-based clozapine and/or lithium clinics'."""
    returns = ScopingReturn.objects.in_round(round_2017)
    assert list(
        returns.exclude(primary_care_pharmacist__in=["not_stated", "not_applicable"]).values_list(
            "borough__slug", flat=True
        )
    ) == ["islington"]
    assert returns.filter(advice_line="yes").count() == 2
    assert returns.filter(clozapine_clinic="planned").exists()
    assert returns.filter(lithium_clinic="planned").count() == 2


def test_where_the_narrative_gives_another_prescribing_answer_a_note_quotes_it(round_2017):
    returns = ScopingReturn.objects.in_round(round_2017).prefetch_related("quality_notes")
    for scoping_return in returns:
        fields = {note.field for note in scoping_return.quality_notes.all()}
        slug = scoping_return.borough.slug
        # The narrative's depot medication (e.g. "Depot antipsychotic medication can be
        # administered at the GP surgery" in Central London) against a cell that names none.
        if "depot" in scoping_return.prescribing_description.lower() and (
            "depot_antipsychotics" not in NAMING_CELLS.get(slug, ("", {}))[1]
        ):
            assert "depot_antipsychotics" in fields, slug
    islington = returns.get(borough__slug="islington")
    note = islington.quality_notes.get(field="primary_care_pharmacist")
    assert note.narrative.startswith("Practice Based Mental Health Pharmacist")


# The cells of the appendix that carry words beside their classification (status and service
# form aside), in the report's words.
CELL_WORDS = {
    ("brent", "scope_note"): "Stable SMI: Support for transitioning from secondary to primary care",
    ("brent", "outcome_measures_note"): "Planned - Currently under development",
    ("hammersmith-fulham", "shared_it_note"): "Yes SystmOne",
    ("harrow", "outcome_measures_note"): "Planned - Currently being developed",
    ("harrow", "recurrent_funding_note"): "Yes - funding secured 2017/2018",
    ("west-london", "scope_note"): "SMI+ 16yrs+",
    ("west-london", "recurrent_funding_note"): "Yes – 3-Year funding secured",
    ("camden", "shared_it_note"): "Yes (EMIS)",
    ("islington", "scope_note"): "SMI+ 17.5yrs+",
    ("islington", "shared_it_note"): "Yes - Team shares EMIS with GP’s",
    ("waltham-forest", "shared_it_note"): "Yes (team will share GP system)",
    ("tower-hamlets", "shared_it_note"): "Yes (Share EMIS with GP’s)",
    ("kingston", "recurrent_funding_note"): "No (in pilot phase)",
    ("richmond", "training_note"): "No (but some mental health training provided via trust "
    "specialists)",
    ("wandsworth", "training_note"): "No (planning mental health diploma for PCMH team staff)",
    ("wandsworth", "recurrent_funding_note"): "No (planning phase)",
    ("bromley", "shared_it_note"): "Planning phase",
    ("bromley", "recurrent_funding_note"): "No (planning phase)",
    ("lewisham", "recurrent_funding_note"): "Yes (planned to sit within block contract)",
    ("southwark", "shared_it_note"): "Yes (EMIS available to primary care and PCMH team)",
    ("barking-dagenham", "scope_note"): "Planned service/service component",
    ("merton", "recurrent_funding_note"): "Planned service/service component",
    **{(slug, "medicines_management_note"): words for slug, (words, _) in NAMING_CELLS.items()},
}
NOTE_FIELDS = (
    "scope_note",
    "shared_it_note",
    "outcome_measures_note",
    "training_note",
    "medicines_management_note",
    "recurrent_funding_note",
)


def test_the_appendix_cells_words_are_kept_beside_their_classification(round_2017):
    returns = {r.borough.slug: r for r in ScopingReturn.objects.in_round(round_2017)}
    for (slug, name), words in CELL_WORDS.items():
        assert getattr(returns[slug], name) == words, (slug, name)
    # The words are in the note, not copied into a description as well.
    assert returns["harrow"].funding_notes.count("funding secured 2017/2018") == 0
    # A bare classification ("Yes", "SMI+") has no note.
    assert all(getattr(returns["central-london"], name) == "" for name in NOTE_FIELDS)
    filled = sum(bool(getattr(r, name)) for r in returns.values() for name in NOTE_FIELDS)
    assert filled >= 31  # "about 31" cells carry words, and the planned boroughs' cells


def test_the_shared_systems_are_those_shared_with_general_practice(round_2017):
    """'Nine boroughs have shared IT systems ... This is either EMIS or SystmOne.'"""
    shared = ScopingReturn.objects.in_round(round_2017).filter(shared_it="yes")
    assert shared.count() == 9
    systems = {code for r in shared for code in r.it_systems.split(",") if code}
    assert systems == {"emis_web", "systmone"}
    central = ScopingReturn.objects.get(survey_round=round_2017, borough__slug="central-london")
    # 'read-only access to the secondary care Jade record': in the description, not the list.
    assert central.it_systems == "systmone" and "Jade" in central.it_description
    islington = ScopingReturn.objects.get(survey_round=round_2017, borough__slug="islington")
    assert islington.it_systems == "emis_web" and "Docman EDT" in islington.it_description


def test_caseload_statistics_are_key_outcomes_not_measures(round_2017):
    for slug, figures in [
        ("city-hackney", "Active Caseload 510 547 633"),
        ("newham", "Active Caseload 485 557 610"),
        ("barnet", "% of referrals to secondary teams 62.91 25.33 29.35"),
        ("lambeth", "25% Reduction in secondary care caseloads since 2013."),
    ]:
        scoping_return = ScopingReturn.objects.get(survey_round=round_2017, borough__slug=slug)
        assert figures in scoping_return.key_outcomes, slug
    measures = OutcomeMeasure.objects.filter(scoping_return__survey_round=round_2017)
    for name in ["Active Caseload", "Transfer back to Secondary Care", "BAME Comm Grps"]:
        assert not measures.filter(name=name).exists(), name


def test_planned_roles_are_not_staff_in_post_and_a_psychiatrist_keeps_the_reports_grade(
    round_2017,
):
    roles = CareRole.objects.filter(scoping_return__survey_round=round_2017)
    for slug, words in [
        ("harrow", "Future plans include development of this team to include a psychiatrist"),
        ("hillingdon", "There is currently consideration of employing a dedicated psychiatrist"),
    ]:
        assert roles.filter(scoping_return__borough__slug=slug, notes__contains=words).exists()
        assert not roles.filter(
            scoping_return__borough__slug=slug, notes__contains=words, post_status="in_post"
        ).exists(), slug
    # "The proposed service is envisaged as having a GP Lead with support from a consultant
    # psychiatrist, a team of mental health nurses ... working alongside existing peer support
    # workers."
    brent = roles.filter(scoping_return__borough__slug="brent")
    assert set(brent.filter(post_status="in_post").values_list("role", flat=True)) == {
        "peer_support_worker"
    }
    assert brent.filter(role="consultant_psychiatrist", post_status="planned").exists()
    # "Psychiatrist(s)" and "Psychiatrist (as required basis)": the grade is not stated.
    for slug, words in [
        ("barnet", "Psychiatrist (as required basis)"),
        ("city-hackney", "Psychiatrists – chair practice-based MDT meetings"),
        ("harrow", "a psychiatrist and a mental health prescriber"),
        ("hillingdon", "a dedicated psychiatrist"),
    ]:
        assert roles.get(scoping_return__borough__slug=slug, notes__contains=words, role__in=[
            "psychiatrist", "consultant_psychiatrist"
        ]).role == "psychiatrist", slug  # fmt: skip
    talking = roles.get(notes="Step 2 and Step 3 Talking Therapist approximately 45 WTE")
    assert talking.wte == 45 and talking.wte_approximate
