"""Import and export in the admin: CSV and XLSX, preview then confirm, all or nothing."""

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.test import override_settings

from surveys import workflow
from surveys.choices import ReturnState
from surveys.models import FundingLine, ScopingReturn
from surveys.resources import (
    CareRoleResource,
    ContactResource,
    FundingLineResource,
    ScopingReturnResource,
)
from tests.factories import SurveyRoundFactory, complete_return
from tests.surveys.admin_helpers import (
    admin_url,
    confirm_import,
    csv_of,
    export,
    messages_of,
    rows_of,
    upload,
)

pytestmark = pytest.mark.django_db

AWKWARD_TEXT = {
    "current_situation": 'Runs in 12 practices, "hub" model;\nsecond line, with a comma.',
    "model_description": "  Leading spaces and a £ sign, café – en dash.  ",
    "aims": "-10% waiting times",
    "working_style": "@practice level",
    "min_age": Decimal("17.5"),
}


@pytest.fixture
def survey_round():
    return SurveyRoundFactory(slug="demo", name="Demo round")


@pytest.fixture
def returns(camden, croydon, survey_round):
    camden_return = complete_return(borough=camden, survey_round=survey_round, **AWKWARD_TEXT)
    FundingLine.objects.create(
        scoping_return=camden_return, amount=Decimal("350000"), financial_year="2017/18"
    )
    croydon_return = complete_return(borough=croydon, survey_round=survey_round, status="pilot")
    return camden_return, croydon_return


def preview_renaming_every_return(client):
    """Export the returns, rename every service in the file and upload it: the preview."""
    rows = rows_of(export(client, "scopingreturn", ScopingReturnResource).content.decode())
    for row in rows:
        row["service_name"] = f"Renamed {row['borough']}"
    return upload(client, "scopingreturn", csv_of(rows), "returns.csv")


def snapshot():
    return list(ScopingReturn.objects.order_by("pk").values())


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_reimported_in_dry_run_shows_no_changes(client, reviewer, returns, file_format):
    client.force_login(reviewer)
    exported = export(client, "scopingreturn", ScopingReturnResource, file_format)
    assert exported.status_code == 200
    before = snapshot()

    preview = upload(
        client, "scopingreturn", exported.content, f"returns.{file_format}", file_format
    )
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.valid_rows()] == ["skip", "skip"]
    assert snapshot() == before


def test_child_rows_exported_and_reimported_show_no_changes(client, reviewer, returns):
    client.force_login(reviewer)
    for model_name, resource in [
        ("contact", ContactResource),
        ("fundingline", FundingLineResource),
    ]:
        exported = export(client, model_name, resource)
        preview = upload(client, model_name, exported.content, "rows.csv")
        kinds = {row.import_type for row in preview.context["result"].valid_rows()}
        assert kinds == {"skip"}, model_name


def test_the_export_is_the_filtered_selection_with_the_review_state(
    client, reviewer, lead, returns
):
    camden_return, _ = returns
    workflow.submit(scoping_return=camden_return, by=lead, notify=False)
    client.force_login(reviewer)
    everything = rows_of(export(client, "scopingreturn", ScopingReturnResource).content.decode())
    assert {(r["borough"], r["state"]) for r in everything} == {
        ("camden", "submitted"),
        ("croydon", "draft"),
    }
    filtered = export(client, "scopingreturn", ScopingReturnResource, query="?state__exact=draft")
    assert [r["borough"] for r in rows_of(filtered.content.decode())] == ["croydon"]


def test_an_import_previews_the_changes_then_applies_them_as_the_importing_user(
    client, reviewer, returns
):
    camden_return, croydon_return = returns
    client.force_login(reviewer)
    rows = rows_of(export(client, "scopingreturn", ScopingReturnResource).content.decode())
    for row in rows:
        if row["borough"] == "croydon":
            row["service_name"] = "Croydon Primary Care Mental Health"
            row["training"] = "No"
    preview = upload(client, "scopingreturn", csv_of(rows), "returns.csv")
    result = preview.context["result"]
    kinds = {row.object_repr.split(" – ")[0]: row.import_type for row in result.valid_rows()}
    assert kinds == {"Camden": "skip", "Croydon": "update"}
    changed = next(row for row in result.valid_rows() if row.import_type == "update")
    assert "<ins" in "".join(changed.diff) and "Mental Health" in "".join(changed.diff)
    assert ScopingReturn.objects.get(pk=croydon_return.pk).service_name == "Primary Care Plus"

    response = confirm_import(client, "scopingreturn", preview)
    assert response.status_code == 302
    assert any(m.startswith("Import finished: 0 new, 1 updated") for m in messages_of(response))
    fresh = ScopingReturn.objects.get(pk=croydon_return.pk)
    assert (fresh.service_name, fresh.training) == ("Croydon Primary Care Mental Health", "no")
    assert fresh.version == croydon_return.version + 1
    assert fresh.history.first().history_user == reviewer
    assert ScopingReturn.objects.get(pk=camden_return.pk).version == camden_return.version


BAD_ROWS = [
    (
        "scopingreturn",
        ScopingReturnResource,
        {"service_name": "A new name"},
        {"training": "Maybe"},
        "training",
        "“Maybe” is not an answer",
    ),
    (
        "scopingreturn",
        ScopingReturnResource,
        {"service_name": "A new name"},
        {"borough": "atlantis"},
        "borough",
        "Unknown borough “atlantis”",
    ),
    (
        "fundingline",
        FundingLineResource,
        {"source": "A new source"},
        {"amount": "-5000"},
        "amount",
        "greater than or equal to 0",
    ),
]


@pytest.mark.parametrize(("model_name", "resource", "change", "bad", "column", "message"), BAD_ROWS)
def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row_and_column(
    client, reviewer, returns, model_name, resource, change, bad, column, message
):
    client.force_login(reviewer)
    rows = rows_of(export(client, model_name, resource).content.decode())
    good, broken = dict(rows[0], **change), dict(rows[0], **bad)
    before, lines_before = snapshot(), list(FundingLine.objects.values())

    preview = upload(client, model_name, csv_of([good, broken]), "bad.csv")
    result = preview.context["result"]
    assert result.has_validation_errors()
    [invalid] = result.invalid_rows
    assert invalid.number == 2 and column in invalid.error_dict
    assert message in " ".join(invalid.error_dict[column])
    assert "confirm_form" not in preview.context  # no way on to the import
    content = preview.content.decode()
    assert "Some rows failed to validate" in content and message in content
    assert snapshot() == before and list(FundingLine.objects.values()) == lines_before


def test_a_row_that_turns_bad_before_confirming_rolls_back_the_whole_file(
    client, reviewer, lead, returns
):
    camden_return, croydon_return = returns
    client.force_login(reviewer)
    preview = preview_renaming_every_return(client)
    assert "confirm_form" in preview.context
    # Camden's return is accepted between the preview and the confirmation.
    submitted = workflow.submit(scoping_return=camden_return, by=lead, notify=False)
    workflow.accept(scoping_return=submitted, by=reviewer, notify=False)
    before = snapshot()

    response = confirm_import(client, "scopingreturn", preview)
    said = " ".join(messages_of(response))
    assert (
        "Nothing was imported" in said
        and "Camden: this return has been accepted: it must be reopened" in said
    )
    assert "row 1 (line 2 of the file), borough" in said
    assert snapshot() == before
    assert ScopingReturn.objects.get(pk=croydon_return.pk).service_name == "Primary Care Plus"


FORMULAS = ["=1+1", "+1", "-2+3", "@SUM(A1:A2)", "\tTabbed", "'=already marked", "'quoted"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_cell_is_neutralised_on_export_and_restored_on_import(
    client, reviewer, camden, survey_round, formula
):
    complete_return(borough=camden, survey_round=survey_round, service_name=formula)
    client.force_login(reviewer)

    as_csv = export(client, "scopingreturn", ScopingReturnResource, "csv")
    [row] = rows_of(as_csv.content.decode())
    assert row["service_name"] == "'" + formula

    as_xlsx = export(client, "scopingreturn", ScopingReturnResource, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("service_name") + 1)
    assert cell.value == "'" + formula and cell.data_type == "s"

    for file_format, exported in [("csv", as_csv), ("xlsx", as_xlsx)]:
        preview = upload(client, "scopingreturn", exported.content, f"r.{file_format}", file_format)
        assert [r.import_type for r in preview.context["result"].valid_rows()] == ["skip"]


def test_a_return_changed_after_the_preview_is_refused_at_the_confirmation(
    client, reviewer, lead, returns
):
    """A lead's save between the reviewer's preview and confirmation is not overwritten unseen."""
    camden_return, croydon_return = returns
    client.force_login(reviewer)
    preview = preview_renaming_every_return(client)
    workflow.save_changes(
        scoping_return=croydon_return,
        version=croydon_return.version,
        by=lead,
        fields={"aims": "The lead's new aims"},
    )
    before = snapshot()

    response = confirm_import(client, "scopingreturn", preview)
    said = " ".join(messages_of(response))
    assert "Nothing was imported" in said
    assert f"Croydon's return was changed by {lead.get_username()} on" in said
    assert "after the preview" in said
    assert snapshot() == before
    assert ScopingReturn.objects.get(pk=croydon_return.pk).aims == "The lead's new aims"


def test_a_child_row_import_takes_the_returns_next_version(client, reviewer, lead, returns):
    """Importing contacts changes the return as a form save does: a lead's form opened before
    the import is then refused as stale, instead of saving over the imported rows."""
    camden_return, _ = returns
    client.force_login(reviewer)
    rows = rows_of(export(client, "contact", ContactResource).content.decode())
    camden_row = next(row for row in rows if row["borough"] == "camden")
    added = dict(camden_row, name="Dr New Contact", email="new.contact@example.org")
    preview = upload(client, "contact", csv_of([added]), "contacts.csv")
    response = confirm_import(client, "contact", preview)
    assert response.status_code == 302, messages_of(response)

    fresh = ScopingReturn.objects.get(pk=camden_return.pk)
    assert fresh.version == camden_return.version + 1
    assert fresh.contacts.filter(name="Dr New Contact").exists()
    assert fresh.history.first().history_change_reason == "Imported contacts"
    with pytest.raises(workflow.StaleVersion, match=f"changed by {reviewer.get_username()}"):
        workflow.save_changes(
            scoping_return=camden_return, version=camden_return.version, by=lead, fields={}
        )


def test_an_upload_waits_outside_every_served_folder_and_is_removed_once_confirmed(
    client, reviewer, returns
):
    from django.conf import settings

    from surveys.import_files import import_folder

    client.force_login(reviewer)
    exported = export(client, "scopingreturn", ScopingReturnResource).content
    preview = upload(client, "scopingreturn", exported, "returns.csv")
    waiting = import_folder() / preview.context["confirm_form"].initial["import_file_name"]
    assert waiting.is_file() and waiting.read_bytes().replace(b"\r\n", b"\n") == exported.replace(
        b"\r\n", b"\n"
    )
    assert not waiting.resolve().is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert not waiting.resolve().is_relative_to(Path(settings.BASE_DIR).resolve())
    confirm_import(client, "scopingreturn", preview)
    assert not waiting.exists()


def test_confirming_twice_imports_once_and_then_says_the_file_is_gone(client, reviewer, returns):
    camden_return, croydon_return = returns
    client.force_login(reviewer)
    preview = preview_renaming_every_return(client)
    assert confirm_import(client, "scopingreturn", preview).status_code == 302
    after_first = snapshot()

    again = confirm_import(client, "scopingreturn", preview)  # a second click, or a back button
    assert again.status_code == 302 and again["Location"].endswith("/import/")
    said = " ".join(messages_of(again))
    assert "Nothing was imported: the uploaded file is no longer available" in said
    assert snapshot() == after_first


def test_uploads_of_previews_never_confirmed_are_removed_after_a_day():
    import os
    import time

    from surveys.import_files import PREFIX, import_folder, remove_abandoned

    import_folder().mkdir(exist_ok=True)
    old, recent = import_folder() / f"{PREFIX}old-test", import_folder() / f"{PREFIX}recent-test"
    for path in (old, recent):
        path.write_text("round,borough")
    day_and_a_bit = time.time() - 25 * 60 * 60
    os.utime(old, (day_and_a_bit, day_and_a_bit))
    assert remove_abandoned() >= 1
    assert not old.exists() and recent.exists()
    recent.unlink()


@override_settings(IMPORT_MAX_UPLOAD_BYTES=200)
def test_an_oversized_upload_is_refused_with_a_message(client, reviewer, returns):
    client.force_login(reviewer)
    exported = export(client, "scopingreturn", ScopingReturnResource).content
    assert len(exported) > 200
    response = upload(client, "scopingreturn", exported, "returns.csv")
    assert response.status_code == 200
    assert "files over 200\xa0bytes are refused" in response.content.decode()
    assert "result" not in response.context


@pytest.mark.parametrize(
    ("file_name", "file_format", "content", "message"),
    [
        ("returns.json", "csv", b"[]", "is not a .csv or .xlsx file"),
        ("returns.xls", "xlsx", b"\xd0\xcf\x11\xe0", "is not a .csv or .xlsx file"),
        ("returns.csv", "xlsx", b"round,borough\n", "choose the CSV format"),
        ("returns.xlsx", "xlsx", b"not a zip file", "not a valid Excel (.xlsx) workbook"),
    ],
)
def test_a_file_of_another_type_is_refused_with_a_message(
    client, reviewer, returns, file_name, file_format, content, message
):
    client.force_login(reviewer)
    response = upload(client, "scopingreturn", content, file_name, file_format)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "result" not in response.context


def test_only_csv_and_xlsx_are_offered(client, reviewer):
    client.force_login(reviewer)
    page = client.get("/admin/surveys/scopingreturn/import/")
    titles = [label for value, label in page.context["form"].fields["format"].choices if value]
    assert titles == ["csv", "xlsx"]


def test_a_limited_reviewer_cannot_import_another_stps_return(
    client, reviewer, limited_reviewer, returns
):
    client.force_login(reviewer)
    rows = rows_of(export(client, "scopingreturn", ScopingReturnResource).content.decode())
    for row in rows:
        row["service_name"] = "Changed"
    client.force_login(limited_reviewer)
    preview = upload(client, "scopingreturn", csv_of(rows), "returns.csv")
    [invalid] = preview.context["result"].invalid_rows
    assert "You cannot import returns for Croydon" in invalid.error_dict["borough"]
    assert "confirm_form" not in preview.context


def test_a_lead_cannot_import_or_export(client, lead, returns):
    client.force_login(lead)
    response = upload(client, "scopingreturn", b"round,borough\n", "r.csv")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert ScopingReturn.objects.filter(state=ReturnState.DRAFT).count() == 2


# An entity that expands to 3 MB of "lol" (a billion laughs, made smaller), declared in a part
# of a workbook and used in it.
LAUGHS = "".join(
    [
        '<!DOCTYPE x [<!ENTITY lol0 "lol">',
        *(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 7)),
        "]>",
    ]
)


def _workbook_laughing_in(part: str, used_as: tuple[bytes, bytes]) -> bytes:
    """A workbook of returns (a header and one row) whose `part` declares LAUGHS and uses it in
    place of `used_as[0]`."""
    import zipfile

    book = openpyxl.Workbook()
    book.active.append(["round", "borough", "service_name"])
    book.active.append(["r2024", "camden", "Camden PCMH"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w") as bombed:
        assert part in source.namelist(), source.namelist()
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                old, new = used_as
                assert old in data, (part, data[:300])
                start = data.index(b"?>") + 2 if data.startswith(b"<?xml") else 0
                data = data[:start] + LAUGHS.encode() + data[start:].replace(old, new, 1)
            bombed.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("part", "used_as"),
    [
        # a cell's text (the sheet's part, read by defusedxml's iterparse), and the sheet's name
        # (the workbook's part, read by lxml, which refuses the amplification)
        ("xl/worksheets/sheet1.xml", (b"Camden PCMH", b"&lol6;")),
        ("xl/workbook.xml", (b'name="Sheet"', b'name="&lol6;"')),
    ],
)
def test_an_xlsx_with_an_entity_expansion_bomb_is_refused_with_a_message(
    client, reviewer, returns, part, used_as
):
    client.force_login(reviewer)
    before = snapshot()
    response = upload(
        client, "scopingreturn", _workbook_laughing_in(part, used_as), "r.xlsx", "xlsx"
    )
    assert response.status_code == 200
    # Refused before any row is read, the form saying why; never expanded, so never shown.
    assert response.context.get("result") is None
    html = response.content.decode()
    assert "errorlist" in html or "errornote" in html
    assert "lollollol" not in html
    assert snapshot() == before


@pytest.mark.parametrize(
    "tampered",
    [
        {"format": "abc"},
        {"format": "99"},
        {"format": "1"},  # XLSX: another format than the preview's
        {"resource": "7"},
        {"resource": "x"},
        {"original_file_name": "other.csv"},
        {"preview": "forged"},
        {"preview": ""},
    ],
)
def test_a_changed_hidden_field_at_the_confirmation_imports_nothing(
    client, reviewer, returns, tampered
):
    client.force_login(reviewer)
    preview = preview_renaming_every_return(client)
    form = preview.context["confirm_form"]
    data = {**{name: form.initial.get(name, "") for name in form.fields}, **tampered}
    before = snapshot()
    response = client.post(admin_url("scopingreturn_process_import"), data)
    assert response.status_code == 302
    said = " ".join(messages_of(client.get(response["Location"])))
    assert "Nothing was imported. The preview could not be confirmed" in said
    assert snapshot() == before


def test_the_time_of_the_preview_cannot_be_moved_past_a_later_change(
    client, reviewer, lead, returns
):
    """The "changed since the preview" guard reads the server's signed time: a client that
    sends a time of its own (a future one would switch the guard off) is not believed."""
    from django.core import signing

    camden_return, croydon_return = returns
    client.force_login(reviewer)
    preview = preview_renaming_every_return(client)
    workflow.save_changes(
        scoping_return=croydon_return, version=croydon_return.version, by=lead,
        fields={"aims": "The lead's new aims"},
    )  # fmt: skip
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    signed = signing.loads(data["preview"], salt="surveys.admin.imports.preview")
    forged = signing.dumps({**signed, "previewed_at": "2999-01-01T00:00:00+00:00"}, salt="x")
    data.update(preview=forged, previewed_at="2999-01-01T00:00:00+00:00")
    client.post(admin_url("scopingreturn_process_import"), data)
    assert ScopingReturn.objects.get(pk=croydon_return.pk).aims == "The lead's new aims"


@override_settings(IMPORT_MAX_ROWS=1)
def test_a_file_of_more_rows_than_the_limit_is_refused_before_any_row_is_read(
    client, reviewer, returns
):
    client.force_login(reviewer)
    before = snapshot()
    preview = preview_renaming_every_return(client)  # two rows
    html = preview.content.decode()
    assert "The file has 2 rows: files of more than 1 rows are refused." in html
    assert "confirm_form" not in preview.context
    assert snapshot() == before


@pytest.mark.parametrize(
    ("model_name", "resource", "column", "per_row"),
    [
        ("scopingreturn", ScopingReturnResource, "service_name", 5),
        ("carerole", CareRoleResource, "wte", 6),
    ],
)
def test_an_import_asks_the_database_a_few_times_a_row_not_more(
    client, reviewer, model_name, resource, column, per_row
):
    """The file's returns and their rows are read once; a changed row costs its own save, its
    history and its savepoint (and a return's first child row, the return's next version)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from surveys.choices import RoundState
    from tests.reports.synthetic import add_boroughs, add_returns

    survey_round = SurveyRoundFactory(state=RoundState.OPEN, slug="many")
    client.force_login(reviewer)
    counts = {}
    for size in (4, 16):
        add_returns(survey_round, add_boroughs(size - survey_round.returns.count()))
        survey_round.returns.update(state=ReturnState.SUBMITTED, accepted_at=None)
        rows = rows_of(export(client, model_name, resource).content.decode())
        for number, row in enumerate(rows):
            row[column] = f"{number}.25" if column == "wte" else f"Renamed {number} {size}"
        with CaptureQueriesContext(connection) as queries:
            preview = upload(client, model_name, csv_of(rows), f"{model_name}.csv")
            response = confirm_import(client, model_name, preview)
        assert response.status_code == 302, messages_of(response)
        counts[size] = (len(rows), len(queries))
    (few_rows, few), (many_rows, many) = counts[4], counts[16]
    # Preview and confirmation: each reads and writes every row.
    assert many - few <= 2 * per_row * (many_rows - few_rows), counts


@pytest.mark.parametrize("resource", [ScopingReturnResource, CareRoleResource])
def test_an_export_asks_the_database_as_often_for_many_rows_as_for_few(resource):
    """Each row's round and borough come with the rows, not one query a row, whatever queryset
    the resource is given (the admin's, or a script's: the 2017 fixture check, the benchmark)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.reports.synthetic import add_boroughs, add_returns

    survey_round = SurveyRoundFactory(slug="many")
    model = resource._meta.model
    counts = []
    for size in (4, 16):
        add_returns(survey_round, add_boroughs(size - survey_round.returns.count()))
        with CaptureQueriesContext(connection) as queries:
            exported = resource().export(queryset=model.objects.all())
        assert len(exported) >= size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_an_unchanged_export_confirmed_changes_nothing(client, reviewer, returns):
    """The preview's form, sent back as the page would send it, saves nothing: no new version,
    no history, no changed row."""
    client.force_login(reviewer)
    for model_name, resource in [
        ("scopingreturn", ScopingReturnResource),
        ("fundingline", FundingLineResource),
    ]:
        before = snapshot(), list(FundingLine.objects.values())
        history = ScopingReturn.history.count()
        exported = export(client, model_name, resource)
        preview = upload(client, model_name, exported.content, "rows.csv")
        response = confirm_import(client, model_name, preview)
        assert response.status_code == 302, messages_of(response)
        assert (snapshot(), list(FundingLine.objects.values())) == before, model_name
        assert ScopingReturn.history.count() == history


def test_a_row_named_twice_in_a_file_ends_as_its_last_line_says(client, reviewer, returns):
    """Each line of the file sees what the lines before it saved: a funding line changed, then
    changed back, is back as it was (a line that matched the first reading would be skipped)."""
    client.force_login(reviewer)
    line = FundingLine.objects.get()
    rows = rows_of(export(client, "fundingline", FundingLineResource).content.decode())
    original = next(row for row in rows if row["amount"])
    changed = dict(original, amount="500")
    preview = upload(client, "fundingline", csv_of([changed, original]), "lines.csv")
    response = confirm_import(client, "fundingline", preview)
    assert response.status_code == 302, messages_of(response)
    line.refresh_from_db()
    assert line.amount == Decimal("350000")
    assert FundingLine.objects.count() == 1
