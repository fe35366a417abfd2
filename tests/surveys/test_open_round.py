"""Opening a round: every borough's draft at once, prefilled from its last accepted return
(every answer of the catalogue and every child row), or empty where there is none."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from boroughs.models import Borough
from surveys import workflow
from surveys.changes import row_fields
from surveys.models import CareRole, FundingLine, OutcomeMeasure, ScopingReturn, SurveyRound
from surveys.sections import FIELD_NAMES, ROWS
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return

pytestmark = pytest.mark.django_db


def _row_values(scoping_return):
    return {
        relation: sorted(
            tuple(
                getattr(row, f.attname) for f in row_fields(getattr(scoping_return, relation).model)
            )
            for row in getattr(scoping_return, relation).all()
        )
        for relation in ROWS
    }


@pytest.fixture
def published_round(camden, croydon, lead, reviewer):
    survey_round = SurveyRoundFactory(name="First", slug="first")
    camdens = complete_return(
        borough=camden, survey_round=survey_round, aims="Keep people well", min_age="17.5"
    )
    CareRole.objects.create(scoping_return=camdens, role="psychologist", wte="1.5", band="8a")
    OutcomeMeasure.objects.create(scoping_return=camdens, name="SWEMWBS", notes="Quarterly")
    FundingLine.objects.create(scoping_return=camdens, amount=650000, financial_year="2017/18")
    submitted = workflow.submit(scoping_return=camdens, by=lead, notify=False)
    workflow.accept(scoping_return=submitted, by=reviewer, notify=False)
    complete_return(borough=croydon, survey_round=survey_round)  # a draft: never accepted
    return close_and_publish(survey_round, reviewer)


def test_a_new_round_carries_every_answer_and_row_of_the_last_accepted_return(
    published_round, camden, croydon, reviewer
):
    new = workflow.open_round(
        name="Second",
        slug="second",
        opens_on=datetime.date(2027, 1, 1),
        closes_on=datetime.date(2027, 3, 31),
        previous=published_round,
        by=reviewer,
    )
    assert ScopingReturn.objects.in_round(new).count() == Borough.objects.count()
    old = ScopingReturn.objects.get(survey_round=published_round, borough=camden)
    carried = ScopingReturn.objects.get(survey_round=new, borough=camden)
    for name in FIELD_NAMES:  # the catalogue: a field added later cannot be forgotten
        assert getattr(carried, name) == getattr(old, name), name
    assert _row_values(carried) == _row_values(old)
    assert carried.state == "draft" and carried.version == 1
    assert carried.history.first().history_change_reason == "Carried over from First"

    empty = ScopingReturn.objects.get(survey_round=new, borough=croydon)  # never accepted
    assert all(getattr(empty, name) in ("", None) for name in FIELD_NAMES)
    assert all(not getattr(empty, relation).exists() for relation in ROWS)


def test_a_borough_takes_its_last_accepted_return_from_before_the_previous_round(
    published_round, camden, reviewer
):
    between = SurveyRoundFactory(name="Between", slug="between", previous_round=published_round)
    close_and_publish(between, reviewer)  # Camden made no return to it
    new = workflow.open_round(
        name="Third", slug="third", opens_on=datetime.date(2028, 1, 1),
        closes_on=datetime.date(2028, 2, 1), previous=between, by=reviewer,
    )  # fmt: skip
    carried = ScopingReturn.objects.get(survey_round=new, borough=camden)
    assert carried.aims == "Keep people well" and carried.care_roles.count() == 1


def test_the_command_opens_a_round_and_refuses_a_slug_that_exists(published_round, capsys):
    # A CommandError is what makes manage.py exit 1 with its message.
    call_command(
        "open_round", "--slug", "2027", "--name", "2027 scoping", "--opens", "2027-01-01",
        "--closes", "2027-03-31", "--previous", "first",
    )  # fmt: skip
    assert "Opened 2027 scoping" in capsys.readouterr().out
    assert SurveyRound.objects.get(slug="2027").previous_round == published_round
    for slug, message in [("2027", "exists already"), ("review", "is reserved")]:
        with pytest.raises(CommandError, match=message):
            call_command(
                "open_round", "--slug", slug, "--name", f"Another {slug}", "--opens",
                "2027-01-01", "--closes", "2027-03-31",
            )  # fmt: skip
    with pytest.raises(CommandError, match="is not a date"):
        call_command(
            "open_round", "--slug", "x", "--name", "X", "--opens", "1 Jan", "--closes", "2027-03-31"
        )
    assert not SurveyRound.objects.filter(slug__in=["review", "x"]).exists()


def test_the_steering_group_opens_a_round_from_its_page_with_every_return(
    client, published_round, camden, superuser
):
    client.force_login(superuser)
    url = "/admin/surveys/surveyround/add/"
    data = {
        "name": "Second",
        "slug": "second",
        "opens_on": "2027-01-01",
        "closes_on": "2027-03-31",
        "guidance": "",
        "previous_round": str(published_round.pk),
    }
    reserved = client.post(url, {**data, "slug": "review"})
    assert reserved.status_code == 200 and "is reserved" in reserved.content.decode()
    assert not SurveyRound.objects.filter(slug="review").exists()
    assert client.post(url, data).status_code == 302
    new = SurveyRound.objects.get(slug="second")
    assert ScopingReturn.objects.in_round(new).count() == Borough.objects.count()
    assert ScopingReturn.objects.get(survey_round=new, borough=camden).aims == "Keep people well"


def test_a_carried_over_return_is_submitted_only_once_each_section_is_checked(
    client, published_round, camden, lead, reviewer
):
    from surveys.sections import sections_for

    new = workflow.open_round(
        name="Second", slug="second", opens_on=datetime.date.today(),
        closes_on=datetime.date.today() + datetime.timedelta(days=30),
        previous=published_round, by=reviewer,
    )  # fmt: skip
    scoping_return = ScopingReturn.objects.get(survey_round=new, borough=camden)
    SECTIONS = sections_for(new)  # noqa: N806 - the round's sections (no toolkit: ten)
    client.force_login(lead)
    task_list = client.get("/returns/second/camden/").content.decode()
    assert task_list.count("Carried over from First: check and update") == len(SECTIONS)

    refused = client.post(
        "/returns/second/camden/submit/",
        {"version": scoping_return.version, "declaration": "on"},
    )
    assert refused.status_code == 400
    summary = refused.content.decode()
    assert "Check the answers carried over from First" in summary
    assert "/returns/second/camden/section/service/?check=1#carried-over" in summary

    section = client.get("/returns/second/camden/section/service/").content.decode()
    assert "Carried over from First: check and update" in section
    for number, each in enumerate(SECTIONS):
        scoping_return.refresh_from_db()
        if number == 0:  # every section but the first confirmed on its page; that one below
            continue
        response = client.post(
            f"/returns/second/camden/section/{each.slug}/unchanged/",
            {"version": scoping_return.version},
        )
        assert response.status_code == 302, each.slug
    scoping_return.refresh_from_db()
    assert "service" not in scoping_return.unchanged_sections
    still = client.post(
        "/returns/second/camden/submit/", {"version": scoping_return.version, "declaration": "on"}
    )
    assert still.status_code == 400 and "section/service/?check=1#carried-over" in (
        still.content.decode()
    )
    workflow.confirm_unchanged(
        scoping_return=scoping_return, version=scoping_return.version, by=lead, section="service"
    )
    scoping_return.refresh_from_db()
    done = client.post(
        "/returns/second/camden/submit/", {"version": scoping_return.version, "declaration": "on"}
    )
    assert done.status_code == 302
    assert ScopingReturn.objects.get(pk=scoping_return.pk).state == "submitted"
    reasons = set(scoping_return.history.values_list("history_change_reason", flat=True))
    assert "No change since First: service" in reasons
