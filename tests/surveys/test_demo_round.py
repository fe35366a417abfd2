"""The demo round that `make run` loads, so a newcomer can try the forms at once."""

import io

import pytest
from django.core.management import call_command

from boroughs.models import Borough
from surveys.choices import ReturnState, RoundState
from surveys.models import ScopingReturn

pytestmark = pytest.mark.django_db


def load_demo_round():
    call_command("load_demo_round", stdout=io.StringIO())


def test_the_demo_round_is_open_with_a_recorded_draft_for_every_borough():
    load_demo_round()
    returns = ScopingReturn.objects.filter(survey_round__slug="demo")
    assert returns.count() == Borough.objects.count() == 32
    assert {r.state for r in returns} == {ReturnState.DRAFT}
    assert {r.survey_round.state for r in returns} == {RoundState.OPEN}
    assert all(r.survey_round.closes_on > r.survey_round.opens_on for r in returns)
    for scoping_return in returns:
        [created] = scoping_return.history.all()
        assert created.history_type == "+"


def test_loading_the_demo_round_twice_changes_nothing():
    load_demo_round()
    before = list(ScopingReturn.objects.values("pk", "version", "updated_at"))
    histories = ScopingReturn.history.count()
    load_demo_round()
    assert list(ScopingReturn.objects.values("pk", "version", "updated_at")) == before
    assert ScopingReturn.history.count() == histories
