import pytest
from django.db import OperationalError
from django.test import RequestFactory

from pcmh import views

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_404_in_the_sites_layout(client):
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and "Skip to main content" in html and "PCMH Returns" in html


def test_a_form_without_its_csrf_token_is_403_in_the_sites_layout(lead):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(lead)
    response = client.post("/returns/demo/camden/submit/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "The form had expired" in html and "Skip to main content" in html


def test_server_error_page_needs_no_database():
    request = RequestFactory().get("/")
    response = views.server_error(request)
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.content


def test_a_database_failure_answers_503_not_500():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = views.server_error(request)
    assert response.status_code == 503
    assert b"Sorry, the service is unavailable" in response.content


def test_bad_request_is_400_in_the_sites_layout(rf):
    response = views.bad_request(rf.get("/"))
    assert response.status_code == 400 and b"Bad request" in response.content
