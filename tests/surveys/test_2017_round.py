import csv
import os
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from surveys.fidelity import borough_sources, missing_passages, paragraphs, seed_text
from surveys.management.commands.load_2017_round import fixture_datasets, system_user
from surveys.models import (
    Barrier,
    Benefit,
    CareRole,
    Contact,
    DataQualityNote,
    FundingLine,
    OutcomeMeasure,
    ReturnEvent,
    ScopingReturn,
    SurveyRound,
)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "2017"


def test_the_2017_round_is_published_with_32_accepted_returns(round_2017):
    assert round_2017.state == "published" and round_2017.published_at
    returns = ScopingReturn.objects.in_round(round_2017)
    assert returns.count() == 32
    assert returns.accepted().count() == 32
    assert ReturnEvent.objects.filter(to_state="accepted").count() == 32


CHILD_MODELS = [CareRole, Contact, OutcomeMeasure, FundingLine, DataQualityNote, Benefit, Barrier]


def _contents():
    """Every stored value of the round, its returns and their child rows, and the audit trail."""
    return {
        "round": list(SurveyRound.objects.order_by("pk").values()),
        "returns": list(ScopingReturn.objects.order_by("pk").values()),
        **{m.__name__: list(m.objects.order_by("pk").values()) for m in CHILD_MODELS},
        "events": list(ReturnEvent.objects.order_by("pk").values()),
        "history": {m.__name__: m.history.count() for m in [ScopingReturn, *CHILD_MODELS]},
    }


def test_loading_twice_changes_nothing(round_2017):
    before = _contents()
    assert before["events"] and all(before["history"].values())
    call_command("load_2017_round", stdout=open(os.devnull, "w"))  # noqa: SIM115
    after = _contents()
    assert after["events"] == before["events"] and after["history"] == before["history"]
    assert after == before


def _reimport():
    """Import every fixture file again, in dry run, through the resources the command uses."""
    user = system_user()
    return [
        (
            file_name,
            resource_class,
            dataset,
            resource_class().import_data(dataset, dry_run=True, user=user),
        )
        for file_name, resource_class, dataset in fixture_datasets()
    ]


def test_the_published_round_already_holds_every_fixture_row(round_2017):
    """Re-imported, each row of each file matches its own stored row and would change nothing."""
    for file_name, resource_class, dataset, result in _reimport():
        assert not result.has_errors() and not result.has_validation_errors(), file_name
        assert [row.import_type for row in result.rows] == ["skip"] * len(dataset), file_name
        matched = {row.object_id for row in result.rows}
        stored = resource_class._meta.model.objects.count()
        assert len(matched) == len(dataset) == stored, file_name


def test_the_reimport_check_sees_a_changed_value(round_2017):
    changed = CareRole.objects.get(scoping_return__borough__slug="harrow", role="pharmacist")
    CareRole.objects.filter(pk=changed.pk).update(wte=Decimal("1"))
    [result] = [result for name, *_, result in _reimport() if name == "care_roles.csv"]
    assert Counter(row.import_type for row in result.rows)["skip"] == len(result.rows) - 1
    # The changed row is found and would be updated, which an accepted return refuses.
    [invalid] = result.invalid_rows
    assert {"harrow", "pharmacist"} <= set(invalid.values)
    assert "accepted" in str(invalid.error)


def test_headcounts_are_not_stored_as_whole_time_equivalents(round_2017):
    roles = CareRole.objects.filter(scoping_return__survey_round=round_2017)
    for slug, words in [
        ("harrow", "6 primary care mental health nurses"),
        ("hammersmith-fulham", "3 x Band 6"),
        ("hammersmith-fulham", "1 x Band 7"),
        ("hounslow", "4 wellbeing partners"),
        ("barnet", "four additional members of staff"),
    ]:
        role = roles.get(scoping_return__borough__slug=slug, notes__contains=words)
        assert role.wte is None, (slug, words)
    assert roles.get(scoping_return__borough__slug="hillingdon", notes__contains="3WTE").wte == 3
    assert roles.get(notes="Consultant Psychiatrist 1.4 WTE").wte == Decimal("1.4")


def test_funding_lines_are_amounts_of_funding_as_the_report_gives_them(round_2017):
    lines = FundingLine.objects.filter(scoping_return__survey_round=round_2017)
    bromley = lines.get(scoping_return__borough__slug="bromley")
    assert bromley.amount is None and "£150 for each patient" in bromley.notes
    enfield = lines.filter(scoping_return__borough__slug="enfield")
    assert {line.recurrent for line in enfield} == {False}
    assert all(line.notes.startswith("Proposed investment costs") for line in enfield)
    notes = DataQualityNote.objects.filter(field="recurrent_funding")
    assert notes.get(scoping_return__borough__slug="hounslow").narrative == "Funding: N/S"
    assert notes.filter(scoping_return__borough__slug="enfield").exists()


def test_known_facts_of_the_report(round_2017):
    returns = {r.borough.slug: r for r in ScopingReturn.objects.in_round(round_2017)}
    harrow = FundingLine.objects.filter(scoping_return=returns["harrow"], financial_year="2017/18")
    assert harrow.get().amount == Decimal("350000") and harrow.get().recurrent is True
    assert returns["islington"].min_age == Decimal("17.5")
    assert returns["west-london"].min_age == Decimal("16")
    assert returns["bexley"].get_status_display() == "Not applicable"
    assert DataQualityNote.objects.count() >= 10


def test_the_classifications_give_the_reports_summary(round_2017):
    returns = ScopingReturn.objects.in_round(round_2017)
    assert Counter(returns.values_list("status", flat=True)) == {
        "established": 18,
        "pilot": 6,
        "planned": 7,
        "not_applicable": 1,
    }
    assert returns.filter(scope="smi_plus").count() == 23
    assert returns.filter(training="yes").count() == 13
    assert returns.filter(shared_it="yes").count() == 9
    assert returns.filter(outcome_measures="yes").count() == 17
    assert returns.filter(recurrent_funding="yes").count() == 7


def test_the_shared_east_london_narrative_is_given_to_each_of_the_three(round_2017):
    texts = {
        r.current_situation
        for r in ScopingReturn.objects.filter(
            survey_round=round_2017, borough__slug__in=["barking-dagenham", "havering", "redbridge"]
        )
    }
    assert len(texts) == 1 and texts.pop()


def test_every_borough_has_its_narrative_scope_and_contact(round_2017):
    for scoping_return in ScopingReturn.objects.in_round(round_2017).select_related("borough"):
        assert scoping_return.current_situation.strip(), scoping_return.borough
        assert scoping_return.model_description.strip(), scoping_return.borough
        # The scope in the narrative's words, or (Barking & Dagenham, Havering and Redbridge,
        # whose narrative gives none) in the appendix cell's.
        scope_words = scoping_return.inclusion_notes or scoping_return.scope_note
        assert scoping_return.scope and scope_words.strip(), scoping_return
        assert scoping_return.contacts.exists(), scoping_return.borough


TEXT_FIELDS = [
    "service_name", "status_note", "current_situation", "co_production", "model_other",
    "service_form", "model_description", "aims", "working_style", "inclusion_notes",
    "exclusion_criteria", "training_description", "it_systems_other", "it_description",
    "prescribing_description", "key_outcomes", "funding_notes",
]  # fmt: skip
# The words beside a classified answer: the appendix cell's own.
NOTE_FIELDS = [
    "scope_note", "training_note", "shared_it_note", "medicines_management_note",
    "outcome_measures_note", "recurrent_funding_note",
]  # fmt: skip


def _passages_not_from_their_borough(returns):
    """(borough, field, passage) for each stored text not found in its own borough's part.

    Return texts and child rows may come from the borough's narrative or its appendix row; the
    notes beside classified answers from the row; a data-quality note's narrative side must be
    in the narrative, its appendix side in the row.
    """
    sources = borough_sources()
    found = []
    for scoping_return in returns:
        slug = scoping_return.borough.slug
        own = sources[slug]
        texts = [(name, getattr(scoping_return, name), own) for name in TEXT_FIELDS]
        texts += [(name, getattr(scoping_return, name), (own.appendix,)) for name in NOTE_FIELDS]
        for relation, names in [
            (scoping_return.care_roles, ["role_other", "band", "employer", "notes"]),
            (scoping_return.contacts, ["name", "job_title", "organisation", "email"]),
            (scoping_return.measures, ["name", "notes"]),
            (scoping_return.funding_lines, ["financial_year", "source", "notes"]),
        ]:
            texts += [(n, getattr(row, n), own) for row in relation.all() for n in names]
        for note in scoping_return.quality_notes.all():
            texts += [
                (f"{note.field} narrative", note.narrative, (own.narrative,)),
                (f"{note.field} appendix", note.appendix, (own.appendix,)),
            ]
        for name, value, where in texts:
            where = (where.narrative, where.appendix) if where is own else where
            found += [(slug, name, p[:60]) for p in missing_passages(value, *where)]
    return found


def test_every_stored_text_is_its_own_boroughs_wording(round_2017):
    returns = ScopingReturn.objects.in_round(round_2017).select_related("borough")
    assert _passages_not_from_their_borough(returns) == []
    assert DataQualityNote.objects.filter(scoping_return__in=returns).count() >= 10


def test_a_passage_copied_to_another_borough_is_caught(round_2017):
    sources = borough_sources()
    returns = ScopingReturn.objects.in_round(round_2017).select_related("borough")
    camden = returns.get(borough__slug="camden")
    passages = paragraphs(camden.current_situation)
    assert passages and camden.it_description
    # In the report, so a check against the whole seed would pass it, but not Croydon's wording.
    assert missing_passages(camden.current_situation, seed_text()) == []
    assert missing_passages(camden.current_situation, sources["camden"].narrative) == []
    croydon = sources["croydon"]
    assert missing_passages(camden.current_situation, croydon.narrative, croydon.appendix) == (
        passages
    )

    returns.filter(borough__slug="croydon").update(current_situation=camden.current_situation)
    note = DataQualityNote.objects.filter(scoping_return__borough__slug="croydon").first()
    DataQualityNote.objects.filter(pk=note.pk).update(
        narrative=camden.it_description,
        appendix="Yes (EMIS)",  # Camden's shared IT cell in the appendix
    )
    wrong = _passages_not_from_their_borough(returns.filter(borough__slug="croydon"))
    assert {(slug, name) for slug, name, _ in wrong} == {
        ("croydon", "current_situation"),
        ("croydon", f"{note.field} narrative"),
        ("croydon", f"{note.field} appendix"),
    }


def test_the_fixture_files_pass_their_checker():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "scripts/check_2017_fixtures.py", str(FIXTURES)],
        cwd=FIXTURES.parents[1],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout
    with (FIXTURES / "returns.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 32


def test_the_reimport_check_covers_the_boroughs_benefits_and_barriers(round_2017):
    """benefits.csv and barriers.csv are re-imported with the other files, and a stored row
    whose themes differ from its file row is found and would be updated."""
    names = [name for name, *_ in _reimport()]
    assert names[-2:] == ["benefits.csv", "barriers.csv"]
    changed = Barrier.objects.filter(scoping_return__survey_round=round_2017).first()
    Barrier.objects.filter(pk=changed.pk).update(themes="access")
    [result] = [result for name, *_, result in _reimport() if name == "barriers.csv"]
    assert Counter(row.import_type for row in result.rows)["skip"] == len(result.rows) - 1
    [invalid] = result.invalid_rows
    assert changed.text in invalid.values
    assert "accepted" in str(invalid.error)
