import csv
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from surveys.fidelity import missing_passages, seed_text
from surveys.models import (
    CareRole,
    Contact,
    DataQualityNote,
    FundingLine,
    ReturnEvent,
    ScopingReturn,
)

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "2017"


def test_the_2017_round_is_published_with_32_accepted_returns(round_2017):
    assert round_2017.state == "published" and round_2017.published_at
    returns = ScopingReturn.objects.in_round(round_2017)
    assert returns.count() == 32
    assert returns.accepted().count() == 32
    assert ReturnEvent.objects.filter(to_state="accepted").count() == 32


def test_loading_twice_changes_nothing(round_2017):
    before = (ScopingReturn.objects.count(), CareRole.objects.count(), Contact.objects.count())
    call_command("load_2017_round")
    after = (ScopingReturn.objects.count(), CareRole.objects.count(), Contact.objects.count())
    assert before == after


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
        assert scoping_return.scope and scoping_return.inclusion_notes.strip(), scoping_return
        assert scoping_return.contacts.exists(), scoping_return.borough


TEXT_FIELDS = [
    "service_name", "status_note", "current_situation", "co_production", "model_other",
    "service_form", "model_description", "aims", "working_style", "inclusion_notes",
    "exclusion_criteria", "training_description", "it_systems_other", "it_description",
    "prescribing_description", "key_outcomes", "funding_notes",
]  # fmt: skip


def test_every_stored_text_is_the_reports_own_wording(round_2017):
    seed = seed_text()
    invented = []
    for scoping_return in ScopingReturn.objects.in_round(round_2017).select_related("borough"):
        for name in TEXT_FIELDS:
            for passage in missing_passages(getattr(scoping_return, name), seed):
                invented.append((scoping_return.borough.slug, name, passage[:60]))
    for model, names in [
        (CareRole, ["band", "employer", "notes"]),
        (Contact, ["name", "job_title", "organisation", "email"]),
        (DataQualityNote, ["narrative", "appendix"]),
    ]:
        for row in model.objects.all():
            for name in names:
                invented.extend(
                    (model.__name__, name, p[:60])
                    for p in missing_passages(getattr(row, name), seed)
                )
    assert invented == []


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
