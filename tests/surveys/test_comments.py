"""The comment thread between a borough's leads and the steering group, on the task-list page."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from surveys import workflow
from surveys.models import ReturnComment
from tests.factories import complete_return

pytestmark = pytest.mark.django_db


@pytest.fixture
def camden_return(camden):
    return complete_return(borough=camden)


def comment_url(scoping_return):
    return reverse(
        "surveys:comment", args=[scoping_return.survey_round.slug, scoping_return.borough.slug]
    )


def test_a_lead_reads_the_thread_and_their_comment_emails_the_steering_group(
    client, lead, reviewer, camden_return, django_capture_on_commit_callbacks
):
    workflow.add_comment(
        scoping_return=camden_return, by=reviewer, text="Is the <b>age range</b> 18+?", notify=False
    )
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            comment_url(camden_return), {"text": "Yes, from 18, no upper limit."}, follow=True
        )
    html = response.content.decode()
    assert "Your comment has been added." in html
    thread = html[html.index('id="comments"') :]
    assert thread.index("Is the &lt;b&gt;age range&lt;/b&gt; 18+?") < thread.index(
        "Yes, from 18, no upper limit."
    )
    [email] = mail.outbox
    assert email.to == [settings.STEERING_GROUP_EMAIL]
    assert "Camden" in email.subject and "Yes, from 18, no upper limit." in email.body


def test_a_reviewers_comment_emails_the_boroughs_leads(
    lead, reviewer, camden_return, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_comment(
            scoping_return=camden_return, by=reviewer, text="Please add a contact."
        )
    [email] = mail.outbox
    assert email.to == [lead.email]


def test_an_empty_comment_is_refused_and_nothing_is_sent(
    client, lead, camden_return, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(comment_url(camden_return), {"text": "   "}, follow=True)
    assert "Enter a comment" in response.content.decode()
    assert not ReturnComment.objects.exists() and mail.outbox == []


def test_a_lead_of_another_borough_cannot_comment(client, other_lead, camden_return):
    client.force_login(other_lead)
    assert client.post(comment_url(camden_return), {"text": "Hello"}).status_code == 404
    assert not ReturnComment.objects.exists() and mail.outbox == []


def test_leads_cannot_comment_once_the_round_is_published(
    client, lead, reviewer, camden_return, django_capture_on_commit_callbacks
):
    from surveys.choices import RoundState

    camden_return.survey_round.state = RoundState.PUBLISHED
    camden_return.survey_round.save()
    client.force_login(lead)
    page = client.get(camden_return.get_absolute_url()).content.decode()
    assert "is published: its returns take no more comments" in page
    assert comment_url(camden_return) not in page  # no form to fill in vain
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(comment_url(camden_return), {"text": "Late news"}, follow=True)
    assert "is published: its returns take no more comments" in response.content.decode()
    assert not ReturnComment.objects.exists() and mail.outbox == []
    with pytest.raises(workflow.WorkflowError):
        workflow.add_comment(scoping_return=camden_return, by=lead, text="Late news")
    # The steering group can still add a note to the thread.
    workflow.add_comment(scoping_return=camden_return, by=reviewer, text="Published.", notify=False)
    assert ReturnComment.objects.count() == 1
