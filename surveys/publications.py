"""What a published report is made from: each version of a round's publication keeps its own
read-only copy of the round's returns and their child rows, made when it is published.

The reports read a published round through these copies (`reports.queries.report_for`), by the
same queries as any round, so a return reopened and corrected after publishing changes nothing
the report says until the steering group publishes a correction (a new version, its own copies).
Copies are rows of the same tables (`ScopingReturn.publication` set); `ScopingReturn.objects`
never shows them, `ScopingReturn.all_rows` does. The register's and the toolkit's names are
kept in the publication itself (`Publication.register`, see `pcmh.published_names`).
"""

from __future__ import annotations

from pcmh.published_names import snapshot
from surveys.sections import ROWS

# The child rows a report reads: every section's rows, and the steering group's data-quality
# notes. A new kind of child row in the field catalogue is frozen with no change here.
FROZEN_RELATIONS = (*ROWS, "quality_notes")


def _values(instance, *, skip: set[str]) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.name not in skip
    }


def freeze(publication, *, return_model=None, apps=None) -> int:
    """Copy every return of `publication`'s round, and their child rows, into the publication,
    and keep the names of the register and the toolkit in it; the number of returns copied. A
    fixed number of queries (two, two per kind of row and one per kind of name), without
    history rows: a copy is never edited. `return_model` and `apps`: the migration's historical
    model and apps when a data migration freezes rounds published before publications
    existed."""
    if return_model is None:
        from surveys.models import ScopingReturn as return_model
    if any(field.name == "register" for field in publication._meta.concrete_fields):
        publication.register = snapshot(apps)
        publication.save(update_fields=["register"])
    rows = return_model._default_manager.filter(
        survey_round_id=publication.survey_round_id, publication__isnull=True
    ).order_by("pk")
    originals = list(rows)
    copies = return_model._default_manager.bulk_create(
        [
            return_model(
                **_values(original, skip={"id", "publication"}), publication_id=publication.pk
            )
            for original in originals
        ]
    )
    copy_of = {original.pk: copy.pk for original, copy in zip(originals, copies, strict=True)}
    relations = {field.name: field for field in return_model._meta.get_fields()}
    for relation in FROZEN_RELATIONS:
        if relation not in relations:  # a kind of row added by a later migration
            continue
        row_model = relations[relation].related_model
        row_model._default_manager.bulk_create(
            [
                row_model(
                    **_values(row, skip={"id", "scoping_return"}),
                    scoping_return_id=copy_of[row.scoping_return_id],
                )
                for row in row_model._default_manager.filter(
                    scoping_return__survey_round_id=publication.survey_round_id,
                    scoping_return__publication__isnull=True,
                ).order_by("pk")
            ]
        )
    return len(copies)
