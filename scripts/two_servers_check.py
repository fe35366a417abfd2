"""The client half of scripts/two_servers.sh: drives two app servers as one proxy would.

Every request carries what the TLS-terminating proxy of the README's deployment sends (the
public Host, `X-Forwarded-Proto: https`, `X-Forwarded-For`), so the servers run with the
production settings (DEBUG=0, HTTPS required, secure `__Host-` cookies); cookies are kept by
name, as a browser keeps them for the one public host whichever server answered. Exits 1 with
the step that failed.

    python scripts/two_servers_check.py --a http://127.0.0.1:8001 --b http://127.0.0.1:8002 \
        --host pcmh.test --password ... --totp-key <hex> --round demo
"""

import argparse
import csv
import hashlib
import hmac
import io
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.helpers.html_forms import page_forms  # noqa: E402 - the tests' reading of forms

STALE = "after you opened this page, so your changes were not saved"


class Failed(Exception):
    pass


def check(condition, step):
    if not condition:
        raise Failed(step)
    print(f"ok: {step}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's browser: its cookies, sent to whichever server it is pointed at."""

    opener = urllib.request.build_opener(NoRedirect)

    def __init__(self, host):
        self.host = host
        self.cookies = {}

    def request(self, server, path, data=None, content_type=None):
        headers = {
            "Host": self.host,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
            "Origin": f"https://{self.host}",
            "Referer": f"https://{self.host}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None and content_type is None:
            data = urllib.parse.urlencode(data, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(server + path, data=data, headers=headers)  # noqa: S310
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "max-age=0" not in header.lower():
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        body = response.read()
        return response.status, response.headers, body

    def page(self, server, path):
        status, headers, body = self.request(server, path)
        return status, headers, body.decode()


def form_of(html, having):
    """The controls of the page's first form with a control named `having`, as a browser would
    send them: a list of (name, value)."""
    for form in page_forms(html):
        if any(name == having for name, _ in form["controls"]):
            return form
    raise Failed(f"no form with {having!r} on the page")


def replaced(controls, name, value):
    return [(n, value if n == name else v) for n, v in controls]


def sign_in(browser, server, username, password):
    status, _, html = browser.page(server, "/accounts/login/")
    check(status == 200, f"the sign-in page opens on {server}")
    controls = replaced(
        replaced(form_of(html, "username")["controls"], "username", username), "password", password
    )
    status, headers, _ = browser.request(server, "/accounts/login/", controls)
    check(status == 302, f"{username} signs in through {server}")
    return headers.get("Location", "")


def totp(key_hex, at=None, step=30, digits=6):
    """RFC 6238, as django-otp's TOTP devices compute it (SHA-1, 30 s, 6 digits)."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(code).zfill(digits)


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
        out.write(f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def lead_journey(args, a, b):
    lead = Browser(args.host)
    sign_in(lead, a, args.lead, args.password)
    status, _, html = lead.page(b, "/returns/")
    check(
        status == 200 and args.borough_name in html,
        "the lead signed in through A is signed in through B (the same cookie)",
    )
    status, headers, _ = Browser(args.host).request(b, "/returns/")
    check(status == 302 and "/accounts/login/" in headers["Location"], "B signs out strangers")

    section = f"/returns/{args.round}/{args.borough}/section/service/"
    status, _, opened = lead.page(a, section)
    check(status == 200, "the lead opens a section through A")
    controls = form_of(opened, "service_name")["controls"]
    first = f"Saved through A {uuid.uuid4().hex[:8]}"
    status, _, body = lead.request(a, section, replaced(controls, "service_name", first))
    check(status == 302, "the lead saves the section through A")
    status, _, html = lead.page(b, section)
    check(status == 200 and first in html, "the save made through A is seen through B")

    stale = f"Saved through B from the page opened before {uuid.uuid4().hex[:8]}"
    status, _, body = lead.request(b, section, replaced(controls, "service_name", stale))
    html = unescape(body.decode())
    check(status == 409 and STALE in html, "a stale save through B is refused with the message")
    status, _, html = lead.page(a, section)
    check(first in html and stale not in html, "the refused save changed nothing (read on A)")
    return first


def import_journey(args, a, b):
    reviewer = Browser(args.host)
    sign_in(reviewer, b, args.reviewer, args.password)
    status, headers, _ = reviewer.request(b, "/admin/")
    check(
        status == 302 and headers["Location"].startswith("/accounts/two-factor/?"),
        "staff signed in with a password are asked for their second factor",
    )
    status, _, html = reviewer.page(b, headers["Location"])
    controls = replaced(form_of(html, "token")["controls"], "token", totp(args.totp_key))
    status, _, _ = reviewer.request(b, headers["Location"], controls)
    check(status == 302, "the reviewer enters the authenticator's code through B")

    export_path = "/admin/surveys/scopingreturn/export/"
    status, _, html = reviewer.page(a, export_path)
    check(status == 200, "the reviewer, verified through B, opens the export page through A")
    controls = replaced(form_of(html, "format")["controls"], "format", "0")  # CSV
    status, _, body = reviewer.request(a, export_path, controls)
    check(status == 200 and body.startswith(b"round,borough"), "the returns export as CSV")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    rows = [r for r in rows if r["round"] == args.round and r["borough"] == args.import_borough]
    check(len(rows) == 1, f"the export has {args.import_borough}'s return")
    imported = f"Imported through two servers {uuid.uuid4().hex[:8]}"
    rows[0]["service_name"] = imported
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    import_path = "/admin/surveys/scopingreturn/import/"
    status, _, html = reviewer.page(a, import_path)
    fields = [(n, v) for n, v in form_of(html, "format")["controls"]]
    fields = replaced(replaced(fields, "format", "0"), "resource", "0")
    data, content_type = multipart(
        fields, {"import_file": ("returns.csv", out.getvalue().encode())}
    )
    status, _, body = reviewer.request(a, import_path, data, content_type)
    html = body.decode()
    check(status == 200 and "import_file_name" in html, "the import is previewed on A")
    confirm = form_of(html, "import_file_name")
    action = confirm["action"] or "/admin/surveys/scopingreturn/process_import/"
    status, headers, _ = reviewer.request(b, action, confirm["controls"])
    check(status == 302, "the previewed import is confirmed on B")
    status, _, html = reviewer.page(a, headers["Location"])
    check(
        re.search(r"Import finished: 0 new, 1 updated", html) is not None,
        "the confirmation, read on A, says one return was updated",
    )
    return imported


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--totp-key", required=True)
    parser.add_argument("--round", default="demo")
    parser.add_argument("--borough", default="camden")
    parser.add_argument("--borough-name", default="Camden")
    parser.add_argument("--lead", default="lead-camden")
    parser.add_argument("--reviewer", default="reviewer")
    parser.add_argument("--import-borough", default="croydon")
    parser.add_argument("--expect", help="write the values saved here, one per line")
    args = parser.parse_args()
    try:
        saved = lead_journey(args, args.a, args.b)
        imported = import_journey(args, args.a, args.b)
    except Failed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    if args.expect:
        Path(args.expect).write_text(f"{args.borough} {saved}\n{args.import_borough} {imported}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
