"""Who reaches the admin, and a reviewer limited to some STP footprints sees only those."""

import pytest
from django.urls import reverse

from surveys import workflow
from surveys.choices import ReturnState
from surveys.models import Contact, ReturnComment, ReturnEvent, ScopingReturn
from surveys.resources import ContactResource, ScopingReturnResource
from tests.factories import SurveyRoundFactory, close_and_publish
from tests.surveys.admin_helpers import (
    admin_url,
    confirm_action,
    export,
    run_action,
    submitted_return,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round():
    return SurveyRoundFactory(slug="demo", name="Demo round")


@pytest.fixture
def camden_return(camden, lead, survey_round):
    return submitted_return(camden, lead, survey_round=survey_round)


@pytest.fixture
def croydon_return(croydon, other_lead, survey_round, reviewer):
    scoping_return = submitted_return(croydon, other_lead, survey_round=survey_round)
    ReturnComment.objects.create(scoping_return=scoping_return, author=reviewer, text="Croydon?")
    return scoping_return


@pytest.mark.parametrize(
    "url",
    [
        lambda r: admin_url("scopingreturn_changelist").rsplit("surveys/", 1)[0],
        lambda r: admin_url("scopingreturn_changelist"),
        lambda r: admin_url("scopingreturn_change", r.pk),
        lambda r: admin_url("scopingreturn_history", r.pk),
        lambda r: admin_url("scopingreturn_import"),
        lambda r: admin_url("scopingreturn_export"),
        lambda r: admin_url("contact_changelist"),
    ],
)
def test_a_lead_cannot_reach_the_admin(client, lead, camden_return, url):
    client.force_login(lead)
    response = client.get(url(camden_return))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_lead_cannot_act_through_the_admin(client, lead, camden_return):
    client.force_login(lead)
    response = run_action(client, "accept_returns", [camden_return])
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.post(
        admin_url("scopingreturn_comment", camden_return.pk), {"comment-text": "Hello"}
    )
    assert response["Location"].startswith("/admin/login/")
    assert ScopingReturn.objects.get(pk=camden_return.pk).state == ReturnState.SUBMITTED
    assert not ReturnComment.objects.exists()


def test_a_limited_reviewer_lists_only_their_stps_returns_and_rows(
    client, limited_reviewer, reviewer, camden_return, croydon_return
):
    ReturnComment.objects.create(scoping_return=camden_return, author=reviewer, text="Camden?")
    client.force_login(limited_reviewer)
    listing = client.get(admin_url("scopingreturn_changelist"))
    assert list(listing.context["cl"].result_list) == [camden_return]
    for name, model in [
        ("contact", Contact),
        ("returnevent", ReturnEvent),
        ("returncomment", ReturnComment),
    ]:
        assert model.objects.filter(scoping_return=croydon_return).exists()
        rows = client.get(admin_url(f"{name}_changelist")).context["cl"].result_list
        assert {row.scoping_return.borough.slug for row in rows} == {"camden"}, name


def test_a_limited_reviewer_cannot_open_another_stps_return(
    client, limited_reviewer, croydon_return
):
    client.force_login(limited_reviewer)
    # The change page redirects to the admin index as for a return that does not exist.
    change = client.get(admin_url("scopingreturn_change", croydon_return.pk))
    assert change.status_code == 302 and change["Location"] == "/admin/"
    # The history views answer as for a record that does not exist (no probing of ids).
    assert client.get(admin_url("scopingreturn_history", croydon_return.pk)).status_code == 404
    record = croydon_return.history.first()
    version_url = admin_url("scopingreturn_simple_history", croydon_return.pk, record.history_id)
    assert client.get(version_url).status_code == 404
    contact = croydon_return.contacts.get()
    assert client.get(admin_url("contact_change", contact.pk)).status_code == 302
    assert client.get(admin_url("contact_history", contact.pk)).status_code == 404
    comment_url = admin_url("scopingreturn_comment", croydon_return.pk)
    assert client.post(comment_url, {"comment-text": "Hi"}).status_code == 404


def test_a_limited_reviewer_cannot_act_on_another_stps_return(
    client, limited_reviewer, camden_return, croydon_return
):
    client.force_login(limited_reviewer)
    confirm_action(client, "accept_returns", [camden_return, croydon_return])
    confirm_action(client, "request_changes", [croydon_return], text="Not yours")
    assert ScopingReturn.objects.get(pk=camden_return.pk).state == ReturnState.ACCEPTED
    assert ScopingReturn.objects.get(pk=croydon_return.pk).state == ReturnState.SUBMITTED


def test_a_limited_reviewers_export_has_only_their_stps_returns(
    client, limited_reviewer, reviewer, camden_return, croydon_return
):
    client.force_login(limited_reviewer)
    content = export(client, "scopingreturn", ScopingReturnResource).content.decode()
    assert ",camden," in content and "croydon" not in content
    contacts = export(client, "contact", ContactResource).content.decode()
    assert ",camden," in contacts and "croydon" not in contacts

    client.force_login(reviewer)
    content = export(client, "scopingreturn", ScopingReturnResource).content.decode()
    assert ",camden," in content and ",croydon," in content


def test_a_limited_reviewer_cannot_run_rounds(client, limited_reviewer, reviewer, survey_round):
    client.force_login(limited_reviewer)
    listing = client.get(admin_url("surveyround_changelist"))
    assert listing.status_code == 200
    assert listing.context["action_form"] is None


def test_a_superuser_creates_closes_and_publishes_a_round(client, superuser, survey_round):
    client.force_login(superuser)
    response = client.post(
        admin_url("surveyround_add"),
        {
            "name": "2019 follow-up",
            "slug": "2019",
            "opens_on": "2019-01-01",
            "closes_on": "2019-03-31",
            "guidance": "As in 2017.",
            "previous_round": str(survey_round.pk),
        },
    )
    assert response.status_code == 302
    new = type(survey_round).objects.get(slug="2019")
    assert new.state == "open" and new.previous_round == survey_round
    assert new.history.first().history_user == superuser

    # Closing and publishing ask first (tests/surveys/test_round_actions.py has the rest).
    url = admin_url("surveyround_changelist")
    chosen = {"_selected_action": [new.pk], "index": "0"}
    publish_early = client.post(url, {"action": "publish_rounds", **chosen, "post": "yes"})
    assert type(survey_round).objects.get(pk=new.pk).state == "open", publish_early
    asked = client.post(url, {"action": "close_rounds", **chosen})
    assert asked.status_code == 200 and new.history.first().state == "open"
    client.post(url, {"action": "close_rounds", **chosen, "post": "yes"})
    for borough in workflow.round_position(new)["unready"]:
        workflow.mark_no_return(survey_round=new, borough=borough, by=superuser, reason="None")
    client.post(url, {"action": "publish_rounds", **chosen, "post": "yes"})
    new.refresh_from_db()
    assert new.state == "published" and new.published_at is not None


def test_reopening_a_published_return_for_a_correction_leaves_the_report_as_published(
    client, reviewer, camden_return, survey_round
):
    accepted = workflow.accept(scoping_return=camden_return, by=reviewer, notify=False)
    close_and_publish(survey_round, reviewer)
    client.force_login(reviewer)
    confirm_action(client, "reopen_returns", [accepted], text="Late fix", follow=True)
    assert ScopingReturn.objects.get(pk=accepted.pk).state == ReturnState.CHANGES_REQUESTED
    summary = client.get(reverse("reports:summary_json", args=[survey_round.slug])).json()
    assert summary["counted"] == 1 and summary["version"] == 1


def test_a_limited_reviewer_sees_only_the_leads_of_their_stps(
    client, limited_reviewer, lead, other_lead
):
    client.force_login(limited_reviewer)
    listing = client.get(reverse("admin:boroughs_boroughmembership_changelist"))
    assert {m.borough.slug for m in listing.context["cl"].result_list} == {"camden"}
    croydon_membership = other_lead.borough_memberships.get()
    response = client.get(
        reverse("admin:boroughs_boroughmembership_change", args=[croydon_membership.pk])
    )
    assert response.status_code == 302  # "doesn't exist", as for any record out of reach
    assert other_lead.email not in client.get(response["Location"]).content.decode()
