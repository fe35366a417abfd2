"""The steering group's review page of a return, its steps, and queries on single answers."""

import html
import re

import pytest
from django.core import mail

from surveys import workflow
from surveys.choices import QueryState, ReturnState
from surveys.models import AnswerQuery, CareRole, ScopingReturn
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return
from tests.surveys.test_emails import _link, _opens

pytestmark = pytest.mark.django_db


def review(scoping_return, step="", **query):
    return workflow.review_url(scoping_return, step, **query)


def text_of(response) -> str:
    """The page's words, as a person reads them (tags dropped, spaces collapsed)."""
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return html.unescape(re.sub(r"\s+", " ", words))


@pytest.fixture
def survey_round():
    return SurveyRoundFactory(name="Demo round", slug="demo")


@pytest.fixture
def submitted(survey_round, camden, lead):
    scoping_return = complete_return(borough=camden, survey_round=survey_round)
    CareRole.objects.create(scoping_return=scoping_return, role="psychologist", wte="1.0")
    CareRole.objects.create(scoping_return=scoping_return, role="pharmacist", wte="0.5")
    return workflow.submit(scoping_return=scoping_return, by=lead, notify=False)


def test_the_review_page_is_for_the_steering_group_within_its_limit(
    client, submitted, lead, limited_reviewer, reviewer, survey_round, croydon, other_lead
):
    url = review(submitted)
    assert client.get(url)["Location"].startswith("/admin/login/")
    client.force_login(lead)
    assert client.get(url)["Location"].startswith("/admin/login/")
    croydons = workflow.submit(
        scoping_return=complete_return(borough=croydon, survey_round=survey_round),
        by=other_lead,
        notify=False,
    )
    client.force_login(limited_reviewer)  # North Central London only: not Croydon
    assert client.get(review(croydons)).status_code == 404
    assert client.get(review(croydons, "_accept")).status_code == 404
    assert client.post(review(croydons, "_accept"), {"version": 2}).status_code == 404
    assert client.get(url).status_code == 200  # Camden is theirs
    client.force_login(reviewer)
    page = client.get(url)
    assert page.status_code == 200
    words = text_of(page)
    assert "Review Camden's return" in words and "Submitted" in words
    assert "1. Service" in words and "Care roles" in words and "Psychologist" in words


def test_accepting_asks_first_says_who_is_told_and_is_refused_with_an_open_query(
    client, submitted, lead, reviewer, django_capture_on_commit_callbacks
):
    lead.email = "lead@camden.nhs.example"
    lead.save()
    client.force_login(reviewer)
    confirm = client.get(review(submitted, "_accept"))
    assert confirm.status_code == 200
    words = text_of(confirm)
    assert "What happens" in words and "lead@camden.nhs.example" in words
    assert ScopingReturn.objects.get(pk=submitted.pk).state == ReturnState.SUBMITTED

    query = workflow.raise_query(
        scoping_return=submitted, by=reviewer, field="aims", text="Say more?", notify=False
    )
    refused_page = text_of(client.get(review(submitted, "_accept")))
    assert "cannot be accepted while 1 query is not resolved" in refused_page
    assert "Aims" in refused_page and "Accept the return" not in refused_page
    refused = client.post(review(submitted, "_accept"), {"version": submitted.version})
    assert refused.status_code == 400
    assert "not yet resolved (Aims)" in text_of(refused)
    assert ScopingReturn.objects.get(pk=submitted.pk).state == ReturnState.SUBMITTED

    workflow.resolve_query(query=query, by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(review(submitted, "_accept"), {"version": submitted.version})
    assert done.status_code == 302
    assert done["Location"].startswith("/returns/review/")  # nothing else waits: the dashboard
    assert ScopingReturn.objects.get(pk=submitted.pk).state == ReturnState.ACCEPTED
    assert [m.to for m in mail.outbox] == [[lead.email]]


def test_a_stale_accept_is_refused_with_the_reason(client, submitted, reviewer):
    client.force_login(reviewer)
    refused = client.post(review(submitted, "_accept"), {"version": submitted.version - 1})
    assert refused.status_code == 400
    assert "changed by" in text_of(refused)
    assert ScopingReturn.objects.get(pk=submitted.pk).state == ReturnState.SUBMITTED


def test_requesting_changes_needs_a_comment_then_goes_to_the_next_waiting_return(
    client, submitted, reviewer, survey_round, croydon, other_lead
):
    waiting = workflow.submit(
        scoping_return=complete_return(borough=croydon, survey_round=survey_round),
        by=other_lead,
        notify=False,
    )
    client.force_login(reviewer)
    url = review(submitted, "_request_changes")
    empty = client.post(url, {"text": "  ", "version": submitted.version})
    assert empty.status_code == 400
    assert "Say what needs to change" in text_of(empty)
    assert ScopingReturn.objects.get(pk=submitted.pk).state == ReturnState.SUBMITTED

    sent = client.post(url, {"text": "Add the funding lines.", "version": submitted.version})
    assert sent.status_code == 302 and sent["Location"] == review(waiting)
    fresh = ScopingReturn.objects.get(pk=submitted.pk)
    assert fresh.state == ReturnState.CHANGES_REQUESTED
    assert fresh.events.last().comment == "Add the funding lines."
    after = client.get(sent["Location"])
    assert "Sent Camden's return back for changes. Next waiting for review: Croydon." in (
        text_of(after)
    )


def test_a_query_on_one_care_role_is_raised_answered_and_resolved_with_each_step_recorded(
    client, submitted, lead, reviewer, django_capture_on_commit_callbacks
):
    lead.email = "lead@camden.nhs.example"
    lead.save()
    second_role = submitted.care_roles.all()[1]
    client.force_login(reviewer)
    page = client.get(review(submitted))
    raise_url = review(submitted, "_query", on=f"care_roles.{second_role.pk}")
    assert raise_url.replace("&", "&amp;") in page.content.decode()
    form = client.get(raise_url)
    assert "Raise a query on Care role 2: Pharmacist" in text_of(form)
    with django_capture_on_commit_callbacks(execute=True):
        raised = client.post(raise_url, {"text": "Is the pharmacist 0.5 WTE in post?"})
    assert raised.status_code == 302
    query = AnswerQuery.objects.get()
    assert (query.field, query.row_id, query.state) == ("care_roles", second_role.pk, "open")
    assert query.about == "Care role 2: Pharmacist"

    # The lead is e-mailed a link to the answer, and finds the query on the task list ...
    [message] = mail.outbox
    assert "Camden" in message.subject and "Demo round" in message.subject
    assert "Is the pharmacist 0.5 WTE in post?" in message.body
    path = _link(message)
    assert path.startswith("/returns/demo/camden/section/care-roles/")
    assert _opens(client, lead, path) == 200
    task_list = text_of(client.get("/returns/demo/camden/"))
    assert "Queries from the steering group" in task_list
    assert "Care role 2: Pharmacist" in task_list and "Waiting for your reply" in task_list
    home = text_of(client.get("/"))
    assert "Needs your action" in home and "1 query for you to answer" in home
    # ... and beside the row on its section page, where they reply.
    section = client.get("/returns/demo/camden/section/care-roles/")
    assert "The steering group has a query on this care role" in text_of(section)
    assert f'action="/returns/demo/camden/queries/{query.pk}/reply/"' in section.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        replied = client.post(
            f"/returns/demo/camden/queries/{query.pk}/reply/",
            {f"query-{query.pk}-text": "Yes: 0.5 WTE, in post since April."},
        )
    assert replied["Location"] == f"/returns/demo/camden/section/care-roles/#query-{query.pk}"
    query.refresh_from_db()
    assert query.state == QueryState.ANSWERED and query.answered_by == lead
    to_reviewers = mail.outbox[-1]
    assert "in post since April" in to_reviewers.body
    assert _opens(client, reviewer, _link(to_reviewers)) == 200

    # The reviewer sees the reply and resolves the query.
    shown = text_of(client.get(review(submitted)))
    assert "in post since April" in shown and "Answered" in shown
    resolved = client.post(f"{review(submitted)}queries/{query.pk}/", {"step": "resolve"})
    assert resolved.status_code == 302
    query.refresh_from_db()
    assert query.state == QueryState.RESOLVED and query.resolved_by == reviewer
    steps = [e.kind for e in submitted.events.filter(query=query)]
    assert steps == ["query_raised", "query_answered", "query_resolved"]
    assert [h.state for h in query.history.order_by("history_date")] == [
        "open",
        "answered",
        "resolved",
    ]
    timeline = text_of(client.get("/returns/demo/camden/"))
    for step in ["Query raised", "Query answered", "Query resolved"]:
        assert step in timeline


def test_a_reviewer_re_opens_an_answered_query_and_the_lead_is_asked_again(
    client, submitted, lead, reviewer
):
    query = workflow.raise_query(
        scoping_return=submitted, by=reviewer, field="aims", text="Say more?", notify=False
    )
    workflow.answer_query(query=query, by=lead, reply="More.", notify=False)
    client.force_login(reviewer)
    url = f"{review(submitted)}queries/{query.pk}/"
    empty = client.post(url, {"step": "reopen", "text": ""})
    assert empty.status_code == 400 and "Say what is still needed" in text_of(empty)
    assert client.post(url, {"step": "reopen", "text": "Name the aims."}).status_code == 302
    query.refresh_from_db()
    assert query.state == QueryState.OPEN and "Name the aims." in query.text


def test_a_query_can_be_raised_on_a_draft_but_not_on_an_accepted_return(
    client, survey_round, camden, reviewer, submitted
):
    client.force_login(reviewer)
    draft = ScopingReturn.objects.get(pk=submitted.pk)
    workflow.request_changes(scoping_return=draft, by=reviewer, comment="x", notify=False)
    assert client.post(review(draft, "_query", on="aims"), {"text": "Why?"}).status_code == 302
    assert AnswerQuery.objects.filter(scoping_return=draft).count() == 1

    other = complete_return(borough=draft.borough.stp.boroughs.exclude(pk=camden.pk).first(),
                            survey_round=survey_round)  # fmt: skip
    accepted = workflow.accept(
        scoping_return=workflow.submit(scoping_return=other, by=reviewer, notify=False),
        by=reviewer,
        notify=False,
    )
    refused = client.post(review(accepted, "_query", on="aims"), {"text": "Why?"})
    assert refused.status_code == 302 and refused["Location"] == review(accepted)
    assert not AnswerQuery.objects.filter(scoping_return=accepted).exists()


@pytest.mark.parametrize(
    "on", ["", "bogus", "aims.3", "care_roles", "care_roles.x", "care_roles.999999", "__class__"]
)
def test_a_query_on_no_such_answer_is_404_not_a_server_error(client, submitted, reviewer, on):
    client.force_login(reviewer)
    assert client.get(review(submitted, "_query", on=on)).status_code == 404
    assert client.post(review(submitted, "_query", on=on), {"text": "x"}).status_code == 404
    assert not AnswerQuery.objects.exists()


def test_the_answers_changed_since_the_last_submission_are_marked_old_and_new(
    client, submitted, lead, reviewer
):
    sent_back = workflow.request_changes(
        scoping_return=submitted, by=reviewer, comment="Update the aims.", notify=False
    )
    workflow.save_changes(
        scoping_return=sent_back, version=sent_back.version, by=lead, fields={"aims": "New aims"}
    )
    sent_back.care_roles.first().delete()
    resubmitted = workflow.submit(
        scoping_return=ScopingReturn.objects.get(pk=submitted.pk), by=lead, notify=False
    )
    client.force_login(reviewer)
    words = text_of(client.get(review(resubmitted)))
    assert "Changed since it was submitted on" in words
    assert f"Changed : was {submitted.aims}" in words
    assert "Psychologist: removed" in words


def test_a_published_rounds_return_is_reopened_for_a_correction_from_the_review_page(
    client, submitted, reviewer, lead
):
    accepted = workflow.accept(scoping_return=submitted, by=reviewer, notify=False)
    close_and_publish(accepted.survey_round, reviewer)
    client.force_login(reviewer)
    page = client.get(review(accepted))
    assert page.status_code == 200
    assert "its report counts this return as it was published" in text_of(page)
    assert ">Reopen<" in page.content.decode() and "Raise a query" not in text_of(page)
    client.post(
        review(accepted, "_reopen"), {"text": "Funding misread", "version": accepted.version}
    )
    reopened = ScopingReturn.objects.get(pk=accepted.pk)
    assert reopened.state == ReturnState.CHANGES_REQUESTED
    # Its leads correct it and send it again, although the round's dates have passed.
    assert workflow.edit_refusal(reopened, lead) is None
    again = workflow.submit(scoping_return=reopened, by=lead, notify=False)
    assert again.state == ReturnState.SUBMITTED
