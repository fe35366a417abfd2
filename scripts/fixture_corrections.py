"""The corrections between two versions of the 2017 fixture files, as a data migration applies
them to a database that already holds the round (`surveys/corrections.py`).

Usage: python scripts/fixture_corrections.py OLD_FOLDER NEW_FOLDER "reason" > corrections.json

Each return's changed answers, and each file's child rows changed, removed or added. A child row
is matched by its resource's key columns, then (the key changed: "consultant_psychiatrist" →
"psychiatrist") with the borough's next unmatched row in file order, so that it keeps its place.
A column the old files lack has the value migrations gave the field (`DEFAULTS`). No Django:
values are written as the database holds them (yes/no → true/false/null, "" → null for numbers).
"""

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

# file: (the model, its key columns as the import resource matches rows)
CHILD_FILES = {
    "care_roles.csv": ("CareRole", ("role", "role_other", "band", "employer", "notes")),
    "contacts.csv": ("Contact", ("name",)),
    "outcome_measures.csv": ("OutcomeMeasure", ("name",)),
    "funding_lines.csv": ("FundingLine", ("financial_year", "source", "notes")),
    "data_quality_notes.csv": ("DataQualityNote", ("field", "narrative")),
    "benefits.csv": ("Benefit", ("text",)),
    "barriers.csv": ("Barrier", ("text",)),
}
BOOLEANS = {"is_new", "recurrent", "wte_approximate"}
NUMBERS = {"min_age", "max_age", "wte", "amount"}
# What a field added after the old files holds in a database that loaded them.
DEFAULTS = {"post_status": "not_stated", "wte_approximate": False}
KEYS = ("round", "borough")


def value(column: str, text: str):
    if column in BOOLEANS:
        return {"yes": True, "no": False}.get(text.strip().lower())
    if column in NUMBERS:
        return text or None
    return text


def rows(folder: Path, name: str) -> tuple[list[str], list[dict]]:
    if not (folder / name).exists():  # a file the old fixtures did not have yet: no rows
        return [], []
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [c for c in reader.fieldnames if c not in KEYS], list(reader)


def typed(row: dict, columns) -> dict:
    return {c: value(c, row[c]) if c in row else DEFAULTS.get(c, "") for c in columns}


def returns_changes(old: Path, new: Path) -> list[dict]:
    old_columns, old_rows = rows(old, "returns.csv")
    columns, new_rows = rows(new, "returns.csv")
    before = {row["borough"]: typed(row, columns) for row in old_rows}
    changes = []
    for row in new_rows:
        after = typed(row, columns)
        changed = {
            c: [before[row["borough"]][c], after[c]]
            for c in columns
            if before[row["borough"]][c] != after[c]
        }
        if changed:
            changes.append({"borough": row["borough"], "changes": changed})
    return changes


def child_changes(old: Path, new: Path, name: str, key: tuple[str, ...]) -> dict:
    old_columns, old_rows = rows(old, name)
    columns, new_rows = rows(new, name)
    olds = [(row["borough"], typed(row, old_columns), typed(row, columns)) for row in old_rows]
    news = [(row["borough"], typed(row, columns)) for row in new_rows]
    paired, unpaired_old = {}, set(range(len(olds)))
    by_key = defaultdict(list)
    for i, (borough, _, full) in enumerate(olds):
        by_key[(borough, *(full[c] for c in key))].append(i)
    unpaired_new = []
    for j, (borough, full) in enumerate(news):
        candidates = by_key[(borough, *(full[c] for c in key))]
        if candidates:
            i = candidates.pop(0)
            paired[j] = i
            unpaired_old.discard(i)
        else:
            unpaired_new.append(j)
    for j in list(unpaired_new):  # a key changed: the borough's next old row left over
        borough = news[j][0]
        left = sorted(i for i in unpaired_old if olds[i][0] == borough)
        if left:
            paired[j] = left[0]
            unpaired_old.discard(left[0])
            unpaired_new.remove(j)
    changed = []
    for j, i in sorted(paired.items()):
        borough, match, before = olds[i]
        after = news[j][1]
        diff = {c: [before[c], after[c]] for c in columns if before[c] != after[c]}
        if diff:
            changed.append({"borough": borough, "match": match, "changes": diff})
    return {
        "changed": changed,
        "removed": [{"borough": olds[i][0], "values": olds[i][1]} for i in sorted(unpaired_old)],
        "added": [{"borough": news[j][0], "values": news[j][1]} for j in unpaired_new],
    }


def corrections(old: Path, new: Path, reason: str) -> dict:
    return {
        "round": "2017",
        "reason": reason,
        "returns": returns_changes(old, new),
        "rows": {
            model: child_changes(old, new, name, key) for name, (model, key) in CHILD_FILES.items()
        },
    }


if __name__ == "__main__":
    old_folder, new_folder, why = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    json.dump(corrections(old_folder, new_folder, why), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
