"""Synthetic rounds at any scale, for the query-count tests and scripts/bench_reports.py."""

import itertools

from django.utils import timezone

from boroughs.models import Borough
from surveys.choices import (
    Answer,
    CareRoleType,
    ItSystem,
    ReturnState,
    RoundState,
    Scope,
    ServiceStatus,
)
from surveys.models import (
    ANSWER_FIELD_NAMES,
    CareRole,
    Contact,
    DataQualityNote,
    FundingLine,
    OutcomeMeasure,
    ScopingReturn,
)
from tests.factories import BoroughFactory, StpFactory, SurveyRoundFactory


def add_boroughs(count: int, *, stps: int = 5) -> list[Borough]:
    """`count` synthetic boroughs in `stps` new STP footprints, made in bulk."""
    footprints = [StpFactory() for _ in range(stps)]
    cycle = itertools.cycle(footprints)
    return Borough.objects.bulk_create(
        [BoroughFactory.build(stp=next(cycle)) for _ in range(count)], batch_size=500
    )


def _answers(i: int) -> dict[str, str]:
    """Answers varied by position; every seventh return leaves two questions unanswered."""
    answers = Answer.values
    given = {name: answers[(i + k) % len(answers)] for k, name in enumerate(ANSWER_FIELD_NAMES)}
    if i % 7 == 3:
        given.update(training="", shared_it="")
    return given


def add_returns(survey_round, boroughs, *, state=ReturnState.ACCEPTED) -> list[ScopingReturn]:
    """A full return per borough, with child rows, answers varied by position (in bulk)."""
    statuses, scopes = ServiceStatus.values, Scope.values
    systems = ItSystem.values
    now = timezone.now()
    returns = ScopingReturn.objects.bulk_create(
        [
            ScopingReturn(
                survey_round=survey_round,
                borough=borough,
                state=state,
                submitted_at=now,
                accepted_at=now if state == ReturnState.ACCEPTED else None,
                status=statuses[i % len(statuses)],
                service_name=f"Service {i}",
                service_form=f"Collaborative care model {i}",
                model_types="collaborative_care,in_reach",
                scope=scopes[i % len(scopes)],
                it_systems=",".join(systems[: i % 3]),
                current_situation="A narrative.\nOn two lines.",
                **_answers(i),
            )
            for i, borough in enumerate(boroughs)
        ],
        batch_size=500,
    )
    roles = CareRoleType.values
    CareRole.objects.bulk_create(
        [
            CareRole(scoping_return=r, role=roles[(i + k) % len(roles)], wte="1.5", band="7")
            for i, r in enumerate(returns)
            for k in range(2)
        ],
        batch_size=1000,
    )
    Contact.objects.bulk_create(
        [
            Contact(scoping_return=r, name=f"Lead {i}", email="lead@example.org")
            for i, r in enumerate(returns)
            if i % 5 != 4  # every fifth return has no contact (a return with fields missing)
        ],
        batch_size=1000,
    )
    OutcomeMeasure.objects.bulk_create(
        [OutcomeMeasure(scoping_return=r, name="PHQ-9") for r in returns], batch_size=1000
    )
    FundingLine.objects.bulk_create(
        [FundingLine(scoping_return=r, amount=1000, financial_year="2017/18") for r in returns],
        batch_size=1000,
    )
    DataQualityNote.objects.bulk_create(
        [
            DataQualityNote(
                scoping_return=r,
                field="status",
                narrative="Says a pilot",
                appendix="Established",
                note="Check",
            )
            for r in returns[::10]
        ],
        batch_size=1000,
    )
    return returns


def synthetic_round(count: int, *, state=RoundState.PUBLISHED, **round_fields):
    """A round with `count` new synthetic boroughs, each with an accepted return."""
    survey_round = SurveyRoundFactory(state=state, **round_fields)
    boroughs = add_boroughs(count)
    add_returns(survey_round, boroughs)
    return survey_round, boroughs
