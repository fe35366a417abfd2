"""Reviewing returns in the admin: the workflow actions, saves, the accepted lock, comments."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from surveys import workflow
from surveys.choices import ReturnState
from surveys.models import Contact, ReturnComment, ReturnEvent, ScopingReturn
from tests.factories import SurveyRoundFactory, complete_return
from tests.helpers.html_forms import as_post, response_form_data
from tests.surveys.admin_helpers import (
    admin_url,
    change_form_data,
    confirm_action,
    messages_of,
    run_action,
    submitted_return,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey_round():
    return SurveyRoundFactory(slug="demo", name="Demo round")


@pytest.fixture
def camden_submitted(camden, lead, survey_round):
    return submitted_return(camden, lead, survey_round=survey_round)


@pytest.fixture
def croydon_draft(croydon, other_lead, survey_round):
    return complete_return(borough=croydon, survey_round=survey_round)


def _state(scoping_return):
    return ScopingReturn.objects.get(pk=scoping_return.pk).state


def test_accept_moves_only_submitted_returns_and_reports_the_skipped(
    client, reviewer, lead, camden_submitted, croydon_draft, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    page = run_action(client, "accept_returns", [camden_submitted, croydon_draft])
    assert page.status_code == 200  # first, what will happen: nothing has yet
    assert page.templates[0].name == "surveys/admin_action_form.html"
    assert f"Camden, {camden_submitted.survey_round}: submitted" in page.content.decode()
    assert _state(camden_submitted) == ReturnState.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_action(client, "accept_returns", [camden_submitted, croydon_draft])
    assert response.status_code == 302
    assert _state(camden_submitted) == ReturnState.ACCEPTED
    assert _state(croydon_draft) == ReturnState.DRAFT
    event = ReturnEvent.objects.get(scoping_return=camden_submitted, to_state="accepted")
    assert event.by == reviewer and event.from_state == "submitted"
    assert not ReturnEvent.objects.filter(scoping_return=croydon_draft).exists()
    said = messages_of(response)
    assert "Accepted 1 return: Camden." in said
    assert any(
        m.startswith("Skipped Croydon") and "Only a submitted return can be accepted" in m
        for m in said
    )
    assert [m.to for m in mail.outbox] == [[lead.email]]


def test_request_changes_asks_for_a_comment_then_sends_back_and_emails_the_leads(
    client, reviewer, lead, camden_submitted, croydon_draft, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    page = run_action(client, "request_changes", [camden_submitted, croydon_draft])
    assert page.status_code == 200
    assert page.templates[0].name == "surveys/admin_action_form.html"
    assert "What needs to change" in page.content.decode()
    assert _state(camden_submitted) == ReturnState.SUBMITTED  # nothing happens before the comment

    empty = confirm_action(client, "request_changes", [camden_submitted, croydon_draft], text="   ")
    assert empty.status_code == 200 and "Say what needs to change" in empty.content.decode()
    assert _state(camden_submitted) == ReturnState.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_action(
            client,
            "request_changes",
            [camden_submitted, croydon_draft],
            text="Please give the WTE of each role.",
        )
    assert response.status_code == 302
    assert _state(camden_submitted) == ReturnState.CHANGES_REQUESTED
    assert _state(croydon_draft) == ReturnState.DRAFT
    event = ReturnEvent.objects.get(scoping_return=camden_submitted, to_state="changes_requested")
    assert event.comment == "Please give the WTE of each role." and event.by == reviewer
    said = messages_of(response)
    assert "Sent 1 return back for changes: Camden." in said
    assert any("Skipped Croydon" in m and "Changes can only be requested" in m for m in said)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [lead.email]
    assert "Please give the WTE of each role." in mail.outbox[0].body


def test_reopen_asks_for_a_reason_and_reopens_only_accepted_returns(
    client, reviewer, lead, camden_submitted, croydon, other_lead, survey_round
):
    accepted = workflow.accept(scoping_return=camden_submitted, by=reviewer, notify=False)
    croydon_submitted = submitted_return(croydon, other_lead, survey_round=survey_round)
    client.force_login(reviewer)
    page = run_action(client, "reopen_returns", [accepted, croydon_submitted])
    assert page.status_code == 200 and "Reason for reopening" in page.content.decode()

    response = confirm_action(
        client, "reopen_returns", [accepted, croydon_submitted], text="The funding is wrong."
    )
    reopened = ScopingReturn.objects.get(pk=accepted.pk)
    assert reopened.state == ReturnState.CHANGES_REQUESTED and reopened.accepted_at is None
    assert reopened.events.last().comment == "The funding is wrong."
    assert _state(croydon_submitted) == ReturnState.SUBMITTED
    said = messages_of(response)
    assert "Reopened 1 return: Camden." in said
    assert any("Skipped Croydon" in m and "Only an accepted return" in m for m in said)


def test_review_actions_need_the_review_permission(client, make_user, camden, camden_submitted):
    # Staff who may see and change Camden's return, without the review permission.
    clerk = make_user("clerk", boroughs=[camden])
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_scopingreturn", "change_scopingreturn"])
    )
    client.force_login(clerk)
    listing = client.get(admin_url("scopingreturn_changelist"))
    assert list(listing.context["cl"].result_list) == [camden_submitted]
    assert listing.context["action_form"] is None  # no action is offered
    response = run_action(client, "accept_returns", [camden_submitted])
    assert response.status_code == 200
    assert _state(camden_submitted) == ReturnState.SUBMITTED


def test_an_accepted_return_is_read_only_in_the_admin(client, reviewer, camden_submitted):
    client.force_login(reviewer)
    url = admin_url("scopingreturn_change", camden_submitted.pk)
    data = change_form_data(client.get(url))  # while it could still be changed
    accepted = workflow.accept(scoping_return=camden_submitted, by=reviewer, notify=False)

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    shown = [field for fieldset in page.context["adminform"] for line in fieldset for field in line]
    assert shown and all(field.is_readonly for field in shown)
    assert "Collaborative care, In-reach" in page.content.decode()  # labels, not codes
    assert all(
        not inline.has_add_permission and not inline.has_change_permission
        for inline in page.context["inline_admin_formsets"]
    )

    data.update({"status": "pilot", "version": str(accepted.version), "contacts-0-name": "X"})
    response = client.post(url, data)
    assert response.status_code == 403
    fresh = ScopingReturn.objects.get(pk=accepted.pk)
    assert (fresh.status, fresh.version, fresh.state) == (
        "established",
        accepted.version,
        "accepted",
    )
    assert list(fresh.contacts.values_list("name", flat=True)) == ["Dr A Lead"]


def test_an_admin_save_goes_through_the_version_check_and_is_in_the_history(
    client, reviewer, camden_submitted
):
    client.force_login(reviewer)
    url = admin_url("scopingreturn_change", camden_submitted.pk) + "?correct=1"
    data = change_form_data(client.get(url))
    assert data["version"] == str(camden_submitted.version)
    data.update({"status": "pilot", "contacts-0-email": "new.lead@nhs.net"})

    without_reason = client.post(url, data)
    assert without_reason.status_code == 200
    assert "Give the reason for the correction" in without_reason.content.decode()
    assert ScopingReturn.objects.get(pk=camden_submitted.pk).version == camden_submitted.version

    data["correction_reason"] = "The lead e-mailed the new contact's address."
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    fresh = ScopingReturn.objects.get(pk=camden_submitted.pk)
    assert fresh.status == "pilot" and fresh.version == camden_submitted.version + 1
    assert fresh.updated_by == reviewer and fresh.state == ReturnState.SUBMITTED
    assert fresh.contacts.get().email == "new.lead@nhs.net"
    latest = fresh.history.first()
    assert latest.history_user == reviewer
    assert latest.history_change_reason == (
        "Correction: The lead e-mailed the new contact's address."
    )
    assert fresh.events.get(kind="corrected").comment == data["correction_reason"]
    assert "status" in latest.diff_against(latest.prev_record).changed_fields

    history = client.get(admin_url("scopingreturn_history", fresh.pk))
    assert history.status_code == 200
    record = next(r for r in history.context["page_obj"] if r.history_id == latest.history_id)
    changes = {c["field"]: (c["old"], c["new"]) for c in record.history_delta_changes}
    assert changes["Service status"] == ("Established", "Pilot")
    contact_history = fresh.contacts.get().history.first()
    assert contact_history.history_user == reviewer


def test_a_stale_admin_save_is_refused_with_a_message_and_changes_nothing(
    client, reviewer, lead, camden, survey_round
):
    draft = complete_return(borough=camden, survey_round=survey_round)
    client.force_login(reviewer)
    url = admin_url("scopingreturn_change", draft.pk)
    data = change_form_data(client.get(url))
    # The lead saves a section while the reviewer has the page open.
    workflow.save_changes(
        scoping_return=draft, version=draft.version, by=lead, fields={"service_name": "Lead's"}
    )
    data.update({"status": "pilot", "contacts-0-name": "Reviewer's contact"})

    response = client.post(url, data)
    assert response.status_code == 200
    assert "This return was changed by lead-a" in response.content.decode()
    assert "your changes were not saved" in response.content.decode()
    fresh = ScopingReturn.objects.get(pk=draft.pk)
    assert (fresh.status, fresh.service_name) == ("established", "Lead's")
    assert fresh.version == draft.version + 1
    assert list(fresh.contacts.values_list("name", flat=True)) == ["Dr A Lead"]


def test_a_save_that_loses_the_race_after_validation_is_refused_by_the_conditional_update(
    client, reviewer, lead, camden, survey_round, monkeypatch
):
    from django import forms

    from surveys.admin import ScopingReturnAdminForm

    draft = complete_return(borough=camden, survey_round=survey_round)
    client.force_login(reviewer)
    url = admin_url("scopingreturn_change", draft.pk)
    data = change_form_data(client.get(url))
    workflow.save_changes(
        scoping_return=draft, version=draft.version, by=lead, fields={"service_name": "Lead's"}
    )
    # As if the lead saved between the form's check and the reviewer's UPDATE.
    monkeypatch.setattr(ScopingReturnAdminForm, "clean", forms.ModelForm.clean)
    data.update({"status": "pilot", "contacts-0-name": "Reviewer's contact"})

    response = client.post(url, data)
    assert response.status_code == 302
    assert any("your changes were not saved" in m for m in messages_of(response))
    fresh = ScopingReturn.objects.get(pk=draft.pk)
    assert (fresh.status, fresh.service_name) == ("established", "Lead's")
    assert list(fresh.contacts.values_list("name", flat=True)) == ["Dr A Lead"]


def test_a_change_to_a_child_row_alone_also_claims_the_version(client, reviewer, camden_submitted):
    client.force_login(reviewer)
    url = admin_url("scopingreturn_change", camden_submitted.pk) + "?correct=1"
    data = change_form_data(client.get(url))
    data["contacts-0-job_title"] = "Commissioner"
    data["correction_reason"] = "Job title confirmed by e-mail"
    assert client.post(url, data).status_code == 302
    fresh = ScopingReturn.objects.get(pk=camden_submitted.pk)
    assert fresh.version == camden_submitted.version + 1
    assert fresh.contacts.get().job_title == "Commissioner"

    stale = dict(data, **{"contacts-0-job_title": "Clinical lead"})  # the old version again
    assert client.post(url, stale).status_code == 200
    assert fresh.contacts.get().job_title == "Commissioner"


def test_state_and_version_are_never_editable(client, reviewer, camden_submitted):
    client.force_login(reviewer)
    url = admin_url("scopingreturn_change", camden_submitted.pk)
    page = client.get(url)
    form = page.context["adminform"].form
    for name in ["state", "submitted_at", "submitted_by", "accepted_at", "accepted_by"]:
        assert name not in form.fields
    assert form.fields["version"].widget.is_hidden
    data = change_form_data(page)
    data.update({"state": "accepted", "accepted_at": "2020-01-01 00:00"})
    client.post(url, data)
    assert _state(camden_submitted) == ReturnState.SUBMITTED


def test_a_reviewer_comments_from_the_change_page_and_the_leads_are_emailed(
    client, reviewer, lead, camden_submitted, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    page = client.get(admin_url("scopingreturn_change", camden_submitted.pk))
    comment_url = admin_url("scopingreturn_comment", camden_submitted.pk)
    assert f'action="{comment_url}"' in page.content.decode()
    assert client.get(comment_url).status_code == 405

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(comment_url, {"comment-text": "Is the nurse post <b>funded</b>?"})
    assert response.status_code == 302
    comment = ReturnComment.objects.get(scoping_return=camden_submitted)
    assert (comment.author, comment.text) == (reviewer, "Is the nurse post <b>funded</b>?")
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert "Is the nurse post <b>funded</b>?" in mail.outbox[0].body

    page = client.get(admin_url("scopingreturn_change", camden_submitted.pk))
    content = page.content.decode()
    assert "Is the nurse post &lt;b&gt;funded&lt;/b&gt;?" in content  # the thread, escaped
    assert "Submitted" in content and "Draft" in content  # the timeline


def test_an_empty_comment_is_refused_with_a_message(client, reviewer, camden_submitted):
    client.force_login(reviewer)
    response = client.post(
        admin_url("scopingreturn_comment", camden_submitted.pk), {"comment-text": "  "}
    )
    assert "The comment was not added" in " ".join(messages_of(response))
    assert not ReturnComment.objects.exists()


def test_the_history_page_never_reverts(client, reviewer, camden_submitted):
    client.force_login(reviewer)
    record = camden_submitted.history.last()
    url = admin_url("scopingreturn_simple_history", camden_submitted.pk, record.history_id)
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "pilot", "version": "1"})
    assert response.status_code == 403
    assert ScopingReturn.objects.get(pk=camden_submitted.pk).status == "established"


def test_child_rows_are_listed_with_their_history_but_edited_on_the_return(
    client, reviewer, camden_submitted
):
    client.force_login(reviewer)
    contact = Contact.objects.get(scoping_return=camden_submitted)
    listing = client.get(admin_url("contact_changelist"))
    assert list(listing.context["cl"].result_list) == [contact]
    assert client.get(admin_url("contact_history", contact.pk)).status_code == 200
    response = client.post(admin_url("contact_change", contact.pk), {"name": "Changed"})
    assert response.status_code == 403
    assert Contact.objects.get(pk=contact.pk).name == "Dr A Lead"


def test_the_admin_index_links_to_the_review_dashboard(client, reviewer):
    client.force_login(reviewer)
    page = client.get(admin_url("scopingreturn_changelist").split("surveys/")[0])
    assert page.status_code == 200
    assert 'href="/returns/review/"' in page.content.decode()


def test_the_change_page_follows_the_framework_with_the_child_rows_inline(
    client, reviewer, camden_submitted
):
    from surveys.sections import SECTIONS

    client.force_login(reviewer)
    page = client.get(admin_url("scopingreturn_change", camden_submitted.pk) + "?correct=1")
    fieldsets = {fieldset.name: fieldset for fieldset in page.context["adminform"]}
    for section in SECTIONS:
        if section.fields:
            shown = [f for line in fieldsets[f"{section.number}. {section.title}"] for f in line]
            assert [f.field.name for f in shown] == list(section.fields)
    inlines = [inline.opts.verbose_name_plural for inline in page.context["inline_admin_formsets"]]
    assert inlines == [
        "4. Care roles",
        "8. Outcome measures used",
        "9. Funding lines",
        "10. Contacts",
        "Data-quality notes",
    ]


def test_a_toolkit_rounds_return_has_section_11s_rows_inline(client, reviewer, croydon):
    toolkit_return = complete_return(borough=croydon, survey_round=SurveyRoundFactory(toolkit=True))
    client.force_login(reviewer)
    page = client.get(admin_url("scopingreturn_change", toolkit_return.pk) + "?correct=1")
    inlines = [inline.opts.verbose_name_plural for inline in page.context["inline_admin_formsets"]]
    assert inlines[4:7] == ["11. Guidance areas", "11. Benefits seen", "11. Barriers met"]
    levels = page.context["inline_admin_formsets"][4].formset.queryset
    assert levels.count() == toolkit_return.self_assessments.count() > 0


def test_the_list_is_searchable_by_contact_and_filterable_by_answer(
    client, reviewer, camden_submitted, croydon_draft
):
    Contact.objects.create(scoping_return=croydon_draft, name="Ms Q Quartz", email="q@nhs.net")
    client.force_login(reviewer)
    listing = admin_url("scopingreturn_changelist")
    for query, expected in [
        ("?q=quartz", [croydon_draft]),
        ("?q=q%40nhs.net", [croydon_draft]),
        ("?q=camden", [camden_submitted]),
        ("?state__exact=submitted", [camden_submitted]),
        ("?training__exact=yes", [camden_submitted, croydon_draft]),
        ("?training__exact=no", []),
    ]:
        found = list(client.get(listing + query).context["cl"].result_list)
        assert found == expected, query


def test_the_list_takes_the_same_number_of_queries_for_two_returns_or_every_borough(
    client, reviewer, survey_round
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from boroughs.models import Borough
    from tests.factories import ScopingReturnFactory

    client.force_login(reviewer)
    url = admin_url("scopingreturn_changelist")
    counts = []
    for boroughs in (Borough.objects.all()[:2], Borough.objects.all()[2:]):
        for borough in boroughs:
            ScopingReturnFactory(borough=borough, survey_round=survey_round)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))
    assert response.context["cl"].result_count == Borough.objects.count()
    assert counts[0] == counts[1]


def test_a_return_added_in_the_admin_is_started_by_the_workflow_with_its_history(
    client, superuser, camden
):
    survey_round = SurveyRoundFactory()
    client.force_login(superuser)
    url = admin_url("scopingreturn_add")
    data = response_form_data(client.get(url), form_id="scopingreturn_form", button="_save")
    data.update(
        {"survey_round": str(survey_round.pk), "borough": str(camden.pk), "status": "pilot"}
    )
    response = client.post(url, as_post(data))
    assert response.status_code == 302
    added = ScopingReturn.objects.get(survey_round=survey_round, borough=camden)
    assert added.status == "pilot" and added.state == "draft"
    record = added.history.get()
    assert record.history_user == superuser and record.history_change_reason == (
        "Added in the admin"
    )
    # The same borough and round again: refused in words, nothing added.
    again = client.post(url, as_post(data))
    assert again.status_code == 200
    assert ScopingReturn.objects.filter(survey_round=survey_round, borough=camden).count() == 1


def test_the_admin_page_carries_the_version_read_as_one_hidden_input_with_no_label(
    client, superuser, camden
):
    scoping_return = complete_return(borough=camden)
    client.force_login(superuser)
    html = client.get(admin_url("scopingreturn_change", scoping_return.pk)).content.decode()
    assert html.count('name="version"') == 1
    assert f'type="hidden" name="version" value="{scoping_return.version}"' in html
    assert 'for="id_version"' not in html


def test_a_submitted_return_is_read_on_its_admin_page_unless_an_answer_is_corrected(
    client, reviewer, camden_submitted
):
    client.force_login(reviewer)
    url = admin_url("scopingreturn_change", camden_submitted.pk)
    page = client.get(url)
    html = page.content.decode()
    assert page.context["has_change_permission"] is False
    assert 'name="status"' not in html and 'name="_save"' not in html
    for label in ["Review this return", "Accept", "Request changes", "Correct an answer"]:
        assert f">{label}</a>" in html, label
    assert f'href="{url}?correct=1"' in html

    data = change_form_data(client.get(url + "?correct=1"))
    data.update({"status": "pilot", "correction_reason": "A fix"})
    assert client.post(url, data).status_code == 403  # not correcting: nothing is saved
    assert ScopingReturn.objects.get(pk=camden_submitted.pk).version == camden_submitted.version
