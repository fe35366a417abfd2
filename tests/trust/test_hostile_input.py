"""Random and hostile values in every form and every import resource: an error, never a crash,
and nothing partial stored."""

import pytest
import tablib
from django.db import transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from surveys.models import ScopingReturn
from surveys.resources import FIXTURE_RESOURCES
from surveys.sections import SECTIONS
from tests.factories import ScopingReturnFactory, SurveyRoundFactory
from tests.helpers.hostile import HOSTILE, HYPOTHESIS

pytestmark = pytest.mark.django_db


def _field_names(section):
    from surveys.forms import FORMSETS, section_form_class

    names = []
    form_class = section_form_class(section.slug)
    if form_class:
        names += list(form_class.base_fields)
    for relation in section.children:
        names += [f"{relation}-0-{name}" for name in FORMSETS[relation].form.base_fields]
    return names


def _children(scoping_return):
    return tuple(
        getattr(scoping_return, relation).count()
        for relation in ("care_roles", "contacts", "measures", "funding_lines")
    )


@pytest.mark.parametrize("section", SECTIONS, ids=[s.slug for s in SECTIONS])
@HYPOTHESIS
@given(data=st.data())
def test_every_section_form_answers_hostile_input_with_an_error_or_a_save(
    client, lead, camden, section, data
):
    scoping_return = ScopingReturn.objects.filter(borough=camden).first() or ScopingReturnFactory(
        borough=camden, survey_round=SurveyRoundFactory(slug="demo", toolkit=True)
    )
    client.force_login(lead)
    payload = {name: data.draw(HOSTILE, label=name) for name in _field_names(section)}
    for relation in section.children:
        count = getattr(scoping_return, relation).count()
        payload.update(
            {
                f"{relation}-TOTAL_FORMS": str(count + 1),
                f"{relation}-INITIAL_FORMS": str(count),
                f"{relation}-MIN_NUM_FORMS": "0",
                f"{relation}-MAX_NUM_FORMS": "100",
            }
        )
        # Existing rows are resent unchanged.
        for index, row in enumerate(getattr(scoping_return, relation).all()):
            payload[f"{relation}-{index}-id"] = str(row.pk)
            payload = {
                k.replace(f"{relation}-0-", f"{relation}-{count}-"): v for k, v in payload.items()
            }
    scoping_return.refresh_from_db()
    before = (scoping_return.version, _children(scoping_return))
    payload["version"] = str(scoping_return.version)
    response = client.post(
        reverse("surveys:section", args=[scoping_return.survey_round.slug, "camden", section.slug]),
        payload,
    )
    assert response.status_code in {200, 302}, response.status_code
    scoping_return.refresh_from_db()
    if response.status_code == 200:
        assert b"There is a problem" in response.content
        assert (scoping_return.version, _children(scoping_return)) == before
    page = client.get(scoping_return.get_absolute_url().replace("/camden/", "/camden/check/"))
    assert page.status_code == 200
    assert b"<script>alert(1)</script>" not in page.content
    assert b"<img src=x onerror" not in page.content


@pytest.mark.parametrize(
    ("file_name", "resource_class"), FIXTURE_RESOURCES, ids=[f for f, _ in FIXTURE_RESOURCES]
)
@HYPOTHESIS
@given(data=st.data())
def test_every_import_resource_answers_hostile_input_with_row_errors(
    superuser, camden, file_name, resource_class, data
):
    from surveys.models import CareRole, Contact, DataQualityNote, FundingLine, OutcomeMeasure

    survey_round = SurveyRoundFactory()
    ScopingReturnFactory(borough=camden, survey_round=survey_round)
    resource = resource_class()
    headers = resource.get_export_headers()
    row = [data.draw(HOSTILE, label=h) for h in headers]
    row[headers.index("round")] = data.draw(st.sampled_from([survey_round.slug, "nope", "=1+1"]))
    row[headers.index("borough")] = data.draw(st.sampled_from(["camden", "atlantis", ""]))
    # Two rows: a valid-looking one first, so a failure in the second must roll back both.
    first = [
        survey_round.slug if h == "round" else "camden" if h == "borough" else "" for h in headers
    ]
    dataset = tablib.Dataset(first, row, headers=headers)

    def counts():
        return tuple(
            m.objects.count()
            for m in (
                ScopingReturn,
                CareRole,
                Contact,
                OutcomeMeasure,
                FundingLine,
                DataQualityNote,
            )
        )

    before = counts()
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=False, user=superuser, use_transactions=True)
    # A bad value is a row error naming its column, never an exception inside the import.
    assert not result.has_errors(), [
        (row, [e.error for e in errors]) for row, errors in result.row_errors()
    ]
    if result.has_validation_errors():
        assert counts() == before
        for invalid in result.invalid_rows:
            assert invalid.error_dict  # each names its column


def _xlsx(rows) -> bytes:
    import io

    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def hostile_files(draw, headers):
    """(file name, format, bytes): a sheet of hostile cells, broken CSV or XLSX, or noise."""
    cells = st.lists(HOSTILE, min_size=len(headers), max_size=len(headers))
    rows = draw(st.lists(cells, min_size=1, max_size=3))
    kind = draw(st.sampled_from(["csv", "xlsx", "noise-csv", "noise-xlsx", "bom-csv"]))
    if kind == "csv":
        lines = [",".join(headers), *(",".join(row) for row in rows)]
        return "f.csv", "csv", "\n".join(lines).encode("utf-8", "surrogatepass")
    if kind == "bom-csv":
        return "f.csv", "csv", "\ufeff".encode() + ",".join(headers).encode() + b"\n\xff\xfe,\x00"
    if kind == "xlsx":
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        clean = [[ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row] for row in rows]
        return "f.xlsx", "xlsx", _xlsx([headers, *clean])
    noise = draw(st.binary(min_size=0, max_size=500))
    return (f"f.{kind[6:]}", kind[6:], (b"PK\x03\x04" if kind == "noise-xlsx" else b"") + noise)


@pytest.mark.parametrize(
    ("file_name", "resource_class"), FIXTURE_RESOURCES, ids=[f for f, _ in FIXTURE_RESOURCES]
)
@HYPOTHESIS
@given(data=st.data())
def test_hostile_files_uploaded_to_the_admin_import_get_a_message_never_a_crash(
    client, superuser, camden, file_name, resource_class, data
):
    from tests.surveys.admin_helpers import upload

    survey_round = SurveyRoundFactory(slug="fuzz") if not ScopingReturn.objects.exists() else None
    if survey_round:
        ScopingReturnFactory(borough=camden, survey_round=survey_round)
    model_name = resource_class._meta.model._meta.model_name
    name, file_format, content = data.draw(
        hostile_files(resource_class().get_export_headers()), label="file"
    )
    client.force_login(superuser)
    before = _stored()
    response = upload(client, model_name, content, name, file_format)  # a crash would raise
    assert response.status_code == 200
    html = response.content.decode()
    result = response.context.get("result")
    if result is None:  # refused before any row was read: the form says why
        assert "errorlist" in html or "errornote" in html, html[:2000]
    else:
        assert not result.has_errors(), [[e.error for e in es] for _, es in result.row_errors()]
    assert _stored() == before  # a preview stores nothing


def _stored():
    from surveys.models import CareRole, Contact, DataQualityNote, FundingLine, OutcomeMeasure

    models = (ScopingReturn, CareRole, Contact, OutcomeMeasure, FundingLine, DataQualityNote)
    return tuple(m.objects.count() for m in models), tuple(
        ScopingReturn.objects.values_list("version", flat=True)
    )
