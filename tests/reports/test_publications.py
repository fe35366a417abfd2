"""A published report is frozen: a return reopened and corrected after publishing changes no
page or download of it until the steering group publishes a correction; then the report shows
the correction's notice, and the earlier version stays readable in full."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys import workflow
from surveys.models import Publication, ScopingReturn
from tests.helpers.html_forms import as_post, response_form_data

pytestmark = pytest.mark.django_db

PAGES = [
    ("reports:summary", []),
    ("reports:stp_tables", []),
    ("reports:map", []),
    ("reports:boroughs", []),
    ("reports:borough", ["camden"]),
    ("reports:report", []),
    ("reports:data_quality", []),
    ("reports:tables_csv", []),
    ("reports:summary_json", []),
    ("reports:data_csv", ["returns"]),
    ("reports:data_csv", ["care_roles"]),
]


def _normalised(response) -> str:
    """The response's body without what differs between two requests of the same page."""
    assert response.status_code == 200, response
    streamed = getattr(response, "streaming_content", None)
    body = (b"".join(streamed) if streamed is not None else response.content).decode()
    body = re.sub(r'nonce="[^"]*"', "", body)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", body)


def _everything(client, query=""):
    return {
        (name, *args): _normalised(client.get(reverse(name, args=["2017", *args]) + query))
        for name, args in PAGES
    }


def _figures(client, query=""):
    """summary.json without the keys that name the version read."""
    data = client.get(reverse("reports:summary_json", args=["2017"]) + query).json()
    return {key: value for key, value in data.items() if key not in ("version", "corrections")}


def test_the_2017_round_is_published_as_version_1_with_its_own_copy_of_every_return(
    round_2017,
):
    publication = Publication.objects.get(survey_round=round_2017)
    assert publication.version == 1
    copies = ScopingReturn.all_rows.filter(publication=publication)
    live = ScopingReturn.objects.in_round(round_2017)
    assert copies.count() == live.count() == 32
    # A copy is a copy: the same answers, none of the live rows' ids.
    assert set(copies.values_list("borough_id", "status", "recurrent_funding")) == set(
        live.values_list("borough_id", "status", "recurrent_funding")
    )
    assert not set(copies.values_list("pk", flat=True)) & set(live.values_list("pk", flat=True))


def test_a_return_corrected_after_publishing_changes_nothing_until_a_correction_is_published(
    client, round_2017, reviewer
):
    before = _everything(client)
    figures_before = _figures(client)

    accepted, was, now = _corrected_camden(round_2017, reviewer)
    assert accepted.recurrent_funding == now and accepted.state == "accepted"
    assert _everything(client) == before

    publication = workflow.publish_correction(
        survey_round=round_2017, by=reviewer, note="Camden's recurrent funding corrected"
    )
    assert publication.version == 2
    data = client.get(reverse("reports:summary_json", args=["2017"])).json()
    assert data["version"] == 2
    assert data["corrections"] == [
        {
            "version": 2,
            "published_on": timezone.localdate().isoformat(),
            "note": "Camden's recurrent funding corrected",
        }
    ]
    # The correction is counted: one borough moved from its old answer to the new one.
    funding_before, funding_now = figures_before["recurrent_funding"], data["recurrent_funding"]
    assert funding_now[now] == funding_before[now] + 1
    assert funding_now[was] == funding_before[was] - 1
    summary = client.get(reverse("reports:summary", args=["2017"])).content.decode()
    date = timezone.localdate().strftime("%-d %B %Y")
    assert f"Corrected on {date}:</strong>" in summary
    assert "Camden&#x27;s recurrent funding corrected" in summary
    assert "?version=1" in summary  # the earlier version, linked

    # Version 1, readable in full: the figures and the tables as first published.
    assert _figures(client, "?version=1") == figures_before
    old = client.get(reverse("reports:tables_csv", args=["2017"]) + "?version=1")
    assert _normalised(old) == before[("reports:tables_csv",)]
    old_summary = client.get(reverse("reports:summary", args=["2017"]) + "?version=1")
    assert "You are reading version 1 of this report" in old_summary.content.decode()
    assert "read the current version" in old_summary.content.decode()
    old_json = client.get(reverse("reports:summary_json", args=["2017"]) + "?version=1").json()
    assert old_json["version"] == 1 and old_json["corrections"] == []


def _corrected_camden(round_2017, reviewer):
    camden = ScopingReturn.objects.get(survey_round=round_2017, borough__slug="camden")
    was = camden.recurrent_funding
    now = "no" if was == "yes" else "yes"
    reopened = workflow.reopen(
        scoping_return=camden, by=reviewer, reason="Funding was misread", notify=False
    )
    changed = workflow.save_changes(
        scoping_return=reopened,
        version=reopened.version,
        by=reviewer,
        fields={"recurrent_funding": now},
        reason="Funding was misread",
    )
    workflow.submit(scoping_return=changed, by=reviewer, notify=False)
    accepted = workflow.accept(
        scoping_return=ScopingReturn.objects.get(pk=camden.pk), by=reviewer, notify=False
    )
    return accepted, was, now


@pytest.mark.parametrize("version", ["2", "0", "x", "1; DROP TABLE", "9" * 40, "-1"])
def test_a_version_never_published_is_a_page_that_does_not_exist(client, round_2017, version):
    for name in ("reports:summary", "reports:summary_json", "reports:tables_csv"):
        response = client.get(reverse(name, args=["2017"]), {"version": version})
        assert response.status_code == 404


def test_a_correction_is_refused_with_nothing_changed_without_a_note_and_while_reopened(
    round_2017, reviewer
):
    with pytest.raises(workflow.WorkflowError, match="nothing to correct"):
        workflow.publish_correction(survey_round=round_2017, by=reviewer, note="Nothing")
    camden = ScopingReturn.objects.get(survey_round=round_2017, borough__slug="camden")
    workflow.reopen(scoping_return=camden, by=reviewer, reason="Check", notify=False)
    with pytest.raises(workflow.WorkflowError, match="Camden"):
        workflow.publish_correction(survey_round=round_2017, by=reviewer, note="Camden")
    with pytest.raises(workflow.WorkflowError, match="Say what the correction changes"):
        workflow.publish_correction(survey_round=round_2017, by=reviewer, note="  ")
    assert Publication.objects.filter(survey_round=round_2017).count() == 1


def test_the_steering_group_publishes_a_correction_from_the_rounds_admin(
    client, round_2017, superuser, reviewer
):
    _corrected_camden(round_2017, reviewer)
    client.force_login(superuser)
    url = reverse("admin:surveys_surveyround_correct", args=[round_2017.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Returns changed since version 1 was published" in text and "Camden" in text
    empty = client.post(url, as_post(response_form_data(page, form_with="note")))
    assert empty.status_code == 200
    assert "Say what the correction changes" in empty.content.decode()
    assert Publication.objects.filter(survey_round=round_2017).count() == 1
    data = response_form_data(page, form_with="note")
    data["note"] = "Camden's funding corrected"
    done = client.post(url, as_post(data), follow=True)
    assert "Published version 2 of 2017 pan-London scoping" in done.content.decode()
    assert Publication.objects.get(survey_round=round_2017, version=2).note == (
        "Camden's funding corrected"
    )
    # The round's page offers the step once published.
    change = client.get(reverse("admin:surveys_surveyround_change", args=[round_2017.pk]))
    assert "Publish a correction" in change.content.decode()


def test_summary_json_of_an_open_round_has_no_version(client, reviewer, round_2017):
    from tests.factories import SurveyRoundFactory

    open_round = SurveyRoundFactory()
    client.force_login(reviewer)
    data = json.loads(client.get(reverse("reports:summary_json", args=[open_round.slug])).content)
    assert data["version"] is None and data["corrections"] == []
