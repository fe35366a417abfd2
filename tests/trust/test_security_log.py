"""No value written into the security log can end its line or add a field: every control and
line-separator character is escaped."""

import logging

import pytest
from django.urls import reverse

SEPARATORS = ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.django_db
@pytest.mark.parametrize("separator", SEPARATORS + [" ", "\t"])
def test_a_username_cannot_forge_a_second_line_or_field(client, caplog, separator):
    caplog.set_level(logging.INFO, logger="pcmh.security")
    forged = f"nobody{separator}event=login_success user=admin ip=10.0.0.1"
    client.post(reverse("login"), {"username": forged, "password": "wrong"})
    lines = [r.getMessage() for r in caplog.records if r.name == "pcmh.security"]
    failure = next(line for line in lines if line.startswith("event=login_failure"))
    assert len(failure.splitlines()) == 1
    assert not any(character in failure for character in SEPARATORS)
    fields = failure.split(" ")
    assert [f.split("=")[0] for f in fields if f] == ["event", "user", "ip", "attempted"]
    assert sum(f.startswith("event=") for f in fields) == 1
    assert "user=admin" not in fields


@pytest.mark.django_db
def test_names_read_as_typed_and_escapes_are_unambiguous(client, caplog):
    caplog.set_level(logging.INFO, logger="pcmh.security")
    client.post(reverse("login"), {"username": "Zoë back\\x0a", "password": "wrong"})
    line = next(r.getMessage() for r in caplog.records if "login_failure" in r.getMessage())
    assert line.endswith("attempted=Zoë\\x20back\\\\x0a")
