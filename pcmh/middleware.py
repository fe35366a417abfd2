"""Site-wide middleware: a friendly page when the database cannot be reached; a 400 page for
a query string no page can take; the session's idle timeout, refreshed without a write on
every request."""

import logging
import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import BadRequest
from django.db import DatabaseError, InterfaceError, OperationalError
from django.dispatch import receiver
from django.template.response import SimpleTemplateResponse
from django.utils.deprecation import MiddlewareMixin

logger = logging.getLogger("pcmh.security")


class DatabaseUnavailableMiddleware:
    """Answer 503 with the site's own page when Postgres is unreachable, never a stack trace.

    Django's `CONN_HEALTH_CHECKS` then makes the next request open a fresh connection, so the
    site recovers by itself once the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError) or (
            isinstance(exception, DatabaseError) and "connection" in str(exception).lower()
        ):
            logger.error("database unavailable path=%s error=%s", request.path, exception)
            response = SimpleTemplateResponse("503.html", {"request": request}, status=503)
            response["Retry-After"] = "30"
            return response.render()
        return None


class RefuseBadQueryMiddleware:
    """Answer 400, for every page at once, to a query string no page can take:

    - a NUL character anywhere: PostgreSQL refuses it in any text it is given (a filter, a
      search, a lookup), which would otherwise be a server error (form fields refuse one in
      their own words);
    - the admin's `_to_field` given empty: Django 5.2's change and delete pages then look up a
      field named "" and fail with a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("A NUL character in the query string.")
        if request.GET.get("_to_field", None) == "":
            raise BadRequest("An empty _to_field.")
        return self.get_response(request)


IDLE_REFRESHED = "_idle_refreshed"  # when the session's idle time last started again (epoch s)


def refresh_interval() -> int:
    """How often a signed-in user's requests start the idle time again: once a minute (or a
    tenth of the idle time, if that is shorter)."""
    return max(1, min(60, settings.SESSION_COOKIE_AGE // 10))


def refresh_idle_timeout(request, *, force: bool = False) -> None:
    """Start the session's idle time again (the session is saved with a new expiry), unless it
    was started less than `refresh_interval()` ago; `force`: whatever the time (keep-alive)."""
    now = int(time.time())
    last = request.session.get(IDLE_REFRESHED, 0)
    if force or now - last >= refresh_interval():
        request.session[IDLE_REFRESHED] = now


def seconds_left(request) -> int:
    """The seconds until a signed-in session ends if nothing else happens (the page's timeout
    warning counts them down)."""
    last = request.session.get(IDLE_REFRESHED, int(time.time()))
    return max(0, settings.SESSION_COOKIE_AGE - (int(time.time()) - last))


@receiver(user_logged_in)
def _idle_time_starts_at_sign_in(sender, request, user, **kwargs):
    """Signing in saves the session: its idle time starts then, not again on the next page."""
    if request is not None and hasattr(request, "session"):
        refresh_idle_timeout(request, force=True)


class IdleTimeoutMiddleware(MiddlewareMixin):
    """The session's age is an idle timeout: a signed-in user's request starts it again, at
    most once a minute, so that a request that changes nothing writes nothing (Django's
    SESSION_SAVE_EVERY_REQUEST would save the session on every one)."""

    def process_request(self, request):
        user = getattr(request, "user", None)
        # A page's own static files (served through here in development and tests) are not
        # the user's doing: they do not start the idle time again.
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(settings.STATIC_URL)
        ):
            refresh_idle_timeout(request)
