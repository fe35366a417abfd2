"""generate_data: a synthetic register of any shape, and rounds of returns filled as leads fill
them, the same for the same seed; the report's pages read it whatever its shape."""

import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from boroughs.models import Borough, Region, Stp
from surveys.choices import ReturnState, RoundState
from surveys.generate import Shape, generate, sections_for
from surveys.management.commands.load_2017_round import system_user
from surveys.models import Publication, ScopingReturn, SurveyRound
from surveys.sections import FIELD_NAMES, ROWS

pytestmark = pytest.mark.django_db

REPORT_PAGES = ("summary", "stp_tables", "map", "boroughs", "report", "summary_json", "tables_csv")


def _generate(*arguments):
    call_command("generate_data", *arguments, stdout=open("/dev/null", "w"))  # noqa: SIM115


def _fingerprint(client) -> dict:
    """What a reader gets of each round (its summary.json), and every answer of every return."""
    figures = {}
    for survey_round in SurveyRound.objects.order_by("opens_on"):
        response = client.get(reverse("reports:summary_json", args=[survey_round.slug]))
        figures[survey_round.slug] = response.json()
    answers = ScopingReturn.all_rows.order_by("survey_round__opens_on", "borough__slug", "pk")
    digest = hashlib.sha256(
        repr(list(answers.values_list("borough__slug", "state", *FIELD_NAMES))).encode()
    ).hexdigest()
    return {"figures": figures, "answers": digest}


def _remove_generated():
    """Back to the register the migrations made, without any round: a fresh database."""
    Publication.objects.all().delete()
    ScopingReturn.all_rows.all().delete()
    SurveyRound.objects.all().delete()
    Borough.objects.exclude(stp__region__slug="london").delete()
    Stp.objects.exclude(region__slug="london").delete()
    Region.objects.exclude(slug="london").delete()


def test_generate_data_is_deterministic_for_a_seed(client, reviewer):
    client.force_login(reviewer)
    arguments = ["--units", "50", "--regions", "3", "--icbs", "8", "--rounds", "2", "--seed", "7"]
    _generate(*arguments)
    first = _fingerprint(client)
    _remove_generated()
    _generate(*arguments)
    assert _fingerprint(client) == first
    _remove_generated()
    _generate(*arguments[:-1], "8")
    assert _fingerprint(client)["answers"] != first["answers"]


def test_generate_data_builds_every_level_of_the_register_and_every_round():
    _generate("--units", "60", "--regions", "3", "--icbs", "8", "--rounds", "3")

    assert (Region.objects.count(), Stp.objects.count(), Borough.objects.count()) == (3, 8, 60)
    assert not Region.objects.filter(stps__isnull=True).exists()
    assert not Stp.objects.filter(boroughs__isnull=True).exists()
    brent = Borough.objects.get(slug="brent")  # London's register stays as it was
    assert (brent.stp.slug, brent.stp.region.slug) == ("north-west-london", "london")
    assert Borough.objects.filter(stp__region__slug="london").count() == 32
    tiles = set(Borough.objects.values_list("tile_x", "tile_y"))
    assert len(tiles) == 60

    rounds = list(SurveyRound.objects.order_by("opens_on"))
    assert [r.state for r in rounds] == [RoundState.PUBLISHED, RoundState.PUBLISHED, "open"]
    assert [r.previous_round for r in rounds] == [None, rounds[0], rounds[1]]
    for survey_round in rounds:
        returns = ScopingReturn.objects.in_round(survey_round)
        assert returns.count() == 60
        if survey_round.state == RoundState.PUBLISHED:
            assert set(returns.values_list("state", flat=True)) == {ReturnState.ACCEPTED}
            assert survey_round.current_publication.version == 1
            assert (
                ScopingReturn.all_rows.filter(publication=survey_round.current_publication).count()
                == 60
            )
    states = set(ScopingReturn.objects.in_round(rounds[-1]).values_list("state", flat=True))
    assert len(states) >= 3
    # Each round after the first is carried over from the one before, then moved on.
    assert set(
        ScopingReturn.objects.in_round(rounds[1]).values_list("carried_from", flat=True)
    ) == {rounds[0].pk}
    before = dict(ScopingReturn.objects.in_round(rounds[0]).values_list("borough_id", "status"))
    after = dict(ScopingReturn.objects.in_round(rounds[1]).values_list("borough_id", "status"))
    assert before != after
    # Every question is answered somewhere, and every kind of child row is there.
    accepted = ScopingReturn.objects.filter(state=ReturnState.ACCEPTED)
    for name in FIELD_NAMES:
        given = accepted.exclude(**{f"{name}__isnull": True})
        if not ScopingReturn._meta.get_field(name).null:
            given = given.exclude(**{name: ""})
        assert given.exists(), f"{name} is never answered"
    for section in sections_for(rounds[0]):
        for relation in section.children:
            model = ScopingReturn._meta.get_field(relation).related_model
            assert model.objects.filter(scoping_return__survey_round=rounds[0]).exists(), relation
    assert set(ROWS) >= {"care_roles", "measures", "funding_lines", "contacts"}


def test_generate_data_refuses_a_database_with_rounds_and_changes_nothing():
    SurveyRound.objects.create(
        name="2017", slug="2017", opens_on="2017-01-01", closes_on="2017-03-01"
    )
    with pytest.raises(CommandError, match="has rounds already"):
        _generate("--units", "40", "--rounds", "1")
    assert Borough.objects.count() == 32


def test_a_shape_smaller_than_the_register_is_refused():
    with pytest.raises(CommandError, match="ask for at least"):
        _generate("--units", "20", "--regions", "2", "--icbs", "6", "--rounds", "1")


def _every_page_answers(client, survey_round, borough):
    for name in REPORT_PAGES:
        url = reverse(f"reports:{name}", args=[survey_round.slug])
        assert client.get(url).status_code == 200, url
    assert (
        client.get(
            reverse("reports:stp_table", args=[survey_round.slug, borough.stp.slug])
        ).status_code
        == 200
    )
    assert (
        client.get(reverse("reports:borough", args=[survey_round.slug, borough.slug])).status_code
        == 200
    )
    if survey_round.previous_round is not None:
        url = reverse("reports:changes", args=[survey_round.slug])
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("without_london", "shape"),
    [
        (False, Shape(units=40, regions=3, icbs=7, rounds=2)),
        (True, Shape(units=11, regions=2, icbs=3, rounds=2)),
    ],
)
def test_a_register_of_another_shape_renders_every_report_page(
    client, reviewer, without_london, shape
):
    if without_london:
        Borough.objects.all().delete()
        Stp.objects.all().delete()
        Region.objects.all().delete()
    generate(shape, by=system_user())
    assert Borough.objects.count() == shape.units
    assert Stp.objects.count() == shape.icbs
    borough = Borough.objects.select_related("stp").order_by("-pk").first()
    rounds = list(SurveyRound.objects.order_by("opens_on"))
    for survey_round in rounds:  # the public reads the published rounds
        if survey_round.state == RoundState.PUBLISHED:
            _every_page_answers(client, survey_round, borough)
    client.force_login(reviewer)
    for survey_round in rounds:  # the steering group the open one too
        _every_page_answers(client, survey_round, borough)
    for scoping_return in ScopingReturn.objects.filter(survey_round=rounds[-1], borough=borough):
        review = f"/admin/surveys/scopingreturn/review/{rounds[-1].slug}/{borough.slug}/"
        assert client.get(review).status_code == 200, scoping_return.state
    response = client.get(reverse("reports:summary_json", args=[rounds[0].slug]))
    summary = response.json()
    assert summary["boroughs"] == shape.units


def test_with_the_toolkit_every_return_rates_every_area_and_levels_move_between_rounds(client):
    from surveys.models import Barrier, Benefit, SelfAssessment
    from toolkit import versions

    _generate("--units", "40", "--regions", "2", "--icbs", "6", "--rounds", "2", "--toolkit")
    first, second = SurveyRound.objects.order_by("opens_on")
    assert first.uses_toolkit and second.uses_toolkit
    assert first.toolkit_version == versions.latest_approved()
    areas = {area.slug for area in versions.areas()}
    levels = {}
    for survey_round in (first, second):
        rated = {}
        for borough, area, level in SelfAssessment.objects.filter(
            scoping_return__survey_round=survey_round
        ).values_list("scoping_return__borough_id", "area_id", "level_id"):
            rated.setdefault(borough, {})[area] = level
        assert len(rated) == 40
        assert all(set(by_area) == areas for by_area in rated.values())
        levels[survey_round.slug] = rated
    spread = {level for by_area in levels[first.slug].values() for level in by_area.values()}
    assert spread == {level.slug for level in versions.levels()}
    assert levels[first.slug] != levels[second.slug]  # levels moved on in the second round
    assert Benefit.objects.filter(scoping_return__survey_round=first).exists()
    assert Barrier.objects.filter(scoping_return__survey_round=first).exists()
    # The first round is published: its self-assessment page counts every return's levels.
    data = client.get(reverse("reports:summary_json", args=[first.slug])).json()
    for area in areas:
        assert sum(data["self_assessment"][area].values()) == 40
    page = client.get(reverse("reports:self_assessment", args=[first.slug]))
    assert page.status_code == 200
