"""The round's data as one XLSX workbook (returns.xlsx, and one return's as return.xlsx): an
about sheet, the appendix tables, every data file of `reports.exports` and its dictionary,
written to a temporary file with openpyxl's write-only mode, so memory stays flat whatever
the number of returns; the returns and every kind of child row are read in one query."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import OuterRef, Subquery, TextField
from django.utils import timezone
from openpyxl import Workbook

from boroughs.models import Borough
from reports import queries
from reports.exports import (
    DICTIONARY_HEADER,
    EXPORT_FILES,
    RETURN_REPORT_ORDER,
    TABLES_HEADER,
    Column,
    ExportFile,
    _xlsx_cell,
    cell_text,
    dictionary_rows,
    table_rows,
)
from reports.queries import Report
from reports.queries.rows import JSONArray, JSONArrays, decode_value
from surveys.models import ScopingReturn


def _xlsx_row(row) -> list:
    return [_xlsx_cell(value) for value in row]


def _field_at(model, path: str):
    """The model field a values_list() path ("area", "borough__stp__name") ends at."""
    *through, name = path.split("__")
    for step in through:
        model = model._meta.get_field(step).related_model
    return model._meta.get_field(name)


def _own_columns(export: ExportFile) -> list[Column]:
    return [c for c in export.columns if not c.source.startswith("scoping_return__")]


def _rows_as_json(export: ExportFile) -> Subquery:
    """One return's rows of `export`, their id and own columns, as one JSON array."""
    sources = ["id", *(column.source for column in _own_columns(export))]
    return Subquery(
        export.model.all_rows.filter(scoping_return=OuterRef("pk"))
        .order_by()
        .values("scoping_return")
        .annotate(rows=JSONArrays(JSONArray(*sources)))
        .values("rows"),
        output_field=TextField(),
    )


def _returns_with_rows(report: Report) -> Iterator[tuple[tuple, dict[str, list[tuple]]]]:
    """Each counted return's values for the returns file, in report order, with its rows'
    values for every other data file, the files' columns in order (one query, streamed)."""
    returns = EXPORT_FILES["returns"]
    children = [export for export in EXPORT_FILES.values() if export.model is not ScopingReturn]
    sources = [column.source for column in returns.columns]
    plans = []
    for export in children:
        own = _own_columns(export)
        fields = [export.model._meta.pk, *(_field_at(export.model, c.source) for c in own)]
        # Each column: where its value is, in the return's values or in the row's own.
        where = [
            ("return", sources.index(c.source.removeprefix("scoping_return__")))
            if c.source.startswith("scoping_return__")
            else ("own", 1 + own.index(c))
            for c in export.columns
        ]
        plans.append((export.name, fields, where))
    queryset = (
        report.returns.order_by(*RETURN_REPORT_ORDER)
        .annotate(**{f"_rows_{export.name}": _rows_as_json(export) for export in children})
        .values_list(*returns.sources, *(f"_rows_{export.name}" for export in children))
    )
    width = len(returns.sources)
    for values in queryset.iterator(chunk_size=2000):
        own_values = returns.shown(values[:width])
        rows = {}
        for (name, fields, where), text in zip(plans, values[width:], strict=True):
            decoded = sorted(
                (
                    [decode_value(f, v) for f, v in zip(fields, row, strict=True)]
                    for row in (json.loads(text, parse_float=Decimal) if text else [])
                ),
                key=lambda row: row[0],
            )
            rows[name] = [
                tuple(own_values[i] if kind == "return" else row[i] for kind, i in where)
                for row in decoded
            ]
        yield own_values, rows


def write_workbook(report: Report, about: list[list], file) -> None:
    """The round's data as one XLSX workbook written to `file`: an about sheet (`about`, then
    the boroughs and counted returns the tables sheet counts), the appendix tables, every data
    file and the dictionary. Openpyxl's write-only mode writes each sheet to disk as it goes,
    so memory stays flat whatever the number of returns (three queries)."""
    workbook = Workbook(write_only=True)
    about_sheet = workbook.create_sheet(title="about")
    about_sheet.append(["item", "value"])
    tables = workbook.create_sheet(title="tables")
    tables.append(TABLES_HEADER)
    boroughs = counted = 0
    for row in table_rows(report):
        boroughs += 1
        counted += not row[2].startswith(queries.NO_RETURN_LABEL)
        tables.append(_xlsx_row(row))
    sheets = {}
    for export in EXPORT_FILES.values():
        sheets[export.name] = workbook.create_sheet(title=export.name[:31])
        sheets[export.name].append(export.header)
    for return_values, rows in _returns_with_rows(report):
        sheets["returns"].append(_xlsx_row(return_values))
        for name, values in rows.items():
            for row in values:
                sheets[name].append(_xlsx_row(row))
    dictionary = workbook.create_sheet(title="data dictionary")
    dictionary.append(DICTIONARY_HEADER)
    for row in dictionary_rows():
        dictionary.append(_xlsx_row(row))
    for row in about(boroughs, counted):
        about_sheet.append(_xlsx_row(row))
    workbook.save(file)


def workbook_file(report: Report):
    """The round's data as one XLSX workbook (`write_workbook`), in a temporary file opened
    for reading (deleted when closed); an about sheet, the appendix tables, every data file
    and the dictionary; text cells formula-escaped like the CSV."""

    def about(boroughs, counted):
        return [
            ["Round", report.survey_round.name],
            ["Provisional", "yes" if report.provisional else "no"],
            ["Boroughs", boroughs],
            ["Boroughs with a counted return", counted],
            ["Generated", cell_text(timezone.now())],
        ]

    return _temporary_workbook(report, about)


def _temporary_workbook(report: Report, about):
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_workbook(report, about, file)
    file.seek(0)
    return file


def return_workbook_file(scoping_return: ScopingReturn):
    """One return, at whatever state, as the sheets of returns.xlsx with only its rows: its
    borough's line of the tables, the return and its own child rows (a temporary file)."""
    report = Report(
        scoping_return.survey_round,
        Borough.objects.filter(pk=scoping_return.borough_id),
        ScopingReturn.all_rows.filter(pk=scoping_return.pk),
    )

    def about(boroughs, counted):
        return [
            ["Round", scoping_return.survey_round.name],
            ["Borough", scoping_return.borough.name],
            ["State", scoping_return.get_state_display()],
            ["Generated", cell_text(timezone.now())],
        ]

    return _temporary_workbook(report, about)
