import os

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from boroughs.models import STEERING_GROUP, Borough, BoroughMembership, ReviewerStp, Stp
from tests.helpers.round_2017 import load_2017_round


def pytest_collection_modifyitems(config, items):
    """Postgres-only and browser tests skip with a reason, or fail when CI requires them."""
    for item in items:
        if "postgres" in item.keywords:
            item.fixturenames.append("_require_postgres")
        if "e2e" in item.keywords:
            item.fixturenames.append("_require_browser")


def ensure_reference_data():
    """Recreate what the data migrations load (register, steering group) after a flush.

    Transactional tests (live server, threads) end with a flush of every table; the data that
    migrations created must then be put back for the tests that follow.
    """
    import importlib

    from django.apps import apps

    if Borough.objects.exists():
        return
    importlib.import_module("boroughs.migrations.0002_register").create_register(apps, None)
    importlib.import_module("surveys.migrations.0002_steering_group").create_group(apps, None)
    importlib.import_module("surveys.migrations.0003_steering_group_rounds").grant(apps, None)


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    if _transactional(request):
        if connection.in_atomic_block:
            pytest.fail(
                "a transactional test cannot run inside the 2017 round's module transaction: "
                "give it round_2017_committed, in a module whose tests do not use round_2017"
            )
        request.getfixturevalue("transactional_db")
        ensure_reference_data()


@pytest.fixture
def _require_postgres():
    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL (set DATABASE_URL=postgres://...)"
        if os.environ.get("POSTGRES_REQUIRED") == "1":
            pytest.fail(f"POSTGRES_REQUIRED=1 but the test database is {connection.vendor}")
        pytest.skip(reason)


@pytest.fixture
def _require_browser():
    if not os.path.exists("/usr/bin/chromium"):
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail("E2E_REQUIRED=1 but /usr/bin/chromium is missing")
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (make test installs it as root)")


@pytest.fixture
def password():
    return "a-long-test-password-2017"


@pytest.fixture
def make_user(django_user_model, password):
    def make(username, *, boroughs=(), steering=False, stps=(), superuser=False, **extra):
        user = django_user_model.objects.create_user(
            username=username,
            password=password,
            email=f"{username}@example.org",
            is_staff=steering or superuser,
            is_superuser=superuser,
            **extra,
        )
        for borough in boroughs:
            BoroughMembership.objects.create(user=user, borough=borough)
        if steering:
            user.groups.add(Group.objects.get(name=STEERING_GROUP))
        for stp in stps:
            ReviewerStp.objects.create(user=user, stp=stp)
        return user

    return make


@pytest.fixture
def camden(db):
    return Borough.objects.get(slug="camden")


@pytest.fixture
def croydon(db):
    return Borough.objects.get(slug="croydon")


@pytest.fixture
def lead(make_user, camden):
    return make_user("lead-a", boroughs=[camden])


@pytest.fixture
def other_lead(make_user, croydon):
    return make_user("lead-b", boroughs=[croydon])


@pytest.fixture
def reviewer(make_user):
    return make_user("reviewer", steering=True)


@pytest.fixture
def limited_reviewer(make_user):
    return make_user(
        "reviewer-ncl", steering=True, stps=[Stp.objects.get(slug="north-central-london")]
    )


@pytest.fixture
def superuser(make_user):
    return make_user("admin", superuser=True)


@pytest.fixture(scope="module")
def _loaded_2017(django_db_setup, django_db_blocker):
    """The 2017 round, loaded once per test module inside a transaction rolled back at its end;
    each test runs in a savepoint of it, so what a test changes is undone after it.

    Once a test of a module asks for `round_2017`, the round stays loaded for the module's later
    tests: put tests that need it absent, and transactional tests, in another module.
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        load_2017_round()
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def round_2017(_loaded_2017, db):
    """The 2017 round, loaded as `make run` loads it (only for tests of 2017 figures)."""
    from surveys.models import SurveyRound

    return SurveyRound.objects.get(slug="2017")


@pytest.fixture
def round_2017_committed(transactional_db):
    """The 2017 round for a transactional test (live server, threads): loaded and committed for
    the one test, and removed by the flush that ends it."""
    from surveys.models import SurveyRound

    load_2017_round()
    return SurveyRound.objects.get(slug="2017")
