"""The names a published report shows: the register's (regions, ICB or STP footprints, units)
and the toolkit's (principles, guidance areas, levels) as they stood when it was published.

Publishing writes them into the publication (`snapshot`, `Publication.register`, by
`surveys.publications.freeze`). While a report view shows a published round, they are in
effect for the request (`show_as_published`, set by `reports.views` and undone by
`PublishedNamesMiddleware` once the response, streamed or not, has gone): every register or
toolkit row read from the database then carries the name it had (`NamedAsPublished.from_db`),
and the report's queries that read names as values ask `shown` for them. A borough renamed
after publishing is shown by its new name everywhere else, and by the old one in the report
published before, until the steering group publishes a correction (a new snapshot).

Names only: a unit that moved to another footprint after publishing is shown under the one it
is in now (the frozen returns keep the unit, not its place in the register).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

# The kinds of name a publication keeps, each by (app label, model), keyed by slug.
KINDS = {
    "regions": ("boroughs", "Region"),
    "stps": ("boroughs", "Stp"),
    "boroughs": ("boroughs", "Borough"),
    "principles": ("toolkit", "Principle"),
    "areas": ("toolkit", "GuidanceArea"),
    "levels": ("toolkit", "Level"),
}

_shown: ContextVar[dict | None] = ContextVar("published_names", default=None)
_END = object()  # what `next` gives for a stream that has ended


def snapshot(apps=None) -> dict:
    """{kind: {slug: name}} of every register and toolkit row as they stand (a query per kind).
    `apps`: a migration's historical apps; the kinds it does not have yet are left out."""
    if apps is None:
        from django.apps import apps
    found = {}
    for kind, (app_label, model_name) in KINDS.items():
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        found[kind] = dict(model._default_manager.order_by().values_list("slug", "name"))
    return found


def show_as_published(register: dict | None) -> None:
    """From now on in this request, show the names of `register` (a publication's snapshot);
    None or an empty one: the names as they stand."""
    _shown.set(register or None)


def shown(kind: str, slug: str, name: str) -> str:
    """The name to show for the row of `kind` whose slug is `slug` and live name `name`."""
    register = _shown.get()
    if register is None:
        return name
    return register.get(kind, {}).get(slug, name)


@contextmanager
def _in_effect(register: dict | None):
    """`register`'s names in effect for what runs inside, those before it afterwards."""
    before = _shown.get()
    _shown.set(register)
    try:
        yield
    finally:
        _shown.set(before)


def _showing(register: dict | None, chunks):
    """A streamed response's chunks, each made with `register`'s names in effect."""
    iterator = iter(chunks)
    while True:
        with _in_effect(register):
            chunk = next(iterator, _END)
        if chunk is _END:
            return
        yield chunk


class NamedAsPublished:
    """A register or toolkit model whose rows, read while a published report is shown, carry
    the names they had when it was published. `published_kind`: its key in `KINDS`."""

    published_kind = ""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        register = _shown.get()
        if register is not None:
            fields = instance.__dict__
            names = register.get(cls.published_kind)
            if names and "name" in fields and fields.get("slug") in names:
                instance.name = names[fields["slug"]]
        return instance


class PublishedNamesMiddleware:
    """Each request starts with the names as they stand; a report view may show a
    publication's (`show_as_published`) until its response has gone, streamed or not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with _in_effect(None):
            response = self.get_response(request)
            register = _shown.get()
        if register is not None and response.streaming:
            response.streaming_content = _showing(register, response.streaming_content)
        return response
