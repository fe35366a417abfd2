"""Section 1's other content as data: the 2017 round's service aims with the boroughs whose
narratives state them, ages and model types in the borough list's filters, and how the
statements and aims reach a database."""

import csv
import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from reports.loading import load_statements_and_aims
from reports.models import PublishedStatement, RoundAim, RoundAimBorough
from surveys.models import ScopingReturn
from tests.reports.helpers import page

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "2017"
NARRATIVE_FIELDS = [
    "service_name",
    "status_note",
    "current_situation",
    "co_production",
    "model_description",
    "aims",
    "working_style",
    "inclusion_notes",
    "exclusion_criteria",
]


def _plain(text: str) -> str:
    return " ".join(text.split())


def test_each_aims_borough_is_tagged_in_its_own_narratives_words(round_2017):
    tags = RoundAimBorough.objects.filter(aim__survey_round=round_2017).select_related("borough")
    assert tags.count() > 40
    for tag in tags:
        scoping_return = ScopingReturn.objects.get(survey_round=round_2017, borough=tag.borough)
        narrative = _plain(" ".join(getattr(scoping_return, name) for name in NARRATIVE_FIELDS))
        assert _plain(tag.words) in narrative, (tag.borough.slug, tag.aim.key)


def test_the_aims_files_name_aims_and_boroughs_that_exist():
    with (FIXTURES / "aims.csv").open(encoding="utf-8") as handle:
        aims = [row["key"] for row in csv.DictReader(handle)]
    with (FIXTURES / "aim_boroughs.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with (FIXTURES / "returns.csv").open(encoding="utf-8") as handle:
        boroughs = {row["borough"] for row in csv.DictReader(handle)}
    assert len(aims) == 3
    assert {row["aim"] for row in rows} == set(aims)
    assert {row["borough"] for row in rows} <= boroughs
    pairs = [(row["aim"], row["borough"]) for row in rows]
    assert len(pairs) == len(set(pairs))


def _listed(client, query):
    response = client.get(reverse("reports:boroughs", args=["2017"]) + "?" + query)
    return response, page(response)


def test_the_borough_list_filters_by_model_type_age_and_aim(client, round_2017):
    _, parsed = _listed(client, "min_age=17.5")
    assert [row[0] for row in parsed.table("Boroughs and their")["rows"][1:]] == ["Islington"]
    _, parsed = _listed(client, "max_age=65.0")
    assert [row[0] for row in parsed.table("Boroughs and their")["rows"][1:]] == ["Hillingdon"]
    response, parsed = _listed(client, "aim=community-support")
    assert "Community support for people their GP manages" in response.content.decode()
    assert "Camden" in [row[0] for row in parsed.table("Boroughs and their")["rows"][1:]]
    _, parsed = _listed(client, "model_type=not_answered")
    names = [row[0] for row in parsed.table("Boroughs and their")["rows"][1:]]
    assert "Bexley" in names and "Camden" not in names


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_age=-1", "is not an age for min_age"),
        ("max_age=121", "is not an age for max_age"),
        ("min_age=NaN", "is not an age for min_age"),
        ("min_age=abc", "is not an age for min_age"),
        ("aim=none-such", "is not a service aim of this round"),
        ("model_type=spaceship", "is not a value of model_type"),
    ],
)
def test_bad_filter_values_are_refused_in_words(client, round_2017, query, message):
    response, _ = _listed(client, query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_loading_again_adds_nothing_and_keeps_the_steering_groups_edits(round_2017):
    statement = PublishedStatement.objects.get(
        survey_round=round_2017, key="outcome-measures-planned"
    )
    statement.explanation = "corrected by the steering group, because it was wrong."
    statement.save()
    out = StringIO()
    call_command("load_2017_statements_and_aims", stdout=out)
    assert "published_statements.csv: 0 rows added" in out.getvalue()
    statement.refresh_from_db()
    assert statement.explanation.startswith("corrected")


def test_a_database_holding_the_round_gets_the_statements_and_aims(round_2017):
    """What the data migration does for a database loaded before the statements existed."""
    PublishedStatement.objects.filter(survey_round=round_2017).delete()
    RoundAim.objects.filter(survey_round=round_2017).delete()
    added = load_statements_and_aims(apps)
    with (FIXTURES / "aim_boroughs.csv").open(encoding="utf-8") as handle:
        tags = len(list(csv.DictReader(handle)))
    with (FIXTURES / "published_statements.csv").open(encoding="utf-8") as handle:
        statements = len(list(csv.DictReader(handle)))
    assert added == {
        "published_statements.csv": statements,
        "aims.csv": 3,
        "aim_boroughs.csv": tags,
    }
    assert RoundAimBorough.objects.filter(aim__survey_round=round_2017).count() == tags


def test_every_explanation_reads_after_because():
    with (FIXTURES / "published_statements.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            first = row["explanation"].split()[0]
            assert first[0].islower() or re.match(r"[A-Z][a-z]+('s)?$", first), row["key"]
            assert row["explanation"].rstrip().endswith("."), row["key"]
