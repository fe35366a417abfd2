"""The register's levels: regions above the ICB or STP footprints, London's five in London."""

import pytest
from django.contrib.auth import get_user_model

from boroughs.models import Borough, Region, Stp

pytestmark = pytest.mark.django_db


def test_londons_five_stp_footprints_are_in_the_region_london():
    london = Region.objects.get(slug="london")
    assert london.name == "London"
    assert set(london.stps.values_list("slug", flat=True)) == set(
        Stp.objects.values_list("slug", flat=True)
    )
    assert Borough.objects.filter(stp__region=london).count() == Borough.objects.count()


def test_a_new_footprint_without_a_region_is_in_london():
    stp = Stp.objects.create(name="A new footprint", slug="a-new-footprint")
    assert stp.region.slug == "london"


def test_the_superuser_adds_a_region_and_the_admin_lists_it(client):
    admin = get_user_model().objects.create_superuser("root", "root@nhs.net", "pw")
    client.force_login(admin)
    response = client.post(
        "/admin/boroughs/region/add/",
        {"name": "North West", "slug": "north-west", "code": "E40000010", "display_order": 2},
    )
    assert response.status_code == 302
    listing = client.get("/admin/boroughs/region/").content.decode()
    assert "North West" in listing and "London" in listing
    assert (
        client.get(
            "/admin/boroughs/stp/?region__id__exact=" + str(Region.objects.get(slug="london").pk)
        ).status_code
        == 200
    )


def test_the_home_page_says_what_the_register_covers(client):
    """London's register: its borough count in London's words; a register of several regions:
    its units and regions, however many the register holds."""
    page = client.get("/").content.decode()
    assert f"Each of London's {Borough.objects.count()} boroughs and CCGs" in page
    assert "Primary care mental health in London" in page

    north = Region.objects.create(name="North West", slug="north-west", display_order=2)
    icb = Stp.objects.create(
        name="Cheshire and Merseyside", slug="cheshire-merseyside", region=north
    )
    for n in range(3):
        Borough.objects.create(name=f"Unit {n}", slug=f"unit-{n}", stp=icb, tile_x=n, tile_y=9)
    Region.objects.create(name="Empty region", slug="empty", display_order=3)  # no units
    page = client.get("/").content.decode()
    assert f"Each of the register's {Borough.objects.count()} units" in page
    assert "Primary care mental health across 2 regions" in page
