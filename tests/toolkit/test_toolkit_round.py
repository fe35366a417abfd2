"""The toolkit as a setting of the round: the steering group's page that opens a round, the
workflow and `manage.py open_round --toolkit` record whether the round uses the toolkit and
which version; the round's page shows both, fixed once it is published; and a toolkit round
opened after another carries each borough's Section 11 over from its last accepted return."""

import datetime
import html
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from boroughs.models import Borough
from surveys import workflow
from surveys.choices import RoundState
from surveys.models import (
    AnswerQuery,
    Barrier,
    Benefit,
    ScopingReturn,
    SelfAssessment,
    SurveyRound,
)
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


# The review page: Section 11 per guidance area, last round's next step beside this round's
# level, a query on one area's level, and the benefits and barriers with their themes.


def _words(html_text: str) -> str:
    words = re.sub(r"<[^>]+>", " ", html_text)
    return html.unescape(re.sub(r"\s+", " ", words)).strip()


def _area_row(page: str, slug: str) -> str:
    found = re.search(rf'<tr id="area-{slug}">(.*?)</tr>', page, re.S)
    assert found, slug
    return found.group(1)


@pytest.fixture
def carried_return(camden, lead, reviewer):
    """Camden's return in a second toolkit round, carried over from its accepted first, whose
    next steps were planned; a level changed since in one area."""
    first = SurveyRoundFactory(name="First", slug="first", toolkit=True)
    old = complete_return(borough=camden, survey_round=first)
    for number, row in enumerate(old.self_assessments.order_by("area__order")):
        row.level_id = "planning"
        row.evidence = f"Evidence {number}"
        row.next_step = f"Plan {number} for {row.area_id}" if number % 2 else ""
        row.target_date = datetime.date(2027, 6, 1 + number)
        row.save()
    submitted = workflow.submit(scoping_return=old, by=lead, notify=False)
    workflow.accept(scoping_return=submitted, by=reviewer, notify=False)
    close_and_publish(first, reviewer)
    today = datetime.date.today()
    second = workflow.open_round(
        name="Second", slug="second", opens_on=today, closes_on=today + datetime.timedelta(30),
        previous=first, by=reviewer, uses_toolkit=True,
    )  # fmt: skip
    carried = ScopingReturn.objects.get(survey_round=second, borough=camden)
    moved = carried.self_assessments.get(area__order=versions.areas()[1].order)
    moved.level_id = "embedded"
    moved.save()
    Benefit.objects.create(scoping_return=carried, text="Fewer A&E visits", themes="access")
    Barrier.objects.create(
        scoping_return=carried, text="Short-term money", themes="sustainability,workforce"
    )
    return carried


def test_the_review_page_shows_each_area_with_last_rounds_next_step_beside_its_level(
    client, reviewer, carried_return
):
    client.force_login(reviewer)
    page = client.get(workflow.review_url(carried_return)).content.decode()
    then = {
        r.area_id: r
        for r in SelfAssessment.objects.filter(
            scoping_return__survey_round__slug="first",
            scoping_return__borough=carried_return.borough,
        )
    }
    now = {r.area_id: r for r in carried_return.self_assessments.select_related("level")}
    assert len(now) == len(versions.areas())
    for area in versions.areas():
        row = _words(_area_row(page, area.slug))
        mine = now[area.slug]
        assert row.startswith(area.name), area.slug
        for shown in (mine.level.name, mine.evidence, f"{mine.target_date:%-d %B %Y}"):
            assert shown in row, (area.slug, shown)
        planned = then[area.slug].next_step
        if planned:
            assert f"planned: {planned}; now: {mine.level.name.lower()}" in row, area.slug
        else:
            assert "No next step was planned in First" in row, area.slug
    moved = versions.areas()[1]
    assert f"planned: {then[moved.slug].next_step}; now: embedded" in _words(
        _area_row(page, moved.slug)
    )


def test_the_review_page_lists_the_benefits_and_barriers_with_their_themes(
    client, reviewer, carried_return
):
    client.force_login(reviewer)
    page = client.get(workflow.review_url(carried_return)).content.decode()
    for relation in ("benefits", "barriers"):
        table = re.search(rf'<table id="rows-{relation}">(.*?)</table>', page, re.S)
        assert table, relation
        words = _words(table.group(1))
        for row in getattr(carried_return, relation).all():
            assert row.text in words
            assert ", ".join(row.theme_labels) in words  # labels, not the stored codes
            if "," in row.themes:
                assert row.themes not in words


def test_a_query_raised_on_one_areas_level_is_shown_beside_it_and_to_the_lead(
    client, reviewer, lead, carried_return
):
    area = versions.areas()[1]
    row = carried_return.self_assessments.get(area=area)
    client.force_login(reviewer)
    url = workflow.review_url(carried_return)
    raise_url = workflow.review_url(carried_return, "_query", on=f"self_assessments.{row.pk}")
    assert raise_url.replace("&", "&amp;") in _area_row(client.get(url).content.decode(), area.slug)
    form = _words(client.get(raise_url).content.decode())
    assert f"Raise a query on Guidance area 2: {area.name}: Embedded" in form
    assert client.post(raise_url, {"text": "What shows it is embedded?"}).status_code == 302
    query = AnswerQuery.objects.get(scoping_return=carried_return)
    assert (query.field, query.row_id) == ("self_assessments", row.pk)
    assert "Query: open" in _words(_area_row(client.get(url).content.decode(), area.slug))
    others = [a for a in versions.areas() if a != area]
    page = client.get(url).content.decode()
    assert all("Query:" not in _words(_area_row(page, a.slug)) for a in others)

    client.force_login(lead)
    section = client.get(
        reverse("surveys:section", args=["second", carried_return.borough.slug, "self-assessment"])
    ).content.decode()
    block = re.search(rf'id="area-{area.slug}".*?</fieldset>', section, re.S).group(0)
    assert "The steering group has a query on this guidance area" in block


def test_a_round_without_the_toolkit_has_no_section_11_to_review(client, reviewer, camden):
    scoping_return = complete_return(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))
    client.force_login(reviewer)
    page = client.get(workflow.review_url(scoping_return)).content.decode()
    assert 'id="s-contacts"' in page
    assert 'id="s-self-assessment"' not in page and 'id="rows-self_assessments"' not in page


def test_the_lead_finds_section_11_carried_over_to_check_and_confirms_it_unchanged(
    client, lead, carried_return
):
    client.force_login(lead)
    url = reverse(
        "surveys:section", args=["second", carried_return.borough.slug, "self-assessment"]
    )
    page = client.get(url).content.decode()
    assert "Carried over from First: check and update" in _words(page)
    data = form_data(page, form_with="self_assessments-TOTAL_FORMS")
    shown = {
        value: data.get(key.replace("-area", "-level"))
        for key, value in data.items()
        if key.startswith("self_assessments-") and key.endswith("-area")
    }
    assert shown == {r.area_id: r.level_id for r in carried_return.self_assessments.all()}
    confirm = form_data(page)  # the first form with the version: "No change since First"
    response = client.post(f"{url}unchanged/", as_post(confirm))
    assert response.status_code == 302
    page = _words(client.get(url).content.decode())
    assert "You confirmed this section has not changed since First" in page
