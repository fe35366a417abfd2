"""A read replica for published reports (optional: `DATABASE_REPLICA_URL`).

While `reading_published_reports()` is in effect (reports/cache.py computing a published
round's page or download for the cache), reads of the service's own data go to the `replica`
database when one is configured; sessions, users and every write stay on the primary. A
published report reads frozen copies, so a replica a few seconds behind shows the version it
has, and the cache keys that page by the version the replica read.
"""

import contextlib
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
SERVICE_APPS = frozenset({"boroughs", "surveys", "reports", "toolkit"})
_reading_reports: ContextVar[bool] = ContextVar("reading_published_reports", default=False)


@contextlib.contextmanager
def reading_published_reports():
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (
            _reading_reports.get()
            and REPLICA in settings.DATABASES
            and model._meta.app_label in SERVICE_APPS
        ):
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows: one database, read in two places

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica follows the primary's schema by replication
