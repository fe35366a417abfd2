"""Password reset e-mails are throttled per address asked for and per client, and the page
says the same whatever happened: sent, no such account, or throttled."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db
DONE = "If an account has that address, we have sent it a link"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def ask(email, address="192.0.2.1"):
    response = Client(REMOTE_ADDR=address).post(
        "/accounts/password/reset/", {"email": email}, follow=True
    )
    assert response.status_code == 200 and DONE in response.content.decode()
    return response


def test_one_address_gets_at_most_three_e_mails_an_hour(lead, settings):
    for n in range(5):
        ask(lead.email, address=f"192.0.2.{n + 1}")  # from anywhere
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT == 3
    assert {m.to[0] for m in mail.outbox} == {lead.email}


def test_one_client_can_ask_only_so_often_for_any_addresses(lead, settings):
    for n in range(settings.PASSWORD_RESET_LIMIT_PER_CLIENT):
        ask(f"nobody{n}@example.org")
    ask(lead.email)  # the eleventh request from that client: nothing is sent
    assert mail.outbox == []
    ask(lead.email, address="198.51.100.3")  # the lead, from elsewhere
    assert len(mail.outbox) == 1


def test_the_page_tells_nothing(lead):
    pages = [ask("nobody@example.org"), *(ask(lead.email) for _ in range(5))]
    texts = {p.content.decode().replace(lead.email, "").split("<main", 1)[-1] for p in pages}
    assert len(texts) == 1
