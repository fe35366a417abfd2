"""Data quality: answers not stated, the notes, counted returns that miss required answers."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from reports.queries.counts import Figure
from reports.queries.report import (
    APPENDIX_ANSWER_FIELDS,
    PRESCRIBING_FIELDS,
    RETURN_REPORT_ORDER,
    Report,
    field_label,
)
from surveys.choices import Answer
from surveys.completeness import missing_items
from surveys.models import DataQualityNote, ScopingReturn
from surveys.sections import SECTIONS


def not_stated(report: Report) -> list[Figure]:
    """Per question, the counted returns that answer "Not stated" (one query); the total of each
    figure is the number of counted returns."""
    names = ("scope", *APPENDIX_ANSWER_FIELDS, *PRESCRIBING_FIELDS)
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
        missing = [f"{item.what} ({item.section.title})" for item in missing_items(scoping_return)]
        if missing:
            result.append((scoping_return, missing))
    return result
