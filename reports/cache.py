"""A published round's pages and downloads, served from the cache.

A published report changes only when the steering group publishes a correction (a new version
of its `Publication`), so its responses are kept in the cache (Redis through CACHE_URL, local
memory otherwise) under the round, the version it shows, the page and its query string: a
correction is a new key, and the first request after it computes the page again (which
version is current is itself kept for a few seconds, see `published_version`). Open and closed
rounds (the steering group's provisional view) are never cached.

What else a published page shows (the round's statements and aims) is edited in the admin
without a new version: any save of such a row (or of the register's and the toolkit's, whose
names a published page shows as published, see `pcmh.published_names`) starts a new
generation of the keys (`GENERATION_KEY`). With local memory each server process has its own
cache, so such an edit reaches the other processes when their entries expire
(`REPORT_CACHE_SECONDS`); with Redis at once.

Pages are the same for every reader but for the layout around them (the signed-in user's name,
their sign-out form's token, their session's clock, messages), so a page is served from the
cache to readers who are not signed in; downloads (CSV, XLSX, JSON) to everyone.
"""

import functools
import hashlib
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.db.models.signals import post_delete, post_migrate, post_save
from django.http import HttpResponse, StreamingHttpResponse

from pcmh.db_router import reading_published_reports
from pcmh.security_log import log_event
from surveys.choices import RoundState
from surveys.models import Publication, SurveyRound

logger = logging.getLogger(__name__)

GENERATION_KEY = "reports:generation"
# A cached response larger than this is not kept (the whole report of a very large round).
MAX_BYTES = 32 * 1024 * 1024
VERSION_SECONDS = 10
NOT_PUBLISHED = (0, 0)
WATCHED_APPS = frozenset({"boroughs", "reports", "toolkit"})
MESSAGES_COOKIE = CookieStorage.cookie_name  # a message waiting to be shown: the page is theirs


def timeout() -> int:
    return settings.REPORT_CACHE_SECONDS


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, None)


def new_generation(**kwargs) -> None:
    """Every cached report page is computed again (after an edit a page may show)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet (or evicted): any value but the last will do
        cache.set(GENERATION_KEY, 2, None)


def _watched(sender, **kwargs):
    meta = getattr(sender, "_meta", None)
    if meta is not None and (
        meta.app_label in WATCHED_APPS or sender in (SurveyRound, Publication)
    ):
        new_generation()


def _migrated(**kwargs):
    """A release's data migrations may change what published pages show (a 2017 transcription
    completed, say) without a save signal: each `migrate` starts a new generation. A cache that
    does not answer then is not the migration's concern (its entries expire)."""
    try:
        new_generation()
    except Exception as error:  # noqa: BLE001 - Redis down: migrating goes on
        logger.warning("The report cache was not reset after migrating: %s", error)


def connect_signals(app_config=None):
    post_save.connect(_watched, dispatch_uid="reports.cache.saved")
    post_delete.connect(_watched, dispatch_uid="reports.cache.deleted")
    if app_config is not None:
        post_migrate.connect(_migrated, sender=app_config, dispatch_uid="reports.cache.migrated")


def published_version(round_slug: str, request=None) -> tuple[int, int] | None:
    """The current publication of a published round (its id and version), or None: the round
    is not published (or does not exist). Kept in the cache for `VERSION_SECONDS` within a
    generation: publishing starts a new one, at once wherever the cache is shared (Redis); with
    local memory another server process sees the new version within those seconds.

    Not in the cache, it is read with the round as the report reads it (`with_publications`),
    and the round is kept on `request` for the view (`reports.views._report`): no query more."""
    from reports.queries.rows import keep_publications, report_rounds

    key = f"reports:current:{generation()}:{round_slug}"
    found = cache.get(key)
    if found is None:
        survey_round = report_rounds(SurveyRound.objects.filter(slug=round_slug)).first()
        found = NOT_PUBLISHED
        if survey_round is not None:
            keep_publications(survey_round)
            if request is not None:
                request.report_round = survey_round
            current = list(survey_round.publications.all())[-1:]
            if survey_round.state == RoundState.PUBLISHED and current:
                found = (current[0].pk, current[0].version)
        cache.set(key, found, VERSION_SECONDS)
    return None if found == NOT_PUBLISHED else tuple(found)


def cache_key(request, view_name: str, publication: tuple[int, int], kwargs: dict) -> str:
    query = urlencode(sorted((k, v) for k, values in request.GET.lists() for v in values))
    where = f"{view_name}|{sorted(kwargs.items())}|{query}|{request.method == 'HEAD'}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    pk, version = publication
    return f"reports:page:{generation()}:{kwargs.get('round_slug')}:{pk}:v{version}:{digest}"


def _from_cache(entry) -> HttpResponse:
    status, headers, content = entry
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


def _stored(key, response):
    """The response, and it kept in the cache as it goes out (a streamed download as it
    streams, kept once it has all gone); as it is with a cache that keeps nothing (a download
    is then not held in memory to be thrown away)."""
    if isinstance(caches["default"], DummyCache):
        return response
    headers = list(response.headers.items())
    if isinstance(response, StreamingHttpResponse):
        chunks = response.streaming_content

        def keeping():
            kept, size = [], 0
            for chunk in chunks:
                size += len(chunk)
                if size <= MAX_BYTES:
                    kept.append(chunk)
                yield chunk
            if size <= MAX_BYTES:
                cache.set(key, (response.status_code, headers, b"".join(kept)), timeout())

        response.streaming_content = keeping()
    elif len(response.content) <= MAX_BYTES:
        cache.set(key, (response.status_code, headers, response.content), timeout())
    return response


def cached_when_published(*, download: bool = False, export_log: str | None = None):
    """Serve the view's response from the cache when its round is published (see the module's
    docstring). `download`: the response has no page layout, so every reader shares it.
    `export_log`: the file named in the security log's export event, which the view logs
    itself when it runs ("{name}.csv", from the view's arguments), logged on a cache hit too."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            shared = download or not (
                request.user.is_authenticated or MESSAGES_COOKIE in request.COOKIES
            )
            if request.method not in ("GET", "HEAD") or not shared or args:
                return view(request, *args, **kwargs)
            # From the read replica, when there is one (the version it has, and its pages).
            with reading_published_reports():
                publication = published_version(kwargs.get("round_slug", ""), request)
                if publication is not None:
                    return cached(request, kwargs, publication)
            return view(request, **kwargs)

        def cached(request, kwargs, publication):
            key = cache_key(request, view.__name__, publication, kwargs)
            entry = cache.get(key)
            if entry is not None:
                if export_log:
                    log_event(
                        "export",
                        request,
                        round=kwargs["round_slug"],
                        file=export_log.format(**kwargs),
                    )
                return _from_cache(entry)
            response = view(request, **kwargs)
            # A page with a form's CSRF token is this reader's own (the token goes with their
            # cookie): not kept.
            if (
                response.status_code != 200
                or response.cookies
                or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            ):
                return response
            return _stored(key, response)

        return wrapper

    return decorate
