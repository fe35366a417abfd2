import os

import pytest
from django.core.management import call_command
from django.db import transaction

from surveys.models import SurveyRound


@pytest.fixture(scope="module")
def _loaded_2017(django_db_setup, django_db_blocker):
    """The 2017 round, loaded once per test module inside a transaction rolled back at its end;
    each test runs in a savepoint of it, so what a test changes is undone after it.

    Once a test of a module asks for `round_2017`, the round stays loaded for the module's later
    tests: put tests that need it absent in another module.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        call_command("load_2017_round", stdout=open(os.devnull, "w"))  # noqa: SIM115
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def round_2017(_loaded_2017, db):
    return SurveyRound.objects.get(slug="2017")
