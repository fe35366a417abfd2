"""The columns of the data exports (returns, child rows, appendix tables) and their dictionary.

One list of `Column`s per file drives the CSV, the XLSX workbook and the data dictionary, so the
dictionary cannot drift from the files it describes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import islice, repeat

from django.db import models
from django.utils.text import capfirst
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pcmh import published_names
from reports import queries
from reports.queries import APPENDIX_COLUMNS, RETURN_REPORT_ORDER, Report
from reports.queries.tables import APPENDIX_NOTE_FIELDS
from surveys.choices import Answer, ReturnState, Scope, ServiceStatus
from surveys.fields import CodeListField
from surveys.models import (
    Barrier,
    Benefit,
    CareRole,
    Contact,
    FundingLine,
    OutcomeMeasure,
    ScopingReturn,
    SelfAssessment,
)
from surveys.numbers import plain_decimal
from surveys.resources import (
    CARE_ROLE_FIELDS,
    ESCAPED_STARTS,
    RETURN_FIELDS,
    SELF_ASSESSMENT_FIELDS,
    THEMED_FIELDS,
    escape_formula,
)


@dataclass(frozen=True)
class Column:
    name: str
    source: str  # the ORM path read with values_list()
    meaning: str
    type: str
    allowed: str = ""
    # A name of the register: (its kind in pcmh.published_names, the path of its slug), so that
    # a published round's file names it as published.
    named: tuple[str, str] | None = None


def _choices_text(choices, *, blank: bool) -> str:
    text = "; ".join(f"{code} ({label})" for code, label in choices)
    return f"{text}; empty = not answered" if blank else text


def model_column(model, name: str, *, prefix: str = "") -> Column:
    """A column for a model field, its meaning, type and allowed values read from the field."""
    field = model._meta.get_field(name)
    label = str(field.verbose_name)
    meaning = capfirst(label)
    if field.help_text:
        meaning = f"{meaning}. {field.help_text}"
    allowed = ""
    if isinstance(field, CodeListField):
        kind = "codes, comma-separated"
        allowed = _choices_text(field.code_choices, blank=False) + "; empty = none"
    elif field.choices:
        kind = "code"
        allowed = _choices_text(field.choices, blank=field.blank)
    elif isinstance(field, models.BooleanField):
        kind = "yes/no"
        allowed = "yes; no; empty = not known" if field.null else "yes; no"
    elif isinstance(field, models.DecimalField):
        kind = f"decimal ({field.decimal_places} decimal places at most)"
        validators = [v.limit_value for v in field.validators if hasattr(v, "limit_value")]
        numbers = [v for v in validators if isinstance(v, int | Decimal)]
        allowed = f"{min(numbers)} to {max(numbers)}" if len(numbers) > 1 else ""
        if field.null:
            allowed = f"{allowed}; empty = not given".lstrip("; ")
    elif isinstance(field, models.DateTimeField):
        kind = "date and time (ISO 8601, UTC)"
    elif isinstance(field, models.DateField):
        kind = "date (ISO 8601)"
        allowed = "empty = not given" if field.null else ""
    elif isinstance(field, models.ForeignKey):
        target = field.related_model
        kind = "code"
        allowed = f"the short name (slug) of a {target._meta.verbose_name} of the toolkit"
        if field.null:
            allowed = f"{allowed}; empty = not given"
    elif isinstance(field, models.EmailField):
        kind = "e-mail address"
    else:
        kind = "text"
        if getattr(field, "max_length", None):
            kind = f"text (up to {field.max_length} characters)"
    return Column(name, f"{prefix}{name}", meaning, kind, allowed)


def _key_columns(prefix: str) -> tuple[Column, ...]:
    return (
        Column(
            "round",
            f"{prefix}survey_round__slug",
            "The round, by its short name (slug), e.g. 2017",
            "text",
        ),
        Column(
            "borough",
            f"{prefix}borough__slug",
            "The borough or CCG, by its short name (slug) in the register",
            "text",
        ),
    )


RETURN_COLUMNS = (
    *_key_columns(""),
    Column(
        "borough_name",
        "borough__name",
        "The borough or CCG's name",
        "text",
        named=("boroughs", "borough__slug"),
    ),
    Column(
        "stp",
        "borough__stp__name",
        "The STP footprint the borough belongs to",
        "text",
        named=("stps", "borough__stp__slug"),
    ),
    Column(
        "state",
        "state",
        "The return's review state (a published round counts accepted returns only)",
        "code",
        _choices_text(ReturnState.choices, blank=False),
    ),
    *(model_column(ScopingReturn, name) for name in RETURN_FIELDS),
    model_column(ScopingReturn, "submitted_at"),
    model_column(ScopingReturn, "accepted_at"),
)


def _child_columns(model, names) -> tuple[Column, ...]:
    return (
        *_key_columns("scoping_return__"),
        *(model_column(model, name) for name in names),
    )


@dataclass(frozen=True)
class ExportFile:
    """One data file of a round: its rows are the counted returns, or their child rows."""

    name: str
    title: str
    model: type
    columns: tuple[Column, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def queryset(self, report: Report):
        if self.model is ScopingReturn:
            return report.returns.order_by(*RETURN_REPORT_ORDER)
        order = (f"scoping_return__{name}" for name in RETURN_REPORT_ORDER)
        return self.model.all_rows.filter(scoping_return__in=report.returns).order_by(*order, "id")

    @property
    def sources(self) -> list[str]:
        """The values_list() paths of its columns, then those of the slugs of its names."""
        named = [column.named[1] for column in self.columns if column.named]
        return [column.source for column in self.columns] + named

    @cached_property
    def _names(self) -> tuple[tuple[int, str, int], ...]:
        """For each name of the register: its column, its kind, and where its slug is in a row
        of `sources`."""
        named = [(i, column.named[0]) for i, column in enumerate(self.columns) if column.named]
        width = len(self.columns)
        return tuple((i, kind, width + k) for k, (i, kind) in enumerate(named))

    def shown(self, values: tuple) -> tuple:
        """A row of the values of `sources` as the file has it: the register's names as the
        report shows them (a published round's, as published)."""
        row = list(values[: len(self.columns)])
        for i, kind, slug in self._names:
            row[i] = published_names.shown(kind, values[slug], row[i])
        return tuple(row)

    def rows(self, report: Report) -> Iterator[tuple]:
        """Raw values, one tuple per row, streamed from the database in chunks (one query)."""
        values = self.queryset(report).values_list(*self.sources).iterator(chunk_size=2000)
        if not self._names:
            return values
        return map(self.shown, values)


EXPORT_FILES = {
    export.name: export
    for export in (
        ExportFile("returns", "Returns", ScopingReturn, RETURN_COLUMNS),
        ExportFile(
            "care_roles",
            "Care roles",
            CareRole,
            _child_columns(CareRole, CARE_ROLE_FIELDS),
        ),
        ExportFile(
            "contacts",
            "Contacts",
            Contact,
            _child_columns(Contact, ("name", "job_title", "organisation", "email")),
        ),
        ExportFile(
            "outcome_measures",
            "Outcome measures",
            OutcomeMeasure,
            _child_columns(OutcomeMeasure, ("name", "notes")),
        ),
        ExportFile(
            "funding_lines",
            "Funding lines",
            FundingLine,
            _child_columns(
                FundingLine, ("amount", "financial_year", "recurrent", "source", "notes")
            ),
        ),
        # Section 11, in a round that uses the toolkit (empty for one that does not).
        ExportFile(
            "self_assessments",
            "Self-assessment levels",
            SelfAssessment,
            _child_columns(SelfAssessment, SELF_ASSESSMENT_FIELDS),
        ),
        ExportFile("benefits", "Benefits seen", Benefit, _child_columns(Benefit, THEMED_FIELDS)),
        ExportFile("barriers", "Barriers met", Barrier, _child_columns(Barrier, THEMED_FIELDS)),
    )
}


def _labels(choices) -> str:
    return "; ".join([*(str(label) for label in choices.labels), queries.NOT_ANSWERED_LABEL])


_TABLE_VALUES = {
    "status": (
        f"{_labels(ServiceStatus)}; {queries.NO_RETURN_LABEL}; "
        f"{queries.NO_RETURN_LABEL}: <the reason the steering group recorded>"
    ),
    "model": "",
    "scope": f"{_labels(Scope)}; empty = no return",
}
TABLE_COLUMNS = (
    Column("stp", "", "The STP footprint", "text"),
    Column("borough", "", "The borough or CCG's name", "text"),
    Column("status", "", "Service status", "label", _TABLE_VALUES["status"]),
    Column("model", "", "Service form: the model in one line", "text", "empty = no return"),
    *(
        Column(
            name,
            "",
            heading,
            "label",
            _TABLE_VALUES.get(name, f"{_labels(Answer)}; empty = no return"),
        )
        for name, heading in APPENDIX_COLUMNS[2:]
    ),
    # After the appendix's columns, as they were: the words beside each classification.
    *(
        Column(
            note,
            "",
            f"{heading}: the words the return gives beside the classification (the appendix "
            "cell's words), shown under it in the STP tables",
            "text",
            "empty = none, or no return",
        )
        for name, heading in APPENDIX_COLUMNS
        if (note := APPENDIX_NOTE_FIELDS.get(name))
    ),
)
TABLES_HEADER = [column.name for column in TABLE_COLUMNS]

DICTIONARY_HEADER = ["column", "meaning", "type", "allowed_values", "file"]


def table_rows(report: Report) -> Iterator[list[str]]:
    """The appendix tables as rows of tables.csv: STP then report order, "No return" included."""
    notes = [i for i, (name, _) in enumerate(APPENDIX_COLUMNS) if name in APPENDIX_NOTE_FIELDS]
    for row in queries.appendix_rows(report):
        yield [row.borough.stp.name, row.borough.name, *row.cells, *(row.notes[i] for i in notes)]


def dictionary_rows() -> Iterator[list[str]]:
    """The data dictionary: one row per column of every data file, in the files' column order."""
    files = [("tables.csv", TABLE_COLUMNS)] + [
        (export.filename, export.columns) for export in EXPORT_FILES.values()
    ]
    for filename, columns in files:
        for column in columns:
            yield [column.name, column.meaning, column.type, column.allowed, filename]


def export_filename(report: Report, stem: str, extension: str) -> str:
    """pcmh-<round>-<stem>.<ext>, with "provisional-" before the stem for a provisional report."""
    provisional = "provisional-" if report.provisional else ""
    return f"pcmh-{report.survey_round.slug}-{provisional}{stem}.{extension}"


def cell_text(value) -> str:
    """A value as a CSV cell: codes as stored, decimals without trailing zeros, yes/no."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, datetime.datetime):
        return _datetime_text(value)
    return str(value)


def _datetime_text(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds")


def _xlsx_cell(value):
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", cell_text(value))
    return escape_formula(text)


def _marked(values: tuple) -> bool:
    """Whether `escape_formula` marks any of a column's values, all text (it marks those
    that begin with one of `ESCAPED_STARTS`); TypeError for a value that is not text."""
    return any(map(str.startswith, values, repeat(ESCAPED_STARTS)))


def _text_column(values: tuple) -> Iterable[str]:
    """A column's values as CSV cells, `escape_formula(cell_text(value))` each."""
    try:
        marked = _marked(values)
    except TypeError:  # not all text: None, numbers, dates
        if set(map(type, values)) <= {datetime.datetime, type(None)}:
            # A date and time in ISO 8601 begins with the year's digits: nothing to mark.
            return ["" if value is None else _datetime_text(value) for value in values]
        return [escape_formula(cell_text(value)) for value in values]
    return list(map(escape_formula, values)) if marked else values


def _xlsx_column(values: tuple) -> Iterable:
    """A column's values as XLSX cells, `_xlsx_cell(value)` each."""
    sub = ILLEGAL_CHARACTERS_RE.sub
    try:
        cells = [sub("", value) for value in values]
        marked = _marked(cells)
    except TypeError:  # not all text: None, numbers, dates
        return [_xlsx_cell(value) for value in values]
    return list(map(escape_formula, cells)) if marked else cells


def _columns(rows: list, convert) -> list | None:
    """The columns of `rows`, each column's values converted at once by `convert`; None where
    the rows are not all as wide."""
    width = len(rows[0]) if rows else 0
    if not width or any(len(row) != width for row in rows):
        return None
    return [convert(values) for values in zip(*rows, strict=True)]


def _by_column(rows: list, convert) -> Iterable:
    """`rows` with their cells converted a column at a time by `convert` (or a row at a time
    where they are not all as wide: `convert` gives each value's cell whatever its column)."""
    columns = _columns(rows, convert)
    if columns is None:
        return ([*convert(tuple(row))] for row in rows)
    return zip(*columns, strict=True)


def text_columns(rows: list) -> list[Iterable[str]] | None:
    """The columns of `rows` as CSV cells, each `escape_formula(cell_text(value))`, worked out
    a column at a time (a few calls per column instead of several per cell); None where the
    rows are not all as wide."""
    return _columns(rows, _text_column)


def in_batches(iterable: Iterable, size: int) -> Iterator[list]:
    """The items of `iterable` in lists of `size` (the last one shorter)."""
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def text_rows(rows: list) -> Iterable[tuple]:
    """Rows of values as rows of CSV cells, each `escape_formula(cell_text(value))`, a column
    at a time where they are all as wide (`text_columns`)."""
    return _by_column(rows, _text_column)


def xlsx_rows(rows: list) -> Iterable[tuple]:
    """Rows of values as rows of XLSX cells, each `_xlsx_cell(value)`, a column at a time."""
    return _by_column(rows, _xlsx_column)


def return_filename(scoping_return: ScopingReturn) -> str:
    """pcmh-<round>-<borough>-return.xlsx"""
    return f"pcmh-{scoping_return.survey_round.slug}-{scoping_return.borough.slug}-return.xlsx"
