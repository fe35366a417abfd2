"""Every named route, requested by every kind of user, answers exactly what the table in
tests/helpers/authorisation_matrix.py says."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from surveys.models import ReturnComment, ScopingReturn
from tests.helpers import authorisation_matrix
from tests.helpers.authorisation_matrix import (
    EXPECTED,
    LOGIN,
    NOPE,
    NOT_ALLOWED,
    PERSONAS,
    POST_EXPECTED,
    client_for,
    routes,
    url_for,
)

pytestmark = pytest.mark.django_db

world = authorisation_matrix.world  # the users and objects the routes are asked about, a fixture


def _fingerprint():
    """What a GET must never change: rows and versions of everything users can edit."""
    from django.contrib.auth import get_user_model

    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"surveys", "boroughs", "auth", "otp_totp"}
    ]
    counts = tuple(m.objects.count() for m in models)
    versions = tuple(ScopingReturn.objects.order_by("pk").values_list("version", "state"))
    passwords = tuple(get_user_model().objects.order_by("pk").values_list("password", flat=True))
    return counts, versions, passwords


def _to_sign_in(response) -> bool:
    # The admin's logout sends an anonymous user to the admin index, which asks to sign in.
    return "login" in response["Location"] or response["Location"] == reverse("admin:index")


def test_every_route_has_an_entry():
    listed = {name.partition("@")[0] for name in EXPECTED}
    assert sorted(set(routes()) - listed) == [], "routes without an entry in EXPECTED"
    assert sorted(listed - set(routes())) == [], "entries for routes that no longer exist"


def test_every_route_answers_every_user_as_the_table_says(world):
    before = _fingerprint()
    clients = {persona: client_for(persona, world) for persona in PERSONAS}
    wrong = []
    for name, expected in EXPECTED.items():
        url = url_for(name, routes()[name.partition("@")[0]], world)
        for persona, code in zip(PERSONAS, expected, strict=True):
            response = clients[persona].get(url)
            if response.status_code != code:
                wrong.append(f"{name} as {persona}: {response.status_code}, expected {code}")
            elif code == LOGIN and persona == "anonymous" and not _to_sign_in(response):
                wrong.append(f"{name} as anonymous redirects to {response['Location']}")
    assert wrong == []
    assert _fingerprint() == before, "a GET changed data"


def test_every_post_only_route_answers_every_user_as_the_table_says(world):
    post_only = {name for name, codes in EXPECTED.items() if NOT_ALLOWED in codes}
    assert set(POST_EXPECTED) == post_only, "POST-only routes without an entry in POST_EXPECTED"
    wrong = []
    for name, expected in POST_EXPECTED.items():
        url = url_for(name, routes()[name], world)
        for persona, code in zip(PERSONAS, expected, strict=True):
            response = client_for(persona, world).post(url, {"text": "x", "comment-text": "x"})
            if response.status_code != code:
                wrong.append(f"POST {name} as {persona}: {response.status_code}, expected {code}")
            elif persona == "anonymous" and "logout" not in name and not _to_sign_in(response):
                wrong.append(f"POST {name} as anonymous redirects to {response['Location']}")
    assert wrong == []
    # Only those allowed wrote anything: Camden's lead on the return's page, the reviewer of all
    # London and the superuser there and in the admin.
    authors = ReturnComment.objects.filter(text="x").values_list("author__username", flat=True)
    assert sorted(authors) == [
        "admin-m",
        "admin-m",
        "lead-camden-m",
        "reviewer-all",
        "reviewer-all",
    ]


def test_every_post_needs_a_csrf_token(world):
    before = _fingerprint()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["users"]["superuser"])
    accepted = []
    for name in EXPECTED:
        if "@" in name:
            continue
        url = url_for(name, routes()[name], world)
        response = client.post(url, {"text": "x", "version": "1", "action": "accept_returns"})
        if response.status_code != NOPE or "The form had expired" not in response.text:
            accepted.append(f"{name}: {response.status_code}")
    assert accepted == []
    assert _fingerprint() == before
