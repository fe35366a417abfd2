"""`/healthz` for the load balancer: is this app server able to answer?

Answered by the first middleware, before any other looks at the request: the load balancer
asks over plain HTTP, by the server's own address, so the host validation (`ALLOWED_HOSTS`,
in `CommonMiddleware` and `get_host()`) and the HTTPS redirect (`SecurityMiddleware`) must not
see it. It opens no session and writes nothing to the database.
"""

import logging

from django.core.cache import caches
from django.db import connections
from django.http import HttpResponse

logger = logging.getLogger("pcmh.health")

PATHS = frozenset({"/healthz", "/healthz/"})
CACHE_KEY = "pcmh:healthz"


def failed_dependencies() -> list[str]:
    """The dependencies this server cannot reach now, by name ("database", "database replica",
    "cache"): every configured database and the default cache (with local memory, which
    cannot fail, unless CACHE_URL names a shared one)."""
    failed = []
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as error:  # whatever it is, this database is down
            logger.error("health check: database %s unavailable: %s", alias, error)
            failed.append("database" if alias == "default" else f"database {alias}")
    try:
        cache = caches["default"]
        cache.set(CACHE_KEY, "ok", 30)
        if cache.get(CACHE_KEY) != "ok":
            raise RuntimeError("the value written was not read back")
    except Exception as error:  # whatever it is, the cache is down
        logger.error("health check: cache unavailable: %s", error)
        failed.append("cache")
    return failed


def health_response() -> HttpResponse:
    failed = failed_dependencies()
    if failed:
        response = HttpResponse(
            f"unavailable: {', '.join(failed)}\n", status=503, content_type="text/plain"
        )
        response["Retry-After"] = "10"
    else:
        response = HttpResponse("ok\n", content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers `/healthz` itself; every other request passes on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in PATHS and request.method in ("GET", "HEAD"):
            return health_response()
        return self.get_response(request)
