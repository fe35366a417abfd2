"""What changed in a return since it was last submitted: each answer old → new, and its rows
added, removed or changed, for the steering group's review page.

The return and its rows as they were are read from their history (django-simple-history) as of
the submission; answers are compared through the field catalogue, as people read them.
"""

from dataclasses import dataclass, field

from surveys.answers import display_value
from surveys.choices import EventKind, ReturnState
from surveys.sections import FIELD_NAMES, ROWS


@dataclass
class RowChange:
    """A child row since the submission: "added", "removed" or "changed" (`fields`: label →
    (old, new))."""

    relation: str
    row_id: int
    name: str
    how: str
    fields: dict = field(default_factory=dict)


@dataclass
class Changes:
    since: object  # the submission event compared with, or None: nothing to compare
    answers: dict  # field name → (old, new), as people read them
    rows: list  # RowChange

    def __bool__(self):
        return bool(self.answers or self.rows)


def baseline(scoping_return):
    """The submission the reviewer compares with: while the return waits for review, the one
    before (what changed since it was sent back); otherwise the last one."""
    submissions = list(
        scoping_return.events.filter(
            kind=EventKind.TRANSITION, to_state=ReturnState.SUBMITTED
        ).order_by("at", "id")
    )
    if scoping_return.state == ReturnState.SUBMITTED:
        submissions = submissions[:-1]
    return submissions[-1] if submissions else None


def row_fields(model) -> list:
    """The fields a person gives for a child row, in the model's order."""
    return [f for f in model._meta.fields if f.editable and f.name not in ("id", "scoping_return")]


def row_value(row, model_field) -> str:
    value = getattr(row, model_field.attname)
    if model_field.choices and value:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return "" if value is None else str(value)


def _row_key(row, names) -> tuple:
    return tuple(getattr(row, name) for name in names)


def changes_between(then, now, then_rows: dict | None = None) -> Changes:
    """What changed from return `then` to return `now` (of another round, or the same return
    as it was: `then_rows`, {relation: rows as they were}); rows of different rounds are
    matched by the catalogue's `same_row` fields, in order."""
    answers = {}
    for name in FIELD_NAMES:
        old, new = display_value(then, name), display_value(now, name)
        if old != new:
            answers[name] = (old, new)
    rows = []
    for relation, kind in ROWS.items():
        manager = getattr(now, relation)
        fields = row_fields(manager.model)
        before = list(then_rows[relation] if then_rows else getattr(then, relation).all())
        # The same return keeps its rows' ids; another round's rows are matched by their fields.
        same_row = ("pk",) if then_rows else kind.same_row
        waiting: dict = {}
        for row in before:
            waiting.setdefault(_row_key(row, same_row), []).append(row)
        for row in manager.all():
            matches = waiting.get(_row_key(row, same_row))
            if not matches:
                rows.append(RowChange(relation, row.pk, str(row), "added"))
                continue
            old_row = matches.pop(0)
            changed = {
                f.verbose_name: (row_value(old_row, f), row_value(row, f))
                for f in fields
                if row_value(old_row, f) != row_value(row, f)
            }
            if changed:
                rows.append(RowChange(relation, row.pk, str(row), "changed", changed))
        rows += [
            RowChange(relation, row.pk, str(row), "removed")
            for left in waiting.values()
            for row in left
        ]
    return Changes(None, answers, rows)


def changes_since_submission(scoping_return) -> Changes:
    since = baseline(scoping_return)
    if since is None:
        return Changes(None, {}, [])
    try:
        then = scoping_return.history.as_of(since.at)
    except scoping_return.DoesNotExist:
        return Changes(None, {}, [])
    then_rows = {
        relation: list(
            getattr(scoping_return, relation)
            .model.history.as_of(since.at)
            .filter(scoping_return_id=scoping_return.pk)
        )
        for relation in ROWS
    }
    changes = changes_between(then, scoping_return, then_rows)
    changes.since = since
    return changes
