"""The benefits seen and the barriers met, by theme: how many boroughs report each theme, the
boroughs' own words under it, and the statements the round's report makes for London as a whole
(for 2017, Tables 1 and 2)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db.models import IntegerField, Max, Subquery, TextField

from pcmh.published_names import shown
from reports.models import ThemeStatement
from reports.queries.counts import Figure, FigureSet, figure_counts
from reports.queries.report import RETURN_REPORT_ORDER, Report
from reports.queries.rows import JSONArray, JSONArrays
from surveys.fields import code_in_list
from surveys.models import Barrier, Benefit, SurveyRound
from toolkit.choices import Kind, Theme

# Each kind of row: its rows' model and the page's words for them.
KINDS = {
    Kind.BENEFIT: (Benefit, "Benefits seen"),
    Kind.BARRIER: (Barrier, "Barriers met"),
}
# summary.json's round statements, asked with the figures (`themes_json`).
STATEMENTS_NAME = "_theme_statements"
# Each count's name in the query: (kind, theme) → n_<i>.
COUNT_NAMES = {
    (str(kind), code): f"n_{i}"
    for i, (kind, code) in enumerate((kind, code) for kind in KINDS for code in Theme.values)
}


class RowCount(Subquery):
    """The number of rows of a queryset, as a value of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted_rows)"
    output_field = IntegerField()


def _boroughs_with(report: Report, kind: str, code: str) -> RowCount:
    """How many boroughs have a counted return with a row of `kind` tagged with `code` (a
    borough once, however many of its rows carry it)."""
    rows = KINDS[kind][0].all_rows.filter(code_in_list("themes", code))
    boroughs = rows.filter(scoping_return__in=report.returns).values("scoping_return__borough")
    return RowCount(boroughs.order_by().distinct())


def _counts_and_statements(report: Report, *, statements: bool):
    """The boroughs per theme of each kind and, with `statements`, the round's own statements
    (`ThemeStatement`) by kind in the report's order, from one query: the round's row joined to
    its statements (one row, without them), each row carrying the counts as subqueries (so
    that summary.json has them in the one query)."""
    names = COUNT_NAMES
    rows = SurveyRound.objects.filter(pk=report.survey_round.pk).annotate(
        **{name: _boroughs_with(report, kind, code) for (kind, code), name in names.items()}
    )
    fields = list(names.values())
    if statements:
        fields += ["theme_statements__kind", "theme_statements__theme", "theme_statements__text"]
        rows = rows.order_by("theme_statements__kind", "theme_statements__order")
    found = list(rows.values_list(*fields))
    counts = {str(kind): {} for kind in KINDS}
    for (kind, code), name in names.items():
        counts[kind][code] = found[0][fields.index(name)] if found else 0
    stated = {str(kind): [] for kind in KINDS}
    for row in found if statements else ():
        kind, theme, text = row[len(names) :]
        if kind is not None:
            stated[kind].append(RoundStatement(theme, text))
    return counts, stated


@dataclass(frozen=True)
class RoundStatement:
    """A benefit or barrier the round's report states for London as a whole."""

    theme: str
    text: str


def theme_counts(report: Report) -> dict[str, dict[str, int]]:
    """{"benefit": {theme: boroughs}, "barrier": {…}}: how many boroughs have a counted return
    with at least one row of that kind tagged with the theme (a borough once per theme, however
    many of its rows carry it), every theme a key, zeros included (one query)."""
    return _counts_and_statements(report, statements=False)[0]


@dataclass(frozen=True)
class BoroughStatement:
    """A borough's benefit or barrier in its own words."""

    borough_name: str
    borough_slug: str
    text: str


def borough_statements(report: Report, kind: str, region=None) -> dict[str, list[BoroughStatement]]:
    """Theme → the counted returns' rows of `kind` tagged with it (of `region`'s boroughs only,
    if given), boroughs in the report's order (a row with several themes under each; one
    query)."""
    model = KINDS[kind][0]
    rows = model.all_rows.filter(scoping_return__in=report.returns)
    if region is not None:
        rows = rows.filter(scoping_return__borough__stp__region=region)
    rows = rows.order_by(
        *(f"scoping_return__{name}" for name in RETURN_REPORT_ORDER), "id"
    ).values_list(
        "text", "themes", "scoping_return__borough__name", "scoping_return__borough__slug"
    )
    found = {code: [] for code in Theme.values}
    field = model._meta.get_field("themes")
    for text, themes, name, slug in rows:
        for code in field.codes(themes):
            if code in found:
                found[code].append(BoroughStatement(shown("boroughs", slug, name), slug, text))
    return found


@dataclass(frozen=True)
class ThemeEntry:
    """One theme of a ranking: how many boroughs report it, their words and the round's."""

    theme: str
    label: str
    figure: Figure
    statements: tuple[BoroughStatement, ...]
    round_statements: tuple[str, ...]

    @property
    def borough_count(self) -> int:
        return self.figure.count


@dataclass(frozen=True)
class Ranking:
    """The eight themes of one kind, most reported first (ties in the themes' order); with no
    borough reporting any, in the order the round's own statements give them."""

    kind: str
    title: str
    entries: tuple[ThemeEntry, ...]
    total: int

    @property
    def reported(self) -> bool:
        """Whether any borough reports a theme of this kind."""
        return any(entry.borough_count for entry in self.entries)

    @property
    def has_round_statements(self) -> bool:
        return any(entry.round_statements for entry in self.entries)

    @property
    def key(self) -> str:
        return f"{self.kind}-themes"

    def figure_set(self) -> FigureSet:
        """The counts as a figure set, in the ranking's order, for the bar chart."""
        return FigureSet(
            key=self.key,
            title=f"{self.title} by theme",
            question="Theme",
            filter_name="",
            figures=tuple(entry.figure for entry in self.entries),
            total=self.total,
            counted=self.total,
        )


def _ranking(kind, counts, statements, stated, total) -> Ranking:
    labels = dict(Theme.choices)
    by_theme = {code: [s.text for s in stated if s.theme == code] for code in Theme.values}
    order = list(Theme.values)
    if any(counts.values()):
        order.sort(key=lambda code: -counts[code])  # a stable sort: ties keep the themes' order
    else:
        first = {}
        for place, statement in enumerate(stated):
            first.setdefault(statement.theme, place)
        order.sort(key=lambda code: first.get(code, len(stated)))
    return Ranking(
        kind=str(kind),
        title=KINDS[kind][1],
        entries=tuple(
            ThemeEntry(
                theme=code,
                label=str(labels[code]),
                figure=Figure(code, str(labels[code]), counts[code], total),
                statements=tuple(statements[code]),
                round_statements=tuple(by_theme[code]),
            )
            for code in order
        ),
        total=total,
    )


def theme_rankings(report: Report, region=None) -> list[Ranking]:
    """The benefits' ranking, then the barriers', each theme with its boroughs' statements (of
    `region`'s boroughs only, if given: the counts are the whole report's) and the round's
    (four queries: the denominator, the counts with the round's statements, and each kind's
    rows)."""
    counts, stated = _counts_and_statements(report, statements=True)
    return [
        _ranking(
            kind,
            counts[str(kind)],
            borough_statements(report, kind, region),
            stated[str(kind)],
            report.borough_total,
        )
        for kind in KINDS
    ]


def _statements_json(report: Report) -> Subquery:
    """The round's own statements as one JSON array of [kind, order, theme, text]."""
    return Subquery(
        ThemeStatement.objects.filter(survey_round=report.survey_round)
        .order_by()
        .values("survey_round")
        .annotate(rows=JSONArrays(JSONArray("kind", "order", "theme", "text")))
        .values("rows"),
        output_field=TextField(),
    )


def themes_json(report: Report) -> dict:
    """summary.json's "themes": boroughs per theme of each kind (every theme a key) and the
    round's own statements in the report's order, asked with the summary's figures in their one
    aggregate query (`figure_counts`; no query of its own)."""
    extra = {
        name: Max(_boroughs_with(report, kind, code)) for (kind, code), name in COUNT_NAMES.items()
    }
    extra[STATEMENTS_NAME] = Max(_statements_json(report))
    found = figure_counts(report, extra)
    counts = {str(kind): {} for kind in KINDS}
    for (kind, code), name in COUNT_NAMES.items():
        counts[kind][code] = found[name] or 0
    stated = {str(kind): [] for kind in KINDS}
    for kind, _order, theme, text in sorted(json.loads(found[STATEMENTS_NAME] or "[]")):
        stated[kind].append(RoundStatement(theme, text))
    return {
        "benefits": counts[Kind.BENEFIT],
        "barriers": counts[Kind.BARRIER],
        "statements": {
            f"{kind}s": [{"theme": s.theme, "text": s.text} for s in stated[str(kind)]]
            for kind in KINDS
        },
    }


THEMES_HEADER = ["theme", "benefit_boroughs", "barrier_boroughs"]


def theme_rows(report: Report) -> list[list]:
    """themes.csv: one row per theme, in the themes' order, with the boroughs reporting it as a
    benefit and as a barrier (one query)."""
    counts = theme_counts(report)
    return [[code, counts[Kind.BENEFIT][code], counts[Kind.BARRIER][code]] for code in Theme.values]
