"""With DATABASE_REPLICA_URL, the published reports computed for the cache read the service's
data from the replica; sessions, users, writes and migrations stay on the primary."""

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session

from pcmh.db_router import ReplicaRouter, reading_published_reports
from reports.models import PublishedStatement
from surveys.models import Publication, ScopingReturn

router = ReplicaRouter()


@pytest.fixture
def replica(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, "replica", dict(settings.DATABASES["default"]))


def test_published_reports_read_the_service_data_from_the_replica(replica):
    with reading_published_reports():
        for model in (ScopingReturn, Publication, PublishedStatement):
            assert router.db_for_read(model) == "replica", model
        for model in (User, Session):
            assert router.db_for_read(model) is None, model
        assert router.db_for_write(ScopingReturn) == "default"
    assert router.db_for_read(ScopingReturn) is None  # anything else: the primary


def test_without_a_replica_everything_reads_the_primary():
    assert "replica" not in settings.DATABASES
    with reading_published_reports():
        assert router.db_for_read(ScopingReturn) is None


def test_migrations_run_on_the_primary_only(replica):
    assert router.allow_migrate("default", "surveys")
    assert not router.allow_migrate("replica", "surveys")
