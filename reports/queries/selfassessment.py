"""Section 11 in the report: where each borough rates itself on the self-assessment toolkit.

A heatmap of boroughs by guidance area, the spread of levels per area, the share of boroughs at
"implementing" or above per principle, each STP footprint's median level per area, a borough's
levels beside its footprint's and London's medians with whom to learn from, and the levels that
moved since the previous round. A round that does not use the toolkit has none of it.

The toolkit's vocabulary (principles, areas, levels), a version's descriptors and the counts of
levels per footprint and area come in one query (a UNION of their rows); medians are read off
those counts (the lower median: sorted by rank, the level at index (n - 1) // 2), so that no
figure loops over returns.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, RowNumber

from pcmh.published_names import shown
from reports.queries.counts import Figure, FigureSet
from reports.queries.report import (
    NO_RETURN,
    NO_RETURN_LABEL,
    NOT_ANSWERED,
    NOT_ANSWERED_LABEL,
    REPORT_ORDER,
    Report,
    percent,
)
from reports.queries.rows import JSONArray, JSONArrays, _instances, _keep, _rows_of
from surveys.models import Contact, SelfAssessment
from toolkit.models import Descriptor, GuidanceArea, Level, Principle

# The levels the report compares with, by their slugs (toolkit migration 0002).
PLANNING = "planning"
IMPLEMENTING = "implementing"
EMBEDDED = "embedded"

_TEXT = CharField()


# --- The toolkit's vocabulary and the counts, in one query ------------------------------------


@dataclass
class Toolkit:
    """What a page reads of the toolkit: principles (each with `.areas_shown`), areas (each
    with its principle), levels by rank, a version's descriptors {area: {level: text}} and the
    counted levels {(STP id, area, level): boroughs}."""

    principles: list[Principle]
    areas: list[GuidanceArea]
    levels: list[Level]
    descriptors: dict[str, dict[str, str]] = field(default_factory=dict)
    counts: dict[tuple[str, str, str], int] = field(default_factory=dict)

    @property
    def level_by_slug(self) -> dict[str, Level]:
        return {level.slug: level for level in self.levels}

    def rank_of(self, slug: str) -> int:
        level = self.level_by_slug.get(slug)
        return level.rank if level else -1

    def per_area(self, stp: str | None = None) -> dict[str, dict[str, int]]:
        """{area: {level: boroughs}} in one footprint (its id as text), or across the report."""
        found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for (stp_id, area, level), n in self.counts.items():
            if stp is None or stp_id == stp:
                found[area][level] += n
        return found

    def medians(self, stp: str | None = None) -> dict[str, Level | None]:
        """{area: the lower median level} in one footprint, or across the report."""
        per_area = self.per_area(stp)
        return {
            area.slug: lower_median(per_area.get(area.slug, {}), self.levels) for area in self.areas
        }


def lower_median(counts: dict[str, int], levels: list[Level]) -> Level | None:
    """The lower median of the levels counted (`counts`: {level slug: boroughs}): sorted by
    rank, the one at index (n - 1) // 2; None when no borough gave a level."""
    total = sum(counts.values())
    if not total:
        return None
    index, seen = (total - 1) // 2, 0
    for level in levels:  # by rank
        seen += counts.get(level.slug, 0)
        if seen > index:
            return level
    return None


def _vocabulary_rows(report: Report | None, *, by_stp: bool, version) -> list:
    """The rows of the one query: (kind, key, name, number, extra)."""
    parts = [
        Principle.objects.order_by().values_list(
            Value("principle", output_field=_TEXT),
            "slug",
            "name",
            "order",
            Value("", output_field=_TEXT),
        ),
        GuidanceArea.objects.order_by().values_list(
            Value("area", output_field=_TEXT), "slug", "name", "order", "principle_id"
        ),
        Level.objects.order_by().values_list(
            Value("level", output_field=_TEXT),
            "slug",
            "name",
            "rank",
            Value("", output_field=_TEXT),
        ),
    ]
    if version is not None:
        parts.append(
            Descriptor.objects.filter(version=version)
            .order_by()
            .values_list(
                Value("descriptor", output_field=_TEXT), "area_id", "text", Value(0), "level_id"
            )
        )
    if report is not None:
        stp = (
            Cast("scoping_return__borough__stp_id", output_field=_TEXT)
            if by_stp
            else Value("", output_field=_TEXT)
        )
        parts.append(
            SelfAssessment.all_rows.filter(scoping_return__in=report.returns, level__isnull=False)
            .order_by()
            .annotate(stp=stp)
            .values("stp", "area_id", "level_id")
            .annotate(n=Count("pk"))
            .values_list(Value("count", output_field=_TEXT), "area_id", "level_id", "n", "stp")
        )
    first, *rest = parts
    return list(first.union(*rest, all=True))


def toolkit(report: Report | None = None, *, by_stp: bool = False, version=None) -> Toolkit:
    """The toolkit's principles, areas and levels, `version`'s descriptors and the levels counted
    in `report` (per STP footprint with `by_stp`), in one query."""
    principles, areas, levels = {}, [], []
    descriptors: dict = defaultdict(dict)
    counts: dict = {}
    for kind, key, name, number, extra in _vocabulary_rows(report, by_stp=by_stp, version=version):
        if kind == "principle":
            principles[key] = Principle(slug=key, name=shown("principles", key, name), order=number)
        elif kind == "area":
            name = shown("areas", key, name)
            areas.append(GuidanceArea(slug=key, name=name, order=number, principle_id=extra))
        elif kind == "level":
            levels.append(Level(slug=key, name=shown("levels", key, name), rank=number))
        elif kind == "descriptor":
            descriptors[key][extra] = name
        else:
            counts[(extra, key, name)] = number
    areas.sort(key=lambda a: (a.order, a.name))
    levels.sort(key=lambda level: level.rank)
    ordered = sorted(principles.values(), key=lambda p: (p.order, p.name))
    for principle in ordered:
        principle.areas_shown = []
    for area in areas:
        area.principle = principles[area.principle_id]
        area.principle.areas_shown.append(area)
    return Toolkit(ordered, areas, levels, dict(descriptors), counts)


# --- The self-assessment page ----------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A borough's level in one area: a level, or "Not answered", or "No return"."""

    area: GuidanceArea
    level: Level | None
    key: str  # the level's slug, NOT_ANSWERED or NO_RETURN

    @property
    def label(self) -> str:
        if self.level is not None:
            return self.level.name
        return NO_RETURN_LABEL if self.key == NO_RETURN else NOT_ANSWERED_LABEL

    @property
    def css(self) -> str:
        return f"pcmh-level--{self.key.replace('_', '-')}"


@dataclass
class HeatmapRow:
    borough: object
    cells: list[Cell]


@dataclass
class StpHeatmap:
    """One STP footprint's boroughs, and its median level per area."""

    stp: object
    rows: list[HeatmapRow]
    medians: list[tuple[GuidanceArea, Level | None]]


@dataclass(frozen=True)
class PrincipleShare:
    """Boroughs at "implementing" or above in every area of a principle, and the levels given
    in its areas that are at "implementing" or above."""

    principle: Principle
    boroughs: int
    total: int
    ratings_high: int
    ratings: int

    @property
    def percent(self) -> int | None:
        return percent(self.boroughs, self.total)

    @property
    def ratings_percent(self) -> int | None:
        return percent(self.ratings_high, self.ratings)


@dataclass
class SelfAssessmentReport:
    toolkit: Toolkit
    version: object
    heatmap: list[StpHeatmap]
    distribution: list[tuple[GuidanceArea, FigureSet]]
    principles: list[PrincipleShare]
    london_medians: list[tuple[GuidanceArea, Level | None]]
    total: int
    counted: int

    @property
    def draft(self) -> bool:
        return self.version is not None and self.version.is_draft

    @property
    def descriptor_rows(self) -> list[tuple[GuidanceArea, list[tuple[Level, str]]]]:
        """Each area with each level's descriptor in the round's version ("" where none)."""
        found = self.toolkit.descriptors
        return [
            (
                area,
                [
                    (level, found.get(area.slug, {}).get(level.slug, ""))
                    for level in self.toolkit.levels
                ],
            )
            for area in self.toolkit.areas
        ]


def _levels_of_each_borough(report: Report, region=None):
    """The report's boroughs (those of `region`, if given) with their STP, each with `_counted`
    (a counted return) and `_levels` (its counted return's [area, level] pairs as JSON), in
    report order (one query)."""
    levels = Subquery(
        SelfAssessment.all_rows.filter(
            scoping_return__in=report.returns, scoping_return__borough=OuterRef("pk")
        )
        .order_by()
        .values("scoping_return__borough")
        .annotate(rows=JSONArrays(JSONArray("area_id", "level_id")))
        .values("rows"),
        output_field=TextField(),
    )
    boroughs = report.boroughs if region is None else report.boroughs.filter(stp__region=region)
    return (
        boroughs.select_related("stp")
        .annotate(_counted=Exists(report.returns.filter(borough=OuterRef("pk"))), _levels=levels)
        .order_by(*REPORT_ORDER)
    )


def _principle_shares(
    report: Report, kit: Toolkit, per_area: dict, total: int
) -> list[PrincipleShare]:
    """Per principle, the boroughs (out of `total`) at "implementing" or above in every one of
    its areas (one query: each counted return's levels at or above it in the principle's
    areas, counted over the returns)."""
    high = [level.slug for level in kit.levels if level.rank >= kit.rank_of(IMPLEMENTING)]
    annotations, aggregates = {}, {}
    for i, principle in enumerate(kit.principles):
        areas = [area.slug for area in principle.areas_shown]
        if not areas:
            continue
        annotations[f"p{i}"] = Subquery(
            SelfAssessment.all_rows.filter(
                scoping_return=OuterRef("pk"), area_id__in=areas, level_id__in=high
            )
            .order_by()
            .values("scoping_return")
            .annotate(n=Count("pk"))
            .values("n")
        )
        # Named apart from the annotation: an aggregate of the same name would replace it.
        aggregates[f"n{i}"] = Count("pk", filter=Q(**{f"p{i}": len(areas)}))
    found = (
        report.returns.order_by().annotate(**annotations).aggregate(**aggregates)
        if aggregates
        else {}
    )
    shares = []
    for i, principle in enumerate(kit.principles):
        levels = [per_area.get(area.slug, {}) for area in principle.areas_shown]
        shares.append(
            PrincipleShare(
                principle,
                found.get(f"n{i}", 0),
                total,
                sum(counts.get(slug, 0) for counts in levels for slug in high),
                sum(sum(counts.values()) for counts in levels),
            )
        )
    return shares


def self_assessment(report: Report, region=None) -> SelfAssessmentReport | None:
    """The self-assessment page of a round that uses the toolkit (None for one that does not):
    the heatmap by STP with each footprint's medians (of `region`'s footprints only, if given:
    a national report shows one region at a time), the spread of levels per area, the shares
    per principle and London's medians, those of the whole report (four queries; five for a
    region)."""
    survey_round = report.survey_round
    if not survey_round.uses_toolkit:
        return None
    version = survey_round.toolkit_version
    kit = toolkit(report, by_stp=True, version=version)
    boroughs = list(_levels_of_each_borough(report, region))
    by_slug = kit.level_by_slug
    heatmap: dict = {}
    for borough in boroughs:
        given = dict(_json_pairs(borough._levels))
        cells = []
        for area in kit.areas:
            slug = given.get(area.slug)
            if not borough._counted:
                cells.append(Cell(area, None, NO_RETURN))
            elif slug in by_slug:
                cells.append(Cell(area, by_slug[slug], slug))
            else:
                cells.append(Cell(area, None, NOT_ANSWERED))
        if borough.stp_id not in heatmap:
            medians = kit.medians(str(borough.stp_id))
            heatmap[borough.stp_id] = StpHeatmap(
                borough.stp, [], [(area, medians[area.slug]) for area in kit.areas]
            )
        heatmap[borough.stp_id].rows.append(HeatmapRow(borough, cells))
    if region is None:
        total, counted = len(boroughs), sum(bool(borough._counted) for borough in boroughs)
    else:  # the figures are the whole report's
        total, counted = report.totals["boroughs"], report.totals["counted"]
    per_area = kit.per_area()
    distribution = []
    for area in kit.areas:
        counts = per_area.get(area.slug, {})
        figures = tuple(
            Figure(level.slug, level.name, counts.get(level.slug, 0), total) for level in kit.levels
        )
        distribution.append(
            (
                area,
                FigureSet(
                    key=f"level-{area.slug}",
                    title=area.name,
                    question="Level",
                    filter_name="level",
                    figures=figures,
                    total=total,
                    counted=counted,
                    not_answered=counted - sum(f.count for f in figures),
                ),
            )
        )
    london = kit.medians()
    return SelfAssessmentReport(
        toolkit=kit,
        version=version,
        heatmap=list(heatmap.values()),
        distribution=distribution,
        principles=_principle_shares(report, kit, per_area, total),
        london_medians=[(area, london[area.slug]) for area in kit.areas],
        total=total,
        counted=counted,
    )


def _json_pairs(text: str | None) -> list:
    return [tuple(pair) for pair in json.loads(text)] if text else []


def summary_json(report: Report) -> dict:
    """summary.json's "self_assessment": {area: {level: boroughs}}, every area and level a key
    (0 where none); {} for a round that does not use the toolkit (one query, none then)."""
    if not report.survey_round.uses_toolkit:
        return {}
    kit = toolkit(report)
    per_area = kit.per_area()
    return {
        area.slug: {
            level.slug: per_area.get(area.slug, {}).get(level.slug, 0) for level in kit.levels
        }
        for area in kit.areas
    }


# --- A borough's benchmark on its profile ----------------------------------------------------


@dataclass(frozen=True)
class Peer:
    """A borough at "embedded" in an area, to learn from: its contacts, and whether it is in the
    same STP footprint."""

    borough: object
    same_stp: bool
    contacts: list


@dataclass(frozen=True)
class BenchmarkRow:
    area: GuidanceArea
    level: Level | None
    stp_median: Level | None
    london_median: Level | None
    learn_from: list[Peer] | None  # None: the borough is above "planning" (or gave no level)
    planned: str = ""  # the next step the borough planned in the area in the previous round
    learn_more: int = 0  # boroughs at "embedded" in the area beyond those named


@dataclass
class Benchmark:
    stp: object
    rows: list[BenchmarkRow]
    version: object
    planned_in: object = None  # the previous round, when the borough rated itself in it

    @property
    def draft(self) -> bool:
        return self.version is not None and self.version.is_draft

    @property
    def learning(self) -> list[BenchmarkRow]:
        return [row for row in self.rows if row.learn_from is not None]


def attach_toolkit(scoping_returns, kit: Toolkit) -> None:
    """Give the self-assessment rows of `scoping_returns` (read with their rows) their area and
    level objects from `kit`, so that naming them asks no query."""
    areas = {area.slug: area for area in kit.areas}
    levels = kit.level_by_slug
    for scoping_return in scoping_returns:
        if scoping_return is None:
            continue
        for row in scoping_return.self_assessments.all():
            if row.area_id in areas:
                row.area = areas[row.area_id]
            if row.level_id in levels:
                row.level = levels[row.level_id]


# Boroughs named per area in a profile's "Learn from", the nearest first; the rest are counted.
LEARN_FROM_SHOWN = 5


def _peers(report: Report, borough, areas: list[str]) -> dict[str, tuple[list, int]]:
    """Per area of `areas`, the counted returns of the nearest LEARN_FROM_SHOWN other boroughs
    at "embedded" in it (its own footprint's first, then its region's, then the rest,
    alphabetically within each), with their borough, STP and contacts, and how many boroughs
    are at "embedded" in it in all (two queries: the levels ranked per area, then the returns
    named)."""
    place = Case(
        When(scoping_return__borough__stp_id=borough.stp_id, then=Value(0)),
        When(scoping_return__borough__stp__region_id=borough.stp.region_id, then=Value(1)),
        default=Value(2),
    )
    ranked = list(
        SelfAssessment.all_rows.filter(
            scoping_return__in=report.returns, level_id=EMBEDDED, area_id__in=areas
        )
        .exclude(scoping_return__borough_id=borough.pk)
        .annotate(
            _n=Window(
                RowNumber(),
                partition_by=F("area_id"),
                order_by=[place.asc(), F("scoping_return__borough__name").asc()],
            ),
            _of=Window(Count("pk"), partition_by=F("area_id")),
        )
        .filter(_n__lte=LEARN_FROM_SHOWN)
        .values_list("area_id", "_n", "_of", "scoping_return_id")
    )
    if not ranked:
        return {}
    returns = {
        r.pk: r
        for r in report.returns.filter(pk__in={row[3] for row in ranked})
        .select_related("borough__stp")
        .annotate(_peer_contacts=_rows_of(Contact))
    }
    for scoping_return in returns.values():
        db = scoping_return._state.db
        _keep(scoping_return, "contacts", _instances(Contact, scoping_return._peer_contacts, db))
    found: dict[str, tuple[list, int]] = {}
    for area, _, of, return_id in sorted(ranked, key=lambda row: (row[0], row[1])):
        found.setdefault(area, ([], of))[0].append(returns[return_id])
    return found


def benchmark(report: Report, scoping_return, kit: Toolkit, then=None) -> Benchmark | None:
    """A borough's level per area beside its STP footprint's median and London's (the whole
    report's), and for each area where it is at "planning" or below the boroughs at "embedded"
    there, the nearest LEARN_FROM_SHOWN (its own footprint's first, then its region's, then
    the rest, alphabetically within each), with their contacts, and how many more; with
    `then` (its return in the previous round, read with its rows), the next step it planned
    there in each area ("planned: …; now: …"). None for a round that does not use the
    toolkit, or a borough without a counted return. `kit`: the toolkit with `report`'s counts
    per footprint (two queries, none when there is no one to learn from)."""
    if not report.survey_round.uses_toolkit or scoping_return is None:
        return None
    borough = scoping_return.borough
    by_slug = kit.level_by_slug
    own = {row.area_id: by_slug.get(row.level_id) for row in scoping_return.self_assessments.all()}
    planning = kit.rank_of(PLANNING)
    weak = [slug for slug, level in own.items() if level is not None and level.rank <= planning]
    peers = _peers(report, borough, weak) if weak else {}
    stp, london = kit.medians(str(borough.stp_id)), kit.medians()
    planned = {}
    if then is not None:
        planned = {row.area_id: row.next_step for row in then.self_assessments.all()}
    rows = []
    for area in kit.areas:
        level = own.get(area.slug)
        learn_from, learn_more = None, 0
        if area.slug in weak:
            named, of = peers.get(area.slug, ([], 0))
            learn_from = [
                Peer(p.borough, p.borough.stp_id == borough.stp_id, list(p.contacts.all()))
                for p in named
            ]
            learn_more = of - len(named)
        rows.append(
            BenchmarkRow(
                area,
                level,
                stp[area.slug],
                london[area.slug],
                learn_from,
                planned.get(area.slug, ""),
                learn_more,
            )
        )
    return Benchmark(
        borough.stp,
        rows,
        report.survey_round.toolkit_version,
        then.survey_round if then is not None and planned else None,
    )


def profile_benchmark(report: Report, scoping_return, then=None) -> Benchmark | None:
    """The borough profile's benchmark (see `benchmark`); the self-assessments of its return and
    of `then` (its previous round's, both read with their rows) given their areas and levels, so
    that what changed since names them without a query (two queries at most)."""
    returns = [r for r in (scoping_return, then) if r is not None]
    uses = report.survey_round.uses_toolkit
    if not uses and not any(r.self_assessments.all() for r in returns):
        return None
    kit = toolkit(report if uses else None, by_stp=True)
    attach_toolkit(returns, kit)
    return benchmark(report, scoping_return, kit, then)


# --- Change since the previous round ----------------------------------------------------------


@dataclass(frozen=True)
class LevelMove:
    borough_name: str
    borough_slug: str
    stp: str
    region: str  # its region's slug
    before: str
    after: str


@dataclass
class AreaMoves:
    """An area's moves up and down (every region's); `up_listed` and `down_listed` those the
    page lists: every one, or at national size those of the region it shows (`region`)."""

    area: GuidanceArea
    up: list[LevelMove]
    down: list[LevelMove]
    region: str | None = None

    def _listed(self, moves: list[LevelMove]) -> list[LevelMove]:
        return moves if self.region is None else [m for m in moves if m.region == self.region]

    @property
    def up_listed(self) -> list[LevelMove]:
        return self._listed(self.up)

    @property
    def down_listed(self) -> list[LevelMove]:
        return self._listed(self.down)


def level_changes(report: Report, previous: Report | None, region=None) -> list[AreaMoves] | None:
    """Per guidance area, the boroughs whose level went up and down since `previous`, among those
    with a level in both rounds (those of `region` listed, if given: a national page); None
    unless both rounds used the toolkit (two queries: the toolkit, and each borough's levels in
    both rounds joined by area)."""
    if previous is None or not (
        report.survey_round.uses_toolkit and previous.survey_round.uses_toolkit
    ):
        return None
    kit = toolkit()
    moved = (
        report.boroughs.annotate(
            after=FilteredRelation("returns", condition=report.counted_condition("returns__")),
            before=FilteredRelation("returns", condition=previous.counted_condition("returns__")),
        )
        .annotate(
            _area=F("after__self_assessments__area_id"),
            _then_area=F("before__self_assessments__area_id"),
            _now=F("after__self_assessments__level_id"),
            _then=F("before__self_assessments__level_id"),
            _now_rank=F("after__self_assessments__level__rank"),
            _then_rank=F("before__self_assessments__level__rank"),
        )
        .filter(_area=F("_then_area"))
        .filter(~Q(_now_rank=F("_then_rank")))
        .values_list(
            "_area",
            "_now",
            "_then",
            "_now_rank",
            "_then_rank",
            "slug",
            "name",
            "stp__slug",
            "stp__name",
            "stp__region__slug",
        )  # fmt: skip
        .order_by(*REPORT_ORDER)
    )
    listed = None if region is None else region.slug
    found = {area.slug: AreaMoves(area, [], [], listed) for area in kit.areas}
    levels = kit.level_by_slug
    for area, now, then, now_rank, then_rank, slug, name, stp, stp_name, in_region in moved:
        move = LevelMove(
            shown("boroughs", slug, name),
            slug,
            shown("stps", stp, stp_name),
            in_region,
            levels[then].name,
            levels[now].name,
        )
        moves = found.get(area)
        if moves is not None:
            (moves.up if now_rank > then_rank else moves.down).append(move)
    return list(found.values())
