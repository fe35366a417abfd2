"""The rules a return's answers obey, whoever enters them: the lead's forms, the admin, imports.

Each rule names the fields it reads, the field its message belongs to, and the message. A model
that follows rules (`FollowsRules`) checks them in `clean()`, which Django's model forms (the
lead's and the admin's) and the import resources (`clean_model_instances`) all call; a form
checks only the rules whose fields it has, so a section is never refused for another section's
answer.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

from surveys.constraints import RestatedConstraint, too_long
from surveys.fields import split_codes

INVALID_CHARACTERS = "Remove the invalid characters from this answer"
AGES_IN_ORDER = "The maximum age must be the same as or above the minimum age"


@dataclass(frozen=True)
class Rule:
    reads: tuple[str, ...]
    field: str  # where the message is shown
    broken: Callable[[dict], bool]
    message: str


RETURN_RULES = (
    Rule(
        ("model_types", "model_other"),
        "model_other",
        lambda v: "other" in split_codes(v["model_types"]) and not v["model_other"],
        "Describe the other model type",
    ),
    Rule(
        ("it_systems", "it_systems_other"),
        "it_systems_other",
        lambda v: "other" in split_codes(v["it_systems"]) and not v["it_systems_other"],
        "Name the other IT system",
    ),
    Rule(
        ("min_age", "max_age"),
        "max_age",
        lambda v: (
            v["min_age"] is not None and v["max_age"] is not None and v["min_age"] > v["max_age"]
        ),
        AGES_IN_ORDER,
    ),
)
CARE_ROLE_RULES = (
    Rule(
        ("role", "role_other"),
        "role_other",
        lambda v: v["role"] == "other" and not v["role_other"],
        "Name the other role",
    ),
    Rule(
        ("wte", "wte_approximate"),
        "wte_approximate",
        lambda v: v["wte_approximate"] and v["wte"] is None,
        "Enter the whole-time equivalent that is approximate, or untick approximate",
    ),
)


def problems(instance, rules, checked: set[str]) -> dict[str, str]:
    """{field: message} for each rule broken among those that read only `checked` fields, and
    for each checked text holding a NUL character (PostgreSQL cannot store one)."""
    values = {f.name: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    found = {
        name: INVALID_CHARACTERS
        for name in checked
        if isinstance(values.get(name), str) and "\x00" in values[name]
    }
    # A TextField's max_length is a form rule only in Django: checked here for every path.
    for field in instance._meta.concrete_fields:
        value = values.get(field.name)
        if (
            field.name in checked
            and field.name not in found
            and isinstance(field, models.TextField)
            and field.max_length
            and isinstance(value, str)
            and len(value) > field.max_length
        ):
            found[field.name] = too_long(field)
    for rule in rules:
        if set(rule.reads) <= checked and rule.field not in found and rule.broken(values):
            found[rule.field] = rule.message
    return found


class FollowsRules:
    """A model whose `clean()` checks its `rules` (and NUL characters) on the fields being
    validated: all of them from an import, those on the form from a form."""

    rules: tuple[Rule, ...] = ()

    def full_clean(self, exclude=None, *args, **kwargs):
        self._not_checked = set(exclude or ())
        return super().full_clean(exclude, *args, **kwargs)

    def get_constraints(self):
        # The constraints that restate what clean_fields and clean() check already
        # (surveys/constraints.py): validating them again costs a query each, per row imported.
        return [
            (model, [c for c in constraints if not isinstance(c, RestatedConstraint)])
            for model, constraints in super().get_constraints()
        ]

    def clean(self):
        super().clean()
        checked = {f.name for f in self._meta.concrete_fields} - getattr(
            self, "_not_checked", set()
        )
        found = problems(self, self.rules, checked)
        if found:
            raise ValidationError(found)
