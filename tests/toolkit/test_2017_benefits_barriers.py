"""The 2017 boroughs' own benefits seen and barriers met (fixtures/2017/benefits.csv and
barriers.csv): each quoted from the borough's own Section 2 narrative, loaded with the round into
its returns and the copies its publication keeps, and brought to a database that already held the
round by migration 0016, which undoes exactly those rows."""

import csv
import importlib
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from surveys.fidelity import BOROUGHS
from surveys.models import (
    Barrier,
    Benefit,
    CareRole,
    Contact,
    DataQualityNote,
    FundingLine,
    OutcomeMeasure,
    Publication,
    ReturnEvent,
    ScopingReturn,
)
from toolkit.choices import Theme

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "2017"
SOURCE = FIXTURES / "source" / "pan-london-scoping-2017.txt"
FILES = {Benefit: "benefits.csv", Barrier: "barriers.csv"}
MIGRATION = importlib.import_module("surveys.migrations.0016_2017_benefits_and_barriers")
CORRECTIONS = json.loads(MIGRATION.CORRECTIONS.read_text(encoding="utf-8"))
OTHER_ROWS = [CareRole, Contact, OutcomeMeasure, FundingLine, DataQualityNote]


def file_rows(model) -> list[tuple[str, str, str]]:
    with (FIXTURES / FILES[model]).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["round"] for row in rows} == {"2017"}
    return [(row["borough"], row["text"], row["themes"]) for row in rows]


# The report's text, read here on its own terms: a borough's Section 2 narrative runs from its
# heading to the next borough's heading or the next part's (an STP's list, the appendix).
PARTS = {
    "NORTH WEST LONDON SERVICES",
    "NORTH CENTRAL LONDON SERVICES",
    "NORTH EAST LONDON",
    "SOUTH WEST LONDON",
    "SOUTH EAST LONDON",
    "APPENDIX",
}
FOOTER = re.compile(r"^(PCMH version 1\s+September 2017|Healthy London Partnership\s+\d+)$")


def compared(text: str) -> str:
    """Whitespace (the PDF's line breaks) and bullet glyphs removed, quotes and dashes as one."""
    for glyph in "\uf0b7\uf0fc\uf0a7•":
        text = text.replace(glyph, "")
    for printed, plain in [("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-")]:
        text = text.replace(printed, plain)
    return re.sub(r"\s+", "", text)


@cache
def narratives() -> dict[str, str]:
    lines = [line.strip() for line in SOURCE.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if not FOOTER.match(line) and not line.startswith("mailto:")]
    start = lines.index("Section 2")
    end = lines.index("APPENDIX", start)
    headings = {heading for heading, _, _ in BOROUGHS.values()}
    bounds = [n for n in range(start, end + 1) if lines[n] in headings | PARTS]
    sections = {}
    for first, after in zip(bounds, bounds[1:], strict=False):
        if lines[first] in headings:
            sections.setdefault(lines[first], compared("\n".join(lines[first:after])))
    return {slug: sections[heading] for slug, (heading, _, _) in BOROUGHS.items()}


@pytest.mark.parametrize("model", [Benefit, Barrier], ids=["benefits", "barriers"])
def test_every_quoted_text_is_in_its_own_boroughs_section_2_narrative(model):
    rows = file_rows(model)
    assert rows
    own = narratives()
    assert len(own) == 32 and all(own.values())
    missing = [(slug, text[:60]) for slug, text, _ in rows if compared(text) not in own[slug]]
    assert missing == []
    # Quoted once per borough (a return's row is found by its text), each tagged with themes.
    assert len({(slug, text) for slug, text, _ in rows}) == len(rows)
    assert all(themes and set(themes.split(",")) <= set(Theme.values) for *_, themes in rows)


def test_a_quote_from_another_borough_is_not_in_its_narrative():
    """The check would catch a passage put under the wrong borough."""
    [(slug, text, _)] = [row for row in file_rows(Barrier) if row[0] == "croydon"]
    assert compared(text) in narratives()["croydon"]
    assert compared(text) not in narratives()["richmond"]
    assert compared("The service has had a major impact") not in narratives()["croydon"]


def test_without_the_2017_round_the_migration_does_nothing(db):
    """(Before any test loads the round: once loaded, it stays for the module.)"""
    events = ReturnEvent.objects.count()
    MIGRATION.add(migration_apps(), None)
    MIGRATION.remove(migration_apps(), None)
    assert not Benefit.all_rows.exists() and not Barrier.all_rows.exists()
    assert ReturnEvent.objects.count() == events


def stored(model, **where) -> Counter:
    """Each 2017 row of `model` as (borough, text, themes): the returns' (live) or the copies'."""
    return Counter(
        model.all_rows.filter(scoping_return__survey_round__slug="2017", **where).values_list(
            "scoping_return__borough__slug", "text", "themes"
        )
    )


def test_the_loaded_round_holds_exactly_the_rows_of_the_two_files(round_2017):
    publications = Publication.objects.filter(survey_round=round_2017)
    assert publications.exists()
    for model in FILES:
        expected = Counter(file_rows(model))
        assert stored(model, scoping_return__publication__isnull=True) == expected
        for publication in publications:
            assert stored(model, scoping_return__publication=publication) == expected


def test_a_boroughs_return_lists_its_quoted_barrier_with_its_themes(round_2017):
    haringey = ScopingReturn.objects.get(survey_round=round_2017, borough__slug="haringey")
    texts = {row.text: row.theme_labels for row in haringey.barriers.all()}
    [(slug, text, themes)] = [r for r in file_rows(Barrier) if "blocker" in r[1]]
    assert slug == "haringey"
    assert texts[text] == [Theme(code).label for code in themes.split(",")]


@cache
def migration_apps():
    """The models as migration 0016 has them (no history signals: it records history itself)."""
    state = MigrationExecutor(connection).loader.project_state(
        ("surveys", "0016_2017_benefits_and_barriers")
    )
    return state.apps


def everything_else():
    """The round's other kinds of row, in the returns and the copies, which the migration
    leaves as they are."""
    return {
        model.__name__: list(
            model.all_rows.filter(scoping_return__survey_round__slug="2017")
            .order_by("pk")
            .values_list()
        )
        for model in OTHER_ROWS
    }


def themed_history(model, kind: str):
    return model.history.filter(history_type=kind, history_user__username="system")


def test_the_migration_removes_exactly_its_rows_and_adds_them_again(round_2017):
    apps = migration_apps()
    loaded = {
        model: (stored(model), stored(model, scoping_return__publication=None)) for model in FILES
    }
    others = everything_else()
    live = ScopingReturn.objects.filter(survey_round=round_2017)
    # A benefit the migration did not add (a steering-group edit, say) is not its to remove.
    kept = Benefit.objects.create(
        scoping_return=live.get(borough__slug="merton"), text="Our own words", themes="access"
    )

    MIGRATION.remove(apps, None)
    for model in FILES:
        assert stored(model) == (
            Counter({("merton", "Our own words", "access"): 1}) if model is Benefit else Counter()
        )
    assert Benefit.all_rows.filter(pk=kept.pk).exists()
    assert everything_else() == others
    removed = themed_history(Barrier, "-").filter(history_change_reason__startswith="Undone: ")
    assert removed.count() == len(file_rows(Barrier))

    versions = dict(live.values_list("pk", "version"))
    MIGRATION.add(apps, None)
    kept.delete()
    for model in FILES:
        everywhere, returns = loaded[model]
        assert stored(model) == everywhere
        assert stored(model, scoping_return__publication=None) == returns
    assert everything_else() == others
    # Recorded as the service records a change: by the system account, with the reason, a
    # "corrected" step on each return's timeline and its version moved on.
    added = themed_history(Benefit, "+").filter(history_change_reason=CORRECTIONS["reason"])
    assert added.count() == len(file_rows(Benefit))
    sutton = live.get(borough__slug="sutton")
    assert sutton.version == versions[sutton.pk] + 1
    step = ReturnEvent.objects.filter(scoping_return=sutton, kind="corrected").last()
    assert step.comment == CORRECTIONS["reason"] and step.by.username == "system"
    merton = live.get(borough__slug="merton")  # no row of its own: its return is untouched
    assert merton.version == versions[merton.pk]


def test_applied_to_a_round_that_has_the_rows_the_migration_changes_nothing(round_2017):
    before = {model: stored(model) for model in FILES}
    history = sum(model.history.count() for model in FILES)
    events = ReturnEvent.objects.count()
    MIGRATION.add(migration_apps(), None)
    assert {model: stored(model) for model in FILES} == before
    assert sum(model.history.count() for model in FILES) == history
    assert ReturnEvent.objects.count() == events
