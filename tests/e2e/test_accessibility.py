"""Every page a person uses, opened in Chromium: axe-core finds no serious or critical violation
and the Content Security Policy refuses nothing (no inline script, handler or style is needed).

Pages are grouped per persona, one browser test each, so the crawl stays quick. Each test writes
the violations of lesser impact it met to test-artifacts/e2e/axe-<test>.json, and fails for any
that docs/accessibility.md does not name with its reason.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from boroughs.models import Borough
from surveys import workflow
from surveys.choices import ReturnState
from surveys.models import Barrier, Benefit, CareRole, ScopingReturn
from surveys.sections import SECTIONS
from tests.e2e.conftest import ARTIFACTS, sign_in
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return
from tests.helpers import authorisation_matrix as matrix
from toolkit import versions
from toolkit.models import Level

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# What Chromium writes to the console when the CSP blocks a script, a handler or a style.
CSP_REFUSAL = re.compile(r"Refused to|Content Security Policy", re.IGNORECASE)
SECTION_SLUGS = [section.slug for section in SECTIONS]
ACCESSIBILITY_DOC = Path(__file__).resolve().parents[2] / "docs" / "accessibility.md"


class Crawl:
    """Open pages one after another; gather every problem and report them all at the end."""

    def __init__(self, page, live_server, axe_check, name):
        self.page, self.base, self.axe_check, self.name = page, live_server.url, axe_check, name
        page.set_default_timeout(10_000)
        self.problems: list[str] = []
        self.lesser: dict[str, dict] = {}
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"script error: {error}"))

    def _on_console(self, message):
        if CSP_REFUSAL.search(message.text):
            self.console.append(message.text)

    def visit(self, path, *, status=200):
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        if response is None or response.status != status:
            got = response.status if response else "no response"
            self.problems.append(f"{path}: status {got}, expected {status}")
            self.console.clear()
            return
        self.check(path)

    def check(self, label=None):
        """Check the page as it is now (after a click or a form post)."""
        label = label or self.page.url.removeprefix(self.base)
        self.page.wait_for_load_state("load")
        self.page.evaluate("0")  # a round trip: the page's console messages have arrived
        self.problems.extend(f"{label}: {text}" for text in self.console)
        try:
            violations = self.axe_check(self.page)
        except AssertionError as error:
            self.problems.append(str(error).split("\nassert")[0])
        else:
            for violation in violations:
                entry = self.lesser.setdefault(
                    violation["id"],
                    {"impact": violation["impact"], "help": violation["help"], "pages": {}},
                )
                entry["pages"][label] = [str(n["target"]) for n in violation["nodes"][:5]]
        # axe-core itself adds <style> elements to read the page's stylesheets, which the CSP
        # refuses: what it causes is not the page's doing.
        self.page.evaluate("0")
        self.console.clear()

    def report(self) -> list[str]:
        """Write the violations of lesser impact to the artefacts; the problems found, which
        include each lesser violation that docs/accessibility.md does not account for."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        report = ARTIFACTS / f"axe-{self.name}.json"
        report.write_text(json.dumps(self.lesser, indent=2, sort_keys=True))
        listed = ACCESSIBILITY_DOC.read_text().partition("## Known issues")[2]
        unlisted = [
            f"{rule} ({entry['impact']}) on {', '.join(entry['pages'])}: fix it, or list it "
            "with its reason in docs/accessibility.md"
            for rule, entry in self.lesser.items()
            if f"`{rule}`" not in listed
        ]
        return self.problems + unlisted

    def finish(self):
        assert self.report() == [], "\n".join(self.problems)


@pytest.fixture
def crawl(page, live_server, axe_check, request):
    return Crawl(page, live_server, axe_check, request.node.originalname)


# The tests that read the 2017 round ask for `round_2017_committed` first, before any user is
# made: the round is then loaded on the same rows each time, and put back in a fraction of the
# time the command takes (tests/helpers/round_2017.py).


def test_public_pages_pass_axe_under_the_csp(round_2017_committed, crawl, page, lead):
    for path in [
        "/",
        "/accounts/login/",
        "/accessibility/",
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/reset/done/",
        "/accounts/reset/MQ/not-a-token/",
        "/reports/",
        "/reports/2017/",
        "/reports/2017/stp/",
        "/reports/2017/stp/north-central-london/",
        "/reports/2017/map/",
        "/reports/2017/boroughs/camden/",
        "/reports/2017/boroughs/?status=established",
        "/reports/2017/boroughs/?aim=stable-psychosis&min_age=18",
        "/reports/2017/report/",
        # A published round's data quality is public, its notes filtered by STP and question.
        "/reports/2017/data-quality/",
        "/reports/2017/data-quality/?stp=north-central-london&question=shared_it",
    ]:
        crawl.visit(path)
    crawl.visit("/reports/2017/data-quality/?stp=mars", status=400)
    crawl.visit("/admin/login/")
    crawl.visit("/no-such-page/", status=404)
    # A password reset link from the e-mail: choose a new password.
    uid = urlsafe_base64_encode(force_bytes(lead.pk))
    crawl.visit(f"/accounts/reset/{uid}/{default_token_generator.make_token(lead)}/")
    expect(page.locator("#id_new_password1")).to_be_visible()
    # A sign-in with errors, then the lock-out page after too many failures.
    crawl.visit("/accounts/login/")
    for attempt in range(5):
        page.get_by_label("Username").fill("nobody")
        page.get_by_label("Password").fill("wrong-password-123")
        page.get_by_role("button", name="Sign in").click()
        if attempt == 0:
            expect(page).to_have_title(re.compile("^Error:"))
            crawl.check("/accounts/login/ (errors)")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is locked")
    crawl.check("/accounts/login/ (locked out)")
    crawl.finish()


@pytest.fixture
def lead_returns(lead, reviewer, camden):
    """A draft in an open round, and a return sent back for changes with a comment."""
    draft = complete_return(  # a round using the toolkit: every section, Section 11 too
        borough=camden,
        survey_round=SurveyRoundFactory(name="Demo round", slug="demo", toolkit=True),
    )
    earlier = complete_return(
        borough=camden, survey_round=SurveyRoundFactory(name="Pilot round", slug="pilot")
    )
    workflow.submit(scoping_return=earlier, by=lead, notify=False)
    workflow.request_changes(
        scoping_return=earlier, by=reviewer, comment="Add the service's age range.", notify=False
    )
    workflow.add_comment(scoping_return=earlier, by=reviewer, text="Thanks.", notify=False)
    return draft


def test_lead_pages_pass_axe_under_the_csp(crawl, page, live_server, lead_returns, password):
    sign_in(page, live_server, "lead-a", password)
    crawl.check("/ (lead)")
    for path in [
        "/returns/",
        "/returns/demo/camden/",
        "/returns/pilot/camden/",
        *[f"/returns/demo/camden/section/{slug}/" for slug in SECTION_SLUGS],
        "/returns/demo/camden/check/",
        "/accounts/password/change/",
        "/accounts/password/change/done/",
    ]:
        crawl.visit(path)

    # Sent from a refused submit to a question that is still needed, and to the contacts.
    needed = ScopingReturn.objects.get(survey_round__slug="demo")
    contacts = list(needed.contacts.values("name", "email"))
    needed.contacts.all().delete()
    ScopingReturn.objects.filter(pk=needed.pk).update(status="")
    for slug in ("service", "contacts"):
        crawl.visit(f"/returns/demo/camden/section/{slug}/?check=1")
        expect(page).to_have_title(re.compile("^Error:"))
    needed.contacts.create(**contacts[0])
    ScopingReturn.objects.filter(pk=needed.pk).update(status="established")

    # A section with validation errors, a formset with errors, then a submit without the tick.
    crawl.visit("/returns/demo/camden/section/scope/")
    page.get_by_label("What is the youngest age the service takes?").fill("eighteen")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_title(re.compile("^Error:"))
    crawl.check("scope section with errors")
    crawl.visit("/returns/demo/camden/section/care-roles/")
    page.locator("#id_care_roles-0-wte").fill("lots")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_title(re.compile("^Error:"))
    crawl.check("care roles with errors")
    crawl.visit("/returns/demo/camden/check/")
    page.get_by_role("button", name="Submit the return").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    crawl.check("check answers with errors")
    page.get_by_label(re.compile("I confirm")).check()
    page.get_by_role("button", name="Submit the return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Return submitted")
    crawl.check("/returns/demo/camden/submitted/")
    crawl.visit("/returns/demo/camden/section/service/")  # read-only once submitted
    crawl.finish()


@pytest.fixture
def review_world(round_2017_committed, reviewer, lead, camden, croydon):
    """The 2017 round, and an open round with a submitted return (with a care role) and a draft."""
    open_round = SurveyRoundFactory(name="Demo round", slug="demo")
    submitted = complete_return(borough=camden, survey_round=open_round)
    CareRole.objects.create(scoping_return=submitted, role="psychologist", wte="0.5")
    workflow.submit(scoping_return=submitted, by=lead, notify=False)
    complete_return(borough=croydon, survey_round=open_round)
    return {
        "round": open_round,
        "submitted": submitted,
        "accepted": ScopingReturn.objects.get(survey_round__slug="2017", borough=camden),
    }


def upload_for_preview(crawl, csv_file):
    """Open the returns' import page (checked) and upload `csv_file`: its preview follows."""
    crawl.visit("/admin/surveys/scopingreturn/import/")
    crawl.page.get_by_label("File to import").set_input_files(csv_file)
    crawl.page.get_by_label("Format").select_option(label="csv")
    crawl.page.get_by_role("button", name="Submit").click()


def test_steering_group_pages_pass_axe_under_the_csp(
    crawl, page, live_server, review_world, password, tmp_path
):
    submitted, accepted = review_world["submitted"], review_world["accepted"]
    round_pk = review_world["round"].pk
    sign_in(page, live_server, "reviewer", password)
    crawl.check("/ (steering group)")
    # Each route's page as the steering group is crawled with the authorisation matrix's
    # objects (test_every_page_the_authorisation_matrix_reaches...); here, what only the 2017
    # round and this world show: the notes of the data-quality report, a list filtered to one
    # state, an accepted (read-only) return, and the pages that follow the steering group's clicks.
    for path in [
        "/reports/2017/data-quality/",
        f"/admin/surveys/scopingreturn/?survey_round__id__exact={round_pk}&state__exact=submitted",
        f"/admin/surveys/scopingreturn/{accepted.pk}/change/",  # accepted: read-only
    ]:
        crawl.visit(path)

    # Export the round's returns as CSV ("Select all" works without inline script) ...
    crawl.visit(f"/admin/surveys/scopingreturn/export/?survey_round__id__exact={round_pk}")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    page.get_by_label("Select all").uncheck()
    expect(fields.first).not_to_be_checked()
    page.get_by_label("Select all").check()
    expect(fields.last).to_be_checked()
    page.get_by_label("Format").select_option(label="csv")
    with page.expect_download() as download:
        page.get_by_role("button", name="Submit").click()
    exported = download.value.path().read_text()
    # ... upload it with a cell changed: the import preview, its differences highlighted ...
    changed = tmp_path / "returns.csv"
    changed.write_text(exported.replace("Primary Care Plus", "Primary Care Plus+", 1))
    upload_for_preview(crawl, changed)
    expect(page.get_by_role("button", name="Confirm import")).to_be_visible()
    expect(page.locator("table.import-preview ins").first).to_have_text("+")
    crawl.check("import preview")
    # ... and with a value that is not allowed: the rows that failed, with their errors.
    invalid = tmp_path / "invalid.csv"
    invalid.write_text(exported.replace(",established,", ",bogus,", 1))
    upload_for_preview(crawl, invalid)
    expect(page.get_by_text("bogus").first).to_be_visible()
    crawl.check("import with row errors")

    # The request-changes action's intermediate page, empty and with its error.
    crawl.visit("/admin/surveys/scopingreturn/")
    page.locator(f"input[name=_selected_action][value='{submitted.pk}']").check()
    page.locator("select[name=action]").select_option("request_changes")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("button", name="Send back for changes")).to_be_visible()
    crawl.check("request changes")
    page.get_by_role("button", name="Send back for changes").click()
    crawl.check("request changes with errors")
    crawl.finish()


def test_two_factor_pages_pass_axe_under_the_csp(
    crawl, page, live_server, superuser, reviewer, password, settings
):
    settings.OTP_REQUIRED_FOR_STAFF = True
    TOTPDevice.objects.create(user=reviewer, name="Phone", confirmed=True)
    # First sign-in of a staff user: set up an authenticator app.
    sign_in(page, live_server, "admin", password)
    expect(page).to_have_url(re.compile("/accounts/two-factor/setup/"))
    crawl.check("/accounts/two-factor/setup/")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_title(re.compile("^Error:"))
    crawl.check("/accounts/two-factor/setup/ (errors)")
    # Later sign-ins: enter the app's code.
    page.context.clear_cookies()
    sign_in(page, live_server, "reviewer", password)
    expect(page).to_have_url(re.compile("/accounts/two-factor/"))
    crawl.check("/accounts/two-factor/")
    crawl.finish()


# The second lead and the limited reviewer open the same pages as the first lead and the
# reviewer, with other boroughs' rows in them. The routes a persona reaches are crawled in
# PARTS tests (every PARTS-th route of the matrix each), so that xdist spreads the crawl.
MATRIX_PARTS = {"anonymous": 1, "lead_a": 1, "reviewer": 2, "superuser": 3}
MATRIX_CRAWLS = [
    pytest.param(persona, part, parts, id=f"{persona}-{part + 1}-of-{parts}")
    for persona, parts in MATRIX_PARTS.items()
    for part in range(parts)
]
world = matrix.world  # the matrix's users and objects, a fixture


def matrix_html_pages(persona, world, part=0, parts=1):
    """The URLs of the matrix's routes (every `parts`-th one, from `part`) that answer
    `persona` with an HTML page, and the test client signed in as `persona`."""
    client = matrix.client_for(persona, world)
    reached = [
        name
        for name, codes in matrix.EXPECTED.items()
        if codes[matrix.PERSONAS.index(persona)] == matrix.OK
    ]
    urls = []
    for name in reached[part::parts]:
        url = matrix.url_for(name, matrix.routes()[name.partition("@")[0]], world)
        if client.get(url)["Content-Type"].startswith("text/html"):
            urls.append(url)  # not a download, a script or an image
    return urls, client


@pytest.mark.parametrize(("persona", "part", "parts"), MATRIX_CRAWLS)
def test_every_page_the_authorisation_matrix_reaches_passes_axe_under_the_csp(
    browser, live_server, world, axe_check, persona, part, parts
):
    """Each route of the matrix that answers a person with an HTML page, opened as that person:
    a route added later is checked as soon as the matrix has its entry."""
    urls, client = matrix_html_pages(persona, world, part, parts)
    context = browser.new_context()
    if persona != "anonymous":
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    name = f"matrix-{persona}" + (f"-{part + 1}-of-{parts}" if parts > 1 else "")
    crawl = Crawl(context.new_page(), live_server, axe_check, name)
    for url in urls:
        crawl.visit(url)
    problems = [f"as {persona}: {problem}" for problem in crawl.report()]
    context.close()
    assert urls, f"no page of the matrix answers {persona} with HTML"
    assert problems == [], "\n".join(problems)


def test_the_matrix_crawl_opens_more_than_150_pages(world):
    """Between them the parts of the crawl open every HTML page of the matrix (each persona's
    routes are split by `reached[part::parts]`): more than 150."""
    opened = sum(
        len(matrix_html_pages(persona, world, part, parts)[0])
        for persona, parts in MATRIX_PARTS.items()
        for part in range(parts)
    )
    assert opened > 150


# For the element that has focus: whether it looks different from when it has none. Null once
# focus has left the page; "again" when Tab comes back to an element (a trap unless the first).
FOCUS_SHOWN = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    window.visited = window.visited || [];
    if (window.visited.includes(el)) return {again: true, first: el === window.visited[0]};
    window.visited.push(el);
    const look = () => {
        const style = getComputedStyle(el);
        return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow,
                style.borderColor, style.backgroundColor].join('|');
    };
    const focused = look();
    el.blur();
    const unfocused = look();
    el.focus();
    return {what: el.outerHTML.slice(0, 100), shown: focused !== unfocused};
}"""


def test_every_control_of_the_lead_journey_shows_keyboard_focus(
    page, live_server, lead_returns, password
):
    """Tab through the lead's pages: no trap, and every control that takes focus looks focused."""
    sign_in(page, live_server, "lead-a", password)
    unmarked = []
    for path in [
        "/returns/",
        "/returns/demo/camden/",
        "/returns/demo/camden/section/service/",
        "/returns/demo/camden/section/model/",
        "/returns/demo/camden/section/care-roles/",
        "/returns/demo/camden/check/",
    ]:
        page.goto(live_server.url + path)
        reached = 0
        for _ in range(300):
            page.keyboard.press("Tab")
            focus = page.evaluate(FOCUS_SHOWN)
            if focus is None or focus.get("again"):
                assert focus is None or focus["first"], f"{path}: focus is trapped"
                break
            reached += 1
            if not focus["shown"]:
                unmarked.append(f"{path}: {focus['what']}")
        assert reached > 5, f"{path}: Tab reached only {reached} controls"
    assert unmarked == []
    assert ScopingReturn.objects.get(survey_round__slug="demo").state == ReturnState.DRAFT


# Elements that reach past the right edge of the window, outside data tables and charts (which
# WCAG 1.4.10 lets scroll in two dimensions).
OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .filter(el => !el.closest('table, svg'))
        .map(el => el.outerHTML.slice(0, 100));
}"""


def test_pages_reflow_at_400_percent_zoom(
    round_2017_committed, page, live_server, lead_returns, password
):
    """At 320 CSS pixels wide (1280 px at 400%), text wraps: nothing but tables scrolls sideways."""
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server, "lead-a", password)
    overflowing = {}
    for path in [
        "/",
        "/returns/",
        "/returns/demo/camden/",
        "/returns/demo/camden/section/service/",
        "/returns/demo/camden/section/care-roles/",
        "/returns/demo/camden/check/",
        "/reports/2017/",
        "/reports/2017/stp/",
        "/reports/2017/map/",
        "/reports/2017/boroughs/camden/",
        "/reports/2017/report/",
        "/accessibility/",
    ]:
        page.goto(live_server.url + path)
        if found := page.evaluate(OVERFLOWING):
            overflowing[path] = found[:3]
    assert overflowing == {}


# --- The toolkit's pages with data --------------------------------------------------------------

TOOLKIT_BOROUGHS = 8
THEMED = [
    ("Fewer people wait for a specialist appointment", "access,integration"),
    ("Practices and the trust share one record", "communication"),
    ("The service is funded for three years", "sustainability,service-capacity"),
]


def _rated_round(slug, previous, by, shift):
    """A published toolkit round: eight boroughs' accepted returns (Camden's first), their levels
    spread across the areas (each borough's differ from its levels `shift` rounds before), with
    next steps, and benefits and barriers tagged with themes."""
    survey_round = SurveyRoundFactory(
        toolkit=True, slug=slug, name=f"Toolkit round {slug}", previous_round=previous
    )
    levels = versions.levels()
    boroughs = [Borough.objects.get(slug="camden")] + list(
        Borough.objects.exclude(slug="camden").order_by("stp__display_order", "pk")
    )[: TOOLKIT_BOROUGHS - 1]
    for i, borough in enumerate(boroughs):
        scoping_return = complete_return(borough=borough, survey_round=survey_round)
        for j, row in enumerate(scoping_return.self_assessments.order_by("area__order")):
            # Camden stays low (someone to learn from); the others spread, embedded somewhere.
            rank = (j % 2) if i == 0 else (i * 3 + j + shift) % len(levels)
            row.level = levels[rank]
            row.evidence = f"Evidence for {row.area_id}"
            row.next_step = f"Next step in {row.area_id}" if j % 3 else ""
            row.save()
        for n, (text, themes) in enumerate(THEMED[: 1 + i % len(THEMED)]):
            Benefit.objects.create(scoping_return=scoping_return, text=text, themes=themes)
            if n % 2 == 0:
                Barrier.objects.create(
                    scoping_return=scoping_return, text=f"Not yet: {text.lower()}", themes=themes
                )
        workflow.submit(scoping_return=scoping_return, by=by, notify=False)
        workflow.accept(scoping_return=scoping_return, by=by, notify=False)
    return close_and_publish(survey_round, by)


@pytest.fixture
def toolkit_rounds(reviewer):
    """Two published toolkit rounds, the second after the first: its profiles have the
    benchmark with "Learn from" and last round's next steps, its changes page the levels moved."""
    first = _rated_round("toolkit-1", None, reviewer, shift=0)
    return first, _rated_round("toolkit-2", first, reviewer, shift=1)


# Each cell of the heatmaps, as read: its text and the level its colour stands for.
HEATMAP_CELLS = """() => [...document.querySelectorAll('table.pcmh-heatmap td.pcmh-level')].map(
    td => [td.textContent.trim(),
           [...td.classList].find(c => c.startsWith('pcmh-level--')).slice(12)])"""
# The scrolling regions around tables and charts, each marked with its place on the page.
SCROLL_REGIONS = """() => [...document.querySelectorAll('.pcmh-table-scroll')].map((el, i) => {
    el.dataset.region = i;
    const label = document.getElementById(el.getAttribute('aria-labelledby') || '');
    return {role: el.getAttribute('role'), tabindex: el.tabIndex,
            label: label ? label.textContent.trim() : ''};
})"""
FOCUSED_REGION = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    window.seen = window.seen || [];
    if (window.seen.includes(el)) return {again: true};
    window.seen.push(el);
    return {region: el.dataset.region === undefined ? null : Number(el.dataset.region)};
}"""


def _regions_reached_by_tab(page):
    """The scrolling regions of the page, and those Tab reaches (from the top, until focus comes
    back round or leaves the page)."""
    regions = page.evaluate(SCROLL_REGIONS)
    reached = set()
    for _ in range(1000):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUSED_REGION)
        if focus is None or focus.get("again"):
            break
        if focus["region"] is not None:
            reached.add(focus["region"])
    return regions, reached


def test_the_toolkit_pages_with_data_pass_axe_and_read_without_colour_or_a_mouse(
    crawl, page, toolkit_rounds
):
    _, current = toolkit_rounds
    slug = current.slug
    pages = {
        "self-assessment": f"/reports/{slug}/self-assessment/",
        "themes": f"/reports/{slug}/themes/",
        "profile": f"/reports/{slug}/boroughs/camden/",
        "changes": f"/reports/{slug}/changes/",
        "report": f"/reports/{slug}/report/",
    }
    # The words a heatmap cell may say for the level its colour stands for.
    words = {level.slug: {level.name} for level in Level.objects.all()}
    words.update({"not-answered": {"Not answered", "No level given"}, "no-return": {"No return"}})
    regions_not_reached = {}
    for name, path in pages.items():
        crawl.visit(path)
        # The data is there: what axe looked at is the pages with levels, themes and moves.
        if name == "self-assessment":
            cells = page.evaluate(HEATMAP_CELLS)
            assert {level for level, _ in cells} >= set(
                Level.objects.values_list("name", flat=True)
            )
            # Each cell names its level in words; its colour only repeats it.
            wrong = [(text, css) for text, css in cells if text not in words.get(css, ())]
            assert wrong == []
        elif name == "themes":
            expect(
                page.get_by_text("Fewer people wait for a specialist appointment").first
            ).to_be_attached()
        elif name == "profile":
            expect(page.get_by_role("heading", name="Learn from")).to_be_visible()
            expect(page.get_by_text("planned: Next step in").first).to_be_visible()
        elif name == "changes":
            expect(page.get_by_text("→").first).to_be_visible()
        if name != "report":
            regions, reached = _regions_reached_by_tab(page)
            assert regions, path
            unnamed = [r for r in regions if r["role"] != "region" or not r["label"]]
            assert unnamed == [], path
            missed = [r["label"] for i, r in enumerate(regions) if i not in reached]
            if missed or any(r["tabindex"] != 0 for r in regions):
                regions_not_reached[path] = missed
    assert regions_not_reached == {}
    crawl.finish()
