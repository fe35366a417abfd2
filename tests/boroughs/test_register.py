import pytest

from boroughs.models import Borough, Stp

pytestmark = pytest.mark.django_db

REPORT_ORDER = (
    "brent central-london ealing hammersmith-fulham harrow hillingdon hounslow west-london "
    "barnet camden enfield haringey islington barking-dagenham havering redbridge "
    "waltham-forest city-hackney newham tower-hamlets croydon kingston merton richmond sutton "
    "wandsworth bexley bromley greenwich lambeth lewisham southwark"
).split()


def test_register_has_five_stps_and_32_boroughs_in_report_order():
    assert list(Stp.objects.values_list("name", flat=True)) == [
        "North West London",
        "North Central London",
        "East London",
        "South West London",
        "South East London",
    ]
    assert list(Borough.objects.values_list("slug", flat=True)) == REPORT_ORDER


@pytest.mark.parametrize(
    ("stp", "names"),
    [
        (
            "North West London",
            [
                "Brent",
                "Central London",
                "Ealing",
                "Hammersmith & Fulham",
                "Harrow",
                "Hillingdon",
                "Hounslow",
                "West London",
            ],
        ),
        ("North Central London", ["Barnet", "Camden", "Enfield", "Haringey", "Islington"]),
        (
            "East London",
            [
                "Barking & Dagenham",
                "Havering",
                "Redbridge",
                "Waltham Forest",
                "City & Hackney",
                "Newham",
                "Tower Hamlets",
            ],
        ),
        (
            "South West London",
            ["Croydon", "Kingston", "Merton", "Richmond", "Sutton", "Wandsworth"],
        ),
        (
            "South East London",
            ["Bexley", "Bromley", "Greenwich", "Lambeth", "Lewisham", "Southwark"],
        ),
    ],
)
def test_each_stp_groups_the_boroughs_as_the_report_does(stp, names):
    assert list(Borough.objects.filter(stp__name=stp).values_list("name", flat=True)) == names


def test_every_borough_has_its_own_tile_and_codes():
    tiles = list(Borough.objects.values_list("tile_x", "tile_y"))
    assert len(set(tiles)) == 32
    for borough in Borough.objects.all():
        assert borough.gss_codes.startswith("E09"), borough
        assert len(borough.ods_code) == 3, borough


def test_ccg_units_say_what_they_cover():
    assert Borough.objects.get(slug="central-london").covers == "Westminster"
    assert "Queen's Park & Paddington" in Borough.objects.get(slug="west-london").covers
