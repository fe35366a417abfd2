"""The second round `make run` creates: "2026 scoping", opened from 2017, a few boroughs'
changes submitted, so that the changes page has data."""

import io

import pytest
from django.core.management import call_command

from surveys.models import ScopingReturn, SurveyRound

pytestmark = pytest.mark.django_db


def test_2026_is_opened_from_2017_with_changes_to_compare(client, round_2017, reviewer):
    call_command("load_2026_round", stdout=io.StringIO())
    survey_round = SurveyRound.objects.get(slug="2026")
    assert survey_round.previous_round == round_2017 and survey_round.state == "open"
    returns = ScopingReturn.objects.in_round(survey_round)
    assert returns.count() == 32 and returns.filter(state="submitted").count() == 10
    # Prefilled: a borough that changed nothing still has its 2017 answers.
    sutton_2017 = ScopingReturn.objects.get(survey_round=round_2017, borough__slug="sutton")
    sutton = returns.get(borough__slug="sutton")
    assert (sutton.status, sutton.aims) == (sutton_2017.status, sutton_2017.aims)
    assert sutton.carried_from == round_2017

    client.force_login(reviewer)
    comparison = client.get("/reports/2026/changes/").context["comparison"]
    pilot_to_established = comparison.status.cells[("pilot", "established")]
    assert sorted(b.slug for b in pilot_to_established.boroughs) == [
        "brent",
        "enfield",
        "haringey",
        "merton",
    ]
    training = {name: moved for name, _, moved in comparison.questions}["training"]
    assert {b.slug for t in training if t.after == "yes" for b in t.boroughs} == {
        "brent", "merton", "barking-dagenham", "richmond",
    }  # fmt: skip

    out = io.StringIO()
    call_command("load_2026_round", stdout=out)  # a second run changes nothing
    assert "nothing to do" in out.getvalue() and returns.count() == 32


def test_a_profile_says_what_changed_since_the_borough_s_previous_return(
    client, round_2017, reviewer
):
    call_command("load_2026_round", stdout=io.StringIO())
    client.force_login(reviewer)
    changes = client.get("/reports/2026/boroughs/brent/").context["changes"]
    assert changes.previous == round_2017
    answers = {label: (old, new) for label, old, new in changes.answers}
    assert answers["Service status"] == ("Pilot", "Established")
    assert answers["Regular mental health training established"] == ("No", "Yes")
    assert [(row.name, row.how) for row in changes.rows] == [("Psychologist", "added")]
    confirmed = {section.slug for section in changes.unchanged}
    assert "service" not in confirmed and "care-roles" not in confirmed and "scope" in confirmed
    # A borough that made no return in 2026 yet has nothing to compare.
    assert client.get("/reports/2026/boroughs/sutton/").context["changes"] is None
