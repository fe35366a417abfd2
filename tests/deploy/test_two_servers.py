"""Two app servers over one PostgreSQL and one Redis are interchangeable: scripts/two_servers.sh
(sign-in, a save, a stale save and an import, each across the two servers) passes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.servers import postgres_server_url, redis_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.deploy


def test_two_app_servers_share_sign_in_saves_and_imports():
    env = {
        **os.environ,
        "PY": sys.executable,
        "PG_URL": postgres_server_url(),
        "REDIS_URL": redis_url(),
        "TWO_SERVERS_TIMEOUT": "240",
    }
    result = subprocess.run(
        ["bash", "scripts/two_servers.sh"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    said = result.stdout + result.stderr
    assert result.returncode == 0, said[-6000:]
    for step in [
        "the lead signed in through A is signed in through B",
        "the save made through A is seen through B",
        "a stale save through B is refused with the message",
        "the previewed import is confirmed on B",
        "the database holds croydon's",
        "two_servers: passed",
    ]:
        assert step in result.stdout, step
