"""The service aims the round's report lists, each with the boroughs whose narratives state it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from pcmh.published_names import shown
from reports.models import RoundAim
from reports.queries.counts import Figure
from reports.queries.report import REPORT_ORDER, Report


@dataclass(frozen=True)
class AimBorough:
    name: str
    slug: str
    words: str  # the narrative's words that state the aim


@dataclass(frozen=True)
class AimFigure:
    """One aim of the round: the boroughs with a counted return whose narratives state it."""

    key: str
    name: str
    printed: str
    boroughs: tuple[AimBorough, ...]
    total: int

    @property
    def count(self) -> int:
        return len(self.boroughs)

    @property
    def phrase(self) -> str:
        return Figure(self.key, self.name, self.count, self.total).phrase

    @property
    def query(self) -> str:
        return f"aim={self.key}"


def aims(report: Report) -> list[AimFigure]:
    """The round's service aims in the report's order, each with the boroughs of the report
    whose counted returns' narratives state it, in report order (one query)."""
    counted = Exists(report.returns.filter(borough=OuterRef("tags__borough")))
    rows = (
        RoundAim.objects.filter(survey_round=report.survey_round)
        .annotate(counted=counted)
        .order_by("order", "key", *(f"tags__borough__{name}" for name in REPORT_ORDER))
        .values_list(
            "key",
            "name",
            "printed",
            "tags__borough__name",
            "tags__borough__slug",
            "tags__words",
            "counted",
        )
    )
    found: dict[str, tuple[str, str, list[AimBorough]]] = {}
    for key, name, printed, borough, slug, words, is_counted in rows:
        _, _, boroughs = found.setdefault(key, (name, printed, []))
        if slug is not None and is_counted:
            boroughs.append(AimBorough(shown("boroughs", slug, borough), slug, words))
    total = report.borough_total
    return [
        AimFigure(key, name, printed, tuple(boroughs), total)
        for key, (name, printed, boroughs) in found.items()
    ]
