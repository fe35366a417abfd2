"""The downloads: tables.csv, the data files, their dictionary, the workbook and the JSON."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from reports import queries
from reports.exports import EXPORT_FILES
from surveys.choices import ReturnState, RoundState
from surveys.models import CareRole, Contact, FundingLine, ScopingReturn
from tests.factories import SurveyRoundFactory, complete_return
from tests.reports.helpers import body, csv_rows, label_of

pytestmark = pytest.mark.django_db

# tables.csv: the appendix's columns as they have always been, then the words beside each
# classified column.
TABLES_HEADER = (
    "stp,borough,status,model,scope,shared_it,outcome_measures,training,"
    "medicines_management,recurrent_funding"
)
NOTE_COLUMNS = (
    "scope_note,shared_it_note,outcome_measures_note,training_note,medicines_management_note,"
    "recurrent_funding_note"
)
FORMULA = '=HYPERLINK("http://example.org","click")'


def test_tables_csv_has_the_exact_header_and_a_row_per_borough_in_report_order(client, round_2017):
    response = client.get(reverse("reports:tables_csv", args=["2017"]))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pcmh-2017-tables.csv"'
    text = body(response).decode("utf-8")
    assert text.splitlines()[0] == f"{TABLES_HEADER},{NOTE_COLUMNS}"
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) == 32
    assert [row[0] for row in rows[:8]] == ["North West London"] * 8
    assert rows[0][:3] == ["North West London", "Brent", "Pilot"]
    statuses = {row[2] for row in rows}
    assert statuses == {"Established", "Pilot", "Planned", "Not applicable"}
    assert {row[4] for row in rows} <= {"SMI", "SMI+", "Not stated", "Not applicable"}
    answers = {"Yes", "No", "Planned", "Not stated", "Not applicable"}
    assert {cell for row in rows for cell in row[5:10]} <= answers


def test_tables_csv_gives_the_appendix_cells_words_in_its_note_columns(client, round_2017):
    """The appendix's cells as the report prints them, beside their classification."""
    rows = csv_rows(client.get(reverse("reports:tables_csv", args=["2017"])))
    header, rows = rows[0], {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert header[:10] == TABLES_HEADER.split(",")
    assert header[10:] == NOTE_COLUMNS.split(",")
    for borough, column, label, words in [
        ("Harrow", "recurrent_funding", "Yes", "Yes - funding secured 2017/2018"),
        ("West London", "scope", "SMI+", "SMI+ 16yrs+"),
        ("Islington", "scope", "SMI+", "SMI+ 17.5yrs+"),
        ("Waltham Forest", "shared_it", "Yes", "Yes (team will share GP system)"),
        ("Hammersmith & Fulham", "shared_it", "Yes", "Yes SystmOne"),
        ("Richmond", "training", "No", "No (but some mental health training provided via "
         "trust specialists)"),
        ("Kingston", "medicines_management", "No", "No (planning antipsychotic depot via "
         "primary care team)"),
        ("Bromley", "shared_it", "Planned", "Planning phase"),
        ("Brent", "outcome_measures", "Planned", "Planned - Currently under development"),
    ]:  # fmt: skip
        row = next(r for name, r in rows.items() if name.startswith(borough))
        assert (row[column], row[f"{column}_note"]) == (label, words), (borough, column)
    # A cell with no words beside its classification has an empty note.
    central = next(r for name, r in rows.items() if name.startswith("Central London"))
    assert all(central[name] == "" for name in NOTE_COLUMNS.split(","))


def test_tables_csv_matches_the_stp_tables(client, round_2017):
    from tests.reports.helpers import page

    csv_body = csv_rows(client.get(reverse("reports:tables_csv", args=["2017"])))
    header, csv_body = csv_body[0], csv_body[1:]
    parsed = page(client.get(reverse("reports:stp_tables", args=["2017"])))
    html_rows = [
        row
        for t in parsed.tables
        if t["caption"].endswith("summary of the boroughs' returns")
        for row in t["rows"][1:]
    ]
    labels = [[row[0], *(label_of(cell) for cell in row[1:])] for row in html_rows]
    assert [row[1:10] for row in csv_body] == labels
    # Each note is shown under its classification.
    for csv_row, html_row in zip(csv_body, html_rows, strict=True):
        for name, note in zip(header[10:], csv_row[10:], strict=True):
            cell = html_row[header.index(name.removesuffix("_note")) - 1]
            assert (note in cell) if note else "In the return's words" not in cell, (name, note)


def test_a_borough_with_no_counted_return_gets_a_no_return_row(client, round_2017):
    # In the published report's copy too: what the report counts.
    ScopingReturn.all_rows.filter(borough__slug="bexley").update(state=ReturnState.SUBMITTED)
    rows = csv_rows(client.get(reverse("reports:tables_csv", args=["2017"])))[1:]
    bexley = next(row for row in rows if row[1] == "Bexley")
    assert bexley[2] == "No return"
    assert len(rows) == 32


def test_returns_csv_has_every_counted_return_and_the_child_files_their_rows(client, round_2017):
    returns = csv_rows(client.get(reverse("reports:data_csv", args=["2017", "returns"])))
    assert len(returns) - 1 == 32
    header = returns[0]
    assert header[:2] == ["round", "borough"]
    for name in ("status", "service_form", "current_situation", "min_age", "funding_notes"):
        assert name in header
    islington = next(row for row in returns if row[1] == "islington")
    assert islington[header.index("min_age")] == "17.5"
    roles = csv_rows(client.get(reverse("reports:data_csv", args=["2017", "care_roles"])))
    assert len(roles) - 1 == CareRole.objects.count()
    contacts = csv_rows(client.get(reverse("reports:data_csv", args=["2017", "contacts"])))
    assert len(contacts) - 1 == Contact.objects.count()
    assert client.get("/reports/2017/nothing.csv").status_code == 404


def test_the_data_dictionary_lists_exactly_the_columns_of_each_file(client, round_2017):
    dictionary = csv_rows(client.get(reverse("reports:data_dictionary", args=["2017"])))
    assert dictionary[0] == ["column", "meaning", "type", "allowed_values", "file"]
    for name in ("returns", "care_roles", "contacts", "outcome_measures", "funding_lines"):
        header = csv_rows(client.get(reverse("reports:data_csv", args=["2017", name])))[0]
        described = [row[0] for row in dictionary[1:] if row[4] == f"{name}.csv"]
        assert described == header, name
    tables_header = csv_rows(client.get(reverse("reports:tables_csv", args=["2017"])))[0]
    assert [row[0] for row in dictionary[1:] if row[4] == "tables.csv"] == tables_header
    meanings = {(row[4], row[0]): row for row in dictionary[1:]}
    assert "yes (Yes)" in meanings[("returns.csv", "training")][3]
    assert all(row[1] and row[2] for row in dictionary[1:])


@pytest.fixture
def formula_round(camden):
    """A published round whose one accepted return carries formulas in its text fields."""
    survey_round = SurveyRoundFactory(state=RoundState.PUBLISHED, slug="formula")
    scoping_return = complete_return(
        survey_round=survey_round,
        borough=camden,
        state=ReturnState.ACCEPTED,
        service_form=FORMULA,
        current_situation="+1+1",
    )
    CareRole.objects.create(scoping_return=scoping_return, role="gp_lead", notes="@SUM(A1:A2)")
    Contact.objects.filter(scoping_return=scoping_return).update(name="-2+3")
    return survey_round


def test_a_formula_in_a_field_is_escaped_in_every_csv(client, formula_round):
    files = {
        "tables.csv": reverse("reports:tables_csv", args=["formula"]),
        "data-dictionary.csv": reverse("reports:data_dictionary", args=["formula"]),
        **{
            f"{name}.csv": reverse("reports:data_csv", args=["formula", name])
            for name in EXPORT_FILES
        },
    }
    escaped = {"tables.csv": [FORMULA], "returns.csv": [FORMULA, "+1+1"]}
    escaped |= {"care_roles.csv": ["@SUM(A1:A2)"], "contacts.csv": ["-2+3"]}
    for filename, url in files.items():
        cells = [cell for row in csv_rows(client.get(url)) for cell in row]
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), filename
        for value in escaped.get(filename, []):
            assert "'" + value in cells, (filename, value)


def test_the_workbook_holds_every_file_with_formulas_escaped(client, formula_round):
    response = client.get(reverse("reports:returns_xlsx", args=["formula"]))
    assert response["Content-Disposition"] == 'attachment; filename="pcmh-formula-returns.xlsx"'
    workbook = load_workbook(io.BytesIO(body(response)))
    assert {"tables", "returns", "care_roles", "contacts", "data dictionary"} <= set(
        workbook.sheetnames
    )
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
    returns = workbook["returns"]
    header = [cell.value for cell in returns[1]]
    assert returns.cell(2, header.index("service_form") + 1).value == "'" + FORMULA


def test_summary_json_of_a_published_round_is_not_provisional(client, formula_round):
    data = client.get(reverse("reports:summary_json", args=["formula"])).json()
    assert data["provisional"] is False and data["counted"] == 1


# Values a spreadsheet or a CSV reader could take for something else, in every kind of column.
AWKWARD_TEXT = {
    "service_name": "=1+1",
    "status_note": "+44",
    "model_other": "-5",
    "scope_note": "@x",
    "training_note": "'=already marked",
    "current_situation": 'She said "yes, at once",\nthen "no"',
    "co_production": "\ttabbed",
    "aims": "\rcarriage return, then text",
    "service_form": "Plain, with a comma",
    "model_description": "\x01=HIDDEN()",  # a control character, which XLSX cannot hold
}


def expected_cell(value) -> str:
    """A CSV cell as the export rules give it, worked out here on their own: codes and text as
    stored, decimals without trailing zeros, yes/no, UTC date and time; then a mark before
    anything a spreadsheet would read as a formula (or before the mark itself)."""
    if value is None:
        text = ""
    elif value is True or value is False:
        text = "yes" if value else "no"
    elif isinstance(value, Decimal):
        text = format(value.normalize(), "f")
    elif isinstance(value, datetime.datetime):
        text = value.astimezone(datetime.UTC).isoformat(timespec="seconds")
    else:
        text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r", "'")) else text


@pytest.fixture
def awkward_round(camden, croydon):
    """A published round of two accepted returns: one with awkward text in its fields, empty
    ages and times, and child rows with decimals, yes/no and empty values; one plain."""
    survey_round = SurveyRoundFactory(state=RoundState.PUBLISHED, slug="awkward")
    awkward = complete_return(
        survey_round=survey_round,
        borough=camden,
        state=ReturnState.ACCEPTED,
        min_age=Decimal("17.5"),
        max_age=Decimal("65.0"),
        submitted_at=datetime.datetime(2027, 1, 22, 9, 5, 7, 123456, tzinfo=datetime.UTC),
        accepted_at=datetime.datetime(
            2027, 7, 1, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
        ),
        **AWKWARD_TEXT,
    )
    complete_return(survey_round=survey_round, borough=croydon, state=ReturnState.ACCEPTED)
    for wte, is_new, notes in [
        (Decimal("1.50"), True, "=SUM(A1:A2)"),
        (Decimal("2.00"), False, 'a "quoted", two-line\r\nnote'),
        (None, None, ""),
    ]:
        CareRole.objects.create(
            scoping_return=awkward, role="gp_lead", wte=wte, is_new=is_new, notes=notes
        )
    for amount, recurrent in [(Decimal("650000.00"), True), (Decimal("0.10"), None)]:
        FundingLine.objects.create(
            scoping_return=awkward, amount=amount, recurrent=recurrent, source="-NHS"
        )
    return survey_round


def test_every_data_csv_is_exactly_its_values_as_the_export_rules_give_them(client, awkward_round):
    """Each data file, byte for byte: the header, then each row's values, each cell as the
    export rules give it, written with Python's csv module."""
    report = queries.report_for(awkward_round, None)
    for name, export in EXPORT_FILES.items():
        values = export.queryset(report).values_list(*(c.source for c in export.columns))
        expected = io.StringIO()
        writer = csv.writer(expected)
        writer.writerow(export.header)
        writer.writerows([expected_cell(value) for value in row] for row in values)
        response = client.get(reverse("reports:data_csv", args=["awkward", name]))
        assert body(response).decode("utf-8") == expected.getvalue(), name

    returns = csv_rows(client.get(reverse("reports:data_csv", args=["awkward", "returns"])))
    camden = dict(zip(returns[0], next(row for row in returns if row[1] == "camden"), strict=True))
    for field, text in AWKWARD_TEXT.items():
        marked = text.startswith(("=", "+", "-", "@", "\t", "\r", "'"))
        assert camden[field] == ("'" + text if marked else text), field
    assert (camden["min_age"], camden["max_age"]) == ("17.5", "65")
    assert camden["submitted_at"] == "2027-01-22T09:05:07+00:00"
    assert camden["accepted_at"] == "2027-07-01T22:30:00+00:00"
    croydon = dict(
        zip(returns[0], next(row for row in returns if row[1] == "croydon"), strict=True)
    )
    assert (croydon["min_age"], croydon["scope_note"], croydon["accepted_at"]) == ("", "", "")
    roles = csv_rows(client.get(reverse("reports:data_csv", args=["awkward", "care_roles"])))
    header = roles[0]
    cells = [(row[header.index("wte")], row[header.index("is_new")]) for row in roles[1:]]
    assert cells == [("1.5", "yes"), ("2", "no"), ("", "")]
    assert [row[header.index("notes")] for row in roles[1:]] == [
        "'=SUM(A1:A2)",
        'a "quoted", two-line\r\nnote',
        "",
    ]
    lines = csv_rows(client.get(reverse("reports:data_csv", args=["awkward", "funding_lines"])))
    header = lines[0]
    assert [
        [row[header.index(name)] for name in ("amount", "recurrent", "source")] for row in lines[1:]
    ] == [["650000", "yes", "'-NHS"], ["0.1", "", "'-NHS"]]


def test_the_workbook_has_the_awkward_values_as_the_export_rules_give_them(client, awkward_round):
    """returns.xlsx: numbers as numbers; every other value the CSV's text."""
    workbook = load_workbook(
        io.BytesIO(body(client.get(reverse("reports:returns_xlsx", args=["awkward"]))))
    )
    returns = [[cell.value for cell in row] for row in workbook["returns"].iter_rows()]
    camden = dict(zip(returns[0], next(row for row in returns if row[1] == "camden"), strict=True))
    for field, text in AWKWARD_TEXT.items():
        # Without the control characters XML cannot hold; a carriage return kept (openpyxl
        # writes through lxml, which escapes it, so it is not read back as a line feed).
        text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
        assert camden[field] == expected_cell(text), field
    assert (camden["min_age"], camden["max_age"]) == (17.5, 65)
    assert camden["submitted_at"] == "2027-01-22T09:05:07+00:00"
    roles = [[cell.value for cell in row] for row in workbook["care_roles"].iter_rows()]
    header = roles[0]
    assert [(row[header.index("wte")], row[header.index("is_new")]) for row in roles[1:]] == [
        (1.5, "yes"),
        (2, "no"),
        (None, None),
    ]
    assert roles[1][header.index("notes")] == "'=SUM(A1:A2)"
