"""Counts of one question: the summary's figure sets, the prescribing, IT and care-role figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from reports.queries.report import (
    CHOICE_FIELDS,
    NO_RETURN,
    NO_RETURN_LABEL,
    NOT_ANSWERED,
    NOT_ANSWERED_LABEL,
    PRESCRIBING_FIELDS,
    Report,
    field_label,
    percent,
)
from surveys.choices import Answer, CareRoleType, ItSystem
from surveys.models import CareRole


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
