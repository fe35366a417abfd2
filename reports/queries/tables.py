"""Boroughs and their returns, row by row: the appendix and STP tables, the tile map, profiles."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, field

from django.db.models import QuerySet

from boroughs.models import Borough, Stp
from reports.queries.report import (
    APPENDIX_ANSWER_FIELDS,
    NO_RETURN,
    NO_RETURN_LABEL,
    NOT_ANSWERED,
    NOT_ANSWERED_LABEL,
    REPORT_ORDER,
    Report,
)
from reports.queries.rows import with_rows
from surveys.choices import ServiceStatus
from surveys.models import ScopingReturn

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
# The words a return gives beside each classified column (the appendix cells' words), in the
# order of APPENDIX_COLUMNS; the status and the service form have none of their own.
APPENDIX_NOTE_FIELDS = {name: f"{name}_note" for name in ("scope", *APPENDIX_ANSWER_FIELDS)}
APPENDIX_RETURN_FIELDS = (
    "borough_id",
    "state",
    "status",
    "status_note",
    "service_form",
    "scope",
    *APPENDIX_ANSWER_FIELDS,
    *APPENDIX_NOTE_FIELDS.values(),
)


# Each classified column's labels by code, built once: a dict lookup per cell, not Django's
# get_FOO_display (which builds its lookup each time).
LABELS = {
    name: {code: str(label) for code, label in ScopingReturn._meta.get_field(name).flatchoices}
    for name in ("status", "scope", *APPENDIX_ANSWER_FIELDS)
}


def _label_of(scoping_return, name: str) -> str:
    code = getattr(scoping_return, name)
    if not code:
        return NOT_ANSWERED_LABEL
    return LABELS[name].get(code, code)


@dataclass(frozen=True)
class AppendixRow:
    """One borough's line in the appendix tables; `scoping_return` (its appendix columns, or
    the whole return where read already) is None when not counted."""

    borough: Borough
    scoping_return: ScopingReturn | AppendixReturn | None

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
    def no_return_label(self) -> str:
        """What the row says of a borough without a counted return: "No return", with the
        reason the steering group recorded, if it did ("No return: commissioned by the STP")."""
        reason = getattr(self.borough, "no_return_reason", "")
        return f"{NO_RETURN_LABEL}: {reason}" if reason else NO_RETURN_LABEL

    @property
    def cells(self) -> list[str]:
        """The appendix's columns after the borough, as the pages and tables.csv show them."""
        r = self.scoping_return
        if r is None:
            return [self.no_return_label] + [""] * (len(APPENDIX_COLUMNS) - 1)
        return [
            _label_of(r, "status"),
            r.service_form,
            _label_of(r, "scope"),
            *(_label_of(r, name) for name in APPENDIX_ANSWER_FIELDS),
        ]

    @property
    def notes(self) -> list[str]:
        """The words beside each classification (`scope_note` …), in `cells`' order: what the
        STP tables show under the label and tables.csv in its `<column>_note` columns."""
        r = self.scoping_return
        return [
            getattr(r, APPENDIX_NOTE_FIELDS[name]) if r and name in APPENDIX_NOTE_FIELDS else ""
            for name, _ in APPENDIX_COLUMNS
        ]

    @property
    def cells_with_notes(self) -> list[tuple[str, str]]:
        return list(zip(self.cells, self.notes, strict=True))

    @property
    def footnote(self) -> str:
        """Below the table, what a borough whose service is not applicable offers instead (its
        status note), as the appendix's footnote gives Bexley's."""
        r = self.scoping_return
        if r is None or r.status != ServiceStatus.NOT_APPLICABLE:
            return ""
        return r.status_note


def appendix_rows(
    report: Report, boroughs: QuerySet | None = None, returns: dict | None = None
) -> list[AppendixRow]:
    """The appendix line of every borough of the report (or of `boroughs`), in report order,
    "no return" included (two queries; one when the counted returns are given, by borough id,
    as `profiles` gives them)."""
    boroughs = report.boroughs if boroughs is None else boroughs
    borough_list = list(boroughs.select_related("stp__region").order_by(*REPORT_ORDER))
    if returns is None:
        returns = _appendix_returns(report.returns.filter(borough__in=boroughs.values("pk")))
    return [AppendixRow(borough, returns.get(borough.pk)) for borough in borough_list]


def appendix_rows_of(report: Report, boroughs: list[Borough]) -> list[AppendixRow]:
    """The appendix lines of `boroughs` (read already: a page of them), in their order (one
    query)."""
    returns = _appendix_returns(
        report.returns.filter(borough__in=[borough.pk for borough in boroughs])
    )
    return [AppendixRow(borough, returns.get(borough.pk)) for borough in boroughs]


# A counted return as the appendix reads it: its columns only, as a plain record (a model
# instance with the other fifty columns deferred costs several times more to make).
AppendixReturn = namedtuple("AppendixReturn", APPENDIX_RETURN_FIELDS)


def _appendix_returns(returns: QuerySet) -> dict[int, AppendixReturn]:
    return {
        r.borough_id: r
        for r in map(AppendixReturn._make, returns.order_by().values_list(*APPENDIX_RETURN_FIELDS))
    }


@dataclass
class StpTable:
    stp: Stp
    rows: list[AppendixRow] = field(default_factory=list)


def stp_tables(
    report: Report, stp: Stp | None = None, rows: list[AppendixRow] | None = None
) -> list[StpTable]:
    """One appendix table per STP footprint that has boroughs in the report (or only `stp`),
    from `rows` where the appendix rows are read already."""
    if rows is None:
        boroughs = report.boroughs if stp is None else report.boroughs.filter(stp=stp)
        rows = appendix_rows(report, boroughs)
    tables: dict[int, StpTable] = {}
    for row in rows:
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


def tile_map(report: Report, rows: list[AppendixRow] | None = None) -> list[Tile]:
    """Every borough of the report at its tile position, with its service status or "no return"
    (from `rows` where the appendix rows are read already)."""
    rows = appendix_rows(report) if rows is None else rows
    return [Tile(row.borough, row.status_key, row.status_label) for row in rows]


# --- Profiles --------------------------------------------------------------------------------


def profiles(
    report: Report, borough: Borough | None = None, boroughs: QuerySet | None = None
) -> dict[int, ScopingReturn]:
    """The counted returns (of `borough`, or of `boroughs`) with their child rows, keyed by
    borough id (one query; unordered: the reader looks each up by its borough)."""
    returns = report.returns.select_related("borough__stp", "survey_round").order_by()
    if borough is not None:
        returns = returns.filter(borough=borough)
    if boroughs is not None:
        returns = returns.filter(borough__in=boroughs.values("pk"))
    return {r.borough_id: r for r in with_rows(returns)}


def borough_returns(
    report: Report, borough_slug: str, previous: Report | None = None
) -> tuple[ScopingReturn | None, ScopingReturn | None]:
    """The borough's counted return in `report` and in `previous` (None where it has none),
    with their child rows and the borough (one query)."""
    returns = report.returns.filter(borough__slug=borough_slug)
    if previous is not None:
        returns = returns | previous.returns.filter(borough__slug=borough_slug)
    found = {
        r.survey_round_id: r
        for r in with_rows(returns.select_related("borough__stp", "survey_round").order_by())
    }
    then = found.get(previous.survey_round.pk) if previous is not None else None
    return found.get(report.survey_round.pk), then
