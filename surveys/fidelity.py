"""Checks that transcribed 2017 text is the report's own wording, borough by borough.

The seed is a plain-text extraction of the PDF: lines are broken mid-word with hyphens, bullet
glyphs and two page footers sit inside the text, and e-mail links are repeated as `mailto:` lines.
A transcription drops those; comparing with every whitespace character removed makes the two agree
without accepting any word that is not in the report.

A borough's text must come from that borough's own part of the report, so that a passage copied to
the wrong borough is caught: its Section 2 narrative (its line in the list that opens its STP's part
and the section under its heading; Barking & Dagenham, Havering and Redbridge share one section)
and its row of the appendix tables, read with the tables' column headings and key, which every row
shares ("Scope (age 18-65 unless stated differently)"). No Django imports:
`scripts/check_2017_fixtures.py` uses this.
"""

import re
from dataclasses import dataclass
from pathlib import Path

SEED_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "2017" / "source"
SEED_FILE = SEED_PATH / "pan-london-scoping-2017.txt"

BULLETS = "\uf0b7\uf0fc\uf0a7•"
_FOOTER = re.compile(r"^(PCMH version 1\s+September 2017|Healthy London Partnership\s+\d+)\s*$")
_WHITESPACE = re.compile(r"\s+")

_EAST = "BARKING & DAGENHAM, HAVERING, REDBRIDGE"
# slug: (heading of its Section 2 section, its name in its STP's list, its appendix row's start)
BOROUGHS = {
    "brent": ("BRENT", "BRENT", "Brent"),
    "central-london": ("CENTRAL LONDON (WESTMINSTER)", "CENTRAL LONDON", "Central London"),
    "ealing": ("EALING", "EALING", "Ealing"),
    "hammersmith-fulham": ("HAMMERSMITH & FULHAM", "HAMMERSMITH & FULHAM", "Hammersmith &"),
    "harrow": ("HARROW", "HARROW", "Harrow"),
    "hillingdon": ("HILLINGDON", "HILLINGDON", "Hillingdon"),
    "hounslow": ("HOUNSLOW", "HOUNSLOW", "Hounslow"),
    "west-london": (
        "WEST LONDON (covering KENSINGTON & CHELSEA + QUEENS PARK AND",
        "WEST LONDON",
        "West London CCG",
    ),
    "barnet": ("BARNET", "BARNET", "Barnet"),
    "camden": ("CAMDEN", "CAMDEN", "Camden"),
    "enfield": ("ENFIELD", "ENFIELD", "Enfield"),
    "haringey": ("HARINGEY", "HARINGEY", "Haringey"),
    "islington": ("ISLINGTON", "ISLINGTON", "Islington"),
    "barking-dagenham": (_EAST, "BARKING & DAGENHAM", "Barking &"),
    "havering": (_EAST, "HAVERING", "Havering"),
    "redbridge": (_EAST, "REDBRIDGE", "Redbridge"),
    "waltham-forest": ("WALTHAM FOREST", "WALTHAM FOREST", "Waltham Forest"),
    "city-hackney": ("CITY & HACKNEY", "CITY & HACKNEY", "City & Hackney"),
    "newham": ("NEWHAM", "NEWHAM", "Newham"),
    "tower-hamlets": ("TOWER HAMLETS", "TOWER HAMLETS", "Tower Hamlets"),
    "croydon": ("CROYDON", "CROYDON", "Croydon"),
    "kingston": ("KINGSTON", "KINGSTON", "Kingston"),
    "merton": ("MERTON", "MERTON", "Merton"),
    "richmond": ("RICHMOND", "RICHMOND", "Richmond"),
    "sutton": ("SUTTON", "SUTTON", "Sutton"),
    "wandsworth": ("WANDSWORTH", "WANDSWORTH", "Wandsworth"),
    "bexley": ("BEXLEY", "BEXLEY", "Bexley"),
    "bromley": ("BROMLEY", "BROMLEY", "Bromley"),
    "greenwich": ("GREENWICH", "GREENWICH", "Greenwich"),
    "lambeth": ("LAMBETH", "LAMBETH", "Lambeth"),
    "lewisham": ("LEWISHAM", "LEWISHAM", "Lewisham"),
    "southwark": ("SOUTHWARK", "SOUTHWARK", "Southwark"),
}
# Lines that end a borough's section: the headings of the STP parts and of the appendix.
_PART_HEADINGS = {
    "NORTH WEST LONDON SERVICES",
    "NORTH CENTRAL LONDON SERVICES",
    "NORTH EAST LONDON",
    "SOUTH WEST LONDON",
    "SOUTH EAST LONDON",
    "APPENDIX",
}
_APPENDIX_TABLE_END = re.compile(r"^(.* London STP|Key:.*)$")


@dataclass(frozen=True)
class BoroughSource:
    """A borough's own part of the report, squeezed: its narrative and its appendix row."""

    narrative: str
    appendix: str


def squeeze(text: str) -> str:
    """Remove whitespace and bullet glyphs, and unify quotes and dashes, for comparison."""
    for glyph in BULLETS:
        text = text.replace(glyph, "")
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("–", "-")
    return _WHITESPACE.sub("", text)


def _lines(path: Path) -> list[str]:
    """The seed's lines without page footers and `mailto:` lines."""
    return [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not _FOOTER.match(line.strip()) and not line.startswith("mailto:")
    ]


def seed_text(path: Path = SEED_FILE) -> str:
    """The whole seed with footers and `mailto:` lines dropped, squeezed."""
    return squeeze("\n".join(_lines(path)))


def borough_sources(path: Path = SEED_FILE) -> dict[str, BoroughSource]:
    """Each borough's own narrative and appendix row, keyed by register slug."""
    lines = _lines(path)
    stripped = [line.strip() for line in lines]
    section_2 = stripped.index("Section 2")
    appendix = stripped.index("APPENDIX", section_2)
    headings = {heading for heading, _, _ in BOROUGHS.values()}
    boundaries = [
        number
        for number in range(section_2, appendix + 1)
        if stripped[number] in headings or stripped[number] in _PART_HEADINGS
    ]
    sections = {}
    for start, end in zip(boundaries, boundaries[1:], strict=False):
        if stripped[start] in headings and stripped[start] not in sections:
            sections[stripped[start]] = lines[start:end]
    rows = _appendix_rows(stripped[appendix:])
    frame = _appendix_frame(stripped[appendix:])
    sources = {}
    for slug, (heading, listed_as, row_start) in BOROUGHS.items():
        if heading not in sections or row_start not in rows:
            raise ValueError(f"{slug}: its section or appendix row is not in the seed")
        entry = _list_entry(lines[section_2:appendix], listed_as)
        sources[slug] = BoroughSource(
            narrative=squeeze("\n".join([*entry, *sections[heading]])),
            appendix=squeeze("\n".join([*rows[row_start], "", *frame])),
        )
    return sources


def _list_entry(lines: list[str], name: str) -> list[str]:
    """A borough's bullet in the list that opens its STP's part, e.g. `BRENT: (Under development)`.

    An entry may wrap onto further lines; it ends at the next bullet or at a line holding only a
    space, which closes the list.
    """
    for number, line in enumerate(lines):
        if line.strip(BULLETS + " ").startswith(name + ":") and any(g in line for g in BULLETS):
            entry = [line]
            for following in lines[number + 1 :]:
                if any(g in following for g in BULLETS) or (following and not following.strip()):
                    break
                entry.append(following)
            return entry
    return []


def _appendix_rows(lines: list[str]) -> dict[str, list[str]]:
    """The appendix tables' rows, keyed by the words that open each row, with their footnotes."""
    starts = {row_start for _, _, row_start in BOROUGHS.values()}
    rows: dict[str, list[str]] = {}
    current = None
    for line in lines:
        footnote = next((s for s in rows if line.startswith("*" + s + " ")), None)
        if footnote:  # `*Bexley currently offers …`, below the tables, belongs to Bexley's row
            rows[footnote].append(line)
            continue
        opening = next(
            (s for s in starts if (line == s or line.startswith(s + " ")) and s not in rows),
            None,
        )
        if opening:
            current = opening
            rows[current] = [line]
        elif _APPENDIX_TABLE_END.match(line):
            current = None
        elif current:
            rows[current].append(line)
    return rows


def _appendix_frame(lines: list[str]) -> list[str]:
    """What every row of the appendix tables is read with: the first table's column headings
    (the tables share them) and the key below the tables."""
    start = next(n for n, line in enumerate(lines) if line.endswith(" London STP"))
    starts = {row_start for _, _, row_start in BOROUGHS.values()}
    end = next(
        n
        for n, line in enumerate(lines)
        if n > start and any(line == s or line.startswith(s + " ") for s in starts)
    )
    return [*lines[start + 1 : end], *(line for line in lines if line.startswith("Key:"))]


def paragraphs(value: str) -> list[str]:
    """A stored text may join several passages of the report, one per blank-line paragraph."""
    return [part for part in re.split(r"\n\s*\n", value) if part.strip()]


def missing_passages(value: str, *sources: str) -> list[str]:
    """The paragraphs of `value` that are in none of the (squeezed) source texts."""
    return [
        part for part in paragraphs(value) if not any(squeeze(part) in source for source in sources)
    ]
