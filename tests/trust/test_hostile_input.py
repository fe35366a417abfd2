"""Random and hostile values in every form and every import resource: an error, never a crash,
and nothing partial stored."""

import string

import pytest
import tablib
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveys.models import ScopingReturn
from surveys.resources import FIXTURE_RESOURCES
from surveys.sections import SECTIONS
from tests.factories import ScopingReturnFactory, SurveyRoundFactory

pytestmark = pytest.mark.django_db

HOSTILE = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=string.printable + "\x00\u202e\ufeff€£💥", min_size=1, max_size=300),
    st.integers(min_value=10001, max_value=30000).map(lambda n: "x" * n),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "'; DROP TABLE surveys_scopingreturn; --",
            "=1+1",
            "\x00",
            "-1",
            "1e308",
            "NaN",
            "Infinity",
            "99999999999999999999999",
            "0.0001",
            "17.5",
            "",
            " ",
            "yes",
            "maybe",
            "../../etc/passwd",
            "%s%s%s",
            "{{ 7*7 }}",
            "a@b",
            "2017/18",
            "<img src=x onerror=alert(1)>",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
HYPOTHESIS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


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
        borough=camden, survey_round=SurveyRoundFactory(slug="demo")
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
    if result.has_errors() or result.has_validation_errors():
        assert counts() == before
        for invalid in result.invalid_rows:
            assert invalid.error_dict  # each names its column
