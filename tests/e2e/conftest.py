"""Real-browser tests: Playwright driving Debian's Chromium against a live server."""

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def shots(request):
    """Save a numbered screenshot of each step under test-artifacts/e2e/<test>/."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):  # the screenshots of an earlier run of this test
        old.unlink()
    count = {"n": 0}

    def shot(page, name):
        count["n"] += 1
        page.screenshot(path=str(folder / f"{count['n']:02d}-{name}.png"), full_page=True)

    shot.folder = folder  # for the test's downloads, kept beside its screenshots
    return shot


@pytest.fixture
def axe_check():
    """Run axe-core on the page: no serious or critical violation of WCAG 2.x A/AA."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(
            page,
            options={
                "resultTypes": ["violations"],
                "runOnly": {
                    "type": "tag",
                    "values": [
                        "wcag2a",
                        "wcag2aa",
                        "wcag21a",
                        "wcag21aa",
                        "wcag22aa",
                        "best-practice",
                    ],
                },
            },
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        assert bad == [], f"{page.url}: {bad}"
        return results.response["violations"]

    return check


def sign_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.wait_for_load_state()
