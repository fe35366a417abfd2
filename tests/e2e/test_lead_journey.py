import re

import pytest
from playwright.sync_api import expect

from surveys.choices import ReturnState
from surveys.models import ScopingReturn
from tests.e2e.conftest import sign_in, sign_out
from tests.factories import ScopingReturnFactory, SurveyRoundFactory, complete_return

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_lead_fills_a_return_over_two_sittings_fixes_an_error_and_submits(
    page, live_server, lead, password, camden, shots, axe_check
):
    survey_round = SurveyRoundFactory(name="Demo round", slug="demo")
    ScopingReturnFactory(survey_round=survey_round, borough=camden)

    sign_in(page, live_server, "lead-a", password)
    page.get_by_role("link", name="Your returns").first.click()
    shots(page, "your-returns")
    axe_check(page)
    page.get_by_role("link", name=re.compile("Continue")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Camden")
    axe_check(page)

    page.get_by_role("link", name="1. Service").click()
    page.get_by_label("Established").check()
    page.get_by_label("What is the service called?").fill("Primary Care Plus")
    axe_check(page)
    shots(page, "service")
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is saved")
    sign_out(page)

    # Second sitting.
    sign_in(page, live_server, "lead-a", password)
    page.goto(f"{live_server.url}/returns/demo/camden/")
    expect(page.locator("#state-service")).to_have_text("Completed")
    shots(page, "second-sitting")
    page.get_by_role("link", name="2. Model").click()
    page.get_by_label("Collaborative care").check()
    page.get_by_label("What is the service model, in one line?").fill(
        "Collaborative care model, step up/down"
    )
    page.get_by_role("button", name="Save and continue").click()

    # Scope, with a mistake first.
    page.get_by_label("SMI+").check()
    page.get_by_label("What is the youngest age the service takes?").fill("eighteen")
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile("^Error:"))
    shots(page, "scope-error")
    axe_check(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("What is the youngest age the service takes?")).to_be_focused()
    page.get_by_label("What is the youngest age the service takes?").fill("18")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "3, Scope, is saved"
    )
    shots(page, "scope-corrected")

    page.get_by_role("button", name="Save and continue").click()  # care roles: none yet
    for question in ["Is there regular mental health training for primary care staff?"]:
        page.get_by_role("group", name=question).get_by_label("Yes").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role(
        "group", name="Does the service share an IT system with general practice?"
    ).get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    for question in [
        "medicines management",
        "depot antipsychotics",
        "clozapine clinic",
        "lithium monitoring clinic",
        "specialist advice line",
        "primary care pharmacist",
    ]:
        page.get_by_role("group", name=re.compile(question, re.IGNORECASE)).get_by_label(
            "Planned"
        ).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role(
        "group", name="Has the service described the outcome measures it uses?"
    ).get_by_label("Yes").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("group", name="Has recurrent funding been secured?").get_by_label(
        "No", exact=True
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    page.locator("#id_contacts-0-name").fill("Dr Ada Lead")
    page.locator("#id_contacts-0-email").fill("ada.lead@nhs.net")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting"
    )
    shots(page, "check-answers")
    axe_check(page)
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm the declaration")
    page.get_by_label(re.compile("I confirm")).check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Return submitted")
    shots(page, "submitted")
    axe_check(page)
    assert ScopingReturn.objects.get(borough=camden).state == ReturnState.SUBMITTED


def test_the_task_list_works_with_the_keyboard_alone(page, live_server, lead, password, camden):
    survey_round = SurveyRoundFactory(slug="demo")
    ScopingReturnFactory(survey_round=survey_round, borough=camden)
    sign_in(page, live_server, "lead-a", password)
    page.goto(f"{live_server.url}/returns/demo/camden/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").strip() == "1. Service":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("1. Service")
    outline = page.evaluate("getComputedStyle(document.querySelector('a')).outlineStyle")
    assert outline is not None


def tab_to(page, selector, limit=300):
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement?.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def follow(page):
    """Press Enter on what has focus (a link, a button, a text box) and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def save_and_continue(page):
    tab_to(page, "button[name=continue]")
    follow(page)


def test_the_whole_lead_journey_works_with_the_keyboard_alone(
    page, live_server, lead, password, camden, shots
):
    """Sign in, answer questions, fix an error, check the answers and submit: no mouse."""
    survey_round = SurveyRoundFactory(slug="demo")
    scoping_return = complete_return(
        survey_round=survey_round,
        borough=camden,
        status="",
        service_name="",
        model_types="",
        service_form="",
        scope="",
        min_age=None,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "#id_username")
    page.keyboard.type("lead-a")
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    follow(page)

    tab_to(page, 'a[href="/returns/"]')
    follow(page)
    tab_to(page, 'a[href="/returns/demo/camden/"]')
    follow(page)
    tab_to(page, 'a[href$="/section/service/"]')
    follow(page)

    # 1. Service: a radio chosen with the arrow keys, a name typed.
    tab_to(page, "#id_status_1")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # Pilot
    tab_to(page, "#id_service_name")
    page.keyboard.type("Primary Care Plus")
    save_and_continue(page)

    # 2. Model: a tick box with the space bar, the one-line form typed.
    expect(page.get_by_role("heading", level=1)).to_have_text("2. Model")
    tab_to(page, "#id_model_types_1")
    page.keyboard.press("Space")
    tab_to(page, "#id_service_form")
    page.keyboard.type("Collaborative care model")
    save_and_continue(page)

    # 3. Scope, with a mistake: the error summary takes focus and its link leads to the field.
    tab_to(page, "#id_scope_1")
    page.keyboard.press("ArrowDown")  # SMI+
    tab_to(page, "#id_min_age")
    page.keyboard.type("eighteen")
    follow(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    shots(page, "keyboard-scope-error")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the summary's link: the same page, focus on the field
    expect(page.get_by_label("What is the youngest age the service takes?")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("18")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("4. Care roles")

    # The sections answered before are passed with "Save and continue", to check answers.
    while "/check/" not in page.url:
        save_and_continue(page)
    shots(page, "keyboard-check-answers")
    tab_to(page, "#id_declaration")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]:not([name])")
    follow(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Return submitted")
    shots(page, "keyboard-submitted")

    scoping_return.refresh_from_db()
    assert scoping_return.state == ReturnState.SUBMITTED
    assert (scoping_return.status, scoping_return.scope) == ("pilot", "smi_plus")
    assert scoping_return.min_age == 18 and scoping_return.service_name == "Primary Care Plus"
    assert scoping_return.model_types == "collaborative_care"
