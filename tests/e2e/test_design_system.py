"""What the GOV.UK design system brings the lead's pages, checked in the browser: controls whose
borders stand out from the page (WCAG 1.4.11, 3:1), a visible focus on every control, the
character count, and the timeout warning before a session ends (WCAG 2.2.1)."""

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import ScopingReturnFactory, SurveyRoundFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The relative luminance contrast of two CSS colours, as WCAG defines it (computed in the page).
CONTRAST = """([a, b]) => {
  const rgb = (css) => css.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (css) => {
    const [r, g, b] = rgb(css).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}"""

# What a control looks like: its border colour, outline and box shadow, and the page's colour.
LOOK = """(el) => {
  const s = getComputedStyle(el);
  return {border: s.borderTopColor, borderWidth: s.borderTopWidth, outline: s.outlineStyle,
          outlineWidth: s.outlineWidth, outlineColor: s.outlineColor, shadow: s.boxShadow,
          background: s.backgroundColor,
          page: getComputedStyle(document.body).backgroundColor};
}"""


@pytest.fixture
def section_page(page, live_server, lead, password, camden):
    survey_round = SurveyRoundFactory(name="Demo round", slug="demo")
    ScopingReturnFactory(survey_round=survey_round, borough=camden)
    sign_in(page, live_server, lead.username, password)
    return page


def _controls(page, path):
    page.goto(path)
    return {
        "text input": page.locator("input.govuk-input").first,
        "textarea": page.locator("textarea.govuk-textarea").first,
        "select": page.locator("select.govuk-select").first,
        "radio": page.locator("input.govuk-radios__input").first,
        "checkbox": page.locator("input.govuk-checkboxes__input").first,
        "button": page.get_by_role("button", name="Save and continue").last,
        "link": page.get_by_role("link", name="Reports", exact=True),
    }


def test_every_control_has_a_border_of_3_to_1_and_a_visible_focus(section_page, live_server):
    base = f"{live_server.url}/returns/demo/camden/section"
    seen = {}
    for path in (f"{base}/service/", f"{base}/model/", f"{base}/care-roles/"):
        for kind, control in _controls(section_page, path).items():
            if kind in seen or control.count() == 0:
                continue
            seen[kind] = True
            # A radio's or checkbox's visible box is drawn by its label's ::before.
            boxed = kind in ("radio", "checkbox")
            if kind not in ("button", "link"):
                if boxed:
                    look = control.evaluate(
                        """(el) => {
                          const s = getComputedStyle(el.labels[0], '::before');
                          return {border: s.borderTopColor,
                                  page: getComputedStyle(document.body).backgroundColor};
                        }"""
                    )
                else:
                    look = control.evaluate(LOOK)
                ratio = section_page.evaluate(CONTRAST, [look["border"], look["page"]])
                assert ratio >= 3, f"{kind}: border {look['border']} is {ratio:.2f}:1"
            target = control
            before = (
                target.evaluate("(el) => getComputedStyle(el.labels[0], '::before').boxShadow")
                if boxed
                else target.evaluate(LOOK)
            )
            section_page.keyboard.press("Escape")
            target.focus()
            after = (
                target.evaluate("(el) => getComputedStyle(el.labels[0], '::before').boxShadow")
                if boxed
                else target.evaluate(LOOK)
            )
            assert after != before, f"{kind}: focus changes nothing"
            if not boxed:
                thick = after["outline"] != "none" and float(after["outlineWidth"][:-2]) >= 2
                assert thick or after["shadow"] != "none", f"{kind}: no focus indicator"
    assert set(seen) == {
        "text input",
        "textarea",
        "select",
        "radio",
        "checkbox",
        "button",
        "link",
    }


def test_a_long_answer_counts_its_characters_as_the_lead_types(section_page, live_server):
    section_page.goto(f"{live_server.url}/returns/demo/camden/section/service/")
    box = section_page.get_by_label("Where does the service stand today?")
    box.fill("Running in four practices.")
    status = section_page.locator(".govuk-character-count__status").first
    expect(status).to_contain_text("9,974 characters remaining")
    assert box.get_attribute("maxlength") is None  # counted, never cut


def test_the_timeout_warning_comes_before_the_session_ends_and_can_extend_it(
    section_page, live_server, settings
):
    settings.SESSION_COOKIE_AGE = 12
    settings.SESSION_WARNING_SECONDS = 9
    page = section_page
    time.sleep(1.1)  # the idle time starts again at most every tenth of it: 1 s here
    page.goto(f"{live_server.url}/returns/demo/camden/section/service/")  # session: 12 s from now
    opened = time.monotonic()
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=8_000)  # 3 s after the page, 9 s before the end
    # A modal dialog with focus moved into it, its time left announced.
    assert page.evaluate("document.querySelector('dialog').matches(':modal')")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_focused()
    expect(dialog.locator("[aria-live]")).to_contain_text("seconds")
    expect(dialog).to_contain_text("we will sign you out in")

    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    # Past the moment the first session would have ended, the lead is still signed in.
    time.sleep(max(0, 13 - (time.monotonic() - opened)))
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("1. Service")


def test_without_an_answer_the_warning_says_the_session_has_ended(
    section_page, live_server, settings
):
    settings.SESSION_COOKIE_AGE = 6
    settings.SESSION_WARNING_SECONDS = 3
    page = section_page
    time.sleep(1.1)  # as above: the page's request then starts the 6 s idle time
    page.goto(f"{live_server.url}/returns/demo/camden/section/service/")
    ended = page.get_by_role("heading", name="You have been signed out")
    expect(ended).to_be_visible(timeout=10_000)
    expect(ended).to_be_focused()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
