"""Every answer the models hold is in the catalogue, and so in the import, the data dictionary
and the admin: listed from the models' own fields, independently of the catalogue."""

import pytest
from django.contrib import admin

from reports.exports import EXPORT_FILES, dictionary_rows
from surveys.models import CareRole, Contact, FundingLine, OutcomeMeasure, ScopingReturn
from surveys.resources import (
    CareRoleResource,
    ContactResource,
    FundingLineResource,
    OutcomeMeasureResource,
    ScopingReturnResource,
)
from surveys.sections import FIELD_NAMES, SECTIONS

# What a return holds besides its answers: the workflow's and the register's.
BOOKKEEPING = {
    "id", "survey_round", "borough", "state", "version", "created_at", "updated_at",
    "updated_by", "submitted_at", "submitted_by", "accepted_at", "accepted_by", "sections_saved",
}  # fmt: skip
CHILDREN = {  # relation, import resource, export file
    CareRole: ("care_roles", CareRoleResource, "care_roles"),
    Contact: ("contacts", ContactResource, "contacts"),
    OutcomeMeasure: ("measures", OutcomeMeasureResource, "outcome_measures"),
    FundingLine: ("funding_lines", FundingLineResource, "funding_lines"),
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
