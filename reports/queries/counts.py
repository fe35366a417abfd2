"""Counts of one question: the summary's figure sets, the prescribing, IT and care-role figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Max,
    Q,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Least, RowNumber
from django.db.models.lookups import Exact

from pcmh.published_names import shown
from reports.queries.report import (
    CHOICE_FIELDS,
    NO_RETURN,
    NO_RETURN_LABEL,
    NOT_ANSWERED,
    NOT_ANSWERED_LABEL,
    PRESCRIBING_FIELDS,
    RETURN_REPORT_ORDER,
    Report,
    field_label,
    percent,
)
from surveys.choices import Answer, CareRoleType, ItSystem, ModelType, PostStatus
from surveys.fields import code_in_list
from surveys.models import CareRole, DataQualityNote
from surveys.numbers import plain_decimal


@dataclass(frozen=True)
class Figure:
    """One count of a figure set: how many boroughs gave `key`, out of `total` boroughs."""

    key: str
    label: str
    count: int
    total: int
    query: str = ""  # the borough list's query string that shows who is behind the count

    @property
    def percent(self) -> int | None:
        return percent(self.count, self.total)

    @property
    def phrase(self) -> str:
        noun = "borough" if self.total == 1 else "boroughs"
        share = f", {self.percent}%" if self.percent is not None else ""
        return f"{self.count} of {self.total} {noun}{share}"


@dataclass(frozen=True)
class FigureSet:
    """The counts of one question across the report's boroughs, answers in the framework's order.

    `filter_name` is the query parameter of the borough list that shows who is behind a count.
    """

    key: str
    title: str
    question: str
    filter_name: str
    figures: tuple[Figure, ...]
    total: int
    counted: int
    not_answered: int = 0
    note: str = ""

    @property
    def no_return(self) -> int:
        return self.total - self.counted

    @property
    def rows(self) -> list[Figure]:
        """The answers, then "Not answered" and "No return" when they occur."""
        rows = list(self.figures)
        if self.not_answered:
            rows.append(
                Figure(
                    NOT_ANSWERED,
                    NOT_ANSWERED_LABEL,
                    self.not_answered,
                    self.total,
                    f"{self.filter_name}={NOT_ANSWERED}",
                )
            )
        if self.no_return:
            rows.append(
                Figure(
                    NO_RETURN, NO_RETURN_LABEL, self.no_return, self.total, f"status={NO_RETURN}"
                )
            )
        return rows

    def as_dict(self) -> dict[str, int]:
        return {figure.key: figure.count for figure in self.figures}


# The questions of the summary counted by answer: key → (title, the table's question).
CHOICE_SETS = {
    "status": ("Service status", ""),
    "scope": ("Scope", "Who the service is for"),
    "training": ("Regular mental health training", ""),
    "shared_it": ("Shared IT with general practice", ""),
    "outcome_measures": ("Outcome measures described", ""),
    "recurrent_funding": ("Recurrent funding secured", ""),
    "medicines_management": ("Medicines management in primary care", ""),
}


# The counts are taken over the report's boroughs, each joined to its counted return if it has
# one (`COUNTED`): the denominator and the answers in the same query.
COUNTED = "counted_return"


# The answers the counts read, each annotated once as `_answer(name)` (its counted return's
# column): the aggregates refer to the annotation, which Django resolves far faster than the
# path through the joined return, once per aggregate.
ANSWERED = (*CHOICE_SETS, *PRESCRIBING_FIELDS, "it_systems", "model_types")


def _answer(name: str) -> str:
    return f"_answer_{name}"


def _is(field: str, code: str) -> Exact:
    # A lookup expression, not Q(field=code): Django resolves it several times faster, and
    # the summary's query has some ninety of them.
    return Exact(F(field), Value(code))


def _choice_aggregates(name: str) -> dict:
    field = _answer(name)
    return {
        f"{name}__": Count(COUNTED, filter=_is(field, "")),
        **{
            f"{name}__{code}": Count(COUNTED, filter=_is(field, code))
            for code in CHOICE_FIELDS[name].values
        },
    }


def _choice_set(counts: dict, total: int, name: str) -> FigureSet:
    title, question = CHOICE_SETS[name]
    return FigureSet(
        key=name,
        title=title,
        question=question or field_label(name),
        filter_name=name,
        figures=tuple(
            Figure(code, str(label), counts[f"{name}__{code}"], total, f"{name}={code}")
            for code, label in CHOICE_FIELDS[name].choices
        ),
        total=total,
        counted=counts["_counted"],
        not_answered=counts[f"{name}__"],
    )


def _choice_counts(report: Report, name: str) -> FigureSet:
    counts = figure_counts(report)
    return _choice_set(counts, counts["_boroughs"], name)


def service_status(report: Report) -> FigureSet:
    """Boroughs by service status: Established, Pilot, Planned, Not applicable (Fig. 1)."""
    return _choice_counts(report, "status")


def scope(report: Report) -> FigureSet:
    """Boroughs by scope: SMI, SMI+ (SMI plus common mental health difficulties), and so on."""
    return _choice_counts(report, "scope")


def training(report: Report) -> FigureSet:
    """Boroughs by whether regular mental health training is established in primary care."""
    return _choice_counts(report, "training")


def shared_it(report: Report) -> FigureSet:
    """Boroughs by whether the service shares an IT system with general practice."""
    return _choice_counts(report, "shared_it")


def outcome_measures(report: Report) -> FigureSet:
    """Boroughs by whether outcome measures are described (Yes), planned (Planned), or not."""
    return _choice_counts(report, "outcome_measures")


def recurrent_funding(report: Report) -> FigureSet:
    """Boroughs by whether recurrent funding is secured."""
    return _choice_counts(report, "recurrent_funding")


def medicines_management(report: Report) -> FigureSet:
    """Boroughs by whether medicines management happens in primary care."""
    return _choice_counts(report, "medicines_management")


def prescribing(report: Report) -> list[FigureSet]:
    """The psychotropic prescribing questions (depot, clozapine, lithium, advice line, pharmacist),
    each counted by answer (in `figure_counts`' one query)."""
    counts = figure_counts(report)
    total = counts["_boroughs"]
    return [
        FigureSet(
            key=name,
            title=field_label(name),
            question=field_label(name),
            filter_name=name,
            figures=tuple(
                Figure(code, str(label), counts[f"{name}__{code}"], total, f"{name}={code}")
                for code, label in Answer.choices
            ),
            total=total,
            counted=counts["_counted"],
            not_answered=counts[f"{name}__"],
        )
        for name in PRESCRIBING_FIELDS
    ]


def _it_system_aggregates() -> dict:
    shared = Q(**{_answer("shared_it"): Answer.YES})
    return {
        f"it_systems__{code}": Count(
            COUNTED, filter=shared & code_in_list(_answer("it_systems"), code)
        )
        for code in ItSystem.values
    }


def _it_system_set(counts: dict, total: int) -> FigureSet:
    return FigureSet(
        key="it_systems",
        title="IT systems shared with general practice",
        question=field_label("it_systems"),
        filter_name="it_system",
        figures=tuple(
            Figure(
                code,
                str(label),
                counts[f"it_systems__{code}"],
                total,
                f"shared_it=yes&it_system={code}",
            )
            for code, label in ItSystem.choices
        ),
        total=total,
        counted=counts["_counted"],
        note="Boroughs with shared IT, by the systems they name: a return may name several.",
    )


def it_systems(report: Report) -> FigureSet:
    """The IT systems that the boroughs sharing IT with general practice (shared IT "Yes") use:
    boroughs per system (a return may name several). Systems named by a borough that does not
    share records are not counted here: the report names the systems of the shared ones."""
    counts = figure_counts(report)
    return _it_system_set(counts, counts["_boroughs"])


def _model_type_aggregates() -> dict:
    field = _answer("model_types")
    return {
        "model_types__": Count(COUNTED, filter=_is(field, "")),
        **{
            f"model_types__{code}": Count(COUNTED, filter=code_in_list(field, code))
            for code in ModelType.values
        },
    }


def _model_type_set(counts: dict, total: int) -> FigureSet:
    return FigureSet(
        key="model_types",
        title="Model types",
        question="Model type",
        filter_name="model_type",
        figures=tuple(
            Figure(code, str(label), counts[f"model_types__{code}"], total, f"model_type={code}")
            for code, label in ModelType.choices
        ),
        total=total,
        counted=counts["_counted"],
        not_answered=counts["model_types__"],
        note="Boroughs by the model types their service combines: a return may name several.",
    )


def model_types(report: Report) -> FigureSet:
    """Boroughs per model type (collaborative care, in-reach, step-up...): a return may name
    several, so the counts add up to more than the boroughs."""
    counts = figure_counts(report)
    return _model_type_set(counts, counts["_boroughs"])


@dataclass(frozen=True)
class AgeFigure:
    """Boroughs whose service starts (or ends) at `age`; `boroughs` names them (name, slug)
    where the summary lists them: the youngest minimum age and every upper limit."""

    age: Decimal
    count: int
    total: int
    query: str
    boroughs: tuple[tuple[str, str], ...] = ()

    @property
    def phrase(self) -> str:
        return Figure("", "", self.count, self.total).phrase


@dataclass(frozen=True)
class Ages:
    """The ages the services are for: each minimum age stated (youngest first) and each upper
    limit (lowest first), with how many counted returns state none."""

    minimum: tuple[AgeFigure, ...]
    upper: tuple[AgeFigure, ...]
    no_minimum: int
    no_upper: int
    total: int

    @property
    def youngest(self) -> AgeFigure | None:
        return self.minimum[0] if self.minimum else None

    @property
    def no_minimum_phrase(self) -> str:
        return Figure("", "", self.no_minimum, self.total).phrase

    @property
    def no_upper_phrase(self) -> str:
        return Figure("", "", self.no_upper, self.total).phrase


# More boroughs than this at one age are not named one by one (a national round): the summary
# gives their count, linked to the borough list of that age.
NAMED_AT_MOST = 12


def ages(report: Report, named: int | None = NAMED_AT_MOST) -> Ages:
    """Boroughs per minimum age and per upper age limit, and the boroughs of the youngest
    minimum age and of every upper limit, in the report's order: all of them if `named` is
    None (summary.json), else those of an age with at most `named` boroughs.

    One query: each counted return counted with the others of its minimum age and of its upper
    age; only the returns of an age with at most `named` boroughs are read, and one return of
    each other age for its count, so the rows do not grow with the round (and nothing is sorted
    by name in the database: the few named are put in the report's order here)."""
    rows = report.returns.order_by().annotate(
        _of_min=Window(Count("pk"), partition_by=F("min_age")),
        _of_max=Window(Count("pk"), partition_by=F("max_age")),
    )
    if named is not None:
        # A return is read if an age of its is named, or if it is the first of an age.
        first = named - 1
        rows = rows.annotate(
            _by_min=Window(RowNumber(), partition_by=F("min_age")),
            _by_max=Window(RowNumber(), partition_by=F("max_age")),
            _read=Least("_of_min", "_of_max", F("_by_min") + first, F("_by_max") + first),
        ).filter(_read__lte=named)
    counts: dict[str, dict] = {"min_age": {}, "max_age": {}}
    listed: dict[str, dict] = {"min_age": {}, "max_age": {}}
    for min_age, max_age, of_min, of_max, name, slug, *place in rows.values_list(
        "min_age",
        "max_age",
        "_of_min",
        "_of_max",
        "borough__name",
        "borough__slug",
        *RETURN_REPORT_ORDER,
    ):
        borough = (place, shown("boroughs", slug, name), slug)
        for kind, age, count in (("min_age", min_age, of_min), ("max_age", max_age, of_max)):
            counts[kind][age] = count
            if named is None or count <= named:
                listed[kind].setdefault(age, []).append(borough)
    stated = {
        kind: sorted(age for age in found if age is not None) for kind, found in counts.items()
    }
    total = figure_counts(report)["_boroughs"]

    def figures(kind, named_ages):
        return tuple(
            AgeFigure(
                age,
                counts[kind][age],
                total,
                f"{kind}={plain_decimal(age)}",
                tuple((name, slug) for _, name, slug in sorted(listed[kind][age]))
                if age in named_ages and (named is None or counts[kind][age] <= named)
                else (),
            )
            for age in stated[kind]
        )

    return Ages(
        minimum=figures("min_age", stated["min_age"][:1]),
        upper=figures("max_age", stated["max_age"]),
        no_minimum=counts["min_age"].get(None, 0),
        no_upper=counts["max_age"].get(None, 0),
        total=total,
    )


@dataclass(frozen=True)
class RoleCount:
    """A care role's rows of one post status: the boroughs with such a row, the rows, their total
    WTE where stated, and whether a WTE in that total is approximate ("about 45")."""

    status: str
    label: str
    boroughs: int
    lines: int
    wte: Decimal | None
    approximate: bool


@dataclass(frozen=True)
class RoleFigure:
    """One care role across the report: the boroughs with the role (whatever its status) and its
    rows, then the same in post, planned or proposed, and not stated (`by_status`). The WTE
    total (`wte`) counts the roles in post; the planned WTE is beside it."""

    key: str
    label: str
    boroughs: int
    lines: int
    by_status: dict[str, RoleCount]
    total: int

    @property
    def in_post(self) -> RoleCount:
        return self.by_status[PostStatus.IN_POST]

    @property
    def planned(self) -> RoleCount:
        return self.by_status[PostStatus.PLANNED]

    @property
    def not_stated(self) -> RoleCount:
        return self.by_status[PostStatus.NOT_STATED]

    @property
    def wte(self) -> Decimal | None:
        """The whole-time equivalent in post."""
        return self.in_post.wte

    @property
    def phrase(self) -> str:
        return Figure(self.key, self.label, self.boroughs, self.total).phrase

    @property
    def query(self) -> str:
        return f"care_role={self.key}"

    def status_query(self, status: str) -> str:
        """The borough list's query for the boroughs with the role at `status`."""
        return f"{POST_STATUS_FILTERS[status]}={self.key}"


# The borough list's filter for a care role at each post status.
POST_STATUS_FILTERS = {status: f"care_role_{status}" for status in PostStatus.values}


def care_roles(report: Report) -> list[RoleFigure]:
    """Per care role: the boroughs with the role and its rows, and per post status the boroughs,
    rows, total WTE and whether an approximate WTE is in it (one query).

    Every role of the framework is listed, zeros included, in the framework's order. A borough
    has one counted return, so its boroughs are its distinct returns (no join to count them).
    """

    def of(status):
        row = Q(post_status=status)
        return {
            f"{status}_boroughs": Count("scoping_return", distinct=True, filter=row),
            f"{status}_lines": Count("pk", filter=row),
            f"{status}_wte": Sum("wte", filter=row),
            f"{status}_approximate": Count(
                "pk", filter=row & Q(wte_approximate=True, wte__isnull=False)
            ),
        }

    rows = {
        row["role"]: row
        for row in CareRole.all_rows.filter(scoping_return__in=report.returns)
        .values("role")
        .annotate(
            boroughs=Count("scoping_return", distinct=True),
            lines=Count("pk"),
            **{key: value for status in PostStatus.values for key, value in of(status).items()},
        )
        .order_by()
    }
    total = report.borough_total
    figures = []
    for code, label in CareRoleType.choices:
        row = rows.get(code, {})
        figures.append(
            RoleFigure(
                code,
                str(label),
                row.get("boroughs", 0),
                row.get("lines", 0),
                {
                    status: RoleCount(
                        status,
                        str(status_label),
                        row.get(f"{status}_boroughs", 0),
                        row.get(f"{status}_lines", 0),
                        row.get(f"{status}_wte"),
                        bool(row.get(f"{status}_approximate")),
                    )
                    for status, status_label in PostStatus.choices
                },
                total,
            )
        )
    return figures


def _prescribing_aggregates() -> dict:
    return {
        f"{name}__{code}": Count(COUNTED, filter=_is(_answer(name), code))
        for name in PRESCRIBING_FIELDS
        for code in [*Answer.values, ""]
    }


def _aggregates() -> dict:
    return {
        "_boroughs": Count("pk"),
        "_counted": Count(COUNTED),
        **{key: value for name in CHOICE_SETS for key, value in _choice_aggregates(name).items()},
        **_it_system_aggregates(),
        **_model_type_aggregates(),
        **_prescribing_aggregates(),
    }


# Built once: the expressions do not depend on the report (building them is most of the time
# Python spends on the query).
AGGREGATES = _aggregates()


def figure_counts(report: Report, extra: dict | None = None) -> dict[str, int]:
    """Every count of the summary's figure sets and of the prescribing questions, the report's
    totals and its number of data-quality notes, in one aggregate query (asked once per report):
    `_boroughs` (the denominator), `_counted`, `_quality_notes` and `<question>__<answer>`
    (`<question>__` for not answered).

    The aggregate runs over the report's boroughs, each joined to its counted return, so the
    boroughs without one are in the denominator. `extra`: more aggregates of one value each
    (summary.json's themes), asked in the same query; asked first, they are kept with the rest."""
    cached = getattr(report, "_figure_counts", None)
    if cached is not None and all(name in cached for name in extra or ()):
        return cached
    notes = (
        DataQualityNote.all_rows.filter(scoping_return__in=report.returns)
        .order_by()
        .values_list(Func("pk", function="COUNT"))
    )
    counts = (
        report.boroughs.annotate(
            **{
                COUNTED: FilteredRelation(
                    "returns", condition=report.counted_condition("returns__")
                )
            }
        )
        .annotate(**{_answer(name): F(f"{COUNTED}__{name}") for name in ANSWERED})
        .aggregate(
            **AGGREGATES,
            # One number whatever the row: its aggregate puts it into the same query.
            _quality_notes=Coalesce(Max(Subquery(notes, output_field=IntegerField())), 0),
            **(extra or {}),
        )
    )
    report._figure_counts = counts
    # The report's totals come with them, not by a query of their own.
    report.__dict__.setdefault(
        "totals", {"boroughs": counts["_boroughs"], "counted": counts["_counted"]}
    )
    return counts


def summary(report: Report) -> list[FigureSet]:
    """The pan-London summary's figure sets, in the order the page and the JSON show them
    (`figure_counts`' one query)."""
    counts = figure_counts(report)
    total = counts["_boroughs"]
    sets = {name: _choice_set(counts, total, name) for name in CHOICE_SETS}
    return [
        sets["status"],
        _model_type_set(counts, total),
        sets["scope"],
        sets["training"],
        sets["shared_it"],
        _it_system_set(counts, total),
        sets["outcome_measures"],
        sets["recurrent_funding"],
        sets["medicines_management"],
    ]


def quality_note_count(report: Report) -> int:
    """How many data-quality notes the report's counted returns have (`figure_counts`)."""
    return figure_counts(report)["_quality_notes"]


ANSWER_FIELDS_JSON_ORDER = (
    "training",
    "shared_it",
    "outcome_measures",
    "medicines_management",
    "recurrent_funding",
)


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def summary_json(report: Report) -> dict:
    """The summary as JSON-ready data: every answer key present, zeros included."""
    sets = {figure_set.key: figure_set for figure_set in summary(report)}
    data = {
        "round": report.survey_round.slug,
        "name": report.survey_round.name,
        "boroughs": report.borough_total,
        "counted": report.counted,
        "no_return": report.no_return,
        "provisional": report.provisional,
    }
    for key in ("status", "scope", *ANSWER_FIELDS_JSON_ORDER):
        data[key] = sets[key].as_dict()
    data["not_answered"] = {
        key: sets[key].not_answered for key in ("status", "scope", *ANSWER_FIELDS_JSON_ORDER)
    }
    data["it_systems"] = sets["it_systems"].as_dict()
    data["prescribing"] = {fs.key: fs.as_dict() for fs in prescribing(report)}
    data["care_roles"] = {
        role.key: {
            "boroughs": role.boroughs,
            "lines": role.lines,
            # The WTE in post; None when none is stated.
            "wte": _number(role.wte),
            "wte_approximate": role.in_post.approximate,
            **{
                status: {
                    "boroughs": count.boroughs,
                    "lines": count.lines,
                    "wte": _number(count.wte),
                    "wte_approximate": count.approximate,
                }
                for status, count in role.by_status.items()
            },
        }
        for role in care_roles(report)
    }
    return data
