"""Every answer the models hold is in the catalogue, and so in the import, the data dictionary
and the admin: listed from the models' own fields, independently of the catalogue."""

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from reports.exports import EXPORT_FILES, dictionary_rows
from surveys.models import (
    Barrier,
    Benefit,
    CareRole,
    Contact,
    FundingLine,
    OutcomeMeasure,
    ScopingReturn,
    SelfAssessment,
)
from surveys.resources import (
    BarrierResource,
    BenefitResource,
    CareRoleResource,
    ContactResource,
    FundingLineResource,
    OutcomeMeasureResource,
    ScopingReturnResource,
    SelfAssessmentResource,
)
from surveys.sections import (
    ANSWER,
    CHOICE,
    CHOSEN_KINDS,
    CODE_LIST,
    FIELD_NAMES,
    NUMBER,
    QUESTIONS,
    SECTIONS,
    TEXT,
)
from tests.factories import ScopingReturnFactory, SurveyRoundFactory

# What a return holds besides its answers: the workflow's and the register's.
BOOKKEEPING = {
    "id", "survey_round", "borough", "state", "version", "created_at", "updated_at",
    "updated_by", "submitted_at", "submitted_by", "accepted_at", "accepted_by", "sections_saved",
    "no_return_reason",  # the steering group's record that the borough made no return
    "carried_from", "sections_unchanged",  # a round opened from an earlier one
    "extended_to", "extension_reason",  # one borough's extension
    "publication",  # a copy frozen in a published report
}  # fmt: skip
CHILDREN = {  # relation, import resource, export file
    CareRole: ("care_roles", CareRoleResource, "care_roles"),
    Contact: ("contacts", ContactResource, "contacts"),
    OutcomeMeasure: ("measures", OutcomeMeasureResource, "outcome_measures"),
    FundingLine: ("funding_lines", FundingLineResource, "funding_lines"),
    SelfAssessment: ("self_assessments", SelfAssessmentResource, "self_assessments"),
    Benefit: ("benefits", BenefitResource, "benefits"),
    Barrier: ("barriers", BarrierResource, "barriers"),
}


def answers_of(model, *skip):
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.name not in {*BOOKKEEPING, "scoping_return", *skip}
    ]


def test_every_answer_of_a_return_is_in_the_catalogue_once():
    assert sorted(FIELD_NAMES) == sorted(answers_of(ScopingReturn))
    assert len(FIELD_NAMES) == len(set(FIELD_NAMES))


def test_every_answer_is_imported_exported_and_in_the_data_dictionary():
    columns = set(ScopingReturnResource().get_export_order())
    dictionary = {(row[4], row[0]) for row in dictionary_rows()}
    for name in answers_of(ScopingReturn):
        assert name in columns, name
        assert ("returns.csv", name) in dictionary, name
    for model, (_, resource, file) in CHILDREN.items():
        exported = {c.name for c in EXPORT_FILES[file].columns}
        for name in answers_of(model):
            assert name in resource().get_export_order(), (file, name)
            assert name in exported and (f"{file}.csv", name) in dictionary, (file, name)


@pytest.mark.django_db
def test_every_answer_is_on_the_admins_return_page(rf, superuser):
    model_admin = admin.site._registry[ScopingReturn]
    request = rf.get("/")
    request.user = superuser
    shown = {
        name
        for _, options in model_admin.get_fieldsets(request)
        for entry in options["fields"]
        for name in (entry if isinstance(entry, tuple) else (entry,))
    }
    assert set(answers_of(ScopingReturn)) <= shown
    inlines = {inline.model: inline for inline in model_admin.get_inline_instances(request)}
    for model in CHILDREN:
        form = inlines[model].get_formset(request).form
        assert set(answers_of(model)) <= set(form.base_fields), model


def test_each_child_relation_belongs_to_one_section():
    relations = [relation for section in SECTIONS for relation in section.children]
    assert sorted(relations) == sorted(relation for relation, _, _ in CHILDREN.values())


# The lead's form asks the catalogue's questions; the admin, the tables and errors use the short
# label; each kind of answer gets the control made for it.
CONTROLS = {
    ANSWER: 'type="radio"',
    CHOICE: 'type="radio"',
    CODE_LIST: 'type="checkbox"',
    NUMBER: 'inputmode="decimal"',
}


def wrapper(html: str, name: str) -> str:
    """The element around a question's label (or legend), hint and control on the lead's page."""
    end = r'(?=<div id="div_id_|<h2 |<div class="d-flex)'
    match = re.search(rf'<div id="div_id_{name}".*?{end}', html, re.S)
    assert match, name
    return match.group(0)


@pytest.fixture
def draft(camden):
    return ScopingReturnFactory(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))


def test_the_leads_form_asks_each_question_with_its_hint_and_the_control_of_its_kind(
    client, lead, draft
):
    client.force_login(lead)
    for section in SECTIONS:
        if not section.questions:
            continue
        url = reverse("surveys:section", args=["demo", "camden", section.slug])
        html = client.get(url).content.decode()
        for question in section.questions:
            around = wrapper(html, question.name)
            assert escape(question.question) in around, question.name
            assert question.question.endswith("?"), question.name
            if question.hint:
                assert escape(question.hint) in around, question.name
            if question.kind in CONTROLS:
                assert CONTROLS[question.kind] in around, question.name
            else:
                assert question.kind == TEXT and ("<textarea" in around or 'type="text"' in around)


def test_the_admin_labels_each_answer_with_its_short_label(client, superuser, draft):
    client.force_login(superuser)
    html = client.get(reverse("admin:surveys_scopingreturn_change", args=[draft.pk])).content
    html = html.decode()
    for name, question in QUESTIONS.items():
        end = r'(?=<div class="form-row|</fieldset>)'
        row = re.search(rf'<div class="form-row[^"]*field-{name}\b.*?{end}', html, re.S)
        assert row, name
        assert escape(question.label) in row.group(0), name
        assert escape(question.question) not in row.group(0), name


def test_what_submitting_needs_is_said_in_the_words_of_its_kind():
    for question in QUESTIONS.values():
        if question.required:
            verb = "Select" if question.kind in CHOSEN_KINDS else "Enter"
            assert question.required.startswith(f"{verb} "), question.name
    assert {q.kind for q in QUESTIONS.values()} == {ANSWER, CHOICE, CODE_LIST, NUMBER, TEXT}
