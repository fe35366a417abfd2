"""The closing date binds leads: after it, no save, no submit, no new return; the steering
group, imports and loaders are not held to it."""

import datetime

import pytest
from django.utils import timezone

from surveys import workflow
from surveys.choices import ReturnState
from surveys.models import ScopingReturn
from tests.factories import SurveyRoundFactory, complete_return

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def late_round():
    return SurveyRoundFactory(
        name="Late round",
        slug="late",
        opens_on=TODAY - datetime.timedelta(days=40),
        closes_on=TODAY - datetime.timedelta(days=1),
    )


def test_after_the_closing_date_a_lead_can_neither_save_nor_submit(
    client, late_round, camden, lead
):
    scoping_return = complete_return(borough=camden, survey_round=late_round)
    client.force_login(lead)
    page = client.get("/returns/late/camden/section/service/")
    assert "has passed: you can read this return but not change or submit it" in (
        page.content.decode()
    )
    saved = client.post(
        "/returns/late/camden/section/service/",
        {"version": scoping_return.version, "status": "pilot", "later": "1"},
        follow=True,
    )
    assert "has passed" in saved.content.decode()
    submitted = client.post(
        "/returns/late/camden/submit/",
        {"version": scoping_return.version, "declaration": "on"},
        follow=True,
    )
    assert "has passed" in submitted.content.decode()
    fresh = ScopingReturn.objects.get(pk=scoping_return.pk)
    assert fresh.version == scoping_return.version and fresh.state == ReturnState.DRAFT


def test_on_the_closing_date_itself_a_lead_still_can(client, camden, lead):
    survey_round = SurveyRoundFactory(slug="today", closes_on=TODAY)
    scoping_return = complete_return(borough=camden, survey_round=survey_round)
    assert workflow.edit_refusal(scoping_return, lead) is None
    client.force_login(lead)
    assert "closes today" in client.get("/returns/").content.decode()


def test_leads_see_the_days_left(client, camden, lead):
    SurveyRoundFactory(slug="soon", closes_on=TODAY + datetime.timedelta(days=5))
    client.force_login(lead)
    assert "5 days left" in client.get("/returns/").content.decode()


def test_a_new_return_cannot_be_started_after_the_closing_date(client, late_round, camden, lead):
    client.force_login(lead)
    response = client.post("/returns/late/camden/start/", follow=True)
    assert "has passed" in response.content.decode()
    assert not ScopingReturn.objects.filter(survey_round=late_round).exists()


def test_the_deadline_does_not_bind_the_steering_group_or_loaders(
    late_round, camden, lead, reviewer
):
    scoping_return = complete_return(borough=camden, survey_round=late_round)
    assert workflow.edit_refusal(scoping_return, reviewer, reviewing=True) is None
    submitted = workflow.submit(scoping_return=scoping_return, by=lead, notify=False)
    assert submitted.state == ReturnState.SUBMITTED  # as the 2017 loader submits
    accepted = workflow.accept(scoping_return=submitted, by=reviewer, notify=False)
    assert accepted.state == ReturnState.ACCEPTED
