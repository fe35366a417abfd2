"""Every e-mail the service sends names the borough and round, quotes the words that prompted it,
and ends with an absolute link (SITE_URL) that its recipient can open."""

import re

import pytest
from django.conf import settings
from django.core import mail

from surveys import workflow
from tests.factories import complete_return

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    """The path of the message's link, after checking it is absolute, on SITE_URL."""
    [url] = re.findall(r"https?://\S+", message.body)
    assert url.startswith(f"{settings.SITE_URL}/"), url
    return url.removeprefix(settings.SITE_URL)


def _opens(client, user, path) -> int:
    client.force_login(user)
    return client.get(path).status_code


def test_each_workflow_email_links_to_the_page_its_recipient_opens(
    client, camden, lead, reviewer, django_capture_on_commit_callbacks
):
    lead.email, reviewer.email = "lead@nhs.example", "reviewer@nhs.example"
    lead.save()
    scoping_return = complete_return(borough=camden)
    with django_capture_on_commit_callbacks(execute=True):
        scoping_return = workflow.submit(scoping_return=scoping_return, by=lead)
        scoping_return = workflow.request_changes(
            scoping_return=scoping_return, by=reviewer, comment="Add the funding lines."
        )
        workflow.add_comment(scoping_return=scoping_return, by=lead, text="Which year?")
        workflow.add_comment(scoping_return=scoping_return, by=reviewer, text="2017/18.")
        scoping_return = workflow.submit(scoping_return=scoping_return, by=lead)
        scoping_return = workflow.accept(scoping_return=scoping_return, by=reviewer)
        workflow.reopen(scoping_return=scoping_return, by=reviewer, reason="A typo in aims.")

    sent = [(m.to, m.subject, m.body) for m in mail.outbox]
    assert len(sent) == 7, sent
    to_reviewers = [m for m in mail.outbox if m.to == [settings.STEERING_GROUP_EMAIL]]
    to_leads = [m for m in mail.outbox if m.to == [lead.email]]
    assert len(to_reviewers) == 3 and len(to_leads) == 4
    for message in to_reviewers:
        assert _opens(client, reviewer, _link(message)) == 200, message.subject
    for message in to_leads:
        assert _opens(client, lead, _link(message)) == 200, message.subject
    round_name = str(scoping_return.survey_round)
    for message in mail.outbox:
        assert "Camden" in message.subject + message.body
    assert round_name in to_leads[0].body and "Add the funding lines." in to_leads[0].body
    assert "Which year?" in to_reviewers[1].body
    assert "A typo in aims." in to_leads[-1].body


def test_closing_and_publishing_a_round_e_mails_each_borough_a_link_it_opens(
    client, camden, lead, reviewer, django_capture_on_commit_callbacks
):
    from tests.factories import close_and_publish

    lead.email = "lead@camden.nhs.example"
    lead.save()
    scoping_return = workflow.submit(scoping_return=complete_return(borough=camden), by=lead)
    workflow.accept(scoping_return=scoping_return, by=reviewer, notify=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        close_and_publish(scoping_return.survey_round, reviewer, notify=True)
    closed, published = [m for m in mail.outbox if m.to == [lead.email]]
    round_name = str(scoping_return.survey_round)
    for message in (closed, published):
        assert "Camden" in message.subject and round_name in message.subject
        assert _opens(client, lead, _link(message)) == 200, message.subject
    assert _link(published) == f"/reports/{scoping_return.survey_round.slug}/boroughs/camden/"
