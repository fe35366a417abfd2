"""Checks that transcribed 2017 text is the report's own wording (no Django imports).

The seed is a plain-text extraction of the PDF: lines are broken mid-word with hyphens, bullet
glyphs and two page footers sit inside the text, and e-mail links are repeated as `mailto:` lines.
A transcription drops those; comparing with every whitespace character removed makes the two agree
without accepting any word that is not in the report.
"""

import re
from pathlib import Path

SEED_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "2017" / "source"
SEED_FILE = SEED_PATH / "pan-london-scoping-2017.txt"

BULLETS = "\uf0b7\uf0fc\uf0a7•"
_FOOTER = re.compile(r"^(PCMH version 1\s+September 2017|Healthy London Partnership\s+\d+)\s*$")
_WHITESPACE = re.compile(r"\s+")


def squeeze(text: str) -> str:
    """Remove whitespace and bullet glyphs, and unify quotes and dashes, for comparison."""
    for glyph in BULLETS:
        text = text.replace(glyph, "")
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.replace("–", "-")
    return _WHITESPACE.sub("", text)


def seed_text(path: Path = SEED_FILE) -> str:
    """The seed with footers and `mailto:` lines dropped, squeezed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [
        line for line in lines if not _FOOTER.match(line.strip()) and not line.startswith("mailto:")
    ]
    return squeeze("\n".join(kept))


def paragraphs(value: str) -> list[str]:
    """A stored text may join several passages of the report, one per blank-line paragraph."""
    return [part for part in re.split(r"\n\s*\n", value) if part.strip()]


def missing_passages(value: str, seed: str) -> list[str]:
    """The paragraphs of `value` that are not in the (squeezed) seed."""
    return [part for part in paragraphs(value) if squeeze(part) not in seed]
