"""Hostile query strings on every route, and hostile ids and fields on the admin's history,
autocomplete and import-confirmation endpoints: a page or a 4xx, never a server error. On
PostgreSQL (CI) this also proves that no NUL reaches the database."""

import pytest
from django.test import Client
from django.urls import reverse

from reports.queries.report import CHOICE_FIELDS
from tests.helpers import authorisation_matrix
from tests.helpers.authorisation_matrix import EXPECTED, routes, url_for

pytestmark = pytest.mark.django_db

world = authorisation_matrix.world

# Every parameter a page of ours or of the admin reads, and the names of the borough list's
# filters (a question each).
PARAMETERS = [
    *CHOICE_FIELDS, "q", "p", "o", "e", "all", "page", "stp", "round", "role", "it_system",
    "model_type", "check", "from", "next", "term", "app_label", "model_name", "field_name",
    "_changelist_filters", "_popup", "_to_field", "format", "survey_round__id__exact",
    "borough__stp__id__exact", "state__exact", "id__in", "borough__id__exact", "borough",
    "question", "aim", "min_age", "max_age",
]  # fmt: skip
# One of each kind: a NUL, a negative and an overflowing number, nothing, markup and SQL (one
# string: both are text that is not a number), a very long value, a control of bidirectional
# text with an emoji, a list with a word in it (not a number either, where one is read).
VALUES = [
    "\x00", "-1", "99999999999999999999999", "",
    "<script>alert(1)</script>'; DROP TABLE surveys_scopingreturn; --", "x" * 5000, "\u202e💥",
    "1,2,abc",
]  # fmt: skip


def _get(client, url, **params):
    response = client.get(url, params)
    return response.status_code


@pytest.fixture
def staff(world):
    clients = {}
    for persona in ("lead_a", "limited", "superuser"):  # the limited one: lists filtered by STP
        client = Client(raise_request_exception=False)
        client.force_login(world["users"][persona])
        clients[persona] = client
    return clients


def test_every_route_answers_hostile_query_strings_without_a_server_error(world, staff):
    errors = []
    for name in EXPECTED:
        route = name.partition("@")[0]
        url = url_for(name, routes()[route], world)
        for persona, client in staff.items():
            for value in VALUES:
                status = _get(client, url, **dict.fromkeys(PARAMETERS, value))
                if status >= 500 or ("\x00" in value and status != 400):
                    errors.append((name, persona, repr(value[:20]), status))
    assert errors == [], "\n".join(map(str, sorted(set(errors))))


@pytest.mark.parametrize(
    "model", ["scopingreturn", "carerole", "surveyround", "contact", "fundingline"]
)
@pytest.mark.parametrize("bad", ["abc", "-1", "1.5", "99999999999999999999999", "%00", "0x1"])
def test_the_admins_history_pages_answer_ids_that_cannot_be_404(world, staff, model, bad):
    obj = world["objects"][f"surveys.{model}"]
    client = staff["superuser"]
    history = f"/admin/surveys/{model}/{bad}/history/"
    version = f"/admin/surveys/{model}/{obj.pk}/history/{bad}/"
    assert _get(client, history) in (400, 404)
    assert _get(client, version) in (400, 404)


def test_a_limited_reviewer_cannot_tell_another_stps_record_from_a_missing_one(world, staff):
    limited = staff["limited"]
    for model in ("scopingreturn", "carerole", "contact", "fundingline", "outcomemeasure"):
        obj = world["objects"][f"surveys.{model}"]  # Camden's: outside South West London
        latest = obj.history.latest("history_id").pk
        for url in (
            f"/admin/surveys/{model}/{obj.pk}/history/",
            f"/admin/surveys/{model}/{obj.pk}/history/{latest}/",
        ):
            assert _get(limited, url) == 404, url
        assert _get(limited, f"/admin/surveys/{model}/987654/history/") == 404
        # The change page sends both to the index ("does not exist. Perhaps it was deleted?").
        hidden = limited.get(f"/admin/surveys/{model}/{obj.pk}/change/")
        missing = limited.get(f"/admin/surveys/{model}/987654/change/")
        assert (hidden.status_code, hidden["Location"]) == (302, missing["Location"])
    from django.contrib.contenttypes.models import ContentType

    scoping_return = world["objects"]["surveys.scopingreturn"]
    content_type = ContentType.objects.get_for_model(scoping_return).pk
    view_on_site = reverse("admin:view_on_site", args=[content_type, scoping_return.pk])
    assert _get(limited, view_on_site) == 404
    assert _get(limited, reverse("admin:view_on_site", args=[content_type, 987654])) == 404
    assert _get(limited, reverse("admin:view_on_site", args=[99999, 1])) == 404
    # The reviewer of all London is sent to the return's page.
    everyone = Client()
    everyone.force_login(world["users"]["reviewer"])
    response = everyone.get(view_on_site)
    assert response.status_code == 302 and response["Location"].endswith(
        scoping_return.get_absolute_url()
    )


@pytest.mark.parametrize("term", ["\x00", "a\x00", "x" * 5000, "%", "'"])
def test_the_admin_autocomplete_answers_any_term(world, staff, term):
    params = {
        "term": term,
        "app_label": "surveys",
        "model_name": "scopingreturn",
        "field_name": "borough",
    }
    status = _get(staff["superuser"], reverse("admin:autocomplete"), **params)
    assert status < 500 and (status == 400 if "\x00" in term else True)
