"""`/healthz` for the load balancer: 200 while the database and the cache answer, 503 naming
the one that does not; over plain HTTP, for any Host, with no session and no database write."""

import socket

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    """What production sets that a load balancer's probe would otherwise trip over."""
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["pcmh.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    return settings


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz_answers_ok_with_no_session_and_no_write(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]


def test_healthz_answers_plain_http_for_a_host_not_allowed(client, production):
    # The probe comes by the server's own address, over plain HTTP: any other page is refused.
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    assert client.get("/", HTTP_HOST="pcmh.example.org").status_code == 301  # to HTTPS
    for path in ("/healthz", "/healthz/"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
        assert response.content == b"ok\n"
    assert client.head("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200


def test_healthz_answers_503_naming_the_database_when_it_is_unreachable(
    client, production, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 503
    assert response.content == b"unavailable: database\n"
    assert response["Retry-After"]


def test_healthz_answers_503_naming_the_cache_when_redis_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable: cache\n"
