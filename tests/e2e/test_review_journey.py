import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from surveys.choices import ReturnState
from surveys.models import ReturnEvent, ScopingReturn
from tests.e2e.conftest import sign_in, sign_out
from tests.factories import SurveyRoundFactory, complete_return

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COMMENT = "Please name the service's lead pharmacist in the contacts."


def submit_through_the_browser(page, live_server):
    page.goto(f"{live_server.url}/returns/")
    page.get_by_role("link", name=re.compile("Continue")).click()
    page.get_by_role("link", name="Check your answers and submit").click()
    page.get_by_label(re.compile("I confirm")).check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Return submitted")


def run_admin_action(page, return_name, action):
    """Tick one return in the change list and run an action on it, as a reviewer would."""
    page.get_by_role("checkbox", name=re.compile(re.escape(return_name))).check()
    page.get_by_role("combobox", name=re.compile("^Action:")).select_option(label=action)
    page.get_by_role("button", name="Go").click()


def test_a_reviewer_requests_changes_the_lead_resubmits_and_the_reviewer_accepts(
    page, live_server, lead, reviewer, password, camden, shots, axe_check
):
    survey_round = SurveyRoundFactory(name="Demo round", slug="demo")
    scoping_return = complete_return(borough=camden, survey_round=survey_round)
    return_name = str(scoping_return)

    # The lead submits.
    sign_in(page, live_server, lead.username, password)
    submit_through_the_browser(page, live_server)
    shots(page, "lead-submitted")
    sign_out(page)

    # The reviewer finds it among the submitted returns and sends it back with a comment.
    sign_in(page, live_server, reviewer.username, password)
    page.get_by_role("link", name="Review returns in the admin").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("scoping return")
    filters = page.get_by_role("navigation", name="Filter")
    filters.get_by_role("link", name="Submitted", exact=True).click()
    expect(page).to_have_url(re.compile(r"state__exact=submitted"))
    expect(page.get_by_role("checkbox", name=re.compile(re.escape(return_name)))).to_be_visible()
    shots(page, "changelist-submitted")

    run_admin_action(page, return_name, "Request changes to the selected returns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Request changes")
    expect(page.get_by_role("listitem").filter(has_text="Camden, Demo round")).to_have_text(
        "Camden, Demo round: submitted"
    )
    page.get_by_label("What needs to change").fill(COMMENT)
    shots(page, "request-changes")
    page.get_by_role("button", name="Send back for changes").click()
    expect(page.locator(".messagelist .success")).to_have_text(
        "Sent 1 return back for changes: Camden."
    )
    shots(page, "changes-requested")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()

    # The lead reads the comment, changes a section and submits again.
    sign_in(page, live_server, lead.username, password)
    page.goto(f"{live_server.url}/returns/")
    page.get_by_role("link", name=re.compile("Continue")).click()
    request = page.get_by_role("region", name="The steering group has asked for changes")
    expect(request).to_contain_text(COMMENT)
    expect(page.locator("#timeline + .pcmh-timeline")).to_contain_text("Changes requested")
    shots(page, "lead-sees-comment")
    axe_check(page)

    page.get_by_role("link", name="1. Service").click()
    page.get_by_label("What is the service called?").fill("Primary Care Plus (Camden)")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is saved")
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    expect(page.get_by_text("Primary Care Plus (Camden)")).to_be_visible()
    shots(page, "lead-checks-again")
    page.get_by_label(re.compile("I confirm")).check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Return submitted")
    shots(page, "lead-resubmitted")
    sign_out(page)

    # The reviewer accepts it.
    sign_in(page, live_server, reviewer.username, password)
    page.goto(f"{live_server.url}/admin/surveys/scopingreturn/?state__exact=submitted")
    run_admin_action(page, return_name, "Accept the selected submitted returns")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept returns")  # asks first
    axe_check(page)
    page.get_by_role("button", name="Accept the returns").click()
    expect(page.locator(".messagelist .success")).to_have_text("Accepted 1 return: Camden.")
    expect(page.get_by_role("checkbox", name=re.compile(re.escape(return_name)))).to_have_count(0)
    page.get_by_role("navigation", name="Filter").get_by_role(
        "link", name="Accepted", exact=True
    ).click()
    shots(page, "changelist-accepted")
    page.get_by_role("link", name="Camden", exact=True).click()
    expect(page.locator(".field-state .readonly")).to_have_text("Accepted")
    shots(page, "accepted-return")

    scoping_return = ScopingReturn.objects.get(pk=scoping_return.pk)
    assert scoping_return.state == ReturnState.ACCEPTED
    assert scoping_return.service_name == "Primary Care Plus (Camden)"
    assert scoping_return.accepted_by == reviewer
    events = [
        (e.from_state, e.to_state, e.by.username, e.comment)
        for e in ReturnEvent.objects.filter(scoping_return=scoping_return).order_by("at", "pk")
    ]
    assert events == [
        (ReturnState.DRAFT, ReturnState.SUBMITTED, lead.username, ""),
        (ReturnState.SUBMITTED, ReturnState.CHANGES_REQUESTED, reviewer.username, COMMENT),
        (ReturnState.CHANGES_REQUESTED, ReturnState.SUBMITTED, lead.username, ""),
        (ReturnState.SUBMITTED, ReturnState.ACCEPTED, reviewer.username, ""),
    ]

    # The live server runs in this process, so its mail lands in the test outbox.
    sent = [(message.to, message.subject) for message in mail.outbox]
    assert sent == [
        ([settings.STEERING_GROUP_EMAIL], "PCMH return submitted: Camden (Demo round)"),
        ([lead.email], "Changes requested to Camden's PCMH return"),
        ([settings.STEERING_GROUP_EMAIL], "PCMH return submitted: Camden (Demo round)"),
        ([lead.email], "Camden's PCMH return has been accepted"),
    ]
    assert COMMENT in mail.outbox[1].body
