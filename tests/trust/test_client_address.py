"""The client's address behind trusted proxies (PROXY_COUNT): what django-axes locks out and
the security log records. A forged X-Forwarded-For never moves a lock-out elsewhere."""

import http.client
import logging
import re
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client, RequestFactory

from pcmh.client_ip import client_ip
from tests.http_proxy import ReverseProxy

BALANCER = "10.0.0.1"


@pytest.fixture
def barnet_lead(make_user, db):
    from boroughs.models import Borough

    return make_user("lead-barnet", boroughs=[Borough.objects.get(slug="barnet")])


def sign_in(client, password, **headers):
    data = {"username": "lead-barnet", "password": password}
    return client.post("/accounts/login/", data, **headers)


@pytest.mark.parametrize(
    ("count", "header", "expected"),
    [
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left one was written by the client
        (2, "198.51.100.1, 203.0.113.7", "198.51.100.1"),
        (2, "203.0.113.7", BALANCER),  # fewer addresses than proxies: not through them
        (1, "not-an-address", BALANCER),
        (1, "", BALANCER),
        (0, "203.0.113.7", BALANCER),  # no proxy: the header is anyone's to write
    ],
)
def test_the_client_is_the_address_the_trusted_proxies_saw(settings, count, header, expected):
    settings.PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_behind_one_proxy_failures_lock_the_user_out_only_from_their_address(
    settings, barnet_lead, password, caplog
):
    settings.PROXY_COUNT = 1
    caplog.set_level(logging.INFO, logger="pcmh.security")
    attacker = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for _ in range(6):
        response = sign_in(attacker, "wrong")
    assert response.status_code == 429
    assert sign_in(attacker, password).status_code == 429
    lead = Client(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert sign_in(lead, password).status_code == 302
    lines = [r.getMessage() for r in caplog.records]
    assert any("event=lockout" in line and "ip=203.0.113.7" in line for line in lines)
    assert any("event=login_success user=lead-barnet ip=198.51.100.9" in line for line in lines)


@pytest.mark.django_db
def test_with_no_proxy_a_forged_header_does_not_escape_the_lock_out(
    settings, barnet_lead, password
):
    settings.PROXY_COUNT = 0
    for n in range(6):
        forger = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        response = sign_in(forger, "wrong")
    assert response.status_code == 429
    forger = Client(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="203.0.113.200")
    assert sign_in(forger, password).status_code == 429


class Browser:
    """A client that speaks HTTP from one loopback address, keeping its cookies."""

    def __init__(self, port: int, source: str):
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
        )
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read().decode()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";")[0]
        connection.close()
        return response.status, content

    def sign_in(self, username, password, forged=None):
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if forged:
            headers["X-Forwarded-For"] = forged
        status, _ = self.request("POST", "/accounts/login/", urlencode(form), headers)
        return status


@pytest.mark.django_db(transaction=True)
def test_through_a_real_reverse_proxy_the_client_is_who_connected_to_it(
    settings, live_server, make_user, password, caplog
):
    from boroughs.models import Borough

    make_user("lead-barnet", boroughs=[Borough.objects.get(slug="barnet")])
    settings.PROXY_COUNT = 1
    caplog.set_level(logging.INFO, logger="pcmh.security")
    target = urlsplit(live_server.url)
    with ReverseProxy(target.hostname, target.port) as proxy:
        attacker = Browser(proxy.port, "127.0.0.5")
        for n in range(6):  # a new forged address each time: the proxy's own entry counts
            status = attacker.sign_in("lead-barnet", "wrong", forged=f"203.0.113.{n}")
        assert status == 429
        assert attacker.sign_in("lead-barnet", password, forged="198.51.100.77") == 429
        # The same user, through the same proxy from another address, signs in.
        assert Browser(proxy.port, "127.0.0.6").sign_in("lead-barnet", password) == 302
    lines = [r.getMessage() for r in caplog.records]
    assert any("event=lockout" in line and "ip=127.0.0.5" in line for line in lines)
    assert any("event=login_success user=lead-barnet ip=127.0.0.6" in line for line in lines)
    assert not any("ip=203.0.113" in line for line in lines)
