"""The toolkit as a setting of the round: the steering group's page that opens a round, the
workflow and `manage.py open_round --toolkit` record whether the round uses the toolkit and
which version; the round's page shows both, fixed once it is published; and a toolkit round
opened after another carries each borough's Section 11 over from its last accepted return."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from boroughs.models import Borough
from surveys import workflow
from surveys.choices import RoundState
from surveys.models import Barrier, Benefit, ScopingReturn, SelfAssessment, SurveyRound
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return
from tests.helpers.html_forms import as_post, form_data, page_forms
from toolkit import versions
from toolkit.models import ToolkitVersion

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/surveys/surveyround/add/"


@pytest.fixture
def approved_then_draft(superuser):
    """Version 1 approved, then version 2 copied from it: a draft, newer than the approved."""
    first = versions.approve(version=ToolkitVersion.objects.get(number=1), by=superuser)
    draft = versions.copy_as_draft(version=first, by=superuser, name="Next")
    return first, draft


def _controls(html):
    """{name: [values]} of the round's form, as a browser would send it."""
    form = next(f for f in page_forms(html) if any(n == "name" for n, _ in f["controls"]))
    found = {}
    for name, value in form["controls"]:
        found.setdefault(name, []).append(value)
    return found


def _new_round_data(client, **changes):
    data = form_data(client.get(ADD_URL).content.decode(), form_with="name")
    data.update({
        "name": "2027 scoping", "slug": "2027", "opens_on": "2027-01-01",
        "closes_on": "2027-03-31", **changes,
    })  # fmt: skip
    return data


def test_the_add_page_offers_the_toolkit_with_the_latest_approved_version_chosen(
    client, superuser, approved_then_draft
):
    approved, draft = approved_then_draft
    client.force_login(superuser)
    html = client.get(ADD_URL).content.decode()
    assert "Uses the self-assessment toolkit" in html
    controls = _controls(html)
    assert "uses_toolkit" not in controls  # unticked: a round does not use it unless told
    assert controls["toolkit_version"] == [str(approved.pk)]  # not the newer draft
    assert str(draft) in html  # offered, to choose instead


def test_the_steering_group_opens_a_toolkit_round_from_its_page(
    client, superuser, approved_then_draft
):
    approved, _ = approved_then_draft
    client.force_login(superuser)
    response = client.post(ADD_URL, as_post(_new_round_data(client, uses_toolkit="on")))
    assert response.status_code == 302
    new = SurveyRound.objects.get(slug="2027")
    assert new.uses_toolkit and new.toolkit_version == approved
    assert ScopingReturn.objects.in_round(new).count() == Borough.objects.count()


def test_a_round_opened_without_the_toolkit_uses_no_version(client, superuser):
    client.force_login(superuser)
    data = _new_round_data(client)
    assert data.get("toolkit_version")  # the default chosen, but the box not ticked
    assert client.post(ADD_URL, as_post(data)).status_code == 302
    new = SurveyRound.objects.get(slug="2027")
    assert not new.uses_toolkit and new.toolkit_version is None


def test_a_toolkit_round_without_a_version_is_refused_with_the_reason(client, superuser):
    client.force_login(superuser)
    data = _new_round_data(client, uses_toolkit="on", toolkit_version="")
    response = client.post(ADD_URL, as_post(data))
    assert response.status_code == 200
    assert "Choose the toolkit version a round using the toolkit uses" in response.content.decode()
    assert not SurveyRound.objects.filter(slug="2027").exists()


def test_an_open_rounds_page_changes_the_setting_and_a_published_ones_shows_it_fixed(
    client, superuser, reviewer
):
    version = ToolkitVersion.objects.get(number=1)
    client.force_login(superuser)
    open_round = SurveyRoundFactory(slug="open")
    url = f"/admin/surveys/surveyround/{open_round.pk}/change/"
    data = form_data(client.get(url).content.decode(), form_with="name")
    data["uses_toolkit"] = "on"
    data["toolkit_version"] = str(version.pk)
    assert client.post(url, as_post(data)).status_code == 302
    open_round.refresh_from_db()
    assert open_round.uses_toolkit and open_round.toolkit_version == version

    published = close_and_publish(SurveyRoundFactory(slug="done", toolkit=True), reviewer)
    url = f"/admin/surveys/surveyround/{published.pk}/change/"
    html = client.get(url).content.decode()
    controls = _controls(html)
    assert "uses_toolkit" not in controls and "toolkit_version" not in controls
    assert "Uses the self-assessment toolkit" in html and str(version) in html  # to read
    data = form_data(html, form_with="name")
    data.update({"toolkit_version": "", "uses_toolkit": ""})  # a crafted post changes nothing
    client.post(url, as_post(data))
    published.refresh_from_db()
    assert published.uses_toolkit and published.toolkit_version == version
    assert published.state == RoundState.PUBLISHED


def test_the_workflow_takes_the_latest_approved_version_unless_given_one(
    reviewer, approved_then_draft
):
    approved, draft = approved_then_draft
    dates = {"opens_on": datetime.date(2027, 1, 1), "closes_on": datetime.date(2027, 3, 31)}
    default = workflow.open_round(name="A", slug="a", by=reviewer, uses_toolkit=True, **dates)
    assert default.toolkit_version == approved
    chosen = workflow.open_round(
        name="B", slug="b", by=reviewer, uses_toolkit=True, toolkit_version=draft, **dates
    )
    assert chosen.toolkit_version == draft
    without = workflow.open_round(name="C", slug="c", by=reviewer, toolkit_version=draft, **dates)
    assert not without.uses_toolkit and without.toolkit_version is None


def test_the_command_opens_a_toolkit_round(capsys, approved_then_draft):
    approved, draft = approved_then_draft
    args = ["--opens", "2027-01-01", "--closes", "2027-03-31"]
    call_command("open_round", "--slug", "a", "--name", "A", "--toolkit", *args)
    assert f"uses the self-assessment toolkit, {approved}" in capsys.readouterr().out
    assert SurveyRound.objects.get(slug="a").toolkit_version == approved
    call_command(
        "open_round", "--slug", "b", "--name", "B", "--toolkit",
        "--toolkit-version", str(draft.number), *args,
    )  # fmt: skip
    assert SurveyRound.objects.get(slug="b").toolkit_version == draft
    call_command("open_round", "--slug", "c", "--name", "C", *args)
    assert not SurveyRound.objects.get(slug="c").uses_toolkit
    with pytest.raises(CommandError, match="no toolkit version 99"):
        call_command(
            "open_round", "--slug", "d", "--name", "D", "--toolkit", "--toolkit-version", "99",
            *args,
        )  # fmt: skip
    assert not SurveyRound.objects.filter(slug="d").exists()


def _section_11(scoping_return):
    return {
        "levels": sorted(
            (r.area_id, r.level_id, r.evidence, r.next_step, r.target_date)
            for r in SelfAssessment.objects.filter(scoping_return=scoping_return)
        ),
        "benefits": sorted(
            (r.text, r.themes) for r in Benefit.objects.filter(scoping_return=scoping_return)
        ),
        "barriers": sorted(
            (r.text, r.themes) for r in Barrier.objects.filter(scoping_return=scoping_return)
        ),
    }


def test_a_toolkit_round_carries_section_11_over_from_the_last_accepted_return(
    camden, lead, reviewer
):
    first = SurveyRoundFactory(name="First", slug="first", toolkit=True)
    old = complete_return(borough=camden, survey_round=first)
    for number, row in enumerate(old.self_assessments.order_by("area__order")):
        row.level_id = ["not-started", "planning", "implementing", "embedded"][number % 4]
        row.evidence = f"Evidence {number}"
        row.next_step = f"Next step {number}"
        row.target_date = datetime.date(2027, 1 + number, 1)
        row.save()
    Benefit.objects.create(scoping_return=old, text="Fewer referrals", themes="integration")
    Barrier.objects.create(
        scoping_return=old, text="No shared record", themes="communication,access"
    )
    submitted = workflow.submit(scoping_return=old, by=lead, notify=False)
    workflow.accept(scoping_return=submitted, by=reviewer, notify=False)
    close_and_publish(first, reviewer)

    second = workflow.open_round(
        name="Second", slug="second", opens_on=datetime.date(2028, 1, 1),
        closes_on=datetime.date(2028, 3, 31), previous=first, by=reviewer, uses_toolkit=True,
    )  # fmt: skip
    carried = ScopingReturn.objects.get(survey_round=second, borough=camden)
    assert carried.carried_from == first
    then, now = _section_11(old), _section_11(carried)
    assert len(now["levels"]) == len(versions.areas())
    assert {level for _, level, *_ in now["levels"]} == {
        "not-started",
        "planning",
        "implementing",
        "embedded",
    }
    assert now == then
    assert now["barriers"] == [("No shared record", "communication,access")]
