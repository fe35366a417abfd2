"""The building blocks of the figures: percentages, list codes, filters."""

import pytest
from django.http import QueryDict

from boroughs.models import Borough
from reports import queries
from surveys.choices import ReturnState, RoundState
from surveys.models import ScopingReturn
from tests.factories import SurveyRoundFactory, complete_return


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [(18, 32, 56), (6, 32, 19), (1, 32, 3), (1, 8, 13), (0, 5, 0), (5, 5, 100), (3, 0, None)],
)
def test_percentages_are_whole_numbers_with_halves_rounded_up(count, total, expected):
    assert queries.percent(count, total) == expected


def test_a_figure_reads_as_numerator_of_denominator_and_percentage():
    assert queries.Figure("yes", "Yes", 13, 32).phrase == "13 of 32 boroughs, 41%"
    assert queries.Figure("yes", "Yes", 1, 1).phrase == "1 of 1 borough, 100%"


@pytest.mark.django_db
def test_it_systems_count_each_named_code_once_per_return(camden, croydon):
    survey_round = SurveyRoundFactory(state=RoundState.PUBLISHED)
    complete_return(
        survey_round=survey_round, borough=camden, state="accepted", it_systems="rio,emis_web"
    )
    complete_return(
        survey_round=survey_round, borough=croydon, state="accepted", it_systems="systmone"
    )
    report = queries.report_for(survey_round, None)
    counts = queries.it_systems(report).as_dict()
    assert counts == {"emis_web": 1, "systmone": 1, "rio": 1, "jade": 0, "other": 0}
    # A borough that names a system but does not share records with its practices is not counted.
    ScopingReturn.objects.filter(borough=croydon).update(shared_it="no")
    counts = queries.it_systems(queries.report_for(survey_round, None)).as_dict()
    assert counts == {"emis_web": 1, "systmone": 0, "rio": 1, "jade": 0, "other": 0}
    rows = queries.boroughs_matching(report, queries.parse_filters(QueryDict("it_system=rio")))
    assert [row.borough for row in rows] == [camden]


@pytest.mark.django_db
def test_not_answered_and_no_return_are_figures_of_their_own(camden, croydon):
    survey_round = SurveyRoundFactory(state=RoundState.PUBLISHED)
    complete_return(survey_round=survey_round, borough=camden, state=ReturnState.ACCEPTED)
    ScopingReturn.objects.filter(borough=camden).update(training="")
    report = queries.report_for(survey_round, None)
    training = queries.training(report)
    rows = {figure.key: figure for figure in training.rows}
    assert rows["not_answered"].count == 1
    assert rows["no_return"].count == Borough.objects.count() - 1
    assert sum(figure.count for figure in training.rows) == Borough.objects.count()
    filters = queries.parse_filters(QueryDict("training=not_answered"))
    assert [row.borough for row in queries.boroughs_matching(report, filters)] == [camden]
    filters = queries.parse_filters(QueryDict("status=no_return"))
    assert len(queries.boroughs_matching(report, filters)) == Borough.objects.count() - 1


@pytest.mark.parametrize("query", ["status=Established", "training=", "nonsense=1"])
def test_filters_name_a_question_and_one_of_its_answers(query):
    with pytest.raises(queries.BadFilter):
        queries.parse_filters(QueryDict(query))
