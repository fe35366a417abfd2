"""Error summaries link to the fields they are about, on the section pages and on check-answers."""

import pytest
from django import forms
from django.urls import reverse

from surveys.choices import ReturnState
from surveys.forms import FORMSETS, section_form_class
from surveys.models import ScopingReturn
from surveys.sections import SECTIONS
from tests.factories import ScopingReturnFactory, SurveyRoundFactory
from tests.helpers.error_summary import ErrorSummary

pytestmark = pytest.mark.django_db


def section_url(scoping_return, slug):
    return reverse(
        "surveys:section",
        args=[scoping_return.survey_round.slug, scoping_return.borough.slug, slug],
    )


@pytest.fixture
def draft(camden):
    return ScopingReturnFactory(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))


def submit(client, scoping_return, **data):
    scoping_return.refresh_from_db()
    return client.post(
        reverse("surveys:submit", args=["demo", "camden"]),
        {"version": scoping_return.version, **data},
    )


# What an empty return needs, in the order of the form: (section, id on its page, message).
EMPTY_RETURN_NEEDS = [
    ("service", "div_id_status", "Select the status of the service (Service)"),
    ("model", "div_id_service_form", "Enter the service model in one line (Model)"),
    ("scope", "div_id_scope", "Select who the service is for (Scope)"),
    ("training", "div_id_training", "Select whether there is regular mental health training"),
    (
        "records",
        "div_id_shared_it",
        "Select whether the service shares an IT system with general practice",
    ),
    (
        "prescribing",
        "div_id_medicines_management",
        "Select whether medicines management is done in primary care",
    ),
    (
        "prescribing",
        "div_id_depot_antipsychotics",
        "Select whether depot antipsychotics are given in primary care",
    ),
    ("prescribing", "div_id_clozapine_clinic", "Select whether there is a clozapine clinic"),
    ("prescribing", "div_id_lithium_clinic", "Select whether there is a lithium monitoring clinic"),
    ("prescribing", "div_id_advice_line", "Select whether there is a specialist advice line"),
    (
        "prescribing",
        "div_id_primary_care_pharmacist",
        "Select whether the service has a primary care pharmacist",
    ),
    (
        "outcomes",
        "div_id_outcome_measures",
        "Select whether the service has described its outcome measures",
    ),
    ("funding", "div_id_recurrent_funding", "Select whether recurrent funding has been secured"),
    ("contacts", "contacts-title", "Add at least one contact (Contacts)"),
]


def test_a_refused_submit_links_each_missing_field_to_its_question(client, lead, draft):
    client.force_login(lead)
    response = submit(client, draft, declaration="on")
    assert response.status_code == 400
    page = ErrorSummary(response.content.decode())
    assert page.found and page.focusable
    assert page.title.strip().startswith("Error:")

    expected = [
        f"{section_url(draft, slug)}?check=1#{anchor}" for slug, anchor, _ in EMPTY_RETURN_NEEDS
    ]
    summary_links = page.links[: len(expected)]
    assert [href for href, _ in summary_links] == expected
    for (_, _, message), (_, text) in zip(EMPTY_RETURN_NEEDS, summary_links, strict=True):
        assert text.startswith(message)
    # One item per missing field, each a link: not the workflow's one long sentence.
    assert len(page.items) == len(page.links) == len(expected)
    assert not any(";" in message for message in page.messages)

    # Each link lands on an element of its section's page.
    for href in expected:
        url, anchor = href.split("#")
        assert anchor in ErrorSummary(client.get(url).content.decode()).ids, href

    draft.refresh_from_db()
    assert draft.state == ReturnState.DRAFT


def test_before_you_can_submit_links_each_missing_field(client, lead, draft):
    client.force_login(lead)
    html = client.get(reverse("surveys:check", args=["demo", "camden"])).content.decode()
    page = ErrorSummary(html)
    assert not page.found and not page.title.startswith("Error:")
    before = html.split("Before you can submit", 1)[1].split("</ul>", 1)[0]
    for slug, anchor, message in EMPTY_RETURN_NEEDS:
        assert (
            f'<a class="govuk-link" href="{section_url(draft, slug)}?check=1#{anchor}">{message}'
            in before
        )


def test_a_link_from_check_answers_shows_the_question_with_its_error_beside_it(client, lead, draft):
    client.force_login(lead)
    draft.refresh_from_db()
    before = draft.version
    for slug in {slug for slug, _, _ in EMPTY_RETURN_NEEDS}:
        needs = [(anchor, message) for s, anchor, message in EMPTY_RETURN_NEEDS if s == slug]
        html = client.get(section_url(draft, slug) + "?check=1").content.decode()
        page = ErrorSummary(html)
        assert page.found and page.title.strip().startswith("Error:"), slug
        assert page.broken_links() == [], slug
        for _, message in needs:
            said = message.rsplit(" (", 1)[0] if slug != "prescribing" else message.split(" (")[0]
            assert any(text.startswith(said) for _, text in page.links), (slug, said)
            assert html.count(said) >= 2, (slug, said)  # in the summary and beside the question
    # Without ?check=1 the same page opens as usual, and nothing was saved by looking.
    assert not ErrorSummary(client.get(section_url(draft, "service")).content.decode()).found
    draft.refresh_from_db()
    assert draft.version == before


def test_the_declaration_error_is_its_own_link_beside_the_missing_fields(client, lead, draft):
    client.force_login(lead)
    response = submit(client, draft)  # not ticked
    page = ErrorSummary(response.content.decode())
    assert page.title.strip().startswith("Error:")
    assert len(page.links) == len(EMPTY_RETURN_NEEDS) + 1
    assert page.links[-1] == ("#id_declaration", "Confirm the declaration to submit the return")
    assert "id_declaration" in page.ids


def test_a_complete_return_without_the_declaration_links_only_the_declaration(client, lead, camden):
    from tests.factories import complete_return

    complete = complete_return(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))
    client.force_login(lead)
    page = ErrorSummary(submit(client, complete).content.decode())
    assert page.links == [("#id_declaration", "Confirm the declaration to submit the return")]
    assert page.broken_links() == []


def test_any_other_refusal_is_still_said_in_words(client, lead, reviewer, draft):
    client.force_login(lead)
    draft.refresh_from_db()
    opened = draft.version
    ScopingReturn.objects.filter(pk=draft.pk).update(version=opened + 1, updated_by=reviewer)
    response = client.post(
        reverse("surveys:submit", args=["demo", "camden"]),
        {"version": opened, "declaration": "on"},
    )
    page = ErrorSummary(response.content.decode())
    assert response.status_code == 400
    assert "was changed by reviewer" in page.messages[0]
    assert page.title.strip().startswith("Error:")
    # The page shows the answers as they are now, and the declaration confirms those.
    html = response.content.decode()
    assert f'name="version" value="{opened + 1}"' in html
    assert f'name="version" value="{opened}"' not in html


def _invalid(field):
    """A value `field` refuses, or None for fields that accept anything (tick boxes)."""
    if isinstance(field, forms.MultipleChoiceField):
        return ["not-an-option"]
    if isinstance(field, forms.ChoiceField):
        return "not-an-option"
    if isinstance(field, forms.DecimalField):
        return "lots"
    if isinstance(field, forms.BooleanField):
        return None
    return "text with a NUL \x00"


def _invalid_post(scoping_return, section):
    """Every field of the section's form and of each formset's first row, given a bad value."""
    data, fields = {"version": scoping_return.version, "continue": "1"}, []
    form_class = section_form_class(section.slug)
    if form_class:
        for name, field in form_class(instance=scoping_return).fields.items():
            if (value := _invalid(field)) is not None:
                data[name] = value
                fields.append(name)
    for prefix in section.children:
        data.update({f"{prefix}-TOTAL_FORMS": "2", f"{prefix}-INITIAL_FORMS": "0"})
        for name, field in FORMSETS[prefix].form.base_fields.items():
            if (value := _invalid(field)) is not None:
                data[f"{prefix}-0-{name}"] = value
                fields.append(f"{prefix}-0-{name}")
    return data, fields


# Section 11, only in a round using the toolkit, has its own in tests/toolkit.
@pytest.mark.parametrize(
    "section", [s for s in SECTIONS if not s.toolkit], ids=lambda section: section.slug
)
def test_every_error_on_a_section_page_links_to_an_element_of_the_page(
    client, lead, draft, section
):
    client.force_login(lead)
    draft.refresh_from_db()
    data, fields = _invalid_post(draft, section)
    response = client.post(section_url(draft, section.slug), data)
    assert response.status_code == 200
    page = ErrorSummary(response.content.decode())
    assert page.found and page.focusable
    assert page.title.strip().startswith("Error:")
    assert page.broken_links() == []
    # Every item is a link, and every field given a bad value has one.
    assert len(page.links) == len(page.items)
    assert len({href for href, _ in page.links}) == len(fields)
    # Radios and checkbox lists have no element with the field's id: the first option's.
    form_class = section_form_class(section.slug)
    for name, field in form_class(instance=draft).fields.items() if form_class else []:
        if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            assert f"#id_{name}_1" in dict(page.links), name


@pytest.mark.parametrize(
    ("slug", "question"),
    [
        ("service", "status"),
        ("scope", "scope"),
        ("training", "training"),
        ("model", "model_types"),
        ("records", "it_systems"),
        ("records", "shared_it"),
    ],
)
def test_an_error_on_radios_or_checkboxes_links_to_the_first_option(
    client, lead, draft, slug, question
):
    client.force_login(lead)
    draft.refresh_from_db()
    bad = ["not-an-option"] if question in {"model_types", "it_systems"} else "not-an-option"
    response = client.post(
        section_url(draft, slug), {"version": draft.version, "continue": "1", question: bad}
    )
    page = ErrorSummary(response.content.decode())
    assert [href for href, _ in page.links] == [f"#id_{question}_1"]
    assert page.broken_links() == []


def test_an_error_about_a_formset_as_a_whole_links_to_its_heading(client, lead, draft):
    client.force_login(lead)
    draft.refresh_from_db()
    response = client.post(
        section_url(draft, "contacts"),
        {
            "version": draft.version,
            "continue": "1",
            "contacts-TOTAL_FORMS": "101",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    page = ErrorSummary(response.content.decode())
    assert page.links and all(href == "#contacts-title" for href, _ in page.links)
    assert page.broken_links() == []
