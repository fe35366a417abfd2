"""One set of rules for leads, reviewers and imports: the same bad values get the same sentence
whichever way they come in, and nothing is saved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from surveys.models import CareRole, ScopingReturn
from surveys.resources import CareRoleResource, ScopingReturnResource
from tests.factories import SurveyRoundFactory, complete_return
from tests.helpers.html_forms import as_post, response_form_data
from tests.surveys.admin_helpers import csv_of, export, rows_of, upload
from toolkit.models import GuidanceArea

pytestmark = pytest.mark.django_db

# (section, the bad values as the lead's form and the admin take them, as a file has them,
#  the field the message belongs to, the message)
BAD_ANSWERS = [
    (
        "model",
        {"model_types": ["other"], "model_other": ""},
        {"model_types": "other", "model_other": ""},
        "model_other",
        "Describe the other model type",
    ),
    (
        "records",
        {"it_systems": ["emis_web", "other"], "it_systems_other": ""},
        {"it_systems": "emis_web,other", "it_systems_other": ""},
        "it_systems_other",
        "Name the other IT system",
    ),
    (
        "scope",
        {"min_age": "65", "max_age": "18"},
        {"min_age": "65", "max_age": "18"},
        "max_age",
        "The maximum age must be the same as or above the minimum age",
    ),
    (
        "service",
        {"service_name": "A\x00B"},
        {"service_name": "A\x00B"},
        "service_name",
        "Remove the invalid characters from this answer",
    ),
]


@pytest.fixture
def draft(camden):
    return complete_return(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))


def _post_changed(client, url, values, **form):
    data = response_form_data(client.get(url), **form)
    for name, value in values.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return client.post(url, as_post(data))


@pytest.mark.parametrize(("slug", "values", "cells", "field", "message"), BAD_ANSWERS)
def test_the_same_bad_answer_gets_the_same_sentence_from_form_admin_and_import(
    client, lead, superuser, draft, slug, values, cells, field, message
):
    before = list(ScopingReturn.objects.values())
    # The lead's section form.
    client.force_login(lead)
    url = reverse("surveys:section", args=["demo", "camden", slug])
    response = _post_changed(client, url, values, button="later")
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    # The admin's change form.
    client.force_login(superuser)
    url = reverse("admin:surveys_scopingreturn_change", args=[draft.pk])
    response = _post_changed(client, url, values, form_id="scopingreturn_form", button="_save")
    assert response.status_code == 200
    assert message in response.context["adminform"].form.errors[field]
    # An import of the exported file with the same values.
    rows = rows_of(export(client, "scopingreturn", ScopingReturnResource).content.decode())
    preview = upload(client, "scopingreturn", csv_of([dict(rows[0], **cells)]), "bad.csv")
    [invalid] = preview.context["result"].invalid_rows
    assert message in " ".join(invalid.error_dict[field])
    assert list(ScopingReturn.objects.values()) == before


def test_an_other_role_needs_its_name_in_the_form_the_admin_and_an_import(
    client, lead, superuser, draft
):
    message = "Name the other role"
    client.force_login(lead)
    url = reverse("surveys:section", args=["demo", "camden", "care-roles"])
    response = _post_changed(client, url, {"care_roles-0-role": "other"}, button="later")
    assert response.status_code == 200
    assert (
        f"Care role 1: {message}" in response.context["formsets"][0].forms[0].errors["role_other"]
    )
    client.force_login(superuser)
    url = reverse("admin:surveys_scopingreturn_change", args=[draft.pk])
    data = response_form_data(client.get(url), form_id="scopingreturn_form", button="_save")
    data["care_roles-TOTAL_FORMS"] = str(int(data["care_roles-TOTAL_FORMS"]) + 1)
    data["care_roles-0-role"] = "other"
    data["care_roles-0-scoping_return"] = str(draft.pk)
    response = client.post(url, as_post(data))
    assert response.status_code == 200
    inline = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "care_roles"
    )
    assert message in inline.formset.forms[0].errors["role_other"]
    CareRole.objects.create(scoping_return=draft, role="gp_lead")
    rows = rows_of(export(client, "carerole", CareRoleResource).content.decode())
    preview = upload(
        client, "carerole", csv_of([dict(rows[0], role="other", role_other="")]), "bad.csv"
    )
    [invalid] = preview.context["result"].invalid_rows
    assert message in " ".join(invalid.error_dict["role_other"])
    assert list(CareRole.objects.values_list("role", flat=True)) == ["gp_lead"]


def test_every_database_check_says_in_words_what_is_wrong():
    from django.apps import apps
    from django.db.models import CheckConstraint

    for model in apps.get_app_config("surveys").get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint):
                said = constraint.get_violation_error_message()
                assert "violated" not in said and "Constraint" not in said, constraint.name


# A value that breaks each hand-written restated constraint (the ones made from a field's length
# or answer set are broken with a text one character too long, or an answer not listed).
BREAKS = {
    "return_min_age_range": {"min_age": Decimal("-1")},
    "return_max_age_range": {"max_age": Decimal("121")},
    "return_min_age_not_above_max": {"min_age": Decimal("65"), "max_age": Decimal("18")},
    "care_role_wte_range": {"wte": Decimal("1000")},
    "funding_amount_not_negative": {"amount": Decimal("-1")},
}


def _instance(model, scoping_return, user):
    """A valid instance of `model` (so that an error can only come from the broken value)."""
    if model is ScopingReturn:
        return ScopingReturn.objects.get(pk=scoping_return.pk)
    valid = {
        "CareRole": {"role": "psychologist"},
        "Contact": {"name": "Dr A Lead"},
        "OutcomeMeasure": {"name": "PHQ-9"},
        "DataQualityNote": {"field": "status", "narrative": "n", "appendix": "a", "note": "x"},
        "ReturnComment": {"author": user, "text": "A comment"},
        "AnswerQuery": {"field": "status", "about": "Service status", "text": "Why?"},
        "SelfAssessment": {"area": GuidanceArea.objects.first()},
        "Benefit": {"text": "Care closer to home", "themes": "access"},
        "Barrier": {"text": "No rooms in practices", "themes": "care-environment"},
    }.get(model.__name__, {})
    instance = model(scoping_return=scoping_return, **valid)
    instance.full_clean()
    return instance


def test_every_constraint_that_full_clean_skips_is_refused_by_python_validation(draft, lead):
    """`full_clean` leaves the RestatedConstraints to the database (a query each per row
    imported): each must be broken only in ways that field validation or the rules refuse."""
    from django.apps import apps
    from django.core.exceptions import ValidationError

    from surveys.constraints import RestatedConstraint
    from surveys.rules import FollowsRules

    checked = 0
    for model in apps.get_app_config("surveys").get_models():
        if not issubclass(model, FollowsRules):
            continue  # its full_clean checks every constraint in the database
        for constraint in model._meta.constraints:
            if not isinstance(constraint, RestatedConstraint):
                continue
            instance = _instance(model, draft, lead)
            if constraint.name in BREAKS:
                values = BREAKS[constraint.name]
            else:
                name = constraint.name.removeprefix(f"{model._meta.db_table}_").rsplit("_", 1)[0]
                field = model._meta.get_field(name)
                values = {name: "x" * (field.max_length + 1) if field.max_length else "bogus"}
                if constraint.name.endswith("_valid"):
                    values = {name: "bogus"}
            for attribute, value in values.items():
                setattr(instance, attribute, value)
            with pytest.raises(ValidationError):  # the database would refuse it ...
                constraint.validate(model, instance)
            with pytest.raises(ValidationError) as refused:  # ... and Python refuses it first
                instance.full_clean()
            assert set(refused.value.message_dict) & set(values), constraint.name
            checked += 1
    assert checked > 30
