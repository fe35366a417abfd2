"""Closing and publishing a round from its admin page and from the change list: a page that says
what will happen first, a refusal while a borough is neither accepted nor marked no return, and
who did it and when."""

import datetime
import html
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.test import Client
from django.utils import timezone

from boroughs.models import Borough
from surveys import workflow
from surveys.choices import ReturnState, RoundState
from surveys.models import ScopingReturn, SurveyRound
from tests.factories import SurveyRoundFactory, complete_return
from tests.surveys.admin_helpers import admin_url, messages_of, submitted_return

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round():
    return SurveyRoundFactory(slug="demo", name="Demo round")


def _round(survey_round):
    return SurveyRound.objects.get(pk=survey_round.pk)


def _text(response) -> str:
    """The page's words, without its markup, white space folded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _all_but(survey_round, kept, by):
    """Mark every borough but `kept` as making no return, as the steering group would."""
    for borough in Borough.objects.exclude(pk__in=[b.pk for b in kept]):
        workflow.mark_no_return(
            survey_round=survey_round, borough=borough, by=by, reason="Not in this test"
        )


@pytest.fixture
def closed_with_croydon_in_draft(survey_round, camden, croydon, lead, reviewer):
    """A closed round: Camden accepted, Croydon's return in draft, every other borough marked
    no return."""
    accepted = submitted_return(camden, lead, survey_round=survey_round)
    workflow.accept(scoping_return=accepted, by=reviewer, notify=False)
    complete_return(borough=croydon, survey_round=survey_round, sections_saved="scope")
    _all_but(survey_round, [camden, croydon], reviewer)
    return workflow.close_round(survey_round=survey_round, by=reviewer, notify=False)


def test_publishing_is_refused_while_a_borough_is_in_draft_and_the_page_names_it(
    client, reviewer, closed_with_croydon_in_draft, croydon
):
    survey_round = closed_with_croydon_in_draft
    client.force_login(reviewer)
    page = client.get(admin_url("surveyround_publish", survey_round.pk))
    assert page.status_code == 200
    text = _text(page)
    assert (
        "1 borough has neither an accepted return nor a reason for making no return: Croydon."
        in text
    )
    assert "Boroughs that stop the round being published Borough Its return No return Croydon" in (
        text
    )
    assert "Accepted 1" in text and "Draft 31" in text  # Croydon, and the 30 marked
    assert "Of these, recorded as making no return 30" in text
    assert "Yes, publish" not in page.content.decode()  # no button while a borough stops it
    links = page.content.decode()
    assert f"{admin_url('surveyround_no_return', survey_round.pk)}?borough={croydon.pk}" in links
    assert f"survey_round__id__exact={survey_round.pk}" in links

    refused = client.post(admin_url("surveyround_publish", survey_round.pk), follow=True)
    said = messages_of(refused)
    assert len(said) == 1 and "cannot be published yet" in said[0] and "Croydon" in said[0]
    assert _round(survey_round).state == RoundState.CLOSED
    assert _round(survey_round).published_at is None


def test_once_the_borough_is_marked_no_return_the_round_publishes_with_who_and_when(
    client,
    reviewer,
    lead,
    closed_with_croydon_in_draft,
    croydon,
    django_capture_on_commit_callbacks,
):
    survey_round = closed_with_croydon_in_draft
    client.force_login(reviewer)
    marked = client.post(
        admin_url("surveyround_no_return", survey_round.pk),
        {"borough": str(croydon.pk), "reason": "Commissioned with Sutton this year"},
    )
    # Back to the publish page, which now offers to publish.
    assert marked["Location"] == admin_url("surveyround_publish", survey_round.pk)
    croydons = ScopingReturn.objects.get(survey_round=survey_round, borough=croydon)
    assert croydons.no_return_reason == "Commissioned with Sutton this year"
    assert croydons.state == ReturnState.DRAFT
    page = client.get(marked["Location"])
    assert 'value="Yes, publish the round"' in page.content.decode()
    assert "Croydon Commissioned with Sutton this year" in _text(page)  # among those marked

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        published = client.post(admin_url("surveyround_publish", survey_round.pk))
    assert published["Location"] == admin_url("surveyround_change", survey_round.pk)
    survey_round = _round(survey_round)
    assert survey_round.state == RoundState.PUBLISHED
    assert survey_round.published_by == reviewer and survey_round.published_at >= before
    assert any(m.startswith("Published Demo round") for m in messages_of(published))
    assert [lead.email] in [m.to for m in mail.outbox]
    # The round's page shows who published it, and offers no more buttons.
    change = _text(client.get(admin_url("surveyround_change", survey_round.pk)))
    assert "Published by: reviewer" in change
    assert "Publish this round" not in change and "Record a borough" not in change


def test_closing_records_who_and_when_and_emails_the_leads(
    client, reviewer, lead, other_lead, survey_round, camden, django_capture_on_commit_callbacks
):
    submitted_return(camden, lead, survey_round=survey_round)
    client.force_login(reviewer)
    page = client.get(admin_url("surveyround_close", survey_round.pk))
    text = _text(page)
    assert "can no longer change or submit them" in text
    assert "The leads of every borough are e-mailed" in text
    assert "Submitted 1" in text and f"Not started {Borough.objects.count() - 1}" in text
    assert _round(survey_round).state == RoundState.OPEN  # nothing happens before the POST

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(admin_url("surveyround_close", survey_round.pk))
    assert closed["Location"] == admin_url("surveyround_change", survey_round.pk)
    survey_round = _round(survey_round)
    assert survey_round.state == RoundState.CLOSED
    assert survey_round.closed_by == reviewer and survey_round.closed_at >= before
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, other_lead.email])
    assert all("Demo round is closed" in m.subject for m in mail.outbox)
    assert "Closed by: reviewer" in _text(
        client.get(admin_url("surveyround_change", survey_round.pk))
    )

    again = client.post(admin_url("surveyround_close", survey_round.pk), follow=True)
    assert any("Only an open round can be closed" in m for m in messages_of(again))


def test_the_rounds_page_has_the_buttons_its_state_allows(client, reviewer, survey_round):
    client.force_login(reviewer)
    change = client.get(admin_url("surveyround_change", survey_round.pk))
    labels = [tool["label"] for tool in change.context["objectactions"]]
    assert labels == ["Close this round", "Record a borough with no return"]
    assert "Where the boroughs stand" in _text(change)
    button = client.get(admin_url("surveyround_actions", survey_round.pk, "close_this_round"))
    assert button["Location"] == admin_url("surveyround_close", survey_round.pk)

    workflow.close_round(survey_round=survey_round, by=reviewer, notify=False)
    change = client.get(admin_url("surveyround_change", survey_round.pk))
    labels = [tool["label"] for tool in change.context["objectactions"]]
    assert labels == ["Publish this round", "Record a borough with no return"]


def test_the_early_closing_warning_appears_while_the_closing_date_is_to_come(
    client, reviewer, survey_round
):
    client.force_login(reviewer)
    survey_round.closes_on = datetime.date(2027, 9, 30)
    survey_round.opens_on = datetime.date(2017, 1, 1)
    survey_round.save()
    today = timezone.localdate()
    for closes_on, warned in ((today + datetime.timedelta(days=1), True), (today, True)):
        SurveyRound.objects.filter(pk=survey_round.pk).update(closes_on=closes_on)
        text = _text(client.get(admin_url("surveyround_close", survey_round.pk)))
        date = f"{closes_on.day} {closes_on:%B %Y}"
        assert (f"The closing date, {date}, has not passed: closing now" in text) is warned
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        closes_on=today - datetime.timedelta(days=1)
    )
    assert "has not passed" not in _text(
        client.get(admin_url("surveyround_close", survey_round.pk))
    )

    SurveyRound.objects.filter(pk=survey_round.pk).update(closes_on=datetime.date(2999, 9, 30))
    workflow.close_round(survey_round=survey_round, by=reviewer, notify=False)
    text = _text(client.get(admin_url("surveyround_publish", survey_round.pk)))
    assert "The closing date, 30 September 2999, has not passed: publishing now" in text


def _changelist_action(client, action, rounds, **extra):
    return client.post(
        admin_url("surveyround_changelist"),
        {
            "action": action,
            ACTION_CHECKBOX_NAME: [str(r.pk) for r in rounds],
            "index": "0",
            **extra,
        },
    )


def _confirm(client, action, rounds):
    """The confirmation page's button: the same selection again, with post=yes."""
    return client.post(
        admin_url("surveyround_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [str(r.pk) for r in rounds], "post": "yes"},
        follow=True,
    )


def test_the_bulk_actions_confirm_first_and_change_nothing_until_confirmed(
    client, reviewer, survey_round, camden, lead, django_capture_on_commit_callbacks
):
    other = SurveyRoundFactory(name="Other round")
    client.force_login(reviewer)
    page = _changelist_action(client, "close_rounds", [survey_round, other])
    assert page.status_code == 200
    assert page.templates[0].name == "admin/surveys/surveyround/selected.html"
    text = _text(page)
    assert "Demo round : open" in text and "Other round : open" in text
    assert f"Not started {Borough.objects.count()}" in text
    assert 'value="Yes, close the rounds"' in page.content.decode()
    assert {_round(r).state for r in (survey_round, other)} == {RoundState.OPEN}
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        done = _confirm(client, "close_rounds", [survey_round, other])
    assert "Closed Demo round, Other round: the leads of every borough have been e-mailed." in (
        messages_of(done)
    )
    assert {_round(r).state for r in (survey_round, other)} == {RoundState.CLOSED}
    assert _round(other).closed_by == reviewer

    # Publishing waits for every borough: the page says which, and has nothing to confirm.
    page = _changelist_action(client, "publish_rounds", [survey_round])
    text = _text(page)
    boroughs = Borough.objects.count()
    assert f"Left as it is: {boroughs} boroughs have neither an accepted return" in text
    assert "Yes, publish" not in page.content.decode()
    refused = _confirm(client, "publish_rounds", [survey_round])  # a hand-made POST
    assert any(
        m.startswith("Skipped Demo round: Demo round cannot be published yet")
        for m in (messages_of(refused))
    )
    assert _round(survey_round).state == RoundState.CLOSED

    _all_but(survey_round, [], reviewer)
    page = _changelist_action(client, "publish_rounds", [survey_round])
    assert 'value="Yes, publish the round"' in page.content.decode()
    assert _round(survey_round).state == RoundState.CLOSED
    _confirm(client, "publish_rounds", [survey_round])
    survey_round = _round(survey_round)
    assert survey_round.state == RoundState.PUBLISHED and survey_round.published_by == reviewer


def test_a_limited_reviewer_cannot_open_the_rounds_pages(client, limited_reviewer, survey_round):
    client.force_login(limited_reviewer)
    for name, args in (
        ("surveyround_close", [survey_round.pk]),
        ("surveyround_publish", [survey_round.pk]),
        ("surveyround_no_return", [survey_round.pk]),
        ("surveyround_actions", [survey_round.pk, "close_this_round"]),
    ):
        assert client.get(admin_url(name, *args)).status_code == 403, name
    assert client.post(admin_url("surveyround_close", survey_round.pk)).status_code == 403
    change = client.get(admin_url("surveyround_change", survey_round.pk))
    assert change.status_code == 200 and change.context["objectactions"] == []
    closing = _changelist_action(client, "close_rounds", [survey_round])
    assert _round(survey_round).state == RoundState.OPEN
    assert closing.status_code in (200, 302)


def test_an_empty_or_overlong_reason_is_refused_and_changes_nothing(
    client, reviewer, survey_round, croydon
):
    client.force_login(reviewer)
    url = admin_url("surveyround_no_return", survey_round.pk)
    empty = client.post(url, {"borough": str(croydon.pk), "reason": "  \r\n "})
    assert empty.status_code == 200
    assert "Give the reason the borough makes no return" in _text(empty)
    long = client.post(url, {"borough": str(croydon.pk), "reason": "x" * 2001})
    assert "Keep the reason to 2,000 characters or fewer" in _text(long)
    assert "x" * 2001 in long.content.decode()  # what was typed is shown again, not cut
    none = client.post(url, {"reason": "Merged"})
    assert "Choose the borough that makes no return" in _text(none)
    assert not ScopingReturn.objects.filter(survey_round=survey_round).exists()


def test_an_accepted_borough_cannot_be_marked_no_return(
    client, reviewer, lead, survey_round, camden
):
    accepted = submitted_return(camden, lead, survey_round=survey_round)
    workflow.accept(scoping_return=accepted, by=reviewer, notify=False)
    client.force_login(reviewer)
    url = admin_url("surveyround_no_return", survey_round.pk)
    page = client.get(url)
    assert camden not in page.context["form"].fields["borough"].queryset
    refused = client.post(url, {"borough": str(camden.pk), "reason": "Merged"})
    assert "Choose a borough from the list" in _text(refused)
    assert ScopingReturn.objects.get(pk=accepted.pk).no_return_reason == ""


@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "99999999999999999999999", "987654"])
@pytest.mark.parametrize("step", ["close", "publish", "no-return", "actions/publish_this_round"])
def test_ids_that_are_no_rounds_are_404(superuser, survey_round, bad, step):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    url = f"/admin/surveys/surveyround/{bad}/{step}/"
    assert client.get(url).status_code == 404
    # The buttons' route takes no POST (405 for an id that could be one); the pages' is a 404.
    assert client.post(url).status_code in ((404, 405) if step.startswith("actions") else (404,))
