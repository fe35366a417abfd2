import os
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from boroughs.models import STEERING_GROUP, Borough, BoroughMembership, ReviewerStp, Stp
from tests.helpers.round_2017 import load_2017_round

# A marker whose tests need something the machine may lack: the fixture that skips them
# without it, with the reason shown (or fails them, when CI sets the fixture's *_REQUIRED).
REQUIREMENTS = {
    "postgres": "_require_postgres",
    "e2e": "_require_browser",
    "deploy": "_require_servers",
}


def pytest_collection_modifyitems(config, items):
    """Postgres-only, browser and deployment tests skip with a reason, or fail when CI
    requires them."""
    for item in items:
        for marker, fixture in REQUIREMENTS.items():
            if marker in item.keywords:
                item.fixturenames.append(fixture)


def skip_or_fail(reason: str, *, required_by: str):
    """Skip a test that cannot run here, saying why; fail it instead when the environment
    variable `required_by` is 1 (CI sets POSTGRES_REQUIRED, E2E_REQUIRED, DEPLOY_REQUIRED)."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{required_by}=1 but the test cannot run: {reason}")
    pytest.skip(reason)


BROWSER_TESTS = "tests/e2e/"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (as `make test` runs it), except that each browser test is a unit of its
    own, handed out before the modules: a module stays on one worker, so that the 2017 round its
    module-scoped fixture loads is loaded once, while the browser tests, the longest and with no
    module fixture, spread over the workers first and the short modules fill in after them."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserTestsFirst(LoadFileScheduling):
        def _split_scope(self, nodeid):
            if nodeid.startswith(BROWSER_TESTS):
                return nodeid
            return super()._split_scope(nodeid)

        def _assign_work_unit(self, node):
            browser = next((s for s in self.workqueue if s.startswith(BROWSER_TESTS)), None)
            if browser:
                self.workqueue.move_to_end(browser, last=False)
            super()._assign_work_unit(node)

    return BrowserTestsFirst(config, log)


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
    importlib.import_module("boroughs.migrations.0004_london_region").create_london(apps, None)
    importlib.import_module("surveys.migrations.0002_steering_group").create_group(apps, None)
    importlib.import_module("surveys.migrations.0003_steering_group_rounds").grant(apps, None)
    importlib.import_module("reports.migrations.0002_steering_group").grant(apps, None)
    importlib.import_module("boroughs.migrations.0006_steering_group_reads_regions").grant(
        apps, None
    )
    importlib.import_module("toolkit.migrations.0002_first_toolkit").load(apps, None)


# The rows the migrations made, as Django serialized them when it made the test database, and
# what they look like (primary keys included), to tell whether the database still has them.
_migrated = {"contents": None, "marker": None}


def _marker():
    from django.contrib.contenttypes.models import ContentType

    return (
        tuple(ContentType.objects.order_by("pk").values_list("pk", "app_label", "model")[:3]),
        tuple(Group.objects.order_by("pk").values_list("pk", "name")),
        tuple(Borough.objects.order_by("pk").values_list("pk", "slug")[:3]),
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _migrated.update(
            contents=getattr(connection, "_test_serialized_contents", None), marker=_marker()
        )


def restore_migrated_rows():
    """Put back the rows the migrations made, with the same primary keys, unless they are there.

    A transactional test ends with a flush of every table. With `serialized_rollback` Django puts
    the rows back at the start of the next such test, but not after a test that drove the browser
    (the flush then runs the post-migrate handlers and new content types are made), and the 2017
    round is loaded on the rows of the register as they were (tests/helpers/round_2017.py).
    """
    from django.core.management.color import no_style

    if _marker() == _migrated["marker"]:
        return
    if _migrated["contents"]:
        # Emptied as TransactionTestCase empties it: the sequences go on from where they were.
        tables = connection.introspection.django_table_names(only_existing=True)
        connection.ops.execute_sql_flush(
            connection.ops.sql_flush(no_style(), tables, reset_sequences=False)
        )
        connection.creation.deserialize_db_from_string(_migrated["contents"])
    ensure_reference_data()


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(item.fixturenames)
    )


def _uses_db(item) -> bool:
    return item.get_closest_marker("django_db") is not None or "db" in item.fixturenames


# A transactional test empties every table when it ends. pytest-django runs them after the other
# database tests; under xdist a worker may go on to another module's tests after one.
_flushed = {"since_restore": False, "blocker": None}


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request, django_db_blocker):
    if _transactional(request.node):
        if connection.in_atomic_block:
            pytest.fail(
                "a transactional test cannot run inside the 2017 round's module transaction: "
                "give it round_2017_committed, in a module whose tests do not use round_2017"
            )
        request.getfixturevalue("transactional_db")
        restore_migrated_rows()
        _flushed.update(since_restore=True, blocker=django_db_blocker)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the flush that ends a transactional test, put back the rows the migrations made
    when the next test on this worker is a database test. A transactional one with
    `serialized_rollback` would otherwise load them over the content types that the flush made
    anew (other ids, the same names)."""
    result = yield
    if _flushed["since_restore"] and nextitem is not None and _uses_db(nextitem):
        with _flushed["blocker"].unblock():
            restore_migrated_rows()
        _flushed["since_restore"] = False
    return result


@pytest.fixture
def _require_postgres():
    if connection.vendor != "postgresql":
        skip_or_fail(
            f"needs PostgreSQL (set DATABASE_URL=postgres://...), not {connection.vendor}",
            required_by="POSTGRES_REQUIRED",
        )


@pytest.fixture
def _require_browser():
    if not os.path.exists("/usr/bin/chromium"):
        skip_or_fail(
            "needs Debian's chromium at /usr/bin/chromium (make test installs it as root)",
            required_by="E2E_REQUIRED",
        )


@pytest.fixture
def _require_servers():
    """What the deployment tests start servers on: PostgreSQL (DATABASE_URL's server) and
    Redis (REDIS_URL, or the machine's own on 127.0.0.1:6379)."""
    from tests.helpers.servers import postgres_server_url, redis_url, unreachable

    missing = unreachable(postgres_server_url(), redis_url())
    if missing:
        skip_or_fail(f"needs {' and '.join(missing)}", required_by="DEPLOY_REQUIRED")


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


@pytest.fixture(autouse=True)
def _published_pages_cached_afresh():
    """Each test starts with none of the report pages an earlier test had cached."""
    from reports.cache import new_generation

    new_generation()


@pytest.fixture(autouse=True)
def _every_email_has_an_absolute_link(request):
    """Whatever a test makes the service send, each e-mail links to the page it is about with an
    absolute address a recipient can open from their mail (tests/surveys/test_emails.py opens
    them)."""
    yield
    from django.core import mail

    for message in getattr(mail, "outbox", []):
        assert re.search(r"https?://[^\s/]+/\S*", message.body), (
            f"an e-mail without an absolute link: {message.subject!r}"
        )
