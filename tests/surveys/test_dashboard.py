"""The steering group's review dashboard: states per STP, not started, overdue, longest waits."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from boroughs.models import Borough
from surveys import workflow
from surveys.choices import ReturnState
from surveys.models import ScopingReturn
from tests.factories import SurveyRoundFactory, complete_return
from tests.reports.helpers import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round():
    today = timezone.localdate()
    return SurveyRoundFactory(
        slug="demo",
        name="Demo round",
        opens_on=today - timedelta(days=40),
        closes_on=today - timedelta(days=1),  # past its closing date, still open
    )


@pytest.fixture
def returns(survey_round, lead, other_lead, camden, croydon):
    """Camden and Croydon submitted (Croydon first), Islington a draft in progress, Enfield an
    empty draft, every other borough with no return at all."""
    croydon_return = workflow.submit(
        scoping_return=complete_return(borough=croydon, survey_round=survey_round),
        by=other_lead,
        notify=False,
    )
    ScopingReturn.objects.filter(pk=croydon_return.pk).update(
        submitted_at=timezone.now() - timedelta(days=3)
    )
    workflow.submit(
        scoping_return=complete_return(borough=camden, survey_round=survey_round),
        by=lead,
        notify=False,
    )
    complete_return(
        borough=Borough.objects.get(slug="islington"),
        survey_round=survey_round,
        sections_saved="service",
    )
    ScopingReturn.objects.create(
        survey_round=survey_round, borough=Borough.objects.get(slug="enfield")
    )


def dashboard(client, user):
    client.force_login(user)
    return client.get(reverse("surveys:dashboard") + "?round=demo")


def test_the_dashboard_counts_returns_by_state_per_stp(client, reviewer, returns):
    table = page(dashboard(client, reviewer)).table("Returns by state and STP footprint")
    header, *rows = table["rows"]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    ncl = rows["North Central London"]
    assert (ncl["Boroughs"], ncl["Draft"], ncl["Submitted"]) == ("5", "2", "1")
    swl = rows["South West London"]
    assert (swl["Boroughs"], swl["Draft"], swl["Submitted"]) == ("6", "0", "1")
    assert rows["All"]["Submitted"] == "2" and rows["All"]["Draft"] == "2"


def test_the_dashboard_lists_the_longest_waits_first_and_who_has_not_started(
    client, reviewer, returns
):
    response = dashboard(client, reviewer)
    assert [r.borough.slug for r in response.context["waiting"]] == ["croydon", "camden"]
    not_started = {b.slug for b in response.context["not_started"]}
    assert "enfield" in not_started  # an empty draft is not a start
    assert not not_started & {"islington", "camden", "croydon"}
    assert len(not_started) == Borough.objects.count() - 3
    assert [r.borough.slug for r in response.context["drafts"]] == ["islington"]
    assert "Past its closing date" in response.content.decode()
    assert "Overdue" in response.content.decode()


def test_a_limited_reviewer_sees_only_their_stps_on_the_dashboard(
    client, limited_reviewer, returns
):
    response = dashboard(client, limited_reviewer)
    stps = [row[0] for row in page(response).table("Returns by state")["rows"][1:-1]]
    assert stps == ["North Central London"]
    assert [r.borough.slug for r in response.context["waiting"]] == ["camden"]
    assert {b.stp.slug for b in response.context["not_started"]} == {"north-central-london"}
    assert "Croydon" not in response.content.decode()


def test_a_lead_cannot_open_the_dashboard(client, lead, returns):
    assert dashboard(client, lead).status_code == 404
    assert ScopingReturn.objects.filter(state=ReturnState.SUBMITTED).count() == 2
