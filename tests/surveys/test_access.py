import pytest
from django.urls import reverse

from surveys.models import ScopingReturn
from tests.factories import ScopingReturnFactory, SurveyRoundFactory

pytestmark = pytest.mark.django_db

RETURN_URLS = [
    ("surveys:return", []),
    ("surveys:check", []),
    ("surveys:submitted", []),
    ("surveys:section", ["service"]),
    ("surveys:section", ["contacts"]),
]
POST_URLS = ["surveys:submit", "surveys:comment", "surveys:start"]


@pytest.fixture
def camden_return(camden):
    return ScopingReturnFactory(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))


@pytest.mark.parametrize(("name", "extra"), RETURN_URLS)
def test_a_lead_cannot_open_another_boroughs_return(client, other_lead, camden_return, name, extra):
    client.force_login(other_lead)
    assert client.get(reverse(name, args=["demo", "camden", *extra])).status_code == 404


@pytest.mark.parametrize("name", POST_URLS)
def test_a_lead_cannot_post_to_another_boroughs_return(client, other_lead, camden_return, name):
    client.force_login(other_lead)
    before = ScopingReturn.objects.get(pk=camden_return.pk).version
    response = client.post(reverse(name, args=["demo", "camden"]), {"text": "x", "version": 1})
    assert response.status_code == 404
    assert ScopingReturn.objects.get(pk=camden_return.pk).version == before
    assert not camden_return.comments.exists()


def test_a_lead_cannot_save_a_section_of_another_borough(client, other_lead, camden_return):
    client.force_login(other_lead)
    response = client.post(
        reverse("surveys:section", args=["demo", "camden", "service"]),
        {"version": camden_return.version, "status": "pilot"},
    )
    assert response.status_code == 404
    camden_return.refresh_from_db()
    assert camden_return.status == ""


@pytest.mark.parametrize(("name", "extra"), RETURN_URLS)
def test_an_anonymous_user_is_sent_to_sign_in(client, camden_return, name, extra):
    url = reverse(name, args=["demo", "camden", *extra])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_unknown_section_or_round_is_404(client, lead, camden_return):
    client.force_login(lead)
    assert client.get(reverse("surveys:section", args=["demo", "camden", "x"])).status_code == 404
    assert client.get(reverse("surveys:return", args=["nope", "camden"])).status_code == 404


def test_get_never_changes_data_and_post_needs_csrf(lead, camden_return):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(lead)
    response = strict.post(
        reverse("surveys:section", args=["demo", "camden", "service"]),
        {"version": camden_return.version, "status": "pilot"},
    )
    assert response.status_code == 403
    assert strict.get(reverse("surveys:submit", args=["demo", "camden"])).status_code == 405
    camden_return.refresh_from_db()
    assert camden_return.status == "" and camden_return.state == "draft"


def test_a_lead_starts_a_return_for_an_open_round(client, lead, camden):
    SurveyRoundFactory(slug="new")
    client.force_login(lead)
    response = client.post(reverse("surveys:start", args=["new", "camden"]))
    assert response.status_code == 302
    assert ScopingReturn.objects.filter(survey_round__slug="new", borough=camden).count() == 1
    client.post(reverse("surveys:start", args=["new", "camden"]))
    assert ScopingReturn.objects.filter(survey_round__slug="new", borough=camden).count() == 1
