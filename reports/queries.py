"""The report's figures: one function per figure set, each computed by aggregation in the database.

The pages, the CSV files and the JSON read these functions, so their numbers cannot disagree.
Every function takes a `Report`: the round, the boroughs that make the denominator and the returns
that are counted. The number of queries of each function is fixed: it does not grow with the
number of boroughs or returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from boroughs.models import Borough, Stp, is_steering_group
from surveys.choices import Answer, CareRoleType, ItSystem, RoundState, Scope, ServiceStatus
from surveys.completeness import missing_for_submission
from surveys.models import CareRole, DataQualityNote, ScopingReturn, SurveyRound
from surveys.sections import SECTIONS

NO_RETURN = "no_return"
NOT_ANSWERED = "not_answered"
NO_RETURN_LABEL = "No return"
NOT_ANSWERED_LABEL = "Not answered"

# Boroughs in the report's order: STP footprint, then the borough's place in the report.
REPORT_ORDER = ("stp__display_order", "stp__name", "display_order", "name")
RETURN_REPORT_ORDER = tuple(f"borough__{name}" for name in REPORT_ORDER)

# The classifications of the appendix tables, in the appendix's column order.
ANSWER_FIELDS = (
    "shared_it",
    "outcome_measures",
    "training",
    "medicines_management",
    "recurrent_funding",
)
PRESCRIBING_FIELDS = (
    "depot_antipsychotics",
    "clozapine_clinic",
    "lithium_clinic",
    "advice_line",
    "primary_care_pharmacist",
)
CHOICE_FIELDS = {
    "status": ServiceStatus,
    "scope": Scope,
    **dict.fromkeys(ANSWER_FIELDS + PRESCRIBING_FIELDS, Answer),
}


def field_label(name: str) -> str:
    label = str(ScopingReturn._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


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

    def __init__(self, survey_round: SurveyRound, boroughs: QuerySet, returns: QuerySet):
        self.survey_round = survey_round
        self.boroughs = boroughs
        self.returns = returns
        self.provisional = survey_round.state != RoundState.PUBLISHED

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


def report_for(survey_round: SurveyRound, user) -> Report:
    """The report of `survey_round` for `user`, who may read the round (see `readable_by`)."""
    boroughs = Borough.objects.all()
    returns = ScopingReturn.objects.counted_in(survey_round)
    if survey_round.state != RoundState.PUBLISHED and is_steering_group(user):
        boroughs = Borough.objects.for_user(user)
        returns = returns.filter(borough__in=boroughs)
    return Report(survey_round, boroughs, returns)


# --- Counts of one question ------------------------------------------------------------------


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


def _choice_counts(report: Report, name: str, *, title: str, question: str = "") -> FigureSet:
    choices = CHOICE_FIELDS[name]
    counts = report.returns.aggregate(
        _counted=Count("pk"),
        _not_answered=Count("pk", filter=Q(**{name: ""})),
        **{code: Count("pk", filter=Q(**{name: code})) for code in choices.values},
    )
    total = report.borough_total
    return FigureSet(
        key=name,
        title=title,
        question=question or field_label(name),
        filter_name=name,
        figures=tuple(
            Figure(code, str(label), counts[code], total, f"{name}={code}")
            for code, label in choices.choices
        ),
        total=total,
        counted=counts["_counted"],
        not_answered=counts["_not_answered"],
    )


def service_status(report: Report) -> FigureSet:
    """Boroughs by service status: Established, Pilot, Planned, Not applicable (Fig. 1)."""
    return _choice_counts(report, "status", title="Service status")


def scope(report: Report) -> FigureSet:
    """Boroughs by scope: SMI, SMI+ (SMI plus common mental health difficulties), and so on."""
    return _choice_counts(report, "scope", title="Scope", question="Who the service is for")


def training(report: Report) -> FigureSet:
    """Boroughs by whether regular mental health training is established in primary care."""
    return _choice_counts(report, "training", title="Regular mental health training")


def shared_it(report: Report) -> FigureSet:
    """Boroughs by whether the service shares an IT system with general practice."""
    return _choice_counts(report, "shared_it", title="Shared IT with general practice")


def outcome_measures(report: Report) -> FigureSet:
    """Boroughs by whether outcome measures are described (Yes), planned (Planned), or not."""
    return _choice_counts(report, "outcome_measures", title="Outcome measures described")


def recurrent_funding(report: Report) -> FigureSet:
    """Boroughs by whether recurrent funding is secured."""
    return _choice_counts(report, "recurrent_funding", title="Recurrent funding secured")


def medicines_management(report: Report) -> FigureSet:
    """Boroughs by whether medicines management happens in primary care."""
    return _choice_counts(
        report, "medicines_management", title="Medicines management in primary care"
    )


def prescribing(report: Report) -> list[FigureSet]:
    """The psychotropic prescribing questions (depot, clozapine, lithium, advice line, pharmacist),
    each counted by answer, in one query."""
    counts = report.returns.aggregate(
        _counted=Count("pk"),
        **{
            f"{name}__{code}": Count("pk", filter=Q(**{name: code}))
            for name in PRESCRIBING_FIELDS
            for code in [*Answer.values, ""]
        },
    )
    total = report.borough_total
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


def code_in_list(name: str, code: str) -> Q:
    """Matches `code` as one item of the comma-separated codes in field `name`."""
    return (
        Q(**{name: code})
        | Q(**{f"{name}__startswith": f"{code},"})
        | Q(**{f"{name}__endswith": f",{code}"})
        | Q(**{f"{name}__contains": f",{code},"})
    )


def it_systems(report: Report) -> FigureSet:
    """The IT systems that the boroughs sharing IT with general practice (shared IT "Yes") use:
    boroughs per system (a return may name several). Systems named by a borough that does not
    share records are not counted here: the report names the systems of the shared ones."""
    shared = Q(shared_it=Answer.YES)
    counts = report.returns.aggregate(
        _counted=Count("pk"),
        **{
            code: Count("pk", filter=shared & code_in_list("it_systems", code))
            for code in ItSystem.values
        },
    )
    total = report.borough_total
    return FigureSet(
        key="it_systems",
        title="IT systems shared with general practice",
        question=field_label("it_systems"),
        filter_name="it_system",
        figures=tuple(
            Figure(code, str(label), counts[code], total, f"shared_it=yes&it_system={code}")
            for code, label in ItSystem.choices
        ),
        total=total,
        counted=counts["_counted"],
        note="Boroughs with shared IT, by the systems they name: a return may name several.",
    )


@dataclass(frozen=True)
class RoleFigure:
    """One care role across the report: boroughs that have it, role lines, total WTE stated."""

    key: str
    label: str
    boroughs: int
    lines: int
    wte: Decimal | None
    total: int

    @property
    def phrase(self) -> str:
        return Figure(self.key, self.label, self.boroughs, self.total).phrase

    @property
    def query(self) -> str:
        return f"care_role={self.key}"


def care_roles(report: Report) -> list[RoleFigure]:
    """Per care role: the boroughs with the role, the role lines and their total WTE (one query).

    Every role of the framework is listed, zeros included, in the framework's order.
    """
    rows = {
        row["role"]: row
        for row in CareRole.objects.filter(scoping_return__in=report.returns)
        .values("role")
        .annotate(
            boroughs=Count("scoping_return__borough", distinct=True),
            lines=Count("pk"),
            wte=Sum("wte"),
        )
        .order_by()
    }
    total = report.borough_total
    return [
        RoleFigure(
            code,
            str(label),
            rows.get(code, {}).get("boroughs", 0),
            rows.get(code, {}).get("lines", 0),
            rows.get(code, {}).get("wte"),
            total,
        )
        for code, label in CareRoleType.choices
    ]


def summary(report: Report) -> list[FigureSet]:
    """The pan-London summary's figure sets, in the order the page and the JSON show them."""
    return [
        service_status(report),
        scope(report),
        training(report),
        shared_it(report),
        it_systems(report),
        outcome_measures(report),
        recurrent_funding(report),
        medicines_management(report),
    ]


ANSWER_FIELDS_JSON_ORDER = (
    "training",
    "shared_it",
    "outcome_measures",
    "medicines_management",
    "recurrent_funding",
)


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
            "wte": float(role.wte) if role.wte is not None else None,  # none stated
        }
        for role in care_roles(report)
    }
    return data


# --- Boroughs and their returns, row by row --------------------------------------------------

APPENDIX_COLUMNS = (
    # (header of tables.csv, heading of the STP tables)
    ("status", "Service status"),
    ("model", "Service form (model)"),
    ("scope", "Scope"),
    ("shared_it", "Shared IT"),
    ("outcome_measures", "Outcome measures described"),
    ("training", "Regular MH training"),
    ("medicines_management", "Medicines management in primary care"),
    ("recurrent_funding", "Recurrent funding"),
)
APPENDIX_RETURN_FIELDS = (
    "borough_id",
    "state",
    "status",
    "service_form",
    "scope",
    *ANSWER_FIELDS,
)


def _label_of(scoping_return: ScopingReturn, name: str) -> str:
    if not getattr(scoping_return, name):
        return NOT_ANSWERED_LABEL
    return str(getattr(scoping_return, f"get_{name}_display")())


@dataclass(frozen=True)
class AppendixRow:
    """One borough's line in the appendix tables; `scoping_return` is None when not counted."""

    borough: Borough
    scoping_return: ScopingReturn | None

    @property
    def status_key(self) -> str:
        if self.scoping_return is None:
            return NO_RETURN
        return self.scoping_return.status or NOT_ANSWERED

    @property
    def status_label(self) -> str:
        if self.scoping_return is None:
            return NO_RETURN_LABEL
        return _label_of(self.scoping_return, "status")

    @property
    def cells(self) -> list[str]:
        """The appendix's columns after the borough, as the pages and tables.csv show them."""
        r = self.scoping_return
        if r is None:
            return [NO_RETURN_LABEL] + [""] * (len(APPENDIX_COLUMNS) - 1)
        return [
            _label_of(r, "status"),
            r.service_form,
            _label_of(r, "scope"),
            *(
                _label_of(r, name)
                for name in (
                    "shared_it",
                    "outcome_measures",
                    "training",
                    "medicines_management",
                    "recurrent_funding",
                )
            ),
        ]


def appendix_rows(report: Report, boroughs: QuerySet | None = None) -> list[AppendixRow]:
    """The appendix line of every borough of the report (or of `boroughs`), in report order,
    "no return" included (two queries)."""
    boroughs = report.boroughs if boroughs is None else boroughs
    borough_list = list(boroughs.select_related("stp").order_by(*REPORT_ORDER))
    returns = {
        r.borough_id: r
        for r in report.returns.filter(borough__in=boroughs.values("pk")).only(
            *APPENDIX_RETURN_FIELDS
        )
    }
    return [AppendixRow(borough, returns.get(borough.pk)) for borough in borough_list]


@dataclass
class StpTable:
    stp: Stp
    rows: list[AppendixRow] = field(default_factory=list)


def stp_tables(report: Report, stp: Stp | None = None) -> list[StpTable]:
    """One appendix table per STP footprint that has boroughs in the report (or only `stp`)."""
    boroughs = report.boroughs if stp is None else report.boroughs.filter(stp=stp)
    tables: dict[int, StpTable] = {}
    for row in appendix_rows(report, boroughs):
        tables.setdefault(row.borough.stp_id, StpTable(row.borough.stp)).rows.append(row)
    return list(tables.values())


def report_stps(report: Report) -> QuerySet:
    """The STP footprints with boroughs in the report, in the report's order (one query)."""
    return Stp.objects.filter(pk__in=report.boroughs.values("stp_id")).order_by(
        "display_order", "name"
    )


@dataclass(frozen=True)
class Tile:
    borough: Borough
    status: str
    status_label: str

    @property
    def x(self) -> int:
        return self.borough.tile_x

    @property
    def y(self) -> int:
        return self.borough.tile_y


def tile_map(report: Report) -> list[Tile]:
    """Every borough of the report at its tile position, with its service status or "no return"."""
    return [Tile(row.borough, row.status_key, row.status_label) for row in appendix_rows(report)]


# --- Profiles --------------------------------------------------------------------------------

_PROFILE_PREFETCH = (
    Prefetch("care_roles", queryset=CareRole.objects.order_by("id")),
    "contacts",
    "measures",
    "funding_lines",
    "quality_notes",
)


def profiles(report: Report, borough: Borough | None = None) -> dict[int, ScopingReturn]:
    """The counted returns with their child rows, keyed by borough id (a fixed number of
    queries: one for the returns, one per kind of child row)."""
    returns = report.returns.select_related("borough__stp").prefetch_related(*_PROFILE_PREFETCH)
    if borough is not None:
        returns = returns.filter(borough=borough)
    return {r.borough_id: r for r in returns.order_by(*RETURN_REPORT_ORDER)}


# --- Data quality ----------------------------------------------------------------------------


def not_stated(report: Report) -> list[Figure]:
    """Per question, the counted returns that answer "Not stated" (one query); the total of each
    figure is the number of counted returns."""
    names = ("scope", *ANSWER_FIELDS, *PRESCRIBING_FIELDS)
    counts = report.returns.aggregate(
        _counted=Count("pk"),
        **{name: Count("pk", filter=Q(**{name: Answer.NOT_STATED})) for name in names},
    )
    return [
        Figure(name, field_label(name), counts[name], counts["_counted"], f"{name}=not_stated")
        for name in names
    ]


def quality_notes(report: Report) -> QuerySet:
    """The data-quality notes of the counted returns, in report order."""
    return (
        DataQualityNote.objects.filter(scoping_return__in=report.returns)
        .select_related("scoping_return__borough__stp")
        .order_by(*(f"scoping_return__{name}" for name in RETURN_REPORT_ORDER), "id")
    )


def incomplete_returns(report: Report) -> list[tuple[ScopingReturn, list[str]]]:
    """Counted returns that miss something a lead must give before submitting, with what is
    missing (the database finds them; surveys.completeness words them)."""
    gaps = Q(n_contacts=0)
    for section in SECTIONS:
        for name in section.required:
            gaps |= Q(**{name: ""})
    returns = (
        report.returns.annotate(n_contacts=Count("contacts"))
        .filter(gaps)
        .select_related("borough__stp")
        .order_by(*RETURN_REPORT_ORDER)
    )
    result = []
    for scoping_return in returns:
        scoping_return._child_counts = {"contacts": scoping_return.n_contacts}
        missing = [message for _anchor, message in missing_for_submission(scoping_return)]
        if missing:
            result.append((scoping_return, missing))
    return result


# --- Who is behind a figure ------------------------------------------------------------------


class BadFilter(ValueError):
    """A borough-list filter that names no question or no answer of it."""


@dataclass(frozen=True)
class BoroughFilter:
    name: str
    value: str
    label: str
    value_label: str


def _filter_choices() -> dict[str, tuple[str, dict[str, str]]]:
    """filter name → (question label, {value: answer label})."""
    extra = {NOT_ANSWERED: NOT_ANSWERED_LABEL, NO_RETURN: NO_RETURN_LABEL}
    filters = {
        name: (field_label(name), {**dict(choices.choices), **extra})
        for name, choices in CHOICE_FIELDS.items()
    }
    filters["it_system"] = ("IT system named", dict(ItSystem.choices))
    filters["care_role"] = ("Care role", dict(CareRoleType.choices))
    return filters


FILTERS = _filter_choices()


def parse_filters(params) -> list[BoroughFilter]:
    """The filters of a borough-list query string (`?status=established&shared_it=yes`).

    Raises BadFilter, with a sentence a person can read, for an unknown filter or value. The
    `stp` filter is checked against the register by `boroughs_matching`.
    """
    result = []
    for name in params:
        values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        for value in values:
            if name == "stp":
                result.append(BoroughFilter("stp", value, "STP footprint", value))
                continue
            if name not in FILTERS:
                allowed = ", ".join(["stp", *FILTERS])
                raise BadFilter(
                    f"“{name[:40]}” is not a filter of the borough list: use {allowed}."
                )
            label, choices = FILTERS[name]
            if value not in choices:
                allowed = ", ".join(choices)
                raise BadFilter(f"“{value[:40]}” is not a value of {name}: use one of {allowed}.")
            result.append(BoroughFilter(name, value, label, str(choices[value])))
    return result


def boroughs_matching(report: Report, filters: list[BoroughFilter]) -> list[AppendixRow]:
    """The boroughs behind a figure: those of the report whose counted return matches every
    filter (or, for the value "no_return", that have no counted return), in report order."""
    boroughs = report.boroughs
    returns = report.returns
    wants_no_return = False
    return_filters = 0
    for item in filters:
        if item.name == "stp":
            if not Stp.objects.filter(slug=item.value).exists():
                raise BadFilter(f"“{item.value[:40]}” is not an STP footprint of the register.")
            boroughs = boroughs.filter(stp__slug=item.value)
        elif item.value == NO_RETURN:
            wants_no_return = True
        elif item.name == "it_system":
            returns, return_filters = returns.filter(code_in_list("it_systems", item.value)), 1
        elif item.name == "care_role":
            with_role = CareRole.objects.filter(role=item.value).values("scoping_return_id")
            returns, return_filters = returns.filter(pk__in=with_role), 1
        else:
            value = "" if item.value == NOT_ANSWERED else item.value
            returns, return_filters = returns.filter(**{item.name: value}), 1
    if wants_no_return:
        boroughs = boroughs.exclude(pk__in=report.returns.values("borough_id"))
        if return_filters:
            boroughs = boroughs.none()
    elif return_filters:
        boroughs = boroughs.filter(pk__in=returns.values("borough_id"))
    return appendix_rows(report, boroughs)
