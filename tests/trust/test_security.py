import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_staff_must_set_up_and_use_a_second_factor(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("surveys:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))

    setup_page = client.get(reverse("two_factor_setup"))
    assert b"Set up two-factor sign-in" in setup_page.content
    assert not TOTPDevice.objects.exists()  # nothing is stored until a code confirms it
    device = TOTPDevice(key=client.session["two_factor_key"])
    wrong = client.post(
        reverse("two_factor_setup"), {"token": "000000", "next": "/returns/review/"}
    )
    assert b"The code is not right" in wrong.content
    ok = client.post(
        reverse("two_factor_setup"), {"token": _code(device), "next": "/returns/review/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/returns/review/"
    assert TOTPDevice.objects.get(user=reviewer).confirmed
    assert client.get(reverse("surveys:dashboard")).status_code == 200

    # A new session must enter a code again.
    client.logout()
    client.force_login(reviewer)
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("two_factor_verify"))


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:x"]
)
@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_the_second_factor_never_sends_a_user_to_another_site(client, reviewer, target):
    client.force_login(reviewer)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice(key=client.session["two_factor_key"])
    response = client.post(reverse("two_factor_setup"), {"token": _code(device), "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_leads_are_not_asked_for_a_second_factor(client, lead):
    client.force_login(lead)
    assert client.get(reverse("surveys:your_returns")).status_code == 200


def test_the_second_factor_is_off_in_development_and_tests(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("surveys:dashboard")).status_code == 200


def test_logins_failures_and_lockouts_are_logged(client, lead, password, caplog):
    caplog.set_level(logging.INFO, logger="pcmh.security")
    client.post(reverse("login"), {"username": "lead-a", "password": "wrong"})
    client.post(reverse("login"), {"username": "lead-a", "password": password})
    client.logout()
    for _ in range(5):
        client.post(reverse("login"), {"username": "lead-a", "password": "wrong"})
    lines = [r.getMessage() for r in caplog.records if r.name == "pcmh.security"]
    assert any("event=login_failure" in line and "attempted=lead-a" in line for line in lines)
    assert any("event=login_success user=lead-a ip=127.0.0.1" in line for line in lines)
    assert any("event=lockout" in line for line in lines)


def test_a_staff_session_ends_when_the_browser_closes(client, reviewer, lead, password):
    client.post(reverse("login"), {"username": "reviewer", "password": password})
    assert client.session.get_expire_at_browser_close()
    client.logout()
    client.post(reverse("login"), {"username": "lead-a", "password": password})
    assert not client.session.get_expire_at_browser_close()


@pytest.fixture
def member_without_admin(make_user):
    """A steering-group member who may not open the admin (no staff flag)."""
    user = make_user("sg-member", steering=True)
    user.is_staff = False
    user.save()
    return user


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_every_steering_group_member_needs_a_second_factor_admin_or_not(
    client, member_without_admin
):
    client.force_login(member_without_admin)
    for url in [reverse("surveys:dashboard"), reverse("reports:index")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("two_factor_setup"))


def test_a_steering_group_session_ends_when_the_browser_closes_admin_or_not(
    client, member_without_admin, password
):
    client.post(reverse("login"), {"username": "sg-member", "password": password})
    assert client.session.get_expire_at_browser_close()


def test_passwords_must_be_long_and_uncommon(client, lead, password):
    client.force_login(lead)
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "password", "new_password2": "password"},
    )
    html = response.content.decode()
    assert "at least 12 characters" in html and "too common" in html


def test_production_cookies_are_secure_and_host_prefixed():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_SAMESITE, s.OTP_REQUIRED_FOR_STAFF)"
    )
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "k" * 60,
        "ALLOWED_HOSTS": "x.org",
        "SITE_URL": "https://x.org",
        "DJANGO_SETTINGS_MODULE": "pcmh.settings",
    }
    env.pop("OTP_REQUIRED_FOR_STAFF", None)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "True",
        "Lax",
        "True",
    ], result.stderr


def test_imports_and_full_exports_are_logged(client, reviewer, caplog, camden):
    from tests.factories import SurveyRoundFactory, complete_return

    round_ = SurveyRoundFactory(slug="logged")
    complete_return(borough=camden, survey_round=round_)
    caplog.set_level(logging.INFO, logger="pcmh.security")
    client.force_login(reviewer)
    response = client.get(reverse("reports:data_csv", args=["logged", "returns"]))
    b"".join(response.streaming_content)
    from surveys.resources import ScopingReturnResource
    from tests.surveys.admin_helpers import export

    assert export(client, "scopingreturn", ScopingReturnResource).status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "pcmh.security"]
    assert any("event=export user=reviewer" in line and "returns.csv" in line for line in lines)
    assert any(
        "event=export user=reviewer" in line and "model=surveys.scopingreturn" in line
        for line in lines
    )


def _security_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "pcmh.security"]


def test_workflow_transitions_and_rounds_are_logged_with_user_address_and_object(
    client, lead, reviewer, camden, caplog
):
    from surveys import workflow
    from tests.factories import SurveyRoundFactory, complete_return

    caplog.set_level(logging.INFO, logger="pcmh.security")
    scoping_return = complete_return(borough=camden, survey_round=SurveyRoundFactory(slug="lg"))
    client.force_login(lead)
    scoping_return.refresh_from_db()
    client.post(
        reverse("surveys:submit", args=["lg", "camden"]),
        {"version": scoping_return.version, "declaration": "on"},
    )
    workflow.close_round(survey_round=scoping_return.survey_round, by=reviewer)
    lines = _security_lines(caplog)
    assert any(
        line.startswith("event=workflow user=lead-a ip=127.0.0.1")
        and f"return={scoping_return.pk}" in line
        and "borough=camden" in line
        and "from=draft to=submitted" in line
        for line in lines
    ), lines
    assert any(line.startswith("event=round_closed user=reviewer") for line in lines), lines


def test_imports_refused_and_permission_denied_are_logged(client, reviewer, lead, camden, caplog):
    from surveys.models import ScopingReturn
    from surveys.resources import ScopingReturnResource
    from tests.factories import SurveyRoundFactory, complete_return
    from tests.surveys.admin_helpers import confirm_import, export, upload

    scoping_return = complete_return(borough=camden, survey_round=SurveyRoundFactory(slug="lg"))
    caplog.set_level(logging.INFO, logger="pcmh.security")
    client.force_login(reviewer)
    exported = export(client, "scopingreturn", ScopingReturnResource).content.decode()
    preview = upload(client, "scopingreturn", exported.replace(",Primary", ",New", 1), "r.csv")
    ScopingReturn.objects.filter(pk=scoping_return.pk).update(state="accepted")
    confirm_import(client, "scopingreturn", preview)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    lines = _security_lines(caplog)
    assert any(
        line.startswith("event=import_refused user=reviewer ip=127.0.0.1")
        and "model=surveys.scopingreturn" in line
        and "invalid_rows=1" in line
        for line in lines
    ), lines
    assert any(
        line.startswith("event=permission_denied user=reviewer ip=127.0.0.1")
        and "path=/admin/auth/user/" in line
        for line in lines
    ), lines
