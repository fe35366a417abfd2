"""Site-wide middleware: a friendly page when the database cannot be reached."""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.template.response import SimpleTemplateResponse

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
