"""A care role says whether it is in post, and whether its whole-time equivalent is approximate:
the lead's form, the admin and an import keep both, and refuse an approximate WTE without one."""

from decimal import Decimal

import pytest
import tablib
from django.urls import reverse

from reports.exports import EXPORT_FILES
from surveys.choices import PostStatus
from surveys.models import CareRole
from surveys.resources import CareRoleResource
from tests.factories import SurveyRoundFactory, complete_return
from tests.helpers.html_forms import as_post, response_form_data
from tests.surveys.admin_helpers import csv_of, export, rows_of, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(camden):
    return complete_return(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))


def _care_roles_url():
    return reverse("surveys:section", args=["demo", "camden", "care-roles"])


def test_a_lead_says_a_role_is_planned_with_an_approximate_wte(client, lead, draft):
    CareRole.objects.filter(scoping_return=draft).delete()
    client.force_login(lead)
    data = response_form_data(client.get(_care_roles_url()), button="later")
    # A new row is offered as "Not stated", so that an empty row stays empty.
    assert data["care_roles-0-post_status"] == PostStatus.NOT_STATED
    data.update(
        {
            "care_roles-0-role": "psychiatrist",
            "care_roles-0-post_status": "planned",
            "care_roles-0-wte": "45",
            "care_roles-0-wte_approximate": "on",
        }
    )
    assert client.post(_care_roles_url(), as_post(data)).status_code == 302
    role = CareRole.objects.get(scoping_return=draft)
    assert (role.role, role.post_status, role.wte, role.wte_approximate) == (
        "psychiatrist",
        "planned",
        Decimal("45"),
        True,
    )
    assert role.get_role_display() == "Psychiatrist (grade not stated)"


def test_an_approximate_wte_needs_a_wte_in_the_form_and_an_import(client, lead, superuser, draft):
    message = "Enter the whole-time equivalent that is approximate, or untick approximate"
    CareRole.objects.filter(scoping_return=draft).delete()
    client.force_login(lead)
    data = response_form_data(client.get(_care_roles_url()), button="later")
    data.update({"care_roles-0-role": "gp_lead", "care_roles-0-wte_approximate": "on"})
    response = client.post(_care_roles_url(), as_post(data))
    assert response.status_code == 200
    errors = response.context["formsets"][0].forms[0].errors["wte_approximate"]
    assert f"Care role 1: {message}" in errors
    assert not CareRole.objects.filter(scoping_return=draft).exists()

    client.force_login(superuser)
    CareRole.objects.create(scoping_return=draft, role="gp_lead")
    rows = rows_of(export(client, "carerole", CareRoleResource).content.decode())
    preview = upload(
        client, "carerole", csv_of([dict(rows[0], wte="", wte_approximate="yes")]), "bad.csv"
    )
    [invalid] = preview.context["result"].invalid_rows
    assert message in " ".join(invalid.error_dict["wte_approximate"])


def test_the_care_roles_file_has_post_status_and_wte_approximate_after_notes(
    client, superuser, draft
):
    CareRole.objects.filter(scoping_return=draft).delete()
    CareRole.objects.create(
        scoping_return=draft, role="other", role_other="Talking therapist", wte=45,
        wte_approximate=True, post_status="in_post", notes="approximately 45 WTE",
    )  # fmt: skip
    header = EXPORT_FILES["care_roles"].header
    assert header[header.index("notes") + 1 :] == ["post_status", "wte_approximate"]
    client.force_login(superuser)
    [row] = rows_of(export(client, "carerole", CareRoleResource).content.decode())
    assert list(row)[-3:] == ["notes", "post_status", "wte_approximate"]
    assert (row["post_status"], row["wte_approximate"]) == ("in_post", "yes")


@pytest.mark.parametrize(
    ("cells", "status", "approximate"),
    [
        ({"post_status": "Planned or proposed", "wte_approximate": "no"}, "planned", False),
        ({"post_status": "in_post", "wte_approximate": "yes"}, "in_post", True),
        ({"post_status": "", "wte_approximate": ""}, "not_stated", False),
    ],
)
def test_an_import_reads_the_post_status_and_the_approximate_flag(
    client, superuser, draft, cells, status, approximate
):
    CareRole.objects.filter(scoping_return=draft).delete()
    CareRole.objects.create(scoping_return=draft, role="gp_lead", wte=2)
    client.force_login(superuser)
    rows = rows_of(export(client, "carerole", CareRoleResource).content.decode())
    result = CareRoleResource().import_data(
        tablib.Dataset().load(csv_of([dict(rows[0], **cells)]), format="csv"),
        dry_run=False,
        user=superuser,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    role = CareRole.objects.get(scoping_return=draft)
    assert (role.post_status, role.wte_approximate) == (status, approximate)
