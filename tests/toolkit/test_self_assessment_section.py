"""Section 11, "Self-assessment", as a lead meets it: in a round that uses the toolkit only,
every guidance area with the four levels' descriptors as the radios' hints, and no submission
without a level for every area, the error summary naming each one missing."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from surveys import workflow
from surveys.choices import ReturnState
from surveys.models import SelfAssessment
from tests.factories import SurveyRoundFactory, complete_return
from tests.helpers.error_summary import ErrorSummary
from tests.helpers.html_forms import as_post, form_data
from toolkit import versions
from toolkit.models import ToolkitVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def toolkit_round():
    return SurveyRoundFactory(
        slug="2027", uses_toolkit=True, toolkit_version=ToolkitVersion.objects.get(number=1)
    )


@pytest.fixture
def toolkit_return(toolkit_round, camden):
    return complete_return(borough=camden, survey_round=toolkit_round)


def _section_url(scoping_return, slug="self-assessment"):
    return reverse(
        "surveys:section",
        args=[scoping_return.survey_round.slug, scoping_return.borough.slug, slug],
    )


def test_every_area_is_asked_with_each_levels_descriptor_as_its_hint(client, lead, toolkit_return):
    client.force_login(lead)
    html = client.get(_section_url(toolkit_return)).content.decode()
    found = versions.descriptors(toolkit_return.survey_round.toolkit_version)
    for area in versions.areas():
        block = re.search(rf'id="area-{area.slug}".*?(?=id="area-|</form>)', html, re.S)
        assert block, area.slug
        assert escape(area.name) in block.group(0)
        for level in versions.levels():
            assert escape(found[area.slug][level.slug]) in block.group(0), (area.slug, level.slug)
    assert "Draft" in html  # version 1 is not approved yet


def test_a_round_without_the_toolkit_has_no_section_11(client, lead, camden):
    scoping_return = complete_return(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))
    client.force_login(lead)
    assert client.get(_section_url(scoping_return)).status_code == 404
    page = client.get(scoping_return.get_absolute_url()).content.decode()
    assert "Self-assessment" not in page
    # The contacts section, the last, goes on to check answers.
    contacts = _section_url(scoping_return, "contacts")
    data = form_data(client.get(contacts).content.decode())
    data["continue"] = "1"
    response = client.post(contacts, as_post(data))
    assert response.status_code == 302
    assert response.url.endswith("/check/")


def test_submitting_needs_a_level_for_every_area_and_names_each_missing(
    client, lead, toolkit_return
):
    toolkit_return.self_assessments.all().delete()  # a level in no area yet
    client.force_login(lead)
    url = _section_url(toolkit_return)
    data = form_data(client.get(url).content.decode())
    areas = versions.areas()
    rated = areas[:3]
    for key, value in list(data.items()):
        if key.endswith("-area") and value in {a.slug for a in rated}:
            data[key.replace("-area", "-level")] = "implementing"
            data[key.replace("-area", "-evidence")] = f"Evidence for {value}"
    assert client.post(url, as_post(data)).status_code == 302
    assert SelfAssessment.objects.filter(scoping_return=toolkit_return).count() == 3

    check = reverse("surveys:submit", args=["2027", toolkit_return.borough.slug])
    toolkit_return.refresh_from_db()
    response = client.post(check, {"version": toolkit_return.version, "declaration": "on"})
    assert response.status_code == 400
    summary = ErrorSummary(response.content.decode())
    missing = [a for a in areas if a not in rated]
    for area in missing:
        assert any(f"Select a level for {area.name}" in item for item in summary.items), area
    for area in rated:
        assert not any(area.name in item for item in summary.items), area
    toolkit_return.refresh_from_db()
    assert toolkit_return.state != ReturnState.SUBMITTED


def test_with_every_area_rated_the_return_is_submitted(lead, toolkit_return):
    rated = set(toolkit_return.self_assessments.exclude(level=None).values_list("area", flat=True))
    assert rated == {area.slug for area in versions.areas()}
    submitted = workflow.submit(
        scoping_return=toolkit_return, by=lead, version=toolkit_return.version, notify=False
    )
    assert submitted.state == ReturnState.SUBMITTED
