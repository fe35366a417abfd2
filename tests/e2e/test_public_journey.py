import csv
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The appendix's columns as before, then the words beside each classification.
TABLES_HEADER = (
    "stp,borough,status,model,scope,shared_it,outcome_measures,training,"
    "medicines_management,recurrent_funding,scope_note,shared_it_note,outcome_measures_note,"
    "training_note,medicines_management_note,recurrent_funding_note"
)


def test_a_visitor_reads_the_2017_report_map_and_a_profile_and_downloads_the_tables(
    round_2017_committed, page, live_server, shots, axe_check
):
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()  # anonymous
    shots(page, "home")
    page.get_by_role("link", name=re.compile("2017")).first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pan-London summary")
    expect(page.get_by_text("Provisional")).to_have_count(0)
    status = page.get_by_role("table", name=re.compile("^Service status"))
    expect(status.get_by_role("row", name=re.compile("^Established"))).to_contain_text("18 of 32")
    shots(page, "summary")
    axe_check(page)

    page.get_by_role("navigation", name="Report pages").get_by_role("link", name="Map").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Map of service status")
    shots(page, "map")
    axe_check(page)
    page.get_by_role("figure").get_by_role("link", name=re.compile(r"^Camden:")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Camden")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_contain_text(
        "North Central London"
    )
    shots(page, "profile")
    axe_check(page)

    page.get_by_role("navigation", name="Report pages").get_by_role(
        "link", name="STP tables"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Boroughs by STP footprint")
    shots(page, "stp-tables")
    axe_check(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="tables.csv").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    download.save_as(shots.folder / download.suggested_filename)
    shots(page, "tables-csv-downloaded")
    text = open(download.path(), encoding="utf-8", newline="").read()  # noqa: SIM115

    lines = text.splitlines()
    assert lines[0] == TABLES_HEADER
    assert len(lines) == 33  # the header and one row per borough
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sum(row["status"] == "Established" for row in rows) == 18
    assert [row["stp"] for row in rows if row["borough"] == "Camden"] == ["North Central London"]
