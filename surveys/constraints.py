"""What the database itself refuses: the limits and answer sets that model fields declare.

`surveys.models` calls `add_field_rules` once per model, so an import, a script or a bulk update
is held to the same lengths and answer sets as a form.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.text import capfirst


def too_long(field) -> str:
    """ "Current situation must be 10,000 characters or fewer"."""
    return f"{capfirst(field.verbose_name)} must be {field.max_length:,} characters or fewer"


class RestatedConstraint(models.CheckConstraint):
    """A check constraint that holds the database to a rule Python validation checks before a
    save: a field's length or answer set (added below), its validators (an age from 0 to 120),
    or a rule of surveys/rules.py (the minimum age not above the maximum). `full_clean` need not
    ask the database again, a query per constraint and per row imported
    (`FollowsRules.get_constraints`); tests/surveys/test_validation_rules.py shows each is
    refused without it. In migrations it is a plain `CheckConstraint`."""

    def deconstruct(self):
        _path, args, kwargs = super().deconstruct()
        return "django.db.models.CheckConstraint", args, kwargs


def add_field_rules(model) -> None:
    """Make the database hold every text length and fixed answer set that the fields declare.

    A `TextField`'s `max_length` is only a form rule in Django, and `choices` are never checked
    by the database: for each such field of `model` this adds a check constraint, so an import,
    a script or a bulk update cannot store what a form would refuse. (A `CharField`'s length is
    the column's own type on PostgreSQL.) Called once per model below, before migrations read
    the constraints.
    """
    table = model._meta.db_table
    # Migrations read a model's constraints only when its Meta declared some.
    model._meta.original_attrs.setdefault("constraints", model._meta.constraints)
    for field in model._meta.concrete_fields:
        if isinstance(field, models.TextField) and field.max_length:
            model._meta.constraints.append(
                RestatedConstraint(
                    condition=LessThanOrEqual(Length(field.name), field.max_length),
                    name=f"{table}_{field.name}_length",
                    violation_error_message=too_long(field),
                )
            )
        elif field.choices and isinstance(field, models.CharField):
            allowed = [value for value, _ in field.flatchoices]
            if field.blank:
                allowed.append("")
            model._meta.constraints.append(
                RestatedConstraint(
                    condition=Q(**{f"{field.name}__in": allowed}),
                    name=f"{table}_{field.name}_valid",
                    violation_error_message=(
                        f"Choose one of the answers listed for the {field.verbose_name}"
                    ),
                )
            )
