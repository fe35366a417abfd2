"""The STP tables, the tile map and the borough profiles of the 2017 round."""

import pytest
from django.urls import reverse

from boroughs.models import Borough
from boroughs.register import BOROUGHS, STPS
from tests.reports.helpers import page

pytestmark = pytest.mark.django_db


def test_the_five_stp_tables_have_the_reports_rows_in_its_order(client, round_2017):
    parsed = page(client.get(reverse("reports:stp_tables", args=["2017"])))
    tables = [t for t in parsed.tables if t["caption"].endswith("summary of the boroughs' returns")]
    assert [t["caption"].split(":")[0] for t in tables] == [name for _, name, _ in STPS]
    assert [len(t["rows"]) - 1 for t in tables] == [8, 5, 7, 6, 6]
    for table, (stp_slug, _, _) in zip(tables, STPS, strict=True):
        in_register_order = [name for _, name, stp, *_ in BOROUGHS if stp == stp_slug]
        assert [row[0] for row in table["rows"][1:]] == in_register_order


def test_stp_tables_have_the_appendix_columns(client, round_2017):
    parsed = page(client.get(reverse("reports:stp_table", args=["2017", "east-london"])))
    table = parsed.table("East London")
    assert table["rows"][0] == [
        "Borough",
        "Service status",
        "Service form (model)",
        "Scope",
        "Shared IT",
        "Outcome measures described",
        "Regular MH training",
        "Medicines management in primary care",
        "Recurrent funding",
    ]
    assert len(table["rows"]) - 1 == 7
    assert parsed.h1 == ["East London: borough table"]


def test_an_unknown_stp_is_404(client, round_2017):
    assert client.get(reverse("reports:stp_table", args=["2017", "atlantis"])).status_code == 404


def test_the_tile_map_follows_londons_geography(client, round_2017):
    tiles = {b.slug: (b.tile_x, b.tile_y) for b in Borough.objects.all()}
    html = client.get(reverse("reports:map", args=["2017"])).content.decode()
    for slug, (x, y) in tiles.items():
        assert f'data-borough="{slug}" data-x="{x}" data-y="{y}"' in html
    assert tiles["hillingdon"][0] < tiles["ealing"][0]  # Hillingdon west of Ealing
    assert tiles["havering"][0] > tiles["redbridge"][0]  # Havering east of Redbridge
    assert tiles["croydon"][1] > tiles["lambeth"][1]  # Croydon south of Lambeth
    assert tiles["barnet"][1] < tiles["camden"][1]  # Barnet north of Camden
    assert len(set(tiles.values())) == len(tiles) == 32


def test_each_tile_links_to_its_boroughs_profile_and_is_labelled(client, round_2017):
    html = client.get(reverse("reports:map", args=["2017"])).content.decode()
    for borough in Borough.objects.all():
        profile = reverse("reports:borough", args=["2017", borough.slug])
        assert f'<a href="{profile}" aria-label="{borough.name}: '.replace("&", "&amp;") in html
    assert ">HIL</text>" in html and ">CAM</text>" in html


def test_the_map_is_patterned_by_status_and_has_a_text_alternative(client, round_2017):
    response = client.get(reverse("reports:map", args=["2017"]))
    html = response.content.decode()
    for status in ("established", "pilot", "planned", "not_applicable"):
        assert f'<pattern id="map-pattern-{status}"' in html
    parsed = page(response)
    table = parsed.table("The map as a table")
    assert len(table["rows"]) - 1 == 32
    statuses = [row[3] for row in table["rows"][1:]]
    assert statuses.count("Established") == 18 and statuses.count("Pilot") == 6
    map_svg = next(svg for svg in parsed.svgs if svg.get("role") == "group")
    assert map_svg["aria-labelledby"] == "map-title map-desc"
    assert "(diagonal stripes)" in html and "(dots)" in html  # the key names the patterns


def test_a_profile_follows_the_reports_framework(client, round_2017):
    response = client.get(reverse("reports:borough", args=["2017", "camden"]))
    assert response.status_code == 200
    html = response.content.decode()
    headings = [
        "Current situation",
        "Model",
        "Aims",
        "Scope",
        "Working style",
        "Care roles",
        "Training",
        "Electronic record keeping",
        "Prescribing",
        "Outcome measures",
        "Funding",
        "Contacts",
    ]
    positions = [html.index(f">{heading}</h2>") for heading in headings]
    assert positions == sorted(positions)
    assert page(response).table("Care roles in Camden")["rows"][1:]
    assert page(response).h1 == ["Camden"]


def test_a_profile_shows_its_data_quality_notes(client, round_2017):
    from surveys.models import DataQualityNote

    note = DataQualityNote.objects.select_related("scoping_return__borough").first()
    html = client.get(
        reverse("reports:borough", args=["2017", note.scoping_return.borough.slug])
    ).content.decode()
    assert "Data-quality notes" in html and "The narrative says" in html


def test_a_borough_without_a_counted_return_says_no_return(client, round_2017):
    from surveys.models import ScopingReturn

    ScopingReturn.all_rows.filter(borough__slug="bexley").update(state="submitted")
    response = client.get(reverse("reports:borough", args=["2017", "bexley"]))
    assert response.status_code == 200
    assert "No return." in response.content.decode()
    rows = page(client.get(reverse("reports:stp_table", args=["2017", "south-east-london"])))
    bexley = next(r for r in rows.table("South East London")["rows"] if r[0] == "Bexley")
    assert bexley[1] == "No return"


def test_an_unknown_borough_is_404(client, round_2017):
    assert client.get(reverse("reports:borough", args=["2017", "atlantis"])).status_code == 404


def test_the_full_report_has_summary_map_tables_and_every_profile(client, round_2017):
    response = client.get(reverse("reports:report", args=["2017"]))
    html = response.content.decode()
    parsed = page(response)
    assert parsed.h1 == ["2017 pan-London scoping: the full report"]
    for borough in Borough.objects.all():
        assert f'id="profile-{borough.slug}"' in html
    assert "18 of 32 boroughs, 56%" in html
    assert 'id="report-map-title"' in html
    assert len([t for t in parsed.tables if t["caption"].endswith("returns")]) == 5
