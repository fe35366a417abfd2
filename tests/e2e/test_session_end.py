import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from surveys.models import ScopingReturn, UnsavedAnswers
from tests.e2e.conftest import sign_in
from tests.factories import ScopingReturnFactory, SurveyRoundFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_answers_typed_as_the_session_ends_are_there_after_signing_in_again(
    page, live_server, lead, password, camden, shots, axe_check
):
    survey_round = SurveyRoundFactory(name="Demo round", slug="demo")
    ScopingReturnFactory(survey_round=survey_round, borough=camden)
    sign_in(page, live_server, "lead-a", password)
    page.goto(f"{live_server.url}/returns/demo/camden/section/service/")
    page.get_by_label("Established").check()
    page.get_by_label("What is the service called?").fill("Primary Care Plus")
    page.get_by_label("Where does the service stand today?").fill("Running in four practices.")

    Session.objects.all().delete()  # the session ends while the lead types
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "your answers have not been saved yet"
    )
    assert "next=" in page.url
    [key] = [c["value"] for c in page.context.cookies() if c["name"].endswith("pcmh_unsaved")]
    assert key not in page.url
    shots(page, "sign-in-again")
    axe_check(page)
    page.get_by_label("Username").fill("lead-a")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("1. Service")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Nothing has been saved yet")
    expect(page.get_by_label("Established")).to_be_checked()
    expect(page.get_by_label("What is the service called?")).to_have_value("Primary Care Plus")
    expect(page.get_by_label("Where does the service stand today?")).to_have_value(
        "Running in four practices."
    )
    shots(page, "answers-back")
    axe_check(page)
    saved = ScopingReturn.objects.get(borough=camden)
    assert (saved.service_name, saved.status, saved.version) == ("", "", 1)
    assert not UnsavedAnswers.objects.exists()
    assert not any(c["name"].endswith("pcmh_unsaved") for c in page.context.cookies())

    page.get_by_role("button", name="Save and come back later").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is saved")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Camden"))
    assert ScopingReturn.objects.get(borough=camden).service_name == "Primary Care Plus"
