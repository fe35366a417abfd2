"""Returns read with all their child rows in one query: each kind of row comes as one JSON
array per return, so the number of queries does not grow with the kinds of row the field
catalogue gains (care roles, contacts, self-assessments, benefits...)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db import models
from django.db.models import Aggregate, Func, OuterRef, QuerySet, Subquery, TextField

from surveys.models import ScopingReturn
from surveys.publications import FROZEN_RELATIONS


class _JSONArray(Func):
    """Its arguments as one JSON array (SQLite json_array, PostgreSQL json_build_array)."""

    function = "JSON_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_BUILD_ARRAY", **extra_context)


class _JSONArrays(Aggregate):
    """The JSON arrays of a group as one JSON array, as text (SQLite json_group_array,
    PostgreSQL json_agg)."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, function="JSON_AGG", **extra_context)
        return f"CAST({sql} AS TEXT)", params


def _relations() -> dict[str, type[models.Model]]:
    fields = {field.name: field for field in ScopingReturn._meta.get_fields()}
    return {name: fields[name].related_model for name in FROZEN_RELATIONS}


def _annotation(name: str) -> str:
    return f"_rows_{name}"


def _rows_of(model) -> Subquery:
    attnames = [field.attname for field in model._meta.concrete_fields]
    return Subquery(
        model.all_rows.filter(scoping_return=OuterRef("pk"))
        .order_by()
        .values("scoping_return")
        .annotate(rows=_JSONArrays(_JSONArray(*attnames)))
        .values("rows"),
        output_field=TextField(),
    )


def _value(field, value):
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        # As Django reads a decimal column: to the field's places ("1.50", not "1.5").
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    return field.to_python(value)


def _instances(model, text: str | None, db: str) -> list[models.Model]:
    fields = model._meta.concrete_fields
    attnames = [field.attname for field in fields]
    rows = json.loads(text, parse_float=Decimal) if text else []
    instances = [
        model.from_db(db, attnames, [_value(f, v) for f, v in zip(fields, row, strict=True)])
        for row in rows
    ]
    # In the order the rows were added, as each kind of row is ordered (ReturnRow).
    return sorted(instances, key=lambda row: row.pk)


def _keep(scoping_return: ScopingReturn, name: str, rows: list) -> None:
    """Keep `rows` as the return's `name` (`scoping_return.care_roles.all()`), as Django's
    prefetch_related keeps what it read."""
    queryset = getattr(scoping_return, name).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    scoping_return._prefetched_objects_cache[name] = queryset
    field = queryset.model._meta.get_field("scoping_return")
    for row in rows:
        field.set_cached_value(row, scoping_return)


def with_rows(returns: QuerySet) -> list[ScopingReturn]:
    """`returns`, each with every kind of its child rows (those a publication freezes) read in
    the same query, kept as prefetch_related keeps them."""
    relations = _relations()
    annotated = returns.annotate(
        **{_annotation(name): _rows_of(model) for name, model in relations.items()}
    )
    found = list(annotated)
    for scoping_return in found:
        if not hasattr(scoping_return, "_prefetched_objects_cache"):
            scoping_return._prefetched_objects_cache = {}
        for name, model in relations.items():
            text = getattr(scoping_return, _annotation(name))
            _keep(scoping_return, name, _instances(model, text, annotated.db))
    return found
