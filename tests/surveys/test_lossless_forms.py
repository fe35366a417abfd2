"""Nothing a lead types is cut, refused without a word, or misread: limits, numbers, rows."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from surveys.models import CareRole, FundingLine, ScopingReturn
from tests.factories import ScopingReturnFactory, SurveyRoundFactory
from tests.helpers.error_summary import ErrorSummary
from tests.helpers.html_forms import as_post, page_forms, response_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(camden):
    return ScopingReturnFactory(survey_round=SurveyRoundFactory(), borough=camden)


def url(scoping_return, slug, query=""):
    args = [scoping_return.survey_round.slug, scoping_return.borough.slug, slug]
    return reverse("surveys:section", args=args) + query


def save(client, scoping_return, slug, button="later", query="", **values):
    """Open the section, change `values` as a person would, press `button`."""
    page = client.get(url(scoping_return, slug, query))
    data = response_form_data(page, button=button)
    for name, value in values.items():
        data[name] = value
    return client.post(url(scoping_return, slug, query), as_post(data))


def test_a_long_answer_says_its_limit_and_no_browser_cuts_it(client, lead, draft):
    client.force_login(lead)
    html = client.get(url(draft, "service")).content.decode()
    assert re.search(r"<(textarea|input)[^>]* maxlength=", html) is None
    # GOV.UK Frontend's character count: its limit said, counted as one types, never enforced.
    assert 'data-maxlength="10000"' in html
    assert "You can enter up to 10,000 characters" in html


def test_a_text_over_its_limit_is_refused_naming_the_limit_and_kept_on_screen(client, lead, draft):
    client.force_login(lead)
    typed = "x" * 10_001
    response = save(client, draft, "service", current_situation=typed)
    assert response.status_code == 200
    summary = ErrorSummary(response.content.decode())
    assert "Current situation must be 10,000 characters or fewer" in [
        item.strip() for item in summary.items
    ]
    assert typed in response.content.decode()
    assert ScopingReturn.objects.get(pk=draft.pk).current_situation == ""


def test_a_text_at_its_limit_is_saved_whole(client, lead, draft):
    client.force_login(lead)
    typed = "y" * 9_998 + "\r\nz"  # a line break counts once, as it is stored
    response = save(client, draft, "service", current_situation=typed)
    assert response.status_code == 302
    saved = ScopingReturn.objects.get(pk=draft.pk).current_situation
    assert saved == typed.replace("\r\n", "\n") and len(saved) == 10_000


@pytest.mark.parametrize("typed", ["£650,000", "650,000", "650000", " £650,000.00 "])
def test_an_amount_is_read_as_people_write_it(client, lead, draft, typed):
    client.force_login(lead)
    response = save(
        client, draft, "funding", **{"funding_lines-0-amount": typed, "recurrent_funding": "yes"}
    )
    assert response.status_code == 302
    assert FundingLine.objects.get(scoping_return=draft).amount == Decimal("650000")
    again = response_form_data(client.get(url(draft, "funding")))
    assert again["funding_lines-0-amount"] == "650,000"
    check = client.get(reverse("surveys:check", args=[draft.survey_round.slug, "camden"]))
    assert "£650,000<" in check.content.decode()


def test_pence_and_whole_time_equivalents_are_shown_as_written(client, lead, draft):
    FundingLine.objects.create(scoping_return=draft, amount=Decimal("1250.50"))
    CareRole.objects.create(scoping_return=draft, role="gp_lead", wte=Decimal("6.40"))
    draft.min_age = Decimal("120.0")
    draft.save()
    client.force_login(lead)
    assert response_form_data(client.get(url(draft, "funding")))["funding_lines-0-amount"] == (
        "1,250.50"
    )
    assert response_form_data(client.get(url(draft, "care-roles")))["care_roles-0-wte"] == "6.4"
    assert response_form_data(client.get(url(draft, "scope")))["min_age"] == "120"
    check = client.get(reverse("surveys:check", args=[draft.survey_round.slug, "camden"]))
    html = check.content.decode()
    assert "£1,250.50<" in html and ">6.4<" in html and ">120<" in html
    assert "6.40" not in html and "1.2E+2" not in html


def test_a_child_rows_error_names_its_row(client, lead, draft):
    CareRole.objects.create(scoping_return=draft, role="gp_lead")
    client.force_login(lead)
    response = save(
        client,
        draft,
        "care-roles",
        **{"care_roles-1-role": "psychologist", "care_roles-1-wte": "half"},
    )
    assert response.status_code == 200
    message = "Care role 2: Enter the whole-time equivalent as a number, for example 1 or 0.5"
    summary = ErrorSummary(response.content.decode())
    assert message in [item.strip() for item in summary.items]
    assert ("#id_care_roles-1-wte", message) in summary.links
    row = re.search(
        r'<fieldset[^>]*id="care_roles-1".*?</fieldset>', response.content.decode(), re.S
    )
    assert "<legend" in row.group(0) and "Care role 2" in row.group(0)
    assert message in row.group(0)


@pytest.mark.parametrize("query", ["?from=check", "?check=1"])
def test_a_section_opened_from_check_answers_goes_back_there(client, lead, draft, query):
    client.force_login(lead)
    check_url = reverse("surveys:check", args=[draft.survey_round.slug, "camden"])
    if query == "?from=check":
        assert url(draft, "service", query) in client.get(check_url).content.decode()
    response = save(client, draft, "service", button="continue", query=query, status="pilot")
    assert response.status_code == 302 and response.url == check_url
    # Opened from the task list, it goes on to the next section.
    response = save(client, draft, "service", button="continue", status="pilot")
    assert response.url == url(draft, "model")


def test_check_answers_links_each_missing_answer_to_its_question_and_label(client, lead, draft):
    client.force_login(lead)
    check_url = reverse("surveys:check", args=[draft.survey_round.slug, "camden"])
    html = client.get(check_url).content.decode()
    href = url(draft, "service", "?check=1#div_id_status")
    assert href in html
    target = client.get(url(draft, "service", "?check=1")).content.decode()
    wrapper = re.search(r'<div id="div_id_status".*?</fieldset>', target, re.S).group(0)
    assert "<legend" in wrapper and "What is the status of your PCMH service?" in wrapper


def _rows(response, prefix):
    return re.findall(
        rf'<fieldset[^>]*id="{prefix}-(\d+)"[^>]*>\s*<legend[^>]*>([^<]*)<',
        (response.content.decode()),
    )


def test_a_section_with_rows_always_offers_one_empty_row(client, lead, draft):
    client.force_login(lead)
    response = client.get(url(draft, "care-roles"))
    assert _rows(response, "care_roles") == [("0", "Care role 1")]
    CareRole.objects.create(scoping_return=draft, role="gp_lead")
    response = client.get(url(draft, "care-roles"))
    assert [legend for _, legend in _rows(response, "care_roles")] == ["Care role 1", "Care role 2"]
    assert '<option value="" selected>Choose a role</option>' in response.content.decode()


def test_add_another_adds_one_row_keeping_what_was_typed_and_saves_nothing(client, lead, draft):
    client.force_login(lead)
    page = client.get(url(draft, "care-roles"))
    data = response_form_data(page, button="add")
    assert data["add"] == "care_roles"
    data["care_roles-0-role"] = "psychologist"
    data["care_roles-0-band"] = "Band 7"
    response = client.post(url(draft, "care-roles"), as_post(data))
    assert response.status_code == 200
    assert [legend for _, legend in _rows(response, "care_roles")] == ["Care role 1", "Care role 2"]
    again = response_form_data(response, button="later")
    assert again["care_roles-0-band"] == "Band 7"
    assert not CareRole.objects.exists()
    assert "There is a problem" not in response.content.decode()
    # Then saved, both typed rows are kept.
    again["care_roles-1-role"] = "pharmacist"
    assert client.post(url(draft, "care-roles"), as_post(again)).status_code == 302
    assert sorted(CareRole.objects.values_list("role", flat=True)) == ["pharmacist", "psychologist"]


def test_remove_takes_out_a_new_row_and_marks_a_saved_one(client, lead, draft):
    saved = CareRole.objects.create(scoping_return=draft, role="gp_lead")
    client.force_login(lead)
    data = response_form_data(client.get(url(draft, "care-roles")), button="add")
    data["care_roles-1-role"] = "psychologist"
    with_three = client.post(url(draft, "care-roles"), as_post(data))
    data = response_form_data(with_three)
    data["care_roles-2-role"] = "pharmacist"
    data["remove"] = "care_roles-1"  # the new psychologist row
    response = client.post(url(draft, "care-roles"), as_post(data))
    assert [legend for _, legend in _rows(response, "care_roles")] == ["Care role 1", "Care role 2"]
    kept = response_form_data(response)
    assert kept["care_roles-1-role"] == "pharmacist"
    # The saved row: marked, then removed when the section is saved.
    kept["remove"] = "care_roles-0"
    marked = client.post(url(draft, "care-roles"), as_post(kept))
    assert "Care role 1 will be removed when you save this section." in marked.content.decode()
    assert CareRole.objects.filter(pk=saved.pk).exists()
    response = client.post(
        url(draft, "care-roles"), as_post(response_form_data(marked, button="later"))
    )
    assert response.status_code == 302
    assert list(CareRole.objects.values_list("role", flat=True)) == ["pharmacist"]


def test_a_removed_row_can_be_kept(client, lead, draft):
    CareRole.objects.create(scoping_return=draft, role="gp_lead", band="Band 8a")
    client.force_login(lead)
    data = response_form_data(client.get(url(draft, "care-roles")))
    data["remove"] = "care_roles-0"
    marked = client.post(url(draft, "care-roles"), as_post(data))
    data = response_form_data(marked)
    data["restore"] = "care_roles-0"
    restored = client.post(url(draft, "care-roles"), as_post(data))
    assert "will be removed" not in restored.content.decode()
    response = client.post(
        url(draft, "care-roles"), as_post(response_form_data(restored, button="later"))
    )
    assert response.status_code == 302
    assert list(CareRole.objects.values_list("band", flat=True)) == ["Band 8a"]


@pytest.mark.parametrize(
    "field,value",
    [("add", "contacts"), ("add", "x"), ("remove", "care_roles-99"), ("remove", "care_roles-x")],
)
def test_a_row_button_that_names_no_row_of_the_page_changes_nothing(
    client, lead, draft, field, value
):
    client.force_login(lead)
    data = response_form_data(client.get(url(draft, "care-roles")))
    data[field] = value
    response = client.post(url(draft, "care-roles"), as_post(data))
    assert response.status_code == 200
    assert [legend for _, legend in _rows(response, "care_roles")] == ["Care role 1"]
    assert not CareRole.objects.exists()


def test_enter_in_a_field_saves_rather_than_removing_a_row(client, lead, draft):
    client.force_login(lead)
    form = [
        f for f in page_forms(client.get(url(draft, "care-roles")).content.decode()) if f["buttons"]
    ][0]
    assert form["buttons"][0] == ("continue", "1")  # the form's default button


def test_signing_out_says_so(client, lead):
    client.force_login(lead)
    response = client.post(reverse("logout"), follow=True)
    assert "You have been signed out." in response.content.decode()


def test_the_home_page_gives_each_published_rounds_date(client, round_2017, lead):
    for user in (None, lead):
        if user:
            client.force_login(user)
        html = client.get("/").content.decode()
        published = round_2017.published_at.strftime("%-d %B %Y")
        assert f"(published {published})" in html
