"""No block of six or more lines is written twice in the app's code (migrations aside): a thing
said twice is changed in one place and not the other. Imports, blank lines, comments and lines
of lone brackets are passed over; white space is folded."""

import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("pcmh", "boroughs", "surveys", "reports")
BLOCK = 6
PUNCTUATION = re.compile(r"^[\s()\[\]{},:;]*$")


def code_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, line with white space folded) of the lines that count."""
    kept, in_import = [], False
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = " ".join(raw.split())
        if in_import:
            in_import = ")" not in line
            continue
        if re.match(r"(from \S+ )?import ", line):
            in_import = line.endswith("(")
            continue
        if not line or line.startswith("#") or PUNCTUATION.match(line):
            continue
        kept.append((number, line))
    return kept


def repeated_blocks(paths) -> list[str]:
    places = defaultdict(list)
    for path in paths:
        lines = code_lines(path)
        for i in range(len(lines) - BLOCK + 1):
            block = tuple(line for _, line in lines[i : i + BLOCK])
            places[block].append((path.relative_to(ROOT), lines[i][0], lines[i + BLOCK - 1][0]))
    found = []
    for block, where in places.items():
        # Overlapping windows of one run of repeated lines in one file are the same place.
        distinct = [w for k, w in enumerate(where) if k == 0 or w[0] != where[k - 1][0]
                    or w[1] > where[k - 1][2]]  # fmt: skip
        if len(distinct) > 1:
            found.append(" ~ ".join(f"{p}:{a}-{b}" for p, a, b in distinct) + f"\n  {block[0]}")
    return found


def app_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_block_of_six_lines_is_written_twice_in_the_apps():
    found = repeated_blocks(app_files())
    assert not found, "Written twice:\n" + "\n".join(found)


def test_the_check_finds_a_repeated_block(tmp_path):
    body = "\n".join(f"value_{n} = compute({n}, 'x')" for n in range(7))
    one, two = tmp_path / "one.py", tmp_path / "two.py"
    one.write_text(f"import os\n\n{body}\n")
    two.write_text(f"# the same again\n{body}\n# and more\nother = 1\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert len(repeated_blocks([one, two])) == 2  # two windows of six in seven lines
        assert repeated_blocks([one]) == []
    finally:
        ROOT = saved
