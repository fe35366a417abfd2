"""The mixed load of `make load` (scripts/load.py starts it): readers of a published round's
report, and leads saving a section of their return. Django-free (locust's gevent patching and
Django do not mix): what it needs comes from the file LOAD_PLAN names (JSON, written by
scripts/load.py): the public host, the published and open rounds, report paths, and each lead's
session cookie, CSRF cookie and return.

Requests carry what the README's TLS-terminating proxy sends (Host, X-Forwarded-Proto,
X-Forwarded-For), so the server runs with production settings. Every save that the server
accepts is appended to LOAD_SAVES, one line each, for scripts/load.py to look for in the
database afterwards.
"""

import itertools
import json
import os
import random
import re
import threading
from html import unescape
from html.parser import HTMLParser

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"]).read())  # noqa: SIM115 - read once at start
SAVES = os.environ["LOAD_SAVES"]
HEADERS = {
    "Host": PLAN["host"],
    "X-Forwarded-Proto": "https",
    "X-Forwarded-For": "127.0.0.1",
    "Origin": f"https://{PLAN['host']}",
}
_leads = itertools.cycle(PLAN["leads"])
_lock = threading.Lock()


class _Form(HTMLParser):
    """The controls of the section's form, as a browser would send them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.controls: list[tuple[str, str]] = []
        self._in_form = False
        self._select = self._chosen = self._text = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._in_form = "logout" not in (attrs.get("action") or "")
        if not self._in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.controls.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.controls.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select, self._chosen = name, None
        elif tag == "option" and self._select and ("selected" in attrs or self._chosen is None):
            self._chosen = attrs.get("value") or ""  # the selected one, else the first
        elif tag == "textarea" and name:
            self._text = [name, ""]

    def handle_data(self, data):
        if self._text is not None:
            self._text[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select:
            if self._chosen is not None:
                self.controls.append((self._select, self._chosen))
            self._select = None
        elif tag == "textarea" and self._text is not None:
            self.controls.append((self._text[0], self._text[1].lstrip("\n")))
            self._text = None


def section_form(html: str) -> list[tuple[str, str]]:
    parser = _Form()
    parser.feed(html)
    return parser.controls


class Reader(HttpUser):
    """Someone reading the published report, not signed in: its pages (80) and CSVs (5)."""

    weight = 85
    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers.update(HEADERS)

    @task(80)
    def report_page(self):
        name, path = random.choice(PLAN["pages"])
        self.client.get(path, name=name)

    @task(5)
    def csv_export(self):
        name, path = random.choice(PLAN["downloads"])
        self.client.get(path, name=name)


class Lead(HttpUser):
    """A borough lead, signed in before the measured window, saving their return's first
    section: opens it, changes the service's name, saves (15)."""

    weight = 15
    wait_time = between(1, 3)

    def on_start(self):
        with _lock:
            self.lead = next(_leads)
        self.client.headers.update(HEADERS)
        self.client.headers["Cookie"] = (
            f"{PLAN['session_cookie']}={self.lead['session']}; "
            f"{PLAN['csrf_cookie']}={self.lead['csrf']}"
        )
        self.path = self.lead["section"]
        self.count = 0

    @task
    def save_section(self):
        with self.client.get(self.path, name="lead section (open)", catch_response=True) as page:
            if page.status_code != 200 or 'name="service_name"' not in page.text:
                page.failure(f"the section did not open: {page.status_code}")
                return
        self.count += 1
        marker = f"Load {self.lead['username']} {self.count} {random.getrandbits(32):08x}"
        data = [(n, marker if n == "service_name" else v) for n, v in section_form(page.text)]
        with self.client.post(
            self.path,
            data=data,
            name="lead section (save)",
            headers={"Referer": f"https://{PLAN['host']}{self.path}"},
            allow_redirects=False,
            catch_response=True,
        ) as saved:
            if saved.status_code != 302:
                said = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", saved.text)))[:200]
                saved.failure(f"the save was refused: {saved.status_code} {said}")
                return
        with _lock, open(SAVES, "a") as out:
            out.write(f"{self.lead['return']}\t{marker}\n")
