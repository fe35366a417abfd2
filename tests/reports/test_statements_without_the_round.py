"""Loading the 2017 report's statements and aims when the database has no 2017 round (a module
of its own: the round, once a module's test loads it, stays for the module's later tests)."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from reports.loading import load_statements_and_aims

pytestmark = pytest.mark.django_db


def test_without_the_2017_round_nothing_is_loaded():
    assert load_statements_and_aims(apps) is None
    with pytest.raises(CommandError, match="There is no 2017 round"):
        call_command("load_2017_statements_and_aims", stdout=StringIO())
