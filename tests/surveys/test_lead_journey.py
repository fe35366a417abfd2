import pytest
from django.core import mail
from django.urls import reverse

from surveys.choices import ReturnState
from surveys.models import ReturnEvent, ScopingReturn
from tests.factories import ScopingReturnFactory, SurveyRoundFactory
from tests.helpers.error_summary import ErrorSummary

pytestmark = pytest.mark.django_db

SECTION_POSTS = {
    "service": {
        "status": "established",
        "service_name": "Primary Care Plus",
        "current_situation": "Running in all practices.",
    },
    "model": {
        "model_types": ["collaborative_care", "in_reach"],
        "service_form": "Collaborative in-reach model, step up/down care",
        "model_description": "Nurses in practices.",
    },
    "scope": {"scope": "smi_plus", "min_age": "17.5", "max_age": ""},
    "care-roles": {
        "care_roles-0-role": "mental_health_nurse",
        "care_roles-0-wte": "3",
        "care_roles-0-band": "Band 6",
    },
    "training": {"training": "yes"},
    "records": {"shared_it": "yes", "it_systems": ["emis_web"]},
    "prescribing": {
        "medicines_management": "yes",
        "depot_antipsychotics": "yes",
        "clozapine_clinic": "no",
        "lithium_clinic": "planned",
        "advice_line": "yes",
        "primary_care_pharmacist": "not_applicable",
    },
    "outcomes": {"outcome_measures": "yes", "measures-0-name": "SWEMWBS"},
    "funding": {
        "recurrent_funding": "yes",
        "funding_lines-0-amount": "350000",
        "funding_lines-0-financial_year": "2017/18",
        "funding_lines-0-recurrent": "true",
    },
    "contacts": {
        "contacts-0-name": "Dr Serena Foo",
        "contacts-0-email": "serena.foo@nhs.net",
    },
}
CHILD_PREFIXES = {
    "care-roles": ["care_roles"],
    "outcomes": ["measures"],
    "funding": ["funding_lines"],
    "contacts": ["contacts"],
}


def management(prefix, scoping_return, relation):
    initial = getattr(scoping_return, relation).count()
    return {
        f"{prefix}-TOTAL_FORMS": str(initial + 2),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }


def post_section(client, scoping_return, slug, data, *, later=False):
    scoping_return.refresh_from_db()
    payload = {"version": scoping_return.version, ("later" if later else "continue"): "1"}
    for prefix in CHILD_PREFIXES.get(slug, []):
        payload.update(management(prefix, scoping_return, prefix))
    payload.update(data)
    url = reverse(
        "surveys:section",
        args=[scoping_return.survey_round.slug, scoping_return.borough.slug, slug],
    )
    return client.post(url, payload)


@pytest.fixture
def draft(camden):
    return ScopingReturnFactory(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))


def test_a_lead_fills_every_section_over_two_sittings_and_submits(
    client, lead, draft, settings, django_capture_on_commit_callbacks
):
    settings.STEERING_GROUP_EMAIL = "steering@example.org"
    client.force_login(lead)
    for slug in ["service", "model", "scope", "care-roles"]:
        response = post_section(client, draft, slug, SECTION_POSTS[slug], later=True)
        assert response.status_code == 302, response.content.decode()[:3000]
    client.logout()

    # Second sitting: what was saved is there.
    client.force_login(lead)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert page.count("Completed") >= 4
    form = client.get(reverse("surveys:section", args=["demo", "camden", "scope"])).content
    assert b'value="17.5"' in form
    for slug in ["training", "records", "prescribing", "outcomes", "funding", "contacts"]:
        response = post_section(client, draft, slug, SECTION_POSTS[slug])
        assert response.status_code == 302, response.content.decode()[:3000]

    check = client.get(reverse("surveys:check", args=["demo", "camden"])).content.decode()
    assert "Collaborative in-reach model, step up/down care" in check
    assert "Dr Serena Foo" in check and "Before you can submit" not in check

    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("surveys:submit", args=["demo", "camden"]),
            {"version": draft.version, "declaration": "on"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:submitted", args=["demo", "camden"])
    draft.refresh_from_db()
    assert draft.state == ReturnState.SUBMITTED
    assert draft.submitted_by == lead
    assert draft.min_age == pytest.approx(17.5)
    assert draft.funding_lines.get().amount == 350000
    assert ReturnEvent.objects.filter(
        scoping_return=draft, from_state="draft", to_state="submitted", by=lead
    ).exists()
    assert draft.history.filter(history_user=lead).count() >= 10
    assert [m.to for m in mail.outbox] == [["steering@example.org"]]
    assert "Camden" in mail.outbox[0].subject


def test_submitting_an_incomplete_return_lists_what_is_missing(client, lead, draft):
    client.force_login(lead)
    post_section(client, draft, "service", SECTION_POSTS["service"])
    draft.refresh_from_db()
    response = client.post(
        reverse("surveys:submit", args=["demo", "camden"]),
        {"version": draft.version, "declaration": "on"},
    )
    assert response.status_code == 400
    summary = ErrorSummary(response.content.decode())
    assert summary.found and summary.title.startswith("Error:")
    links = {text: href for href, text in summary.links}
    for message, slug, anchor in [
        ("Select who the service is for (Scope)", "scope", "div_id_scope"),
        ("Enter the service model in one line (Model)", "model", "div_id_service_form"),
        (
            "Select whether recurrent funding has been secured (Funding)",
            "funding",
            "div_id_recurrent_funding",
        ),
        ("Add at least one contact (Contacts)", "contacts", "contacts-title"),
    ]:
        section = reverse("surveys:section", args=["demo", "camden", slug])
        assert links[message] == f"{section}?check=1#{anchor}"
    # The service section was filled in: nothing about it is in the summary.
    assert not any("(Service)" in message for message in summary.messages)
    draft.refresh_from_db()
    assert draft.state == ReturnState.DRAFT
    assert not ReturnEvent.objects.exists()


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        (
            "funding",
            {"recurrent_funding": "yes", "funding_lines-0-amount": "-5"},
            "Enter an amount of £0 or more",
        ),
        ("scope", {"scope": "smi", "min_age": "200"}, "Enter the minimum age between 0 and 120"),
        (
            "scope",
            {"scope": "smi", "min_age": "abc"},
            "Enter the minimum age as a number, for example 18 or 17.5",
        ),
        (
            "scope",
            {"scope": "smi", "min_age": "30", "max_age": "18"},
            "The maximum age must be the same as or above the minimum age",
        ),
        (
            "care-roles",
            {"care_roles-0-role": "psychologist", "care_roles-0-wte": "0.125"},
            "at most 2 decimal places",
        ),
        (
            "contacts",
            {"contacts-0-name": "A Person", "contacts-0-email": "not-an-email"},
            "Enter an e-mail address like name@nhs.net",
        ),
        ("model", {"model_types": ["other"], "service_form": "x"}, "Describe the other model type"),
        ("care-roles", {"care_roles-0-role": "other"}, "Name the other role"),
        ("training", {"training": "maybe"}, "Select one of the answers listed"),
    ],
)
def test_bad_values_are_refused_with_a_message_and_change_nothing(
    client, lead, draft, slug, data, message
):
    client.force_login(lead)
    before = draft.version
    response = post_section(client, draft, slug, data)
    assert response.status_code == 200
    summary = ErrorSummary(response.content.decode())
    assert any(message in text for _, text in summary.links)
    assert summary.broken_links() == []
    draft.refresh_from_db()
    assert draft.version == before
    assert not draft.funding_lines.exists() and not draft.care_roles.exists()
    assert not draft.contacts.exists()


def test_a_lead_cannot_choose_not_stated(client, lead, draft):
    client.force_login(lead)
    response = post_section(client, draft, "training", {"training": "not_stated"})
    assert "Select one of the answers listed" in response.content.decode()


def test_a_stale_save_is_refused_and_keeps_what_was_typed(client, lead, reviewer, draft):
    client.force_login(lead)
    opened_version = draft.version
    # Someone else saves in between.
    ScopingReturn.objects.filter(pk=draft.pk).update(
        version=opened_version + 1, service_name="Changed by reviewer", updated_by=reviewer
    )
    response = client.post(
        reverse("surveys:section", args=["demo", "camden", "service"]),
        {
            "version": opened_version,
            "status": "pilot",
            "service_name": "My typed name",
            "continue": "1",
        },
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "your changes were not saved" in html.lower()
    assert "reviewer" in html
    assert 'value="My typed name"' in html
    draft.refresh_from_db()
    assert draft.service_name == "Changed by reviewer" and draft.status == ""


def test_a_submitted_return_is_read_only_for_the_lead(client, lead, draft):
    client.force_login(lead)
    ScopingReturn.objects.filter(pk=draft.pk).update(state=ReturnState.SUBMITTED)
    response = post_section(client, draft, "service", {"status": "pilot"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ""
    page = client.get(reverse("surveys:section", args=["demo", "camden", "service"]))
    assert b"cannot be changed" in page.content and b"Save and continue" not in page.content


def test_a_closed_round_is_read_only_for_leads(client, lead, draft):
    draft.survey_round.state = "closed"
    draft.survey_round.save()
    client.force_login(lead)
    post_section(client, draft, "service", {"status": "pilot"})
    draft.refresh_from_db()
    assert draft.status == ""
    page = client.get(draft.get_absolute_url()).content.decode()
    assert "is closed" in page


def test_changes_requested_shows_the_comment_and_can_be_resubmitted(
    client, lead, reviewer, camden, django_capture_on_commit_callbacks
):
    from surveys import workflow
    from tests.factories import complete_return

    scoping_return = complete_return(borough=camden)
    workflow.submit(scoping_return=scoping_return, by=lead)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(
            scoping_return=scoping_return, by=reviewer, comment="Please add the WTE of each role."
        )
    assert mail.outbox[-1].to == [lead.email]
    client.force_login(lead)
    page = client.get(scoping_return.get_absolute_url()).content.decode()
    assert "asked for changes" in page and "Please add the WTE of each role." in page
    response = post_section(client, scoping_return, "service", {"status": "pilot"})
    assert response.status_code == 302
    scoping_return.refresh_from_db()
    client.post(
        reverse("surveys:submit", args=[scoping_return.survey_round.slug, "camden"]),
        {"version": scoping_return.version, "declaration": "on"},
    )
    scoping_return.refresh_from_db()
    assert scoping_return.state == ReturnState.SUBMITTED
    assert list(scoping_return.events.values_list("to_state", flat=True)) == [
        "submitted",
        "changes_requested",
        "submitted",
    ]


def test_your_returns_lists_each_round_with_state_and_closing_date(client, lead, draft):
    client.force_login(lead)
    html = client.get(reverse("surveys:your_returns")).content.decode()
    assert "Camden" in html and draft.survey_round.name in html and "Draft" in html
    assert draft.survey_round.closes_on.strftime("%-d %B %Y") in html
