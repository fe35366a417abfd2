"""Data quality: answers not stated, the notes, counted returns that miss required answers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from boroughs.models import Borough, Stp
from pcmh.published_names import shown
from reports.queries.counts import Figure
from reports.queries.filters import BadFilter
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
from surveys.sections import FIELD_NAMES, SECTIONS


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
        DataQualityNote.all_rows.filter(scoping_return__in=report.returns)
        .select_related("scoping_return__borough__stp", "scoping_return__survey_round")
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
        .select_related("borough__stp", "survey_round")
        .order_by(*RETURN_REPORT_ORDER)
    )
    result = []
    for scoping_return in returns:
        scoping_return._child_counts = {"contacts": scoping_return.n_contacts}
        missing = [f"{item.what} ({item.section.title})" for item in missing_items(scoping_return)]
        if missing:
            result.append((scoping_return, missing))
    return result


@dataclass(frozen=True)
class NoteOption:
    value: str
    label: str
    count: int  # the report's notes with this value


@dataclass(frozen=True)
class NoteFilters:
    """The notes asked for (`borough`, `stp`, `question`: "" for all) and what each filter can
    be set to, with its count of notes; `total` is the report's notes in all."""

    borough: str
    stp: str
    question: str
    boroughs: list[NoteOption]
    stps: list[NoteOption]
    questions: list[NoteOption]
    total: int

    @property
    def active(self) -> list[tuple[str, str]]:
        """(what, value label) of each filter set: ("Borough", "Camden")."""
        chosen = []
        for what, value, options in (
            ("Borough", self.borough, self.boroughs),
            ("STP footprint", self.stp, self.stps),
            ("Question", self.question, self.questions),
        ):
            if value:
                label = next((o.label for o in options if o.value == value), value)
                chosen.append((what, label))
        return chosen


NOTE_FILTERS = ("borough", "stp", "question")


def note_filters(report: Report, params) -> NoteFilters:
    """The data-quality notes' filters of a query string (`?borough=camden&question=shared_it`).

    The options are those the report's notes have (one query); a borough or STP footprint of
    the register, or a question of the framework, that has none is allowed and matches none.
    Raises BadFilter, with a sentence a person can read, for a value that is none of these.
    """
    chosen = {name: params.get(name, "") for name in NOTE_FILTERS}
    rows = (
        DataQualityNote.all_rows.filter(scoping_return__in=report.returns)
        .values(
            "field",
            "scoping_return__borough__slug",
            "scoping_return__borough__name",
            "scoping_return__borough__stp__slug",
            "scoping_return__borough__stp__name",
        )
        .annotate(count=Count("pk"))
        .order_by(*(f"scoping_return__{name}" for name in RETURN_REPORT_ORDER), "field")
    )
    boroughs, stps, questions = {}, {}, {}
    for row in rows:
        for options, value, label in (
            (
                boroughs,
                row["scoping_return__borough__slug"],
                shown(
                    "boroughs",
                    row["scoping_return__borough__slug"],
                    row["scoping_return__borough__name"],
                ),
            ),
            (
                stps,
                row["scoping_return__borough__stp__slug"],
                shown(
                    "stps",
                    row["scoping_return__borough__stp__slug"],
                    row["scoping_return__borough__stp__name"],
                ),
            ),
            (questions, row["field"], _question_label(row["field"])),
        ):
            count = options.get(value, (label, 0))[1] + row["count"]
            options[value] = (label, count)
    question = chosen["question"]
    if question and question not in questions and question not in FIELD_NAMES:
        raise BadFilter(
            f"“{question[:40]}” is not a question of the framework: choose one from the list."
        )
    for name, options, model, what in (
        ("borough", boroughs, Borough, "a borough"),
        ("stp", stps, Stp, "an STP footprint"),
    ):
        value = chosen[name]
        if value and value not in options and not model.objects.filter(slug=value).exists():
            raise BadFilter(
                f"“{value[:40]}” is not {what} of the register: choose one from the list."
            )

    def listed(options):
        return [NoteOption(value, label, count) for value, (label, count) in options.items()]

    return NoteFilters(
        **chosen,
        boroughs=listed(boroughs),
        stps=listed(stps),
        questions=sorted(listed(questions), key=lambda option: FIELD_ORDER.get(option.value, 999)),
        total=sum(row["count"] for row in rows),
    )


def _question_label(name: str) -> str:
    return field_label(name) if name in FIELD_NAMES else name


FIELD_ORDER = {name: order for order, name in enumerate(FIELD_NAMES)}


def filtered_notes(report: Report, filters: NoteFilters) -> QuerySet:
    """The report's data-quality notes that `filters` asks for, in report order."""
    notes = quality_notes(report)
    if filters.borough:
        notes = notes.filter(scoping_return__borough__slug=filters.borough)
    if filters.stp:
        notes = notes.filter(scoping_return__borough__stp__slug=filters.stp)
    if filters.question:
        notes = notes.filter(field=filters.question)
    return notes
