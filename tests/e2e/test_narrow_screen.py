"""The 2017 report on a phone (390 px wide): wide tables, charts and the map scroll inside their
own regions, so no report page scrolls sideways."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
PAGES = {
    "summary": ("reports:summary", ["2017"]),
    "STP tables": ("reports:stp_tables", ["2017"]),
    "map": ("reports:map", ["2017"]),
    "profile": ("reports:borough", ["2017", "camden"]),
    "full report": ("reports:report", ["2017"]),
}
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# Pages whose tables are wider than a phone: they stay narrow only because their regions scroll.
WIDE = {"summary", "STP tables", "full report"}
# Scroll regions whose content is wider than themselves on this screen.
SCROLLING_REGIONS = (
    "() => [...document.querySelectorAll('.pcmh-table-scroll')]"
    ".filter(r => r.scrollWidth > r.clientWidth).length"
)


def test_no_report_page_is_wider_than_a_phone(round_2017_committed, page, live_server, shots):
    page.set_viewport_size(PHONE)
    for name, (url_name, args) in PAGES.items():
        page.goto(live_server.url + reverse(url_name, args=args))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        scroll_width, inner_width = page.evaluate(WIDTHS)
        shots(page, name.replace(" ", "-"))
        assert inner_width == PHONE["width"], name
        assert scroll_width <= inner_width, (
            f"{name}: {scroll_width} px wide on a {inner_width} px screen"
        )
        if name in WIDE:
            assert page.evaluate(SCROLLING_REGIONS) > 0, f"{name}: no table scrolls in its region"
