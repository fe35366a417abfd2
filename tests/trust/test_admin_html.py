"""Every admin page is valid HTML: the Nu HTML checker (vnu-jar, from package.json) reads them.

A superuser, with the 2017 round and the authorisation matrix's objects loaded, opens every page
of the admin: the index, each app, and for every model registered with `admin.site` its change
list (also filtered, with facets, searched, by date and as a pop-up), add form, change form,
history, a past version, delete page, import and export pages and what each of its actions shows;
then the custom views, the password pages, the sign-in page, and pages that answer a POST with
errors (an empty add form, a stale or too long change, a file of the wrong type, a missing reason,
mismatched passwords). Every admin route must be among them or in NOT_PAGES, so a model or view
registered later is checked too. The pages go to one folder, checked by one run of the checker:
starting Java once per page would take minutes.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse
from import_export.admin import ExportMixin, ImportMixin
from simple_history.admin import SimpleHistoryAdmin

from surveys import workflow
from surveys.models import ScopingReturn
from tests.helpers import authorisation_matrix
from tests.helpers.authorisation_matrix import routes
from tests.surveys.admin_helpers import change_form_data

pytestmark = pytest.mark.django_db

world = authorisation_matrix.world  # users and an object of every registered model, a fixture

VNU_JAR = Path(__file__).resolve().parents[2] / "node_modules/vnu-jar/build/dist/vnu.jar"

# Admin routes that answer no HTML page of their own.
NOT_PAGES = {
    "admin:autocomplete": "JSON for the autocomplete widgets",
    "admin:jsi18n": "JavaScript",
    "admin:logout": "a redirect to the home page (LOGOUT_REDIRECT_URL)",
    "admin:otp_totp_totpdevice_qrcode": "an SVG image",
    "admin:view_on_site": "a redirect to the public site",
    "admin:surveys_surveyround_actions": "a round's buttons: each a redirect to its page",
    "admin:toolkit_toolkitversion_actions": "a toolkit version's buttons: each a redirect",
}

# Errors of upstream code that no small override fixes: each is one message, for one cause, on
# the routes it shows on, with the part of the page it is found in.
UPSTREAM = [
    {
        # Django 5.2's admin/auth/user/change_password.html writes the "Password-based
        # authentication" help text in a <p>, and AdminPasswordChangeForm ends that text with a
        # <ul> (the warning that the password will be lost): the <ul> closes the <p>, so the
        # template's </p> closes nothing. Browsers show the same page; fixing it means copying
        # Django's whole template.
        "routes": {"admin:auth_user_password_change"},
        "message": "No “p” element in scope but a “p” end tag seen.",
        "extract": "</li></ul></p>",
    },
    {
        # Django 5.2's BoundField gives the hidden "initial-" input of a field with a callable
        # default (show_hidden_initial) the aria-describedby of the field's visible input: here
        # django-otp's TOTP device key, whose default is a random key.
        "routes": {"admin:otp_totp_totpdevice_add", "admin:otp_totp_totpdevice_change"},
        "message": "An “input” element with a “type” attribute whose value is “hidden” must not "
        "have any “aria-*” attributes.",
        "extract": 'name="initial-key"',
    },
]


def _vnu():
    """The command that runs the checker, or a skip (a failure under E2E_REQUIRED=1, as in CI)."""
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("java (make test installs Debian's default-jre-headless as root)")
    if not VNU_JAR.exists():
        missing.append("node_modules/vnu-jar (make test runs npm ci)")
    if missing:
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(f"E2E_REQUIRED=1 but the HTML checker needs {' and '.join(missing)}")
        pytest.skip(f"the HTML checker needs {' and '.join(missing)}")
    return [java, "-Xss8m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only"]


class Pages:
    """The pages to check: what was asked for, its route and its HTML (each must be a page)."""

    def __init__(self):
        self.pages: list[tuple[str, str, bytes]] = []
        self.refused: set[str] = set()  # routes that refuse even a superuser (403)

    @property
    def routes(self):
        return {route for _, route, _ in self.pages} | self.refused

    def refuse(self, client, url):
        response = client.get(url)
        assert response.status_code == 403, f"GET {url} answered {response.status_code}, not 403"
        match = resolve(url)
        self.refused.add(f"{match.namespace}:{match.url_name}")

    def add(self, what, url, response, status=200):
        assert response.status_code == status, f"{what} answered {response.status_code}"
        assert response["Content-Type"].startswith("text/html"), f"{what} is not a page"
        match = resolve(url.partition("?")[0])
        self.pages.append((what, f"{match.namespace}:{match.url_name}", response.content))
        return response

    def get(self, client, url, **kwargs):
        return self.add(f"GET {url}", url, client.get(url, **kwargs))

    def post(self, client, url, data, *, what="", status=200, **kwargs):
        response = client.post(url, data, **kwargs)
        return self.add(f"POST {url} ({what})", url, response, status)


def _name(model, view):
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


def _objects_of(model, world, round_2017):
    """The objects whose pages are checked: the matrix's, and for returns an accepted one of 2017
    too (a page to read only, where the matrix's submitted return is one to edit)."""
    objects = [world["objects"][model._meta.label_lower]]
    if model is ScopingReturn:
        objects.append(ScopingReturn.objects.filter(survey_round=round_2017).first())
    return objects


def _value_at(obj, path):
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def _changelists(pages, client, model, model_admin, obj):
    url = reverse(_name(model, "changelist"))
    changelist = pages.get(client, url).context["cl"]
    if changelist.filter_specs:
        spec = changelist.filter_specs[0]
        choice = next(c for c in spec.choices(changelist) if not c["selected"])
        pages.get(client, url + choice["query_string"])
        pages.get(client, url + choice["query_string"] + "&_facets=True")
    if model_admin.search_fields:
        pages.get(client, url + "?q=Camden")
    if model_admin.date_hierarchy:
        year = _value_at(obj, model_admin.date_hierarchy).year
        pages.get(client, url + f"?{model_admin.date_hierarchy}__year={year}")
    pages.get(client, url + f"?_popup=1&_to_field={model._meta.pk.name}")


def _actions(pages, client, model, model_admin, request, obj):
    """Every action on one selected object, undone after: the page it shows before it acts (a
    deletion to confirm, a reason to give) and that page's answer to empty fields, or the change
    list saying what it did."""
    url = reverse(_name(model, "changelist"))
    for name in model_admin.get_actions(request):
        data = {"action": name, ACTION_CHECKBOX_NAME: [str(obj.pk)], "index": "0"}
        with transaction.atomic():
            shown = pages.post(client, url, data, what=f"action {name}", follow=True)
            asks_words = shown.context and shown.context.get("form") is not None
            if not shown.redirect_chain and name != "delete_selected" and asks_words:
                pages.post(client, url, {**data, "apply": "1"}, what=f"action {name}, no text")
            transaction.set_rollback(True)


def _imports(pages, client, model, model_admin):
    """The export page and its answer to no format; the import page, its answer to a file of
    another type, its preview of the change list's own export, and where confirming it leads."""
    exported = None
    if isinstance(model_admin, ExportMixin):
        url = reverse(_name(model, "export"))
        form = pages.get(client, url).context["form"]
        pages.post(client, url, {"resource": "0"}, what="no format")
        fields = {n: "on" for n in form.fields if n not in {"format", "resource", "export_items"}}
        exported = client.post(url, {"format": "0", "resource": "0", **fields})
        assert exported["Content-Type"].startswith("text/csv"), f"{url} exported no CSV"
    if isinstance(model_admin, ImportMixin):
        url = reverse(_name(model, "import"))
        pages.get(client, url)
        upload = SimpleUploadedFile("returns.txt", b"not a spreadsheet")
        data = {"resource": "0", "format": "0", "import_file": upload}
        pages.post(client, url, data, what="a .txt file")
        if exported is None:
            return
        upload = SimpleUploadedFile(f"{model._meta.model_name}.csv", exported.content)
        data = {"resource": "0", "format": "0", "import_file": upload}
        confirm = pages.post(client, url, data, what="its own export").context.get("confirm_form")
        if confirm is not None:
            data = {name: confirm.initial.get(name, "") for name in confirm.fields}
            url = reverse(_name(model, "process_import"))
            pages.post(client, url, data, what="confirming its own export", follow=True)


def _model_pages(pages, client, model, model_admin, request, objects):
    _changelists(pages, client, model, model_admin, objects[0])
    url = reverse(_name(model, "add"))
    if model_admin.has_add_permission(request):
        pages.get(client, url)
        pages.get(client, url + f"?_popup=1&_to_field={model._meta.pk.name}")
        pages.post(client, url, {}, what="empty")
    else:
        pages.refuse(client, url)
    for obj in objects:
        pages.get(client, reverse(_name(model, "change"), args=[obj.pk]))
        pages.get(client, reverse(_name(model, "history"), args=[obj.pk]))
        if isinstance(model_admin, SimpleHistoryAdmin):
            record = obj.history.latest("history_id")
            pages.get(client, reverse(_name(model, "simple_history"), args=[obj.pk, record.pk]))
        url = reverse(_name(model, "delete"), args=[obj.pk])
        if model_admin.has_delete_permission(request, obj):
            pages.get(client, url)
        else:
            pages.refuse(client, url)
    _actions(pages, client, model, model_admin, request, objects[0])


def _visit_every_admin_page(client, superuser, world, round_2017, rf):
    pages = Pages()
    request = rf.get("/admin/")
    request.user = superuser
    pages.get(client, reverse("admin:index"))
    registry = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
    for app_label in sorted({model._meta.app_label for model, _ in registry}):
        pages.get(client, reverse("admin:app_list", args=[app_label]))
    for model, model_admin in registry:
        objects = _objects_of(model, world, round_2017)
        _model_pages(pages, client, model, model_admin, request, objects)
    for model, model_admin in registry:  # after the pages above: a confirmed import changes rows
        _imports(pages, client, model, model_admin)

    # The custom views: a device's QR code page, a comment on a return (refused when empty)
    device = world["objects"]["otp_totp.totpdevice"]
    pages.get(client, reverse("admin:otp_totp_totpdevice_config", args=[device.pk]))
    scoping_return = world["objects"]["surveys.scopingreturn"]
    url = reverse("admin:surveys_scopingreturn_comment", args=[scoping_return.pk])
    for text in ("", "Please check the funding lines."):
        pages.post(client, url, {"comment-text": text}, what=f"comment {text!r}", follow=True)

    # The return's review page and its steps, and their answers to what they refuse (400)
    review = workflow.review_url(scoping_return)
    pages.get(client, review)
    pages.get(client, workflow.review_url(scoping_return, "_accept"))
    pages.post(client, review + "accept/", {"version": "0"}, what="stale", status=400)
    for step in ("_request_changes", "_reopen"):
        pages.get(client, workflow.review_url(scoping_return, step))
    url = workflow.review_url(scoping_return, "_request_changes")
    pages.post(client, url, {"text": ""}, what="no comment", status=400)
    url = workflow.review_url(scoping_return, "_extend")
    pages.get(client, url)
    pages.post(client, url, {"until": "not a date", "reason": ""}, what="no date", status=400)
    url = workflow.review_url(scoping_return, "_query", on="status")
    pages.get(client, url)
    pages.post(client, url, {"text": ""}, what="no query", status=400)
    url = f"{review}queries/{scoping_return.queries.first().pk}/"
    pages.get(client, url)
    pages.post(client, url, {"step": "reopen", "text": ""}, what="reopen, no words", status=400)
    url = reverse("admin:surveys_scopingreturn_change", args=[scoping_return.pk])
    pages.get(client, url + "?correct=1")

    # A round's close, publish and no-return pages, and a reason refused for being empty
    survey_round = world["objects"]["surveys.surveyround"]
    for step in ("close", "publish", "no_return"):
        pages.get(client, reverse(f"admin:surveys_surveyround_{step}", args=[survey_round.pk]))
    url = reverse("admin:surveys_surveyround_no_return", args=[survey_round.pk])
    borough = scoping_return.borough.pk
    pages.post(client, url, {"borough": borough, "reason": ""}, what="no reason")
    # A published round's correction page, and its answer to no note
    url = reverse("admin:surveys_surveyround_correct", args=[round_2017.pk])
    pages.get(client, url)
    pages.post(client, url, {"note": ""}, what="no note")

    # Changes refused: a stale version, a text over its limit
    url = reverse("admin:surveys_scopingreturn_change", args=[scoping_return.pk]) + "?correct=1"
    page = client.get(url)
    data = {**change_form_data(page), "correction_reason": "A fix"}
    pages.post(client, url, {**data, "version": "0"}, what="a stale version")
    fields = page.context["adminform"].form.fields
    name, field = next((n, f) for n, f in fields.items() if getattr(f, "max_length", None))
    pages.post(client, url, {**data, name: "x" * (field.max_length + 1)}, what=f"{name} too long")

    # Passwords: a user's, set by the superuser, and the superuser's own
    user = world["objects"]["auth.user"]
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    pages.get(client, url)
    pages.post(client, url, {"password1": "a", "password2": "b"}, what="mismatched")
    url = reverse("admin:password_change")
    pages.get(client, url)
    data = {"old_password": "wrong", "new_password1": "a", "new_password2": "b"}
    pages.post(client, url, data, what="wrong password")
    pages.get(client, reverse("admin:password_change_done"))

    # Signing in
    anonymous, url = Client(), reverse("admin:login")
    pages.get(anonymous, url)
    pages.post(anonymous, url, {"username": "nobody", "password": "wrong"}, what="wrong")
    return pages


def _upstream(route, message):
    return any(
        route in known["routes"]
        and known["message"] == message["message"]
        and known["extract"] in message.get("extract", "")
        for known in UPSTREAM
    )


def _check(vnu, pages, folder):
    """One run of the checker on every page: its errors, as '<what> line <n>: <message>'."""
    files = {}
    for number, (what, route, html) in enumerate(pages, start=1):
        path = folder / f"page-{number:03d}.html"
        path.write_bytes(html)
        files[path.name] = (what, route)
    result = subprocess.run(
        [*vnu, *(str(folder / name) for name in files)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    try:
        report = json.loads(result.stderr)  # vnu writes its report on standard error
    except json.JSONDecodeError:
        pytest.fail(f"the HTML checker failed ({result.returncode}): {result.stderr[-2000:]}")
    errors = []
    for message in report["messages"]:
        what, route = files.get(Path(message.get("url", "")).name, (message.get("url"), ""))
        if _upstream(route, message):
            continue
        extract = re.sub(r"\s+", " ", message.get("extract", "")).strip()
        line = message.get("lastLine", "?")
        kind = "" if message["type"] == "error" else f"{message['type']}: "
        errors.append(f"{what} line {line}: {kind}{message['message']} [{extract}]")
    return errors


def test_every_admin_page_is_valid_html(
    client, superuser, world, round_2017, rf, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=False):  # no e-mails from the actions
        pages = _visit_every_admin_page(client, superuser, world, round_2017, rf)
    admin_routes = {name for name in routes() if name.startswith("admin:")}
    unchecked = sorted(admin_routes - pages.routes - set(NOT_PAGES))
    assert unchecked == [], f"admin routes never checked (add them, or to NOT_PAGES): {unchecked}"

    vnu = _vnu()
    # A page the checker must refuse: proof that it read the files and that errors come back.
    canary = ("canary", "", b"<!DOCTYPE html><html lang=en><title>x</title><form action=''>")
    errors = _check(vnu, [*pages.pages, canary], tmp_path)
    assert any(e.startswith("canary ") for e in errors), "the checker missed a known error"
    errors = [e for e in errors if not e.startswith("canary ")]
    assert errors == [], f"{len(errors)} HTML errors in {len(pages.pages)} admin pages:\n" + (
        "\n".join(errors)
    )
