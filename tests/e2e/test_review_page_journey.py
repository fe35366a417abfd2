"""A reviewer's whole review of one return, by keyboard, with a query on one answer that the
lead answers: each page clean under axe-core."""

import re

import pytest
from playwright.sync_api import expect

from surveys import workflow
from surveys.choices import QueryState, ReturnState
from surveys.models import AnswerQuery, ScopingReturn
from tests.e2e.conftest import sign_in, sign_out
from tests.factories import SurveyRoundFactory, complete_return

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUERY = "Is the service's name the one patients see?"
REPLY = "Yes: it is on every letter and on the practice websites."


def press(page, locator):
    """Reach a link or button by keyboard focus and press Enter, as a keyboard user would."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def type_into(page, locator, words):
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.type(words)


def test_a_reviewer_queries_an_answer_the_lead_replies_and_the_reviewer_resolves_and_accepts(
    page, live_server, lead, reviewer, password, camden, shots, axe_check
):
    survey_round = SurveyRoundFactory(name="Demo round", slug="demo")
    scoping_return = workflow.submit(
        scoping_return=complete_return(borough=camden, survey_round=survey_round),
        by=lead,
        notify=False,
    )

    # The reviewer opens the return from the dashboard's list of returns waiting for review.
    sign_in(page, live_server, reviewer.username, password)
    page.goto(f"{live_server.url}/returns/review/?round=demo")
    press(page, page.get_by_role("link", name="Camden", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review Camden's return")
    shots(page, "review-page")
    axe_check(page)

    # A query on one answer.
    press(page, page.get_by_role("link", name="Raise a query on Service name"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a query on Service name")
    axe_check(page)
    type_into(page, page.get_by_label("Your query"), QUERY)
    press(page, page.get_by_role("button", name="Raise the query"))
    expect(page.locator(".messagelist .success")).to_contain_text("Query raised on Service name")
    queries = page.locator("#queries")
    expect(queries).to_contain_text(QUERY)
    expect(queries).to_contain_text("Open")
    shots(page, "query-raised")
    page.get_by_role("button", name="Log out").click()

    # The lead finds it first on their home page, and answers it beside the answer.
    sign_in(page, live_server, lead.username, password)
    banner = page.get_by_role("region", name="Needs your action")
    expect(banner).to_contain_text("1 query for you to answer")
    press(page, banner.get_by_role("link", name=re.compile("Camden's return")))
    press(page, page.get_by_role("link", name=re.compile("Reply about Service name")))
    expect(page.get_by_role("heading", level=1)).to_have_text("1. Service")
    expect(page.locator("#div_id_service_name")).to_contain_text(
        "The steering group has a query on this answer"
    )
    shots(page, "lead-section-query")
    axe_check(page)
    reply = page.locator(f"#query-{AnswerQuery.objects.get().pk}")
    type_into(page, reply.get_by_label("Your reply"), REPLY)
    press(page, reply.get_by_role("button", name=re.compile("Send reply")))
    expect(page.get_by_role("alert").filter(has_text="Success")).to_contain_text("Your reply about")
    assert AnswerQuery.objects.get().state == QueryState.ANSWERED
    axe_check(page)
    sign_out(page)

    # The reviewer reads the reply, resolves the query and accepts the return.
    sign_in(page, live_server, reviewer.username, password)
    page.goto(f"{live_server.url}{workflow.review_url(scoping_return)}")
    expect(page.locator("#queries")).to_contain_text(REPLY)
    press(page, page.locator("#queries").get_by_role("link", name="Service name"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Query on Service name")
    axe_check(page)
    press(page, page.get_by_role("button", name="Resolve the query"))
    expect(page.locator(".messagelist .success")).to_contain_text("Resolved the query")
    press(page, page.get_by_role("link", name="Accept", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept Camden's return")
    expect(page.get_by_role("main")).to_contain_text("What happens")
    shots(page, "accept-confirmation")
    axe_check(page)
    press(page, page.get_by_role("button", name="Accept the return"))
    expect(page.get_by_role("alert").filter(has_text="Success")).to_contain_text(
        "Accepted Camden's return. No other return in Demo round is waiting for review."
    )
    shots(page, "after-accepting")
    axe_check(page)
    assert ScopingReturn.objects.get(pk=scoping_return.pk).state == ReturnState.ACCEPTED
