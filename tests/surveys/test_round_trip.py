"""Every form keeps what it was given: opened and saved unchanged, as a browser would, no answer
and no child row changes; and each value saved through a form is the one shown when it is opened
again. Data: the 32 returns of 2017 copied into an open round, and returns built so that every
choice of every field occurs."""

import datetime
from decimal import Decimal

import pytest
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from boroughs.models import Borough, BoroughMembership
from surveys.choices import ReturnState, RoundState
from surveys.models import (
    CareRole,
    Contact,
    FundingLine,
    OutcomeMeasure,
    ScopingReturn,
    SurveyRound,
)
from surveys.sections import SECTIONS
from tests.factories import BoroughFactory
from tests.helpers.html_forms import as_post, response_form_data
from tests.helpers.round_2017 import load_2017_round

CHILDREN = {
    "care_roles": CareRole,
    "measures": OutcomeMeasure,
    "funding_lines": FundingLine,
    "contacts": Contact,
}
# What a save may change besides the answers.
BOOKKEEPING = {"id", "version", "sections_saved", "updated_at", "updated_by", "created_at"}
ANSWER_FIELDS = [
    f.name
    for f in ScopingReturn._meta.concrete_fields
    if f.name not in BOOKKEEPING and f.editable and not f.is_relation
]
CHOICE_FIELDS = [  # the answers with a fixed set (the state is the workflow's, not an answer)
    f
    for f in ScopingReturn._meta.concrete_fields
    if f.choices and f.name in ANSWER_FIELDS and f.name != "state"
]


def _row(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in BOOKKEEPING
    }


def snapshot(scoping_return: ScopingReturn) -> dict:
    """The return's answers and child rows, field by field."""
    fresh = ScopingReturn.objects.get(pk=scoping_return.pk)
    return {
        "answers": {name: getattr(fresh, name) for name in ANSWER_FIELDS},
        **{
            relation: [
                _row(row) for row in model.objects.filter(scoping_return=fresh).order_by("pk")
            ]
            for relation, model in CHILDREN.items()
        },
    }


def differences(before: dict, after: dict) -> dict:
    """What changed between two snapshots: {answer or "relation[i].field": (before, after)}."""
    changed = {
        name: (value, after["answers"][name])
        for name, value in before["answers"].items()
        if after["answers"][name] != value
    }
    for relation in CHILDREN:
        if len(before[relation]) != len(after[relation]):
            changed[relation] = (len(before[relation]), len(after[relation]))
            continue
        for i, (old, new) in enumerate(zip(before[relation], after[relation], strict=True)):
            changed.update(
                {f"{relation}[{i}].{k}": (v, new[k]) for k, v in old.items() if new[k] != v}
            )
    return changed


def history_count(scoping_return) -> dict:
    return {
        "return": scoping_return.history.count(),
        **{
            relation: model.history.filter(scoping_return_id=scoping_return.pk).count()
            for relation, model in CHILDREN.items()
        },
    }


def changed_answers_in_history(scoping_return, since: int) -> list[str]:
    """The answers that history records newer than the `since`-th changed."""
    records = list(scoping_return.history.order_by("history_id"))
    changed = []
    for previous, record in zip(records[since - 1 :], records[since:], strict=False):
        delta = record.diff_against(previous)
        changed += [c.field for c in delta.changes if c.field in ANSWER_FIELDS]
    return changed


def copy_return(source: ScopingReturn, into: SurveyRound, **overrides) -> ScopingReturn:
    """A draft in `into` with `source`'s answers and child rows."""
    copy = ScopingReturn.objects.create(
        survey_round=into,
        borough=source.borough,
        state=ReturnState.DRAFT,
        **{name: getattr(source, name) for name in ANSWER_FIELDS if name != "state"},
        **overrides,
    )
    for model in CHILDREN.values():
        for row in model.objects.filter(scoping_return=source):
            values = {k: v for k, v in _row(row).items() if k != "scoping_return_id"}
            model.objects.create(scoping_return=copy, **values)
    return copy


def _choice_values(field) -> list:
    return [value for value, _ in field.flatchoices]


def coverage_returns(into: SurveyRound) -> list[ScopingReturn]:
    """Returns in which every choice of every field, and every child-row choice, occurs."""
    role_choices = _choice_values(CareRole._meta.get_field("role"))
    width = max(len(role_choices), *(len(_choice_values(f)) for f in CHOICE_FIELDS))
    returns = []
    for i in range(width):
        answers = {}
        for field in CHOICE_FIELDS:
            values = _choice_values(field) + ([""] if field.blank else [])
            answers[field.name] = values[i % len(values)]
        answers["model_types"] = ",".join(["collaborative_care", "step_up", "other"][: i % 4])
        answers["model_other"] = "Hybrid" if i % 4 == 3 else ""
        answers["it_systems"] = ",".join(["emis_web", "rio", "other"][: i % 4])
        answers["it_systems_other"] = "Lorenzo" if i % 4 == 3 else ""
        answers["min_age"] = [None, Decimal("16"), Decimal("17.5")][i % 3]
        answers["max_age"] = [None, Decimal("65"), Decimal("120")][i % 3]
        answers["current_situation"] = "Line one.\nLine two,\n\nafter a blank line." * (i % 2)
        scoping_return = ScopingReturn.objects.create(
            survey_round=into, borough=BoroughFactory(), **answers
        )
        for j in range(1 + i % 3):
            role = role_choices[(i + j) % len(role_choices)]
            CareRole.objects.create(
                scoping_return=scoping_return,
                role=role,
                role_other="Recovery worker" if role == "other" else "",
                wte=[None, Decimal("6.4"), Decimal("0.75"), Decimal("12")][(i + j) % 4],
                wte_approximate=(i + j) % 4 == 3,
                post_status=_choice_values(CareRole._meta.get_field("post_status"))[(i + j) % 3],
                band="Band 6",
                is_new=[True, False, None][(i + j) % 3],
                notes="Two lines\nof notes" if j else "",
            )
            FundingLine.objects.create(
                scoping_return=scoping_return,
                amount=[Decimal("650000"), None, Decimal("1250.50"), Decimal("0")][(i + j) % 4],
                financial_year="2017/18",
                recurrent=[True, False, None][(i + j) % 3],
                source="CCG",
            )
        OutcomeMeasure.objects.create(scoping_return=scoping_return, name="SWEMWBS")
        Contact.objects.create(scoping_return=scoping_return, name="Dr A Lead", email="a@nhs.net")
        returns.append(scoping_return)
    return returns


@pytest.fixture(scope="module")
def _open_round(django_db_setup, django_db_blocker):
    """Loaded once per module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        load_2017_round()
        today = timezone.localdate()
        open_round = SurveyRound.objects.create(
            name="Round trip",
            slug="round-trip",
            opens_on=today - datetime.timedelta(days=5),
            closes_on=today + datetime.timedelta(days=30),
            state=RoundState.OPEN,
        )
        for source in ScopingReturn.objects.filter(survey_round__slug="2017"):
            copy_return(source, open_round)
        coverage_returns(open_round)
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def open_round(_open_round, db):
    return SurveyRound.objects.get(slug="round-trip")


@pytest.fixture
def all_returns(open_round):
    returns = list(ScopingReturn.objects.in_round(open_round).select_related("borough"))
    assert len(returns) >= 32 + 14
    return returns


@pytest.fixture
def lead_of_all(make_user, open_round):
    user = make_user("lead-everywhere")
    for borough in Borough.objects.filter(returns__survey_round=open_round):
        BoroughMembership.objects.create(user=user, borough=borough)
    return user


def section_url(scoping_return, slug):
    return reverse(
        "surveys:section",
        args=[scoping_return.survey_round.slug, scoping_return.borough.slug, slug],
    )


def test_the_data_has_every_choice_of_every_field(all_returns):
    returns = ScopingReturn.objects.filter(pk__in=[r.pk for r in all_returns])
    for field in CHOICE_FIELDS:
        seen = set(returns.values_list(field.name, flat=True))
        assert set(_choice_values(field)) <= seen, field.name
    roles = set(CareRole.objects.filter(scoping_return__in=returns).values_list("role", flat=True))
    assert set(_choice_values(CareRole._meta.get_field("role"))) <= roles
    rows = CareRole.objects.filter(scoping_return__in=returns)
    assert set(rows.values_list("post_status", flat=True)) == set(
        _choice_values(CareRole._meta.get_field("post_status"))
    )
    assert set(rows.values_list("wte_approximate", flat=True)) == {True, False}
    for model, name in ((CareRole, "is_new"), (FundingLine, "recurrent")):
        values = set(model.objects.filter(scoping_return__in=returns).values_list(name, flat=True))
        assert values == {True, False, None}, name


@pytest.mark.parametrize("query", ["", "?check=1"])  # as opened from the task list, or a link
# Section 11 is only in a round using the toolkit: its round trip is in tests/toolkit.
@pytest.mark.parametrize("slug", [s.slug for s in SECTIONS if not s.toolkit])
def test_saving_an_unchanged_section_changes_nothing(client, lead_of_all, all_returns, slug, query):
    client.force_login(lead_of_all)
    # Opened from a link to what submitting needs, the page is bound to the saved answers: the
    # built returns, some of whose required answers are empty, cover it.
    returns = [r for r in all_returns if not query or r.borough.slug.startswith("synthetic")]
    for scoping_return in returns:
        url = section_url(scoping_return, slug) + query
        before, history_before = snapshot(scoping_return), history_count(scoping_return)
        page = client.get(url)
        assert page.status_code == 200
        response = client.post(url, as_post(response_form_data(page, button="later")))
        assert response.status_code == 302, (
            f"{scoping_return.borough}: {slug} refused an unchanged save"
        )
        assert differences(before, snapshot(scoping_return)) == {}, f"{scoping_return.borough}"
        history_after = history_count(scoping_return)
        assert {k: v for k, v in history_after.items() if k != "return"} == {
            k: v for k, v in history_before.items() if k != "return"
        }, f"{scoping_return.borough}: {slug} wrote history for unchanged child rows"
        assert changed_answers_in_history(scoping_return, history_before["return"]) == []


def test_saving_an_unchanged_admin_change_form_changes_nothing(client, superuser, all_returns):
    client.force_login(superuser)
    for scoping_return in all_returns:
        url = reverse("admin:surveys_scopingreturn_change", args=[scoping_return.pk])
        before, history_before = snapshot(scoping_return), history_count(scoping_return)
        page = client.get(url)
        assert page.status_code == 200
        data = response_form_data(page, form_id="scopingreturn_form", button="_save")
        response = client.post(url, as_post(data))
        assert response.status_code == 302, (
            f"{scoping_return.borough}: the admin refused an unchanged save: "
            f"{response.context and response.context['adminform'].form.errors}"
        )
        assert differences(before, snapshot(scoping_return)) == {}, str(scoping_return.borough)
        assert history_count(scoping_return) == history_before, str(scoping_return.borough)


def test_correcting_a_submitted_return_without_changing_an_answer_changes_nothing(
    client, superuser, all_returns
):
    """ "Correct an answer" on a submitted return, saved as the page was given (with only the
    reason typed), writes nothing: no answer, no row, no history, no timeline step."""
    client.force_login(superuser)
    for scoping_return in all_returns[:6]:
        ScopingReturn.objects.filter(pk=scoping_return.pk).update(state=ReturnState.SUBMITTED)
        url = reverse("admin:surveys_scopingreturn_change", args=[scoping_return.pk])
        url += "?correct=1"
        before, history_before = snapshot(scoping_return), history_count(scoping_return)
        events_before = scoping_return.events.count()
        page = client.get(url)
        data = response_form_data(page, form_id="scopingreturn_form", button="_save")
        data["correction_reason"] = "Checked with the borough: nothing to fix."
        response = client.post(url, as_post(data))
        assert response.status_code == 302, str(scoping_return.borough)
        assert differences(before, snapshot(scoping_return)) == {}, str(scoping_return.borough)
        assert history_count(scoping_return) == history_before, str(scoping_return.borough)
        assert scoping_return.events.count() == events_before


def _set(data, name, value):
    if isinstance(value, list):
        data.setlist(name, value)
    else:
        data[name] = value


SECTION_VALUES = {}  # field name: the values to save and find again
for _section in SECTIONS:
    for _name in _section.fields:
        _field = ScopingReturn._meta.get_field(_name)
        if _field.choices:
            SECTION_VALUES[_name] = [v for v, _ in _field.flatchoices if v != "not_stated"]
        elif isinstance(_field, models.DecimalField):
            SECTION_VALUES[_name] = ["17.5", "18", "0"]
        elif _name in ("model_types", "it_systems"):
            continue
        elif isinstance(_field, models.TextField):  # a textarea: line breaks sent as CRLF
            SECTION_VALUES[_name] = ["Some words", "Two\r\nlines"]
        else:
            SECTION_VALUES[_name] = ["Some words", "£650,000 & <b>5%</b>"]
SECTION_OF = {name: s.slug for s in SECTIONS for name in s.fields}


def test_each_value_saved_in_a_section_is_shown_again(client, lead, camden, open_round):
    scoping_return = ScopingReturn.objects.get(survey_round=open_round, borough=camden)
    client.force_login(lead)
    for name, values in SECTION_VALUES.items():
        url = section_url(scoping_return, SECTION_OF[name])
        for value in values:
            data = response_form_data(client.get(url), button="later")
            _set(data, name, value)
            if name == "min_age":
                data["max_age"] = ""
            response = client.post(url, as_post(data))
            assert response.status_code == 302, (name, value)
            shown = response_form_data(client.get(url)).get(name)
            assert shown == value, (name, value, shown)


CHILD_VALUES = {
    "care_roles": {
        "role": [v for v, _ in CareRole._meta.get_field("role").flatchoices],
        "is_new": ["true", "false", "unknown"],
        "wte": ["6.4", "0.75", "12", ""],
        "notes": ["One\r\ntwo"],
        "post_status": [v for v, _ in CareRole._meta.get_field("post_status").flatchoices],
        "wte_approximate": ["on", None],
    },
    "funding_lines": {"recurrent": ["true", "false", "unknown"], "amount": ["650,000", ""]},
    "measures": {"name": ["PHQ-9"]},
    "contacts": {"email": ["a.lead@nhs.net"]},
}
CHILD_SECTION = {relation: s.slug for s in SECTIONS for relation in s.children}


@pytest.mark.parametrize("relation", list(CHILD_VALUES))
def test_each_value_saved_in_a_child_row_is_shown_again(client, lead, camden, open_round, relation):
    scoping_return = ScopingReturn.objects.get(survey_round=open_round, borough=camden)
    client.force_login(lead)
    url = section_url(scoping_return, CHILD_SECTION[relation])
    first = response_form_data(client.get(url))
    # Fill the first empty row, so the row saved is one the page offered.
    index = int(first[f"{relation}-INITIAL_FORMS"])
    for name, values in CHILD_VALUES[relation].items():
        for value in values:
            data = response_form_data(client.get(url), button="later")
            prefix = f"{relation}-{index}-"
            if relation == "care_roles":
                data.setdefault(prefix + "role", "gp_lead")
                if data[prefix + "role"] == "":
                    data[prefix + "role"] = "gp_lead"
                data[prefix + "role_other"] = "Recovery worker"
            if relation in ("measures", "contacts") and not data.get(prefix + "name"):
                data[prefix + "name"] = "Named"
            if name == "wte_approximate":  # an approximate WTE needs a WTE
                data[prefix + "wte"] = "45"
            if value is None:  # a tick box left unticked sends nothing
                data.pop(prefix + name, None)
            else:
                data[prefix + name] = value
            response = client.post(url, as_post(data))
            assert response.status_code == 302, (relation, name, value)
            shown = response_form_data(client.get(url)).get(prefix + name)
            assert shown == value, (relation, name, value, shown)
