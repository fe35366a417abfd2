"""What the database itself refuses: the limits and answer sets that model fields declare.

`surveys.models` calls `add_field_rules` once per model, so an import, a script or a bulk update
is held to the same lengths and answer sets as a form.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.text import capfirst


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
                models.CheckConstraint(
                    condition=LessThanOrEqual(Length(field.name), field.max_length),
                    name=f"{table}_{field.name}_length",
                    violation_error_message=(
                        f"{capfirst(field.verbose_name)} must be {field.max_length:,} "
                        "characters or fewer"
                    ),
                )
            )
        elif field.choices and isinstance(field, models.CharField):
            allowed = [value for value, _ in field.flatchoices]
            if field.blank:
                allowed.append("")
            model._meta.constraints.append(
                models.CheckConstraint(
                    condition=Q(**{f"{field.name}__in": allowed}),
                    name=f"{table}_{field.name}_valid",
                    violation_error_message=(
                        f"Choose one of the answers listed for the {field.verbose_name}"
                    ),
                )
            )
