"""Streaming CSV: rows are written as they are read, every cell made inert for spreadsheets."""

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

from reports.exports import cell_text
from surveys.resources import escape_formula


class Echo:
    """A pseudo-buffer: csv.writer "writes" a line and gets it straight back to yield."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: list[str], rows: Iterable) -> Iterator[str]:
    """The header, then each row, as CSV lines; every cell passes through `escape_formula`."""
    writer = csv.writer(Echo())
    yield writer.writerow([escape_formula(name) for name in header])
    for row in rows:
        yield writer.writerow([escape_formula(cell_text(value)) for value in row])


def csv_response(filename: str, header: list[str], rows: Iterable) -> StreamingHttpResponse:
    """A UTF-8 CSV download streamed from `rows` (an iterator, so nothing is held in memory)."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
