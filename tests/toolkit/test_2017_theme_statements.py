"""Tables 1 and 2 of the 2017 report as the 2017 round's theme statements: each benefit and
barrier with its theme, as printed, in the tables' order, and none of them a borough's."""

import re
from pathlib import Path

import pytest
from django.apps import apps

from reports.loading import load_theme_statements
from reports.models import ThemeStatement
from toolkit.choices import Kind, Theme

pytestmark = pytest.mark.django_db

REPORT = Path(__file__).resolve().parents[2] / "fixtures" / "2017" / "source"


def _report_text() -> str:
    text = " ".join(next(REPORT.glob("*.txt")).read_text(encoding="utf-8").split())
    # Table 1 runs over a page break: the page's running header is not the table's words.
    return re.sub(r"PCMH version 1 September 2017 Healthy London Partnership \d+ ", "", text)


def test_the_2017_round_has_each_table_statement_under_its_theme_as_printed(round_2017):
    statements = list(ThemeStatement.objects.filter(survey_round=round_2017))
    benefits = [s for s in statements if s.kind == Kind.BENEFIT]
    barriers = [s for s in statements if s.kind == Kind.BARRIER]
    text = _report_text()
    table_1 = text[text.index("Table 1 Potential Benefits") : text.index("Table 2 Potential")]
    table_2 = text[text.index("Table 2 Potential Barriers") : text.index("Section 2 NORTH")]
    for statement in benefits:
        assert statement.text in table_1
    for statement in barriers:
        assert statement.text in table_2
    # In the tables' order: each statement after the one before it.
    for table, found in ((table_1, benefits), (table_2, barriers)):
        places = [table.index(s.text) for s in found]
        assert places == sorted(places)
    # The themes in the order the tables print their headings.
    assert [s.theme for s in benefits][0] == Theme.INTEGRATION
    assert {s.theme for s in barriers} == set(Theme.values)
    assert {s.theme for s in benefits} == set(Theme.values) - {
        Theme.SUSTAINABILITY,
        Theme.OUTCOME_MEASURES,
    }


def test_loading_again_adds_nothing(round_2017):
    before = ThemeStatement.objects.filter(survey_round=round_2017).count()
    assert load_theme_statements(apps) == 0
    assert ThemeStatement.objects.filter(survey_round=round_2017).count() == before > 0
