import datetime

import factory
from django.utils import timezone

from boroughs.models import Borough, Stp
from surveys.choices import RoundState
from surveys.models import Contact, ScopingReturn, SelfAssessment, SurveyRound
from toolkit.models import GuidanceArea, ToolkitVersion


class SurveyRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyRound

    name = factory.Sequence(lambda n: f"Round {n}")
    slug = factory.Sequence(lambda n: f"round-{n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=20))
    state = RoundState.OPEN

    class Params:
        # A round whose returns have Section 11, against the toolkit's first version.
        toolkit = factory.Trait(
            uses_toolkit=True,
            toolkit_version=factory.LazyFunction(lambda: ToolkitVersion.objects.get(number=1)),
        )


class StpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stp

    name = factory.Sequence(lambda n: f"Synthetic STP {n}")
    slug = factory.Sequence(lambda n: f"synthetic-stp-{n}")
    display_order = factory.Sequence(lambda n: 100 + n)


class BoroughFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Borough

    name = factory.Sequence(lambda n: f"Synthetic borough {n}")
    slug = factory.Sequence(lambda n: f"synthetic-{n}")
    stp = factory.SubFactory(StpFactory)
    tile_x = factory.Sequence(lambda n: 100 + n % 1000)
    tile_y = factory.Sequence(lambda n: 100 + n // 1000)
    display_order = factory.Sequence(lambda n: 100 + n)


class ScopingReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScopingReturn

    survey_round = factory.SubFactory(SurveyRoundFactory)
    borough = factory.Iterator(Borough.objects.all)


COMPLETE_ANSWERS = {
    "status": "established",
    "service_name": "Primary Care Plus",
    "model_types": "collaborative_care,in_reach",
    "service_form": "Collaborative in-reach model, step up/down care",
    "scope": "smi_plus",
    "training": "yes",
    "shared_it": "yes",
    "it_systems": "emis_web",
    "medicines_management": "yes",
    "depot_antipsychotics": "yes",
    "clozapine_clinic": "no",
    "lithium_clinic": "planned",
    "advice_line": "yes",
    "primary_care_pharmacist": "no",
    "outcome_measures": "yes",
    "recurrent_funding": "yes",
}


def complete_return(**kwargs) -> ScopingReturn:
    """A return with every answer the round requires and one contact."""
    scoping_return = ScopingReturnFactory(**{**COMPLETE_ANSWERS, **kwargs})
    Contact.objects.create(scoping_return=scoping_return, name="Dr A Lead", email="a@nhs.net")
    if scoping_return.survey_round.uses_toolkit:  # Section 11: a level for every guidance area
        SelfAssessment.objects.bulk_create(
            SelfAssessment(scoping_return=scoping_return, area=area, level_id="implementing")
            for area in GuidanceArea.objects.all()
        )
    return scoping_return


def close_and_publish(survey_round, by, *, notify=False):
    """Close and publish a test round: every borough without an accepted return is first
    marked "no return" (as the steering group would), since publishing waits for each."""
    from surveys import workflow

    if survey_round.state == "open":
        survey_round = workflow.close_round(survey_round=survey_round, by=by, notify=notify)
    for borough in workflow.round_position(survey_round)["unready"]:
        workflow.mark_no_return(
            survey_round=survey_round, borough=borough, by=by, reason="Not asked in this test"
        )
    return workflow.publish_round(survey_round=survey_round, by=by, notify=notify)
