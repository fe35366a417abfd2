"""A published report keeps the names it was published with: a borough, an STP footprint, a
region, a guidance area or a level renamed afterwards changes no page or download of it (the
service shows the new name everywhere else), until the steering group publishes a correction."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from boroughs.models import Borough, Region, Stp
from surveys import workflow
from tests.reports.helpers import body
from tests.reports.test_publications import _corrected_camden, _everything
from tests.toolkit.test_self_assessment_report import _seeded_levels, _toolkit_round
from toolkit.models import GuidanceArea, Level

pytestmark = pytest.mark.django_db

NEW = "Renamed since publishing"


@pytest.fixture(autouse=True)
def _no_cache(settings):
    # Every page computed afresh: what they show is the report's own, not a cached copy.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _rename(model, slug, name):
    row = model.objects.get(slug=slug)
    row.name = name
    row.save()
    return row


def _workbook_text(client, round_slug) -> str:
    response = client.get(reverse("reports:returns_xlsx", args=[round_slug]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    text = " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    return re.sub(r"\d{4}-\d\d-\d\dT[\d:]+\+00:00", "<when made>", text)


def test_renaming_the_register_after_publishing_changes_no_page_or_download(client, round_2017):
    before = _everything(client)
    workbook = _workbook_text(client, "2017")
    assert "Camden" in before[("reports:borough", "camden")]
    assert "North Central London" in before[("reports:stp_tables",)]
    assert "Camden" in workbook and "North Central London" in workbook

    _rename(Borough, "camden", f"Camden {NEW}")
    _rename(Stp, "north-central-london", f"NCL {NEW}")
    _rename(Region, "london", f"London {NEW}")

    after = _everything(client)
    for page, text in after.items():
        assert NEW not in text, page
        assert text == before[page], page
    workbook_now = _workbook_text(client, "2017")
    assert NEW not in workbook_now
    assert workbook_now == workbook
    # Everywhere else the register's names are as they stand now.
    assert Borough.objects.get(slug="camden").name == f"Camden {NEW}"


def test_a_correction_published_after_a_rename_shows_the_new_names(client, round_2017, reviewer):
    _rename(Borough, "camden", f"Camden {NEW}")
    _corrected_camden(round_2017, reviewer)
    workflow.publish_correction(
        survey_round=round_2017, by=reviewer, note="Camden's recurrent funding corrected"
    )
    profile = client.get(reverse("reports:borough", args=["2017", "camden"])).content.decode()
    assert f"Camden {NEW}" in profile
    # The first version is still read as it was published.
    first = client.get(
        reverse("reports:borough", args=["2017", "camden"]), {"version": "1"}
    ).content.decode()
    assert NEW not in first and "Camden" in first
    rows = body(client.get(reverse("reports:data_csv", args=["2017", "returns"]))).decode()
    assert f"Camden {NEW}" in rows


def test_renaming_a_guidance_area_or_a_level_after_publishing_changes_no_toolkit_page(
    client, reviewer
):
    boroughs = list(Borough.objects.select_related("stp").order_by("pk"))[:12]
    previous = _toolkit_round(_seeded_levels(boroughs, seed=7), slug="then", by=reviewer)
    current = _toolkit_round(
        _seeded_levels(boroughs, seed=8), slug="now", by=reviewer, previous=previous
    )
    area = GuidanceArea.objects.order_by("order").first()
    pages = [
        reverse("reports:self_assessment", args=[current.slug]),
        reverse("reports:borough", args=[current.slug, boroughs[0].slug]),
        reverse("reports:changes", args=[current.slug]),
    ]
    before = {url: client.get(url).content.decode() for url in pages}
    for url, text in before.items():
        assert area.name in text, url
    assert "Embedded" in before[pages[0]]

    _rename(GuidanceArea, area.slug, f"{area.name} {NEW}")
    _rename(Level, "embedded", f"Embedded {NEW}")
    _rename(Borough, boroughs[0].slug, f"{boroughs[0].name} {NEW}")

    for url in pages:
        text = client.get(url).content.decode()
        assert NEW not in text, url
        assert text == before[url], url
    # A round still open reads the toolkit as it stands.
    open_round = _toolkit_round(
        _seeded_levels(boroughs[:2], seed=9), slug="open", by=reviewer, publish=False
    )
    client.force_login(reviewer)
    page = client.get(reverse("reports:self_assessment", args=[open_round.slug]))
    assert f"{area.name} {NEW}" in page.content.decode()
