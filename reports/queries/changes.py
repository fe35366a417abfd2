"""What changed between a round and the round before it: service-status transitions, the
answers that moved and which way, the headline figures side by side, care-role WTE then and
now, per STP too.

Both rounds' counted returns are joined on the borough in one query (a row per borough, the
answers of both rounds side by side); the care roles of both are summed in another. Nothing
else is asked of the database, whatever the number of boroughs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, FilteredRelation, Q, Sum

from pcmh.published_names import shown
from reports.queries.report import (
    CHOICE_FIELDS,
    NO_RETURN,
    NO_RETURN_LABEL,
    NOT_ANSWERED,
    NOT_ANSWERED_LABEL,
    REPORT_ORDER,
    Report,
    field_label,
)
from surveys.answers import shown_as
from surveys.choices import Answer, CareRoleType, PostStatus, ServiceStatus
from surveys.models import CareRole
from surveys.sections import FIELD_NAMES, QUESTIONS, not_asked

# The questions whose answers are compared on the page: the classified ones.
COMPARED = tuple(CHOICE_FIELDS)
# The headline figures: (field, the answer counted, how the figure reads).
HEADLINES = (
    ("status", ServiceStatus.ESTABLISHED, "Established services"),
    *((name, Answer.YES, field_label(name)) for name in COMPARED if CHOICE_FIELDS[name] is Answer),
)


def _key(value, counted: bool) -> str:
    if not counted:
        return NO_RETURN
    return value or NOT_ANSWERED


def _label(name: str, key: str) -> str:
    if key == NO_RETURN:
        return NO_RETURN_LABEL
    if key == NOT_ANSWERED:
        return NOT_ANSWERED_LABEL
    return shown_as(name, key)


@dataclass(frozen=True)
class BoroughRow:
    """One borough, its counted return's answers in both rounds (None: no counted return)."""

    pk: int
    name: str
    slug: str
    stp: str
    stp_slug: str
    region: str  # its region's slug
    before: dict | None
    after: dict | None

    def key(self, name: str, *, now: bool) -> str:
        answers = self.after if now else self.before
        return _key(answers.get(name) if answers else None, answers is not None)


@dataclass
class Transition:
    """The boroughs whose answer to `name` went from one answer to another; `listed` those the
    page lists: every one, or at national size those of the region the page shows (`region`,
    a slug)."""

    name: str
    before: str
    after: str
    boroughs: list = field(default_factory=list)
    region: str | None = None

    @property
    def count(self) -> int:
        return len(self.boroughs)

    @property
    def listed(self) -> list:
        if self.region is None:
            return self.boroughs
        return [row for row in self.boroughs if row.region == self.region]

    @property
    def anchor(self) -> str:
        return f"{self.name}-{self.before}-to-{self.after}".replace("_", "-")

    @property
    def before_label(self) -> str:
        return _label(self.name, self.before)

    @property
    def after_label(self) -> str:
        return _label(self.name, self.after)


@dataclass
class Matrix:
    """Boroughs by their answer to `name` in the previous round (rows) and in this (columns)."""

    name: str
    keys: list  # the answers that occur, in the framework's order, then not answered, no return
    cells: dict  # (before, after) → Transition

    def rows(self):
        for before in self.keys:
            yield (
                _label(self.name, before),
                [
                    self.cells.get((before, after)) or Transition(self.name, before, after)
                    for after in self.keys
                ],
            )

    @property
    def labels(self) -> list[str]:
        return [_label(self.name, key) for key in self.keys]


def _matrix(name: str, rows: list[BoroughRow]) -> Matrix:
    cells: dict = {}
    key = BoroughRow.key
    for row in rows:
        pair = (key(row, name, now=False), key(row, name, now=True))
        transition = cells.get(pair)
        if transition is None:
            transition = cells[pair] = Transition(name, *pair)
        transition.boroughs.append(row)
    seen = {key for pair in cells for key in pair}
    order = [*CHOICE_FIELDS[name].values, NOT_ANSWERED, NO_RETURN]
    return Matrix(name, [key for key in order if key in seen], cells)


@dataclass(frozen=True)
class Headline:
    label: str
    before: int
    after: int

    @property
    def difference(self) -> int:
        return self.after - self.before

    @property
    def signed(self) -> str:
        return f"{self.difference:+d}" if self.difference else "no change"


@dataclass(frozen=True)
class RoleChange:
    key: str
    label: str
    wte_before: Decimal | None
    wte_after: Decimal | None
    boroughs_before: int
    boroughs_after: int


@dataclass
class Comparison:
    previous: Report
    report: Report
    rows: list[BoroughRow]
    status: Matrix
    questions: list[tuple[str, str, list[Transition]]]  # (field, question, changes)
    headlines: list[Headline]
    roles: list[RoleChange]
    per_stp: list[tuple[str, str, Matrix]]  # (STP, its slug, its matrix): the region's, if one

    @property
    def changed_status(self) -> list[Transition]:
        return [t for (before, after), t in self.status.cells.items() if before != after]

    @property
    def in_both(self) -> int:
        """Boroughs with a counted return in both rounds: those whose answers are compared."""
        return sum(1 for row in self.rows if row.before is not None and row.after is not None)


def _borough_rows(report: Report, previous: Report, names) -> list[BoroughRow]:
    """A row per borough of the report: both rounds' counted returns, joined (one query)."""
    joined = (
        report.boroughs.annotate(
            after=FilteredRelation(
                "returns",
                condition=report.counted_condition("returns__"),
            ),
            before=FilteredRelation(
                "returns",
                condition=previous.counted_condition("returns__"),
            ),
        )
        .values(
            "pk",
            "name",
            "slug",
            "stp__name",
            "stp__slug",
            "stp__region__slug",
            "after__pk",
            "before__pk",
            *(f"after__{name}" for name in names),
            *(f"before__{name}" for name in names),
        )
        .order_by(*REPORT_ORDER)
    )
    return [
        BoroughRow(
            row["pk"],
            shown("boroughs", row["slug"], row["name"]),
            row["slug"],
            shown("stps", row["stp__slug"], row["stp__name"]),
            row["stp__slug"],
            row["stp__region__slug"],
            {name: row[f"before__{name}"] for name in names} if row["before__pk"] else None,
            {name: row[f"after__{name}"] for name in names} if row["after__pk"] else None,
        )
        for row in joined
    ]


def _roles(report: Report, previous: Report) -> list[RoleChange]:
    """WTE and boroughs per care role in post, in both rounds (one query; a borough has one
    counted return a round, so its boroughs are its distinct returns)."""
    sums = {
        (row["scoping_return__survey_round"], row["role"]): row
        for row in CareRole.all_rows.filter(
            Q(scoping_return__in=report.returns) | Q(scoping_return__in=previous.returns),
            post_status=PostStatus.IN_POST,
        )
        .values("scoping_return__survey_round", "role")
        .annotate(wte=Sum("wte"), boroughs=Count("scoping_return", distinct=True))
        .order_by()
    }
    then, now = previous.survey_round.pk, report.survey_round.pk
    empty: dict = {}
    return [
        RoleChange(
            code,
            str(label),
            sums.get((then, code), empty).get("wte"),
            sums.get((now, code), empty).get("wte"),
            sums.get((then, code), empty).get("boroughs", 0),
            sums.get((now, code), empty).get("boroughs", 0),
        )
        for code, label in CareRoleType.choices
        if (then, code) in sums or (now, code) in sums
    ]


def compare(report: Report, previous: Report, region=None) -> Comparison:
    """`report`'s round against `previous` (the round before it), over `report`'s boroughs.

    With `region` (a national report's page of one region), the figures are still every
    region's; the boroughs listed behind each change and the footprints' matrices are the
    region's."""
    rows = _borough_rows(report, previous, COMPARED)
    matrices = {name: _matrix(name, rows) for name in COMPARED}
    questions = []
    for name, matrix in matrices.items():
        if name == "status":
            continue
        moved = [
            t
            for (before, after), t in sorted(matrix.cells.items())
            if before != after and NO_RETURN not in (before, after)
        ]
        questions.append((name, field_label(name), moved))
    # The headlines from the matrices: the boroughs giving the answer then, and now.
    counts_before, counts_after = Counter(), Counter()
    for name, answer, _ in HEADLINES:
        for (before, after), transition in matrices[name].cells.items():
            counts_before[name] += transition.count if before == answer else 0
            counts_after[name] += transition.count if after == answer else 0
    by_stp = defaultdict(list)
    for row in rows:
        if region is None or row.region == region.slug:
            by_stp[(row.stp, row.stp_slug)].append(row)
    status = matrices["status"]
    if region is not None:
        for transition in [
            *status.cells.values(),
            *(t for _, _, moved in questions for t in moved),
        ]:
            transition.region = region.slug
    return Comparison(
        previous=previous,
        report=report,
        rows=rows,
        status=status,
        questions=questions,
        headlines=[
            Headline(label, counts_before[name], counts_after[name]) for name, _, label in HEADLINES
        ],
        roles=_roles(report, previous),
        per_stp=[
            (stp, slug, _matrix("status", stp_rows)) for (stp, slug), stp_rows in by_stp.items()
        ],
    )


def changes_json(comparison: Comparison) -> dict:
    """The comparison for summary.json: {"status": {"<from>": {"<to>": n}}, <question>: …}."""
    return _changes_json(comparison.rows)


def changes_json_between(report: Report, previous: Report) -> dict:
    """`changes_json` of the two reports, without the rest of their comparison (one query)."""
    return _changes_json(_borough_rows(report, previous, COMPARED))


def _changes_json(rows: list[BoroughRow]) -> dict:
    data: dict = {}
    for name in COMPARED:
        matrix = _matrix(name, rows)
        nested: dict = {}
        for (before, after), transition in matrix.cells.items():
            nested.setdefault(before, {})[after] = transition.count
        data[name] = nested
    return data


CHANGES_HEADER = ["previous_round", "round", "borough", "stp", "field", "previous", "current"]


def changed_fields(report: Report, previous: Report):
    """Every field of every borough that differs between the two rounds' counted returns, as
    people read it (changes.csv): one query, a row per borough read once."""
    then, now = previous.survey_round, report.survey_round
    compared = [
        name for name in FIELD_NAMES if not QUESTIONS[name].retired_by(now.framework_version)
    ]
    for row in _borough_rows(report, previous, compared):
        for name in compared:
            before = (
                (not_asked(name, then) or shown_as(name, row.before[name]))
                if row.before
                else NO_RETURN_LABEL
            )
            after = (
                (not_asked(name, now) or shown_as(name, row.after[name]))
                if row.after
                else NO_RETURN_LABEL
            )
            if before != after:
                yield [
                    previous.survey_round.slug,
                    report.survey_round.slug,
                    row.slug,
                    row.stp,
                    name,
                    before,
                    after,
                ]


@dataclass(frozen=True)
class ProfileChanges:
    """One borough's counted return against its counted return in the previous round."""

    previous: object  # the previous round
    answers: list  # (label, old, new)
    rows: list  # surveys.changes.RowChange
    unchanged: list  # the sections the lead confirmed unchanged since the earlier round


def profile_changes(scoping_return, then, previous_round):
    """What changed in `scoping_return` since `then`, the borough's counted return in
    `previous_round`, or None when there is none to compare with (no query: both returns come
    with their rows, `tables.borough_returns`)."""
    from surveys.changes import changes_between
    from surveys.sections import SECTIONS

    if then is None or scoping_return is None:
        return None
    changes = changes_between(then, scoping_return)
    return ProfileChanges(
        previous=previous_round,
        answers=[(field_label(name), old, new) for name, (old, new) in changes.answers.items()],
        rows=changes.rows,
        unchanged=[s for s in SECTIONS if s.slug in scoping_return.unchanged_sections],
    )
