"""The round's data as one XLSX workbook (returns.xlsx, and one return's as return.xlsx): an
about sheet, the appendix tables, every data file of `reports.exports` and its dictionary,
written to a temporary file with openpyxl's write-only mode, so memory stays flat whatever
the number of returns; the returns and every kind of child row are read in one query."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from decimal import Decimal

from django.db import models
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
    cell_text,
    dictionary_rows,
    in_batches,
    table_rows,
    xlsx_rows,
)
from reports.queries import Report
from reports.queries.rows import JSONArray, JSONArrays, decode_value
from surveys.models import ScopingReturn

# Returns whose rows are written at once: the cells of each sheet are worked out a column of
# the batch at a time (`xlsx_rows`), and memory stays flat.
RETURNS_PER_BATCH = 250


def _append(sheet, rows: list) -> None:
    for row in xlsx_rows(rows):
        sheet.append(row)


def _read_as_is(field) -> bool:
    """Whether `decode_value` gives a JSON value of `field` back as it is: text is a JSON
    string, an id a JSON integer."""
    return isinstance(field, models.CharField | models.TextField | models.AutoField)


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
        decoded = [(i, field) for i, field in enumerate(fields) if not _read_as_is(field)]
        # Each column: where its value is in the return's values, then the row's own.
        where = [
            sources.index(c.source.removeprefix("scoping_return__"))
            if c.source.startswith("scoping_return__")
            else len(sources) + 1 + own.index(c)
            for c in export.columns
        ]
        plans.append((export.name, decoded, where))
    queryset = (
        report.returns.order_by(*RETURN_REPORT_ORDER)
        .annotate(**{f"_rows_{export.name}": _rows_as_json(export) for export in children})
        .values_list(*returns.sources, *(f"_rows_{export.name}" for export in children))
    )
    width = len(returns.sources)
    for values in queryset.iterator(chunk_size=2000):
        own_values = returns.shown(values[:width])
        rows = {}
        for (name, decoded, where), text in zip(plans, values[width:], strict=True):
            own_rows = json.loads(text, parse_float=Decimal) if text else []
            for row in own_rows:
                for i, field in decoded:
                    row[i] = decode_value(field, row[i])
            own_rows.sort(key=lambda row: row[0])
            rows[name] = [tuple(map((*own_values, *row).__getitem__, where)) for row in own_rows]
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
    for rows in in_batches(table_rows(report), 1000):
        boroughs += len(rows)
        counted += sum(not row[2].startswith(queries.NO_RETURN_LABEL) for row in rows)
        _append(tables, rows)
    sheets = {}
    for export in EXPORT_FILES.values():
        sheets[export.name] = workbook.create_sheet(title=export.name[:31])
        sheets[export.name].append(export.header)
    children = [name for name in sheets if name != "returns"]
    for batch in in_batches(_returns_with_rows(report), RETURNS_PER_BATCH):
        _append(sheets["returns"], [return_values for return_values, _ in batch])
        for name in children:
            _append(sheets[name], [row for _, rows in batch for row in rows[name]])
    dictionary = workbook.create_sheet(title="data dictionary")
    dictionary.append(DICTIONARY_HEADER)
    _append(dictionary, list(dictionary_rows()))
    _append(about_sheet, about(boroughs, counted))
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
