"""What the round's printed report says beside its figures where its returns give another:
the published statements, each with what the returns give for the figure it qualifies."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from reports.figures import section_of
from reports.models import PublishedStatement
from reports.queries import counts
from reports.queries.aims import AimFigure, aims
from reports.queries.counts import Ages, Figure, FigureSet, RoleFigure
from reports.queries.report import Report
from surveys.numbers import plain_decimal


@dataclass(frozen=True)
class Statement:
    """A published statement, ready to show beside its figure."""

    key: str
    figure: str
    figure_label: str
    printed: str
    printed_value: str
    explanation: str
    returns_give: str  # the figure as the returns give it, in words

    @property
    def section(self) -> str:
        """The part of the summary that shows the figure (`reports.figures.section_of`)."""
        return section_of(self.figure)

    def as_dict(self) -> dict[str, str]:
        return {
            "figure": self.figure,
            "printed": self.printed,
            "printed_value": self.printed_value,
            "explanation": self.explanation,
        }


def _listed(figures) -> str:
    """ "EMIS Web (4 boroughs), SystmOne (4) and Jade (1)": the figures that are not zero."""
    parts = [f"{figure.label} ({figure.count})" for figure in figures if figure.count]
    if not parts:
        return "none"
    noun = "borough" if figures and parts[0].endswith("(1)") else "boroughs"
    parts[0] = parts[0].replace(")", f" {noun})", 1)
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _named(age_figures) -> str:
    """ "16 (West London)"; "65 (Hillingdon); 70 (Newham)"; an age with more boroughs than
    the summary names: "18 (240 of 1250 boroughs, 19%)"."""
    return "; ".join(
        f"{plain_decimal(figure.age)} "
        f"({', '.join(name for name, _ in figure.boroughs) or figure.phrase})"
        for figure in age_figures
    )


def figure_values(
    report: Report,
    *,
    sets: list[FigureSet],
    ages: Ages,
    aims: list[AimFigure],
    care_roles: list[RoleFigure],
) -> dict[str, str]:
    """Every figure key of the summary (`reports.figures`) → what the returns give for it, in
    words, from figures already counted (no query)."""
    values = {"boroughs": f"{report.borough_total} boroughs"}
    for figure_set in sets:
        values[figure_set.key] = _listed(figure_set.figures)
        for figure in figure_set.rows:
            values[f"{figure_set.key}.{figure.key}"] = figure.phrase
    values["ages.youngest"] = _named(ages.minimum[:1]) or "no minimum age"
    values["ages.upper"] = _named(ages.upper) or "no upper age limit"
    values["ages"] = f"{values['ages.youngest']} as the youngest minimum age"
    values["aims"] = f"{len(aims)} aim{'s' if len(aims) != 1 else ''}"
    values["care_roles"] = _listed(
        [Figure(role.key, role.label, role.boroughs, role.total) for role in care_roles]
    )
    for role in care_roles:
        values[f"care_roles.{role.key}"] = role.phrase
    return values


def published_statements(report: Report, values: dict[str, str] | None = None) -> list[Statement]:
    """The round's published statements in the report's order (one query), each with what the
    returns give for its figure (`values`, from `figure_values`)."""
    values = values or {}
    return [
        Statement(
            key=row.key,
            figure=row.figure,
            figure_label=row.figure_label,
            printed=row.printed,
            printed_value=row.printed_value,
            explanation=row.explanation,
            returns_give=values.get(row.figure, ""),
        )
        for row in PublishedStatement.objects.filter(survey_round=report.survey_round)
    ]


def summary_json(report: Report) -> dict:
    """The summary as JSON-ready data: the figure sets of `counts.summary_json`, then Section 1's
    other content (model types, ages, service aims) and the round's published statements."""
    data = counts.summary_json(report)
    # The version of the published report (None before publishing) and the corrections
    # published up to it, oldest first.
    data["version"] = report.publication.version if report.publication else None
    data["corrections"] = (
        [
            {
                "version": p.version,
                "published_on": timezone.localdate(p.published_at).isoformat(),
                "note": p.note,
            }
            for p in reversed(report.corrections)
        ]
        if report.publication
        else []
    )
    data["model_types"] = counts.model_types(report).as_dict()
    found = counts.ages(report, named=None)
    data["ages"] = {
        "minimum": {plain_decimal(f.age): f.count for f in found.minimum},
        "no_minimum": found.no_minimum,
        "youngest": (
            {
                "age": plain_decimal(found.youngest.age),
                "boroughs": [slug for _, slug in found.youngest.boroughs],
            }
            if found.youngest
            else None
        ),
        "upper": {
            plain_decimal(f.age): {"boroughs": [slug for _, slug in f.boroughs]}
            for f in found.upper
        },
        "no_upper": found.no_upper,
    }
    data["aims"] = [
        {
            "key": aim.key,
            "name": aim.name,
            "printed": aim.printed,
            "boroughs": [borough.slug for borough in aim.boroughs],
        }
        for aim in aims(report)
    ]
    data["published_statements"] = [s.as_dict() for s in published_statements(report)]
    return data
