"""Objects read with their rows in one query: each kind of row comes as one JSON array per
object. A return's child rows, so that the number of queries does not grow with the kinds of
row the field catalogue gains (care roles, contacts, self-assessments, benefits...); a round's
publications, with the round."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.db import models
from django.db.models import Aggregate, Func, OuterRef, QuerySet, Subquery, TextField
from django.utils import timezone

from surveys.models import Publication, ScopingReturn
from surveys.publications import FROZEN_RELATIONS


class JSONArray(Func):
    """Its arguments as one JSON array (SQLite json_array, PostgreSQL json_build_array)."""

    function = "JSON_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_BUILD_ARRAY", **extra_context)


class JSONArrays(Aggregate):
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


# What a report reads apart from the rest of a row: a publication's names
# (pcmh.published_names), of which only its round's current version's are read.
LEFT_OUT = {Publication: ("register",)}


def _annotation(name: str) -> str:
    return f"_rows_{name}"


def _fields(model) -> list:
    """The concrete fields of `model` read as JSON rows: all but the large ones a report reads
    apart (`LEFT_OUT`)."""
    return [f for f in model._meta.concrete_fields if f.attname not in LEFT_OUT.get(model, ())]


def _rows_of(model, fk: str = "scoping_return", outer: str = "pk", manager: str = "all_rows"):
    """The rows of `model` whose `fk` is the outer query's `outer`, as one JSON array of
    arrays (each row's values in the order of its concrete fields, but `LEFT_OUT`'s)."""
    attnames = [field.attname for field in _fields(model)]
    return Subquery(
        getattr(model, manager)
        .filter(**{fk: OuterRef(outer)})
        .order_by()
        .values(fk)
        .annotate(rows=JSONArrays(JSONArray(*attnames)))
        .values("rows"),
        output_field=TextField(),
    )


def decode_value(field, value):
    """A value read from JSON as Django reads it from its column."""
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        # As Django reads a decimal column: to the field's places ("1.50", not "1.5").
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    value = field.to_python(value)
    if isinstance(field, models.DateTimeField) and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)  # SQLite keeps UTC without its offset
    return value


def _instances(model, text: str | None, db: str) -> list[models.Model]:
    fields = _fields(model)
    attnames = [field.attname for field in fields]
    rows = json.loads(text, parse_float=Decimal) if text else []
    instances = [
        model.from_db(db, attnames, [decode_value(f, v) for f, v in zip(fields, row, strict=True)])
        for row in rows
    ]
    # In the order the rows were added, as each kind of row is ordered (ReturnRow).
    return sorted(instances, key=lambda row: row.pk)


def _keep(instance, name: str, rows: list, fk: str = "scoping_return") -> None:
    """Keep `rows` as the instance's `name` (`scoping_return.care_roles.all()`), as Django's
    prefetch_related keeps what it read."""
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    instance._prefetched_objects_cache[name] = queryset
    field = queryset.model._meta.get_field(fk)
    for row in rows:
        field.set_cached_value(row, instance)


def with_rows(returns: QuerySet) -> list[ScopingReturn]:
    """`returns`, each with every kind of its child rows (those a publication freezes) read in
    the same query, kept as prefetch_related keeps them."""
    relations = _relations()
    annotated = returns.annotate(
        **{_annotation(name): _rows_of(model) for name, model in relations.items()}
    )
    found = list(annotated)
    for scoping_return in found:
        for name, model in relations.items():
            text = getattr(scoping_return, _annotation(name))
            _keep(scoping_return, name, _instances(model, text, annotated.db))
    return found


def with_publications(rounds: QuerySet) -> QuerySet:
    """`rounds` (with `previous_round` selected), each read with its publications and its
    previous round's, in the same query; `keep_publications` keeps them on the round once
    read."""
    latest = Publication.objects.filter(survey_round=OuterRef("pk")).order_by("-version")
    return rounds.annotate(
        _publications=_rows_of(Publication, "survey_round", "pk", "objects"),
        _previous_publications=_rows_of(Publication, "survey_round", "previous_round", "objects"),
        _register=Subquery(
            latest.values("register")[:1], output_field=Publication._meta.get_field("register")
        ),
    )


def report_rounds(rounds: QuerySet) -> QuerySet:
    """`rounds` as a report reads one: with its previous round, its toolkit version and both
    rounds' publications (`with_publications`), in one query."""
    return with_publications(rounds.select_related("previous_round", "toolkit_version"))


def keep_publications(survey_round) -> None:
    """Keep the publications read by `with_publications` as `survey_round.publications.all()`
    (and its previous round's), in version order."""
    for owner, text in (
        (survey_round, survey_round._publications),
        (survey_round.previous_round, survey_round._previous_publications),
    ):
        if owner is not None:
            rows = sorted(_instances(Publication, text, survey_round._state.db), key=_version)
            _keep(owner, "publications", rows, fk="survey_round")
    # The names the current version was published with (an earlier version's are read when
    # asked for: a query of their own).
    publications = survey_round.publications.all()
    if publications:
        publications[len(publications) - 1].register = survey_round._register or {}


def _version(publication) -> int:
    return publication.version
