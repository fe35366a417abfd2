"""The correction of the 2017 transcription reaches a database that already holds the round
(migration 0011): undone, the round is as the earlier fixtures loaded it; done again, it is
exactly what loading the corrected fixtures gives; applied twice it changes nothing more; a
database holding something else is told, and left as it was."""

import importlib
import json
from functools import cache

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from surveys import corrections
from surveys.models import (
    CareRole,
    Contact,
    DataQualityNote,
    FundingLine,
    OutcomeMeasure,
    Publication,
    ReturnEvent,
    ScopingReturn,
)
from surveys.sections import FIELD_NAMES

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("surveys.migrations.0011_correct_2017_transcription")
CORRECTIONS = json.loads(MIGRATION.CORRECTIONS.read_text(encoding="utf-8"))
CHILDREN = [CareRole, Contact, OutcomeMeasure, FundingLine, DataQualityNote]


@pytest.fixture(autouse=True)
def before_publications(round_2017):
    """The database as migration 0011 finds it: publications (0012) do not exist yet."""
    Publication.objects.all().delete()


@cache
def migration_apps():
    """The models as migration 0011 has them (no history signals: it records history itself)."""
    state = MigrationExecutor(connection).loader.project_state(
        ("surveys", "0011_correct_2017_transcription")
    )
    return state.apps


def contents():
    """Each 2017 return's answers and child rows (in their order), without ids."""
    found = {}
    for r in ScopingReturn.objects.filter(survey_round__slug="2017").select_related("borough"):
        rows = {}
        for model in CHILDREN:
            names = [
                f.attname
                for f in model._meta.concrete_fields
                if f.attname not in ("id", "scoping_return_id")
            ]
            rows[model.__name__] = list(
                model.objects.filter(scoping_return=r).order_by("id").values_list(*names)
            )
        found[r.borough.slug] = ({name: getattr(r, name) for name in FIELD_NAMES}, rows)
    return found


def history_count():
    return sum(model.history.count() for model in [ScopingReturn, *CHILDREN])


def test_undone_and_done_again_the_round_is_what_the_corrected_fixtures_load(round_2017):
    loaded = contents()
    assert corrections.apply(migration_apps(), CORRECTIONS, backwards=True)
    before = {r.borough.slug: r for r in ScopingReturn.objects.filter(survey_round=round_2017)}
    # The earlier transcription: the narrative's pharmacist and Jade, caseload rows as measures.
    assert before["islington"].primary_care_pharmacist == "yes"
    assert before["central-london"].it_systems == "systmone,jade"
    assert before["harrow"].recurrent_funding_note == ""
    assert "Yes - funding secured 2017/2018" in before["harrow"].funding_notes
    assert OutcomeMeasure.objects.filter(name="Active Caseload").count() == 2
    assert CareRole.objects.filter(role="psychiatrist").count() == 0
    assert set(CareRole.objects.values_list("post_status", flat=True)) == {"not_stated"}
    assert contents() != loaded

    versions = dict(ScopingReturn.objects.values_list("pk", "version"))
    history = history_count()
    assert corrections.apply(migration_apps(), CORRECTIONS)
    assert contents() == loaded
    # Recorded as the service records a change: history, a step on the timeline, a new version.
    assert history_count() > history
    islington = ScopingReturn.objects.get(survey_round=round_2017, borough__slug="islington")
    assert islington.history.first().history_change_reason == CORRECTIONS["reason"]
    assert islington.history.first().history_user.username == "system"
    assert islington.version == versions[islington.pk] + 1
    step = ReturnEvent.objects.filter(scoping_return=islington, kind="corrected").last()
    assert step.comment == CORRECTIONS["reason"] and step.to_state == "accepted"


def test_applied_to_a_corrected_round_it_changes_nothing(round_2017):
    loaded, history = contents(), history_count()
    events = ReturnEvent.objects.count()
    assert corrections.apply(migration_apps(), CORRECTIONS)
    assert contents() == loaded
    assert history_count() == history and ReturnEvent.objects.count() == events


def test_a_round_holding_something_else_is_left_as_it_was_and_the_difference_named(round_2017):
    corrections.apply(migration_apps(), CORRECTIONS, backwards=True)
    ScopingReturn.objects.filter(survey_round=round_2017, borough__slug="central-london").update(
        it_systems="rio"
    )
    before = contents()
    with pytest.raises(corrections.CorrectionMismatch, match="central-london: it_systems is 'rio'"):
        corrections.apply(migration_apps(), CORRECTIONS)
    assert contents() == before


def test_without_the_round_the_correction_does_nothing(db):
    elsewhere = dict(CORRECTIONS, round="a-round-that-is-not-there")
    events = ReturnEvent.objects.count()
    assert corrections.apply(migration_apps(), elsewhere) is False
    assert ReturnEvent.objects.count() == events
