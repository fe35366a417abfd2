import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.management import CommandError, call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_home_page_differs_by_role(client, lead, reviewer):
    anonymous = client.get("/").content.decode()
    assert "Published reports" in anonymous and "Sign in" in anonymous
    assert "No report has been published yet" in anonymous

    client.force_login(lead)
    as_lead = client.get("/").content.decode()
    assert "Camden" in as_lead and "Your returns" in as_lead and "Review dashboard" not in as_lead

    client.force_login(reviewer)
    as_reviewer = client.get("/").content.decode()
    assert "Review dashboard" in as_reviewer and "waiting for review" in as_reviewer


def test_pages_use_only_our_own_static_files(client):
    html = client.get("/").content.decode()
    assets = re.findall(r'(?:href|src)="([^"]+\.(?:css|js))"', html)
    assert "/static/govuk/govuk-frontend.min.css" in assets
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a static file"
        assert client.get(asset).status_code == 200


EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)


def external_references(html: str) -> list[str]:
    """Every link, source, form target and CSS url() of a page that points at another host."""
    urls = re.findall(r'(?:href|src|action|srcset)\s*=\s*["\']([^"\']*)', html)
    urls += re.findall(r"url\(\s*[\"']?([^\"')]*)", html)
    return [url for url in urls if EXTERNAL.match(url.strip())]


@pytest.fixture
def loaded_2017(db):
    """The 2017 round for one test (not `round_2017`, kept for the module: a test counts users)."""
    from tests.helpers.round_2017 import load_2017_round

    load_2017_round()


@pytest.fixture
def pages_by_user(loaded_2017, lead, reviewer, superuser, camden):
    """What each kind of user opens: their home, returns, forms, reports and admin pages."""
    from surveys.sections import SECTIONS
    from tests.factories import SurveyRoundFactory, complete_return

    draft = complete_return(
        borough=camden, survey_round=SurveyRoundFactory(slug="demo", toolkit=True)
    )
    task_list = draft.get_absolute_url()
    reports = [
        "/reports/",
        "/reports/2017/",
        "/reports/2017/stp/",
        "/reports/2017/map/",
        "/reports/2017/boroughs/camden/",
        "/reports/2017/report/",
        "/reports/2017/boroughs/?status=established",
    ]
    lead_pages = [
        "/",
        "/returns/",
        task_list,
        *[f"{task_list}section/{section.slug}/" for section in SECTIONS],
        f"{task_list}check/",
        "/accounts/password/change/",
        *reports,
    ]
    staff_pages = [
        "/",
        "/returns/review/",
        "/reports/2017/data-quality/",
        "/reports/demo/",
        "/admin/",
        "/admin/surveys/scopingreturn/",
        f"/admin/surveys/scopingreturn/{draft.pk}/change/",
        f"/admin/surveys/scopingreturn/{draft.pk}/history/",
        "/admin/surveys/scopingreturn/import/",
        "/admin/surveys/scopingreturn/export/",
        "/admin/auth/user/",
        f"/admin/auth/user/{lead.pk}/change/",
        "/admin/otp_totp/totpdevice/add/",
    ]
    public_pages = [
        "/",
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accessibility/",
        "/cookies/",
        "/privacy/",
        "/admin/login/",
        *reports,
    ]
    return [
        (None, public_pages),
        (lead, lead_pages),
        (reviewer, staff_pages[:5]),
        (superuser, staff_pages),
    ]


def test_no_page_references_an_external_host(client, pages_by_user):
    found = []
    for user, paths in pages_by_user:
        client.logout()
        if user:
            client.force_login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (user, path)
            html = response.content.decode()
            found += [(path, url) for url in external_references(html)]
            # No inline script, no inline handler: the CSP allows only served scripts.
            found += [(path, "inline script") for _ in INLINE_SCRIPT.findall(html)]
            found += [(path, "handler") for _ in INLINE_HANDLER.findall(html)]
    assert found == []
    assert "'unsafe-inline'" not in client.get("/").headers["Content-Security-Policy"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+=", re.IGNORECASE)


def test_no_stylesheet_or_script_we_serve_fetches_from_another_host():
    from django.contrib.staticfiles.finders import get_finders

    found = []
    for finder in get_finders():
        for path, storage in finder.list(ignore_patterns=[]):
            if not path.endswith((".css", ".js")) or path.endswith(".map"):
                continue
            with storage.open(path) as handle:
                text = handle.read().decode("utf-8", "replace")
            found += [
                (path, url.strip()[:80])
                for url in re.findall(r"url\(\s*[\"']?([^\"')]*)", text)
                + re.findall(r"@import\s+[\"']([^\"']*)", text)
                if EXTERNAL.match(url.strip())
            ]
    assert found == []


def test_security_headers_are_sent(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "img-src 'self' data:",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


def _settings_subprocess(**env):
    skip = {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "SITE_URL"}
    environment = {k: v for k, v in os.environ.items() if k not in skip}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_subprocess(DEBUG="0", ALLOWED_HOSTS="pcmh.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_the_sites_address():
    result = _settings_subprocess(
        DEBUG="0", ALLOWED_HOSTS="pcmh.example.org", SECRET_KEY="x" * 20 + "production-key-" * 4
    )
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = _settings_subprocess(
        DEBUG="0",
        ALLOWED_HOSTS="pcmh.example.org",
        SECRET_KEY="x" * 20 + "production-key-" * 4,
        SITE_URL="https://pcmh.example.org",
    )
    assert result.returncode == 0, result.stderr


@override_settings(DEBUG=False)
def test_demo_users_are_refused_when_debug_is_off():
    with pytest.raises(CommandError, match="refuses to run when DEBUG is off"):
        call_command("create_demo_users")
    assert not get_user_model().objects.exists()


@override_settings(DEBUG=True, DEMO_PASSWORD="another-demo-pass-9")
def test_demo_users_are_idempotent_and_reset_passwords():
    call_command("create_demo_users")
    user = get_user_model().objects.get(username="lead-camden")
    user.set_password("changed-by-someone-1")
    user.save()
    call_command("create_demo_users")
    User = get_user_model()
    assert User.objects.count() == 34
    assert User.objects.get(username="lead-camden").check_password("another-demo-pass-9")
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="reviewer").groups.filter(name="Steering group").exists()
    assert list(
        User.objects.get(username="lead-camden").borough_memberships.values_list(
            "borough__slug", flat=True
        )
    ) == ["camden"]


def test_login_locks_out_after_five_failures(client, lead):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "lead-a", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "lead-a", "password": "wrong"})
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()


@override_settings(AXES_COOLOFF_TIME=0.5)
def test_the_lockout_says_when_to_try_again(client, lead):
    for _ in range(6):
        response = client.post("/accounts/login/", {"username": "lead-a", "password": "wrong"})
    assert "Try again in 30 minutes" in response.content.decode()


def test_the_admin_sign_in_is_throttled_too_per_username_and_address(client, lead, password):
    from django.test import Client

    for _ in range(6):
        response = client.post(
            "/admin/login/", {"username": "lead-a", "password": "wrong"}, REMOTE_ADDR="10.1.1.1"
        )
    assert response.status_code == 429
    assert "Your account is locked" in response.content.decode()
    # The right password from the same address is refused while the lock lasts ...
    locked = client.post(
        "/accounts/login/", {"username": "lead-a", "password": password}, REMOTE_ADDR="10.1.1.1"
    )
    assert locked.status_code == 429
    # ... but the same user from another address still signs in.
    elsewhere = Client(REMOTE_ADDR="10.2.2.2")
    response = elsewhere.post("/accounts/login/", {"username": "lead-a", "password": password})
    assert response.status_code == 302


def test_an_administrator_unlocks_a_locked_account(client, lead, password):
    from axes.models import AccessAttempt
    from django.core.management import call_command

    for _ in range(6):
        client.post("/accounts/login/", {"username": "lead-a", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="lead-a").exists()
    call_command("axes_reset_username", "lead-a", stdout=io.StringIO())
    response = client.post("/accounts/login/", {"username": "lead-a", "password": password})
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_an_overlong_username_is_an_ordinary_failed_sign_in(client, lead, url):
    response = client.post(url, {"username": "x" * 10_001, "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_a_failed_login_says_what_to_do(client, lead):
    response = client.post("/accounts/login/", {"username": "lead-a", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter a correct username and password" in html
    assert "<title>Error: Sign in" in html


@override_settings(STEERING_GROUP_EMAIL="pcmh.steering@nhs.example")
def test_the_accessibility_statement_gives_the_steering_groups_address(client):
    html = client.get("/accessibility/").content.decode()
    assert (
        '<a class="govuk-link" href="mailto:pcmh.steering@nhs.example">'
        "pcmh.steering@nhs.example</a>" in html
    )
    assert "the address your borough was sent" not in html


def test_every_page_links_the_cookies_privacy_and_accessibility_pages(client):
    html = client.get("/reports/").content.decode()
    footer = html[html.index("<footer") :]
    for path in ("/accessibility/", "/cookies/", "/privacy/"):
        assert f'href="{path}"' in footer
        assert client.get(path).status_code == 200


@override_settings(SESSION_COOKIE_AGE=5400)
def test_the_cookies_page_names_each_cookie_the_service_sets(client):
    html = client.get("/cookies/").content.decode()
    assert "only the cookies it needs to work" in html
    from django.conf import settings

    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        assert f'<td class="govuk-table__cell">{name}</td>' in html
    assert "After 1 hour 30 minutes without using the service" in html


def test_the_sign_in_sets_only_the_session_and_csrf_cookies(client, lead, password):
    from django.conf import settings

    client.get("/accounts/login/")
    client.post("/accounts/login/", {"username": lead.username, "password": password})
    client.get("/returns/")
    assert set(client.cookies) == {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


def test_stay_signed_in_starts_the_idle_time_again_and_says_when_the_session_has_ended(
    client, lead
):
    assert client.get("/accounts/keep-alive/").status_code == 401
    client.force_login(lead)
    response = client.get("/accounts/keep-alive/")
    assert response.status_code == 204
    assert "no-cache" in response["Cache-Control"]
    assert client.session.get_expiry_age() > 0
    assert client.post("/accounts/keep-alive/").status_code == 405


def test_a_signed_in_page_gives_the_timeout_warning_its_clock(client, lead):
    client.force_login(lead)
    html = client.get("/returns/").content.decode()
    # The session's time left: its idle time (7,200 s), less the second or so since signing in.
    [seconds] = re.findall(r'data-session-seconds="(\d+)"', html)
    assert 7190 <= int(seconds) <= 7200
    assert 'data-session-warning-seconds="120"' in html
    assert "You’re about to be signed out" in html
    client.logout()
    assert "data-session-seconds" not in client.get("/reports/").content.decode()


def _session_writes(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return sum(
        1
        for q in queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    )


def test_a_page_that_changes_nothing_writes_no_session_and_the_idle_time_still_runs(
    client, lead, monkeypatch
):
    """The session's idle time starts again at most once a minute (not a save per request);
    Stay signed in starts it whenever it is asked; the session ends after the idle time."""
    import time

    from django.contrib.sessions.models import Session

    from pcmh import middleware

    client.force_login(lead)  # signing in starts the idle time
    assert _session_writes(client, "/returns/") == 0  # a page within the minute: no write
    assert _session_writes(client, "/returns/") == 0
    assert _session_writes(client, "/accounts/keep-alive/") == 1  # Stay signed in: always
    expiry = Session.objects.get().expire_date

    later = time.time() + 61
    monkeypatch.setattr(middleware.time, "time", lambda: later)
    assert _session_writes(client, "/returns/") == 1  # a minute on: the idle time starts again
    assert Session.objects.get().expire_date > expiry
