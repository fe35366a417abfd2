"""With Postgres unreachable the real server answers a friendly 503, and recovers by itself."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, cookie=None):
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - local server
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - local server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _wait_for(url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return _get(url)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer")


def _session_cookie(user, secret_key) -> str:
    """A signed-in session of `user` for a server with `secret_key` (sessions are signed)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import override_settings

    with override_settings(SECRET_KEY=secret_key):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "pcmh.auth.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
    return f"__Host-sessionid={session.session_key}"


def test_pages_answer_503_while_the_database_is_down_and_recover(_require_postgres, tmp_path, lead):
    settings_dict = connection.settings_dict
    proxy = TcpProxy(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    proxy_port = proxy.start()
    database_url = (
        f"postgres://{settings_dict['USER']}@127.0.0.1:{proxy_port}/{settings_dict['NAME']}"
    )
    port = _free_port()
    secret_key = "outage-test-" + "k" * 50
    signed_in = _session_cookie(lead, secret_key)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "BEHIND_TLS_PROXY": "0",
        "CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "pcmh.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    home = f"http://127.0.0.1:{port}/"
    returns = f"http://127.0.0.1:{port}/returns/"  # a lead's page: the session is in the database
    try:
        status, _ = _wait_for(home)
        assert status == 200
        status, body = _get(returns, signed_in)
        assert status == 200 and "Camden" in body, body[:500]

        proxy.stop()
        for url, cookie in [(home, None), (returns, signed_in)]:
            status, body = _get(url, cookie)
            assert status == 503, url
            assert "Sorry, the service is unavailable" in body
            assert "Traceback" not in body and "OperationalError" not in body

        proxy.start(proxy_port)
        status, body = _get(home)
        assert status == 200, body[:500]
        assert "PCMH Returns" in body
        status, body = _get(returns, signed_in)  # still signed in: nothing was lost
        assert status == 200 and "Camden" in body, body[:500]
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        proxy.stop()
