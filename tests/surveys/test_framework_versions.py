"""Questions keep their keys across rounds: one added in a later framework version reads "Not
asked in <round>" in earlier rounds (not "Not answered"); one retired is not shown in later
rounds; a round records the framework version it asks."""

import datetime

import pytest
from django.urls import reverse

from surveys import sections, workflow
from surveys.answers import section_rows
from surveys.completeness import missing_for_submission
from surveys.models import ScopingReturn
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework_2026(monkeypatch):
    """A second framework version that adds a required question (co-production) and retires
    another (working style)."""
    monkeypatch.setattr(sections, "FRAMEWORK_VERSIONS", ("2017", "2026"))
    added, retired = sections.QUESTIONS["co_production"], sections.QUESTIONS["working_style"]
    was = (added.added_in, added.required, retired.retired_in)
    object.__setattr__(added, "added_in", "2026")
    object.__setattr__(added, "required", "Say how people with lived experience shaped it")
    object.__setattr__(retired, "retired_in", "2026")
    yield
    object.__setattr__(added, "added_in", was[0])
    object.__setattr__(added, "required", was[1])
    object.__setattr__(retired, "retired_in", was[2])


@pytest.fixture
def first_round(camden, lead, reviewer):
    survey_round = SurveyRoundFactory(name="First", slug="first", framework_version="2017")
    camdens = complete_return(
        borough=camden, survey_round=survey_round, working_style="Embedded in practices"
    )
    workflow.accept(
        scoping_return=workflow.submit(scoping_return=camdens, by=lead, notify=False),
        by=reviewer,
        notify=False,
    )
    return close_and_publish(survey_round, reviewer)


def _second_round(first_round, reviewer):
    today = datetime.date.today()
    return workflow.open_round(
        name="Second",
        slug="second",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
        previous=first_round,
        by=reviewer,
    )


def test_an_earlier_round_says_not_asked_for_a_question_added_since(
    client, framework_2026, first_round
):
    camdens = ScopingReturn.objects.get(survey_round=first_round, borough__slug="camden")
    rows = {name: value for name, _, value in section_rows(camdens, sections.SECTIONS[0])}
    assert rows["co_production"] == "Not asked in First"
    profile = client.get(reverse("reports:borough", args=["first", "camden"])).content.decode()
    assert "Not asked in First" in profile
    # The earlier round still shows the question it asked and the new round retired.
    assert "Embedded in practices" in profile


def test_a_later_round_asks_the_added_question_and_not_the_retired_one(
    client, framework_2026, first_round, reviewer, lead
):
    second = _second_round(first_round, reviewer)
    assert second.framework_version == "2026"
    camdens = ScopingReturn.objects.get(survey_round=second, borough__slug="camden")
    client.force_login(lead)
    model_page = client.get(reverse("surveys:section", args=["second", "camden", "model"]))
    assert model_page.status_code == 200
    assert 'name="working_style"' not in model_page.content.decode()
    service_page = client.get(reverse("surveys:section", args=["second", "camden", "service"]))
    assert 'name="co_production"' in service_page.content.decode()
    # Required in the new version: submission waits for it, once its section is checked.
    ScopingReturn.objects.filter(pk=camdens.pk).update(sections_saved="service")
    camdens.refresh_from_db()
    assert "Say how people with lived experience shaped it (Service)" in {
        message for _, message in missing_for_submission(camdens)
    }
    model_rows = [name for name, _, _ in section_rows(camdens, sections.SECTIONS_BY_SLUG["model"])]
    assert "working_style" not in model_rows


def test_a_new_round_records_the_latest_framework_version(first_round, reviewer):
    assert _second_round(first_round, reviewer).framework_version == (
        sections.latest_framework_version()
    )
