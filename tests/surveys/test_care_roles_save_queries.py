"""Saving the care-roles section costs the same number of queries whatever its number of rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.choices import CareRoleType
from surveys.models import CareRole
from tests.factories import SurveyRoundFactory, complete_return
from tests.helpers.html_forms import as_post, response_form_data

pytestmark = pytest.mark.django_db

URL = reverse("surveys:section", args=["demo", "camden", "care-roles"])


def saved_with_changed_rows(client, draft, rows: int) -> int:
    """The queries of a save of `rows` care roles that changes one of them."""
    CareRole.objects.filter(scoping_return=draft).delete()
    roles = CareRoleType.values
    CareRole.objects.bulk_create(
        CareRole(scoping_return=draft, role=roles[i % len(roles)], wte="1.0", band="7")
        for i in range(rows)
    )
    data = response_form_data(client.get(URL), button="later")
    data["care_roles-0-wte"] = "2.5"
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, as_post(data))
    assert response.status_code == 302
    wte = sorted(CareRole.objects.filter(scoping_return=draft).values_list("wte", flat=True))
    assert wte == [Decimal("1")] * (rows - 1) + [Decimal("2.5")]
    return len(captured)


def test_a_care_roles_save_costs_the_same_queries_with_2_and_10_rows(client, lead, camden):
    draft = complete_return(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))
    client.force_login(lead)
    two = saved_with_changed_rows(client, draft, 2)
    ten = saved_with_changed_rows(client, draft, 10)
    assert ten == two
