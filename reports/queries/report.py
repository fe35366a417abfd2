"""Which returns a report counts, for whom, and the vocabulary every figure shares."""

from __future__ import annotations

from functools import cached_property

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce

from boroughs.models import Borough, is_steering_group
from surveys.answers import field_label  # noqa: F401 - re-exported
from surveys.choices import Answer, RoundState, Scope, ServiceStatus
from surveys.models import (
    ANSWER_FIELD_NAMES,
    Publication,
    ScopingReturn,
    SurveyRound,
    counted_states,
)
from surveys.sections import SECTIONS_BY_SLUG

NO_RETURN = "no_return"
NOT_ANSWERED = "not_answered"
NO_RETURN_LABEL = "No return"
NOT_ANSWERED_LABEL = "Not answered"

# Boroughs in the report's order: STP footprint, then the borough's place in the report.
REPORT_ORDER = ("stp__display_order", "stp__name", "display_order", "name")
RETURN_REPORT_ORDER = tuple(f"borough__{name}" for name in REPORT_ORDER)

# The classifications of the appendix tables, in the appendix's column order.
APPENDIX_ANSWER_FIELDS = (
    "shared_it",
    "outcome_measures",
    "training",
    "medicines_management",
    "recurrent_funding",
)
PRESCRIBING_FIELDS = tuple(
    name for name in ANSWER_FIELD_NAMES if name in SECTIONS_BY_SLUG["prescribing"].fields
)
CHOICE_FIELDS = {
    "status": ServiceStatus,
    "scope": Scope,
    **dict.fromkeys(APPENDIX_ANSWER_FIELDS + PRESCRIBING_FIELDS, Answer),
}


def percent(count: int, total: int) -> int | None:
    """`count` as a whole percentage of `total`, halves rounded up (18 of 32 → 56)."""
    if not total:
        return None
    return (200 * count + total) // (2 * total)


# --- Which returns count ---------------------------------------------------------------------


class Report:
    """A round's report as one reader may see it.

    `boroughs` is the denominator: every borough of the register, or on a provisional report
    for a reviewer limited to some STPs only theirs. `returns` are the counted returns of those
    boroughs: accepted ones once the round is published, submitted ones too before that.
    """

    def __init__(
        self,
        survey_round: SurveyRound,
        boroughs: QuerySet,
        returns: QuerySet,
        publication: Publication | None = None,
        publications: tuple[Publication, ...] = (),
    ):
        self.survey_round = survey_round
        self.boroughs = boroughs
        self.returns = returns
        self.provisional = survey_round.state != RoundState.PUBLISHED
        # The version of the published report read (its frozen returns), and every version
        # published, oldest first; None and () for a round not yet published.
        self.publication = publication
        self.publications = publications

    @property
    def current(self) -> bool:
        """Whether this is the report as it stands (not an earlier, corrected version)."""
        return self.publication is None or self.publication == self.publications[-1]

    @property
    def corrections(self) -> list[Publication]:
        """The corrections published up to the version read, latest first."""
        return [
            p
            for p in reversed(self.publications)
            if p.is_correction and p.version <= self.publication.version
        ]

    def counted_condition(self, prefix: str = "") -> Q:
        """The condition that picks the counted returns, through `prefix` ("returns__")."""
        lookups = {
            "survey_round": self.survey_round,
            "state__in": counted_states(self.survey_round),
            "publication": self.publication,
        }
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    @cached_property
    def totals(self) -> dict[str, int]:
        """{"boroughs": the denominator, "counted": boroughs with a counted return} (one query)."""
        return self.boroughs.aggregate(
            boroughs=Count("pk"),
            counted=Count("pk", filter=Q(pk__in=self.returns.values("borough_id"))),
        )

    @property
    def borough_total(self) -> int:
        return self.totals["boroughs"]

    @property
    def counted(self) -> int:
        return self.totals["counted"]

    @property
    def no_return(self) -> int:
        return self.borough_total - self.counted


def with_no_return_reasons(boroughs: QuerySet, returns: QuerySet) -> QuerySet:
    """`boroughs`, each with the reason the steering group recorded for its making no return
    (`no_return_reason`, "" when none) on its return among `returns`, read in the same query
    as the boroughs. The report shows it only for a borough without a counted return."""
    reason = returns.filter(borough=OuterRef("pk")).values("no_return_reason")[:1]
    return boroughs.annotate(
        no_return_reason=Coalesce(Subquery(reason), Value(""), output_field=TextField())
    )


class NoSuchVersion(Exception):
    """A version of a round's publication that was never published."""


def report_for(survey_round: SurveyRound, user, version: int | None = None) -> Report:
    """The report of `survey_round` for `user`, who may read the round (see `readable_by`).

    A published round's report counts the returns frozen in its publication (the current
    version, or `version`) and the boroughs that had a return when it was published; before
    publishing, the returns as they stand (`NoSuchVersion` for a version not published)."""
    published = survey_round.state == RoundState.PUBLISHED
    # In version order (Publication's ordering); read with the round where the view did so.
    publications = tuple(survey_round.publications.all()) if published else ()
    publication = None
    if publications:
        found = {p.version: p for p in publications}
        publication = found.get(publications[-1].version if version is None else version)
        if publication is None:
            raise NoSuchVersion(version)
        every = ScopingReturn.all_rows.filter(publication=publication)
        boroughs = Borough.objects.filter(pk__in=every.values("borough_id"))
    elif version is not None:
        raise NoSuchVersion(version)
    else:
        every = ScopingReturn.objects.in_round(survey_round)
        boroughs = Borough.objects.all()
        if not published and is_steering_group(user):
            boroughs = Borough.objects.for_user(user)
            every = every.filter(borough__in=boroughs)
    returns = every.filter(state__in=counted_states(survey_round))
    return Report(
        survey_round,
        with_no_return_reasons(boroughs, every),
        returns,
        publication,
        publications,
    )
