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


def changes_since_submission(scoping_return) -> Changes:
    since = baseline(scoping_return)
    if since is None:
        return Changes(None, {}, [])
    try:
        then = scoping_return.history.as_of(since.at)
    except scoping_return.DoesNotExist:
        return Changes(None, {}, [])
    answers = {}
    for name in FIELD_NAMES:
        old, new = display_value(then, name), display_value(scoping_return, name)
        if old != new:
            answers[name] = (old, new)
    rows = []
    for relation in ROWS:
        manager = getattr(scoping_return, relation)
        model = manager.model
        fields = row_fields(model)
        before = {
            r.pk: r
            for r in model.history.as_of(since.at).filter(scoping_return_id=scoping_return.pk)
        }
        now = {r.pk: r for r in manager.all()}
        for pk, row in now.items():
            if pk not in before:
                rows.append(RowChange(relation, pk, str(row), "added"))
                continue
            changed = {
                f.verbose_name: (row_value(before[pk], f), row_value(row, f))
                for f in fields
                if row_value(before[pk], f) != row_value(row, f)
            }
            if changed:
                rows.append(RowChange(relation, pk, str(row), "changed", changed))
        rows += [
            RowChange(relation, pk, str(row), "removed")
            for pk, row in before.items()
            if pk not in now
        ]
    return Changes(since, answers, rows)
