"""Section 11, "Self-assessment", as a lead meets it: in a round that uses the toolkit only,
every guidance area with the four levels' descriptors as the radios' hints, and no submission
without a level for every area, the error summary naming each one missing."""

import csv
import datetime
import html
import io
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from surveys import workflow
from surveys.choices import ReturnState
from surveys.models import Barrier, Benefit, ScopingReturn, SelfAssessment
from surveys.resources import BarrierResource, BenefitResource, SelfAssessmentResource
from surveys.sections import FIELD_NAMES
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return
from tests.helpers.error_summary import ErrorSummary
from tests.helpers.html_forms import as_post, form_data, response_form_data
from tests.surveys.admin_helpers import confirm_import, export, upload
from toolkit import versions
from toolkit.choices import Theme
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


# Section 11 keeps what it was given: saved unchanged as a browser would, nothing changes.

SECTION_11_ROWS = {"self_assessments": SelfAssessment, "benefits": Benefit, "barriers": Barrier}
ROW_OF = {model: relation for relation, model in SECTION_11_ROWS.items()}


def _section_11(scoping_return) -> dict:
    """The return's answers and every Section 11 row, field by field, with its history. (The
    return's version is not among them: every save claims the next, as in every section, so
    that two people saving at once cannot both win: surveys.workflow.save_changes.)"""
    fresh = ScopingReturn.objects.get(pk=scoping_return.pk)
    return {
        "answers": {name: getattr(fresh, name) for name in FIELD_NAMES},
        **{
            relation: [
                {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
                for row in model.objects.filter(scoping_return=fresh).order_by("pk")
            ]
            for relation, model in SECTION_11_ROWS.items()
        },
        "history": {
            relation: model.history.filter(scoping_return_id=fresh.pk).count()
            for relation, model in SECTION_11_ROWS.items()
        },
    }


@pytest.fixture
def varied_return(toolkit_return):
    """Every level, an area without one (evidence only), line breaks, dates, and themes
    stored in an order other than the one offered."""
    rows = list(toolkit_return.self_assessments.order_by("area__order"))
    levels = ["not-started", "planning", "implementing", "embedded", None]
    for number, row in enumerate(rows):
        row.level_id = levels[number % len(levels)]
        row.evidence = f"Audit {number}\nand a survey" if number % 2 else ""
        row.next_step = f"Step {number}" if number % 3 else ""
        row.target_date = datetime.date(2027, 1 + number, 28) if number % 3 else None
        row.save()
    Benefit.objects.create(
        scoping_return=toolkit_return, text="Fewer referrals", themes="workforce,integration"
    )
    Barrier.objects.create(scoping_return=toolkit_return, text="No shared record", themes="access")
    return toolkit_return


def test_saving_section_11_unchanged_changes_nothing(client, lead, varied_return):
    client.force_login(lead)
    url = _section_url(varied_return)
    before = _section_11(varied_return)
    assert any(row["level_id"] is None for row in before["self_assessments"])
    for button in ("later", "continue"):
        data = form_data(client.get(url).content.decode(), button=button)
        response = client.post(url, as_post(data))
        assert response.status_code == 302, button
        assert _section_11(varied_return) == before, button


def test_saving_the_admin_change_form_of_a_toolkit_return_unchanged_changes_nothing(
    client, superuser, varied_return
):
    # The return's admin page with Section 11's inlines (levels, benefits, barriers), posted
    # as the browser would send it.
    client.force_login(superuser)
    url = reverse("admin:surveys_scopingreturn_change", args=[varied_return.pk])
    before = _section_11(varied_return)
    page = client.get(url)
    assert page.status_code == 200
    data = response_form_data(page, form_id="scopingreturn_form", button="_save")
    assert any(key.startswith("self_assessments-") for key in data)
    assert any(key.startswith("benefits-") for key in data)
    response = client.post(url, as_post(data))
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    assert _section_11(varied_return) == before


def test_a_benefit_and_a_barrier_added_with_themes_are_shown_again_ticked(
    client, lead, toolkit_return
):
    client.force_login(lead)
    url = _section_url(toolkit_return)
    data = form_data(client.get(url).content.decode(), button="later")
    chosen = {
        "benefits": (f"Quicker access for {toolkit_return.borough}", ["access", "workforce"]),
        "barriers": ("Funding ends in March", [Theme.SUSTAINABILITY, Theme.SERVICE_CAPACITY]),
    }
    for relation, (text, themes) in chosen.items():
        index = int(data[f"{relation}-INITIAL_FORMS"])  # the empty row the page offers
        data[f"{relation}-{index}-text"] = text
        data.setlist(f"{relation}-{index}-themes", [str(t) for t in themes])
    assert client.post(url, as_post(data)).status_code == 302

    shown = form_data(client.get(url).content.decode())
    for relation, (text, themes) in chosen.items():
        saved = SECTION_11_ROWS[relation].objects.get(scoping_return=toolkit_return)
        assert saved.text == text and saved.themes == ",".join(themes)
        assert shown[f"{relation}-0-text"] == text
        # Ticked, in the order the page offers the themes.
        offered = [t for t in Theme.values if t in themes]
        assert shown.getlist(f"{relation}-0-themes") == offered, relation
        assert shown[f"{relation}-0-id"] == str(saved.pk)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("target_date", "2027-02-31", "Enter the target date as a real date"),
        ("target_date", "next spring", "Enter the target date as a real date"),
        ("level", "excellent", "Select one of the levels listed"),
    ],
)
def test_a_bad_date_or_an_unknown_level_is_refused_and_changes_nothing(
    client, lead, varied_return, field, value, message
):
    client.force_login(lead)
    url = _section_url(varied_return)
    before = _section_11(varied_return)
    data = form_data(client.get(url).content.decode(), button="later")
    area = versions.areas()[1]
    prefix = next(k for k, v in data.items() if k.endswith("-area") and v == area.slug)[
        : -len("area")
    ]
    data[prefix + "evidence"] = "Changed, but refused with the bad value"
    data[prefix + field] = value
    response = client.post(url, as_post(data))
    assert response.status_code == 200
    summary = ErrorSummary(response.content.decode())
    assert any(item.startswith(f"{area.name}: {message}") for item in summary.items), summary.items
    assert _section_11(varied_return) == before


# Section 11 on check answers and the printable copy, in the data dictionary, and exported then
# imported again through the admin.


def test_check_answers_and_the_printable_copy_show_section_11(client, lead, varied_return):
    client.force_login(lead)
    args = [varied_return.survey_round.slug, varied_return.borough.slug]
    rows = {r.area_id: r for r in varied_return.self_assessments.select_related("level")}
    for url in (reverse("surveys:check", args=args), reverse("reports:return_copy", args=args)):
        page = client.get(url)
        assert page.status_code == 200, url
        text = _words(page.content.decode())
        assert "Self-assessment" in text, url
        for area in versions.areas():
            row = rows[area.slug]
            shown = f"{area.name} {row.level.name if row.level else 'No level chosen'}"
            assert shown in text, (url, area.slug)
            if row.evidence:
                assert f"Evidence: {row.evidence.replace(chr(10), ' ')}" in text, url
            if row.next_step:
                assert f"Next step: {row.next_step} (by {row.target_date:%-d %B %Y})" in text
        for model in (Benefit, Barrier):
            for statement in model.objects.filter(scoping_return=varied_return):
                assert f"{statement.text} ({', '.join(statement.theme_labels)})" in text, url


def _words(page: str) -> str:
    words = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(re.sub(r"\s+", " ", words))


def test_the_data_dictionary_describes_every_column_of_section_11s_files(
    client, lead, reviewer, varied_return
):
    varied_return.self_assessments.filter(level=None).update(level="planning")  # to submit
    submitted = workflow.submit(scoping_return=varied_return, by=lead, notify=False)
    workflow.accept(scoping_return=submitted, by=reviewer, notify=False)
    survey_round = close_and_publish(varied_return.survey_round, reviewer)
    response = client.get(reverse("reports:data_dictionary", args=[survey_round.slug]))
    dictionary = list(csv.DictReader(io.StringIO(b"".join(response).decode("utf-8-sig"))))
    described = {(row["file"], row["column"]): row for row in dictionary}
    relations = {"self_assessments": SelfAssessment, "benefits": Benefit, "barriers": Barrier}
    for name, model in relations.items():
        response = client.get(reverse("reports:data_csv", args=[survey_round.slug, name]))
        lines = list(csv.DictReader(io.StringIO(b"".join(response).decode("utf-8-sig"))))
        assert len(lines) == model.objects.filter(scoping_return=varied_return).count(), name
        for column in lines[0]:
            row = described.get((f"{name}.csv", column))
            assert row and row["meaning"] and row["type"], (name, column)
        if name == "self_assessments":
            saved = {r.area_id: r for r in varied_return.self_assessments.all()}
            assert {line["area"]: line["level"] for line in lines} == {
                area: row.level_id or "" for area, row in saved.items()
            }
            assert "slug" in described[(f"{name}.csv", "level")]["allowed_values"]
            assert described[(f"{name}.csv", "target_date")]["type"] == "date (ISO 8601)"
        else:
            allowed = described[(f"{name}.csv", "themes")]["allowed_values"]
            assert all(code in allowed for code in Theme.values), name
            assert {line["themes"] for line in lines} == {
                r.themes for r in model.objects.filter(scoping_return=varied_return)
            }


SECTION_11_RESOURCES = [
    ("selfassessment", SelfAssessmentResource, SelfAssessment),
    ("benefit", BenefitResource, Benefit),
    ("barrier", BarrierResource, Barrier),
]


@pytest.mark.parametrize(("model_name", "resource", "model"), SECTION_11_RESOURCES)
def test_section_11_exported_then_imported_again_comes_back_as_it_was(
    client, reviewer, varied_return, model_name, resource, model
):
    client.force_login(reviewer)
    before = _section_11(varied_return)[ROW_OF[model]]
    exported = export(client, model_name, resource)
    assert exported.status_code == 200
    preview = upload(client, model_name, exported.content, "rows.csv")
    assert {row.import_type for row in preview.context["result"].valid_rows()} == {"skip"}

    # Changed since the export: every row's values, and one row removed.
    rows = model.objects.filter(scoping_return=varied_return).order_by("pk")
    if model is SelfAssessment:
        rows.update(level=None, evidence="Changed", next_step="Changed", target_date=None)
    else:
        rows.update(themes="integration")
        rows.last().delete()
    preview = upload(client, model_name, exported.content, "rows.csv")
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert confirm_import(client, model_name, preview).status_code == 302
    after = _section_11(varied_return)[ROW_OF[model]]
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    as_was = sorted(tuple(row[f] for f in fields) for row in before)
    assert sorted(tuple(row[f] for f in fields) for row in after) == as_was
