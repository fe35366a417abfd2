"""The closing date binds leads: after it, no save, no submit, no new return; the steering
group, imports and loaders are not held to it."""

import datetime
import io

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


def test_with_an_extension_a_lead_can_until_its_date(client, late_round, camden, lead, reviewer):
    scoping_return = complete_return(borough=camden, survey_round=late_round)
    client.force_login(reviewer)
    url = workflow.review_url(scoping_return, "_extend")
    until = TODAY + datetime.timedelta(days=3)
    refused = client.post(url, {"until": until.isoformat(), "reason": ""})
    assert refused.status_code == 400 and "Give the reason for the extension" in (
        refused.content.decode()
    )
    too_early = client.post(url, {"until": late_round.closes_on.isoformat(), "reason": "Ill"})
    assert too_early.status_code == 400
    assert "must run past the round&#x27;s closing date" in too_early.content.decode()
    given = client.post(url, {"until": until.isoformat(), "reason": "The lead was on leave."})
    assert given.status_code == 302
    scoping_return.refresh_from_db()
    assert scoping_return.extended_to == until

    client.force_login(lead)
    page = client.get("/returns/late/camden/").content.decode()
    assert "Extension:" in page and "The lead was on leave." in page and "3 days left" in page
    assert workflow.edit_refusal(scoping_return, lead) is None
    saved = client.post(
        "/returns/late/camden/section/service/",
        {"version": scoping_return.version, "status": "pilot", "later": "1"},
    )
    assert saved.status_code == 302
    assert ScopingReturn.objects.get(pk=scoping_return.pk).status == "pilot"

    ScopingReturn.objects.filter(pk=scoping_return.pk).update(
        extended_to=TODAY - datetime.timedelta(days=1)
    )
    scoping_return.refresh_from_db()
    assert "extension's date" in workflow.edit_refusal(scoping_return, lead)


def test_send_reminders_dry_run_sends_nothing_and_real_runs_send_each_once(
    camden, croydon, lead, other_lead
):
    from django.core import mail
    from django.core.management import call_command

    from surveys.models import ReminderSent

    lead.email, other_lead.email = "lead@camden.nhs.example", "lead@croydon.nhs.example"
    lead.save()
    other_lead.save()
    survey_round = SurveyRoundFactory(
        name="Due round", slug="due", closes_on=TODAY + datetime.timedelta(days=7)
    )
    complete_return(borough=camden, survey_round=survey_round)
    croydons = complete_return(borough=croydon, survey_round=survey_round)
    workflow.submit(scoping_return=croydons, by=other_lead, notify=False)  # needs no reminder

    out = io.StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    assert "Would send “7 days before” to lead@camden.nhs.example: Camden, Due round" in (
        out.getvalue()
    )
    assert "Would send 1 reminder." in out.getvalue()
    assert mail.outbox == [] and not ReminderSent.objects.exists()

    for _ in range(2):
        call_command("send_reminders", stdout=io.StringIO())
    [reminder] = mail.outbox
    assert reminder.to == ["lead@camden.nhs.example"]
    assert "Camden" in reminder.subject and "Due round" in reminder.subject
    assert "/returns/due/camden/" in reminder.body
    assert ReminderSent.objects.count() == 1
