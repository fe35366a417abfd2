"""Random and hostile values in the site's other forms (sign-in, passwords, two-factor, comments,
the declaration, the steering group's action pages): a form error or a success, never a server
error, and nothing stored when the form is refused.

The section forms and the import resources are in `test_hostile_input.py`.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from surveys import workflow
from surveys.models import ReturnComment, ReturnEvent, ScopingReturn
from tests.factories import SurveyRoundFactory, complete_return
from tests.surveys.admin_helpers import confirm_action
from tests.trust.test_hostile_input import HOSTILE, HYPOTHESIS

pytestmark = pytest.mark.django_db

SUCCESS = 302


def _stored():
    """What a refused form must leave as it was."""
    return (
        tuple(ScopingReturn.objects.order_by("pk").values_list("version", "state")),
        ReturnComment.objects.count(),
        ReturnEvent.objects.count(),
        tuple(get_user_model().objects.order_by("pk").values_list("password", flat=True)),
    )


def _post(client, url, fields, data):
    return client.post(url, {name: data.draw(HOSTILE, label=name) for name in fields})


# (the user who fills the form in, the URL, the fields typed into it)
SITE_FORMS = {
    "sign-in": (None, lambda r: reverse("login"), ["username", "password"]),
    "password reset": (None, lambda r: reverse("password_reset"), ["email"]),
    "password change": (
        "lead",
        lambda r: reverse("password_change"),
        ["old_password", "new_password1", "new_password2"],
    ),
    "two-factor set-up": ("reviewer", lambda r: reverse("two_factor_setup"), ["token"]),
    "comment": (
        "lead",
        lambda r: reverse("surveys:comment", args=[r.survey_round.slug, "camden"]),
        ["text"],
    ),
    "declaration": (
        "lead",
        lambda r: reverse("surveys:submit", args=[r.survey_round.slug, "camden"]),
        ["version", "declaration"],
    ),
    "admin comment": (
        "reviewer",
        lambda r: reverse("admin:surveys_scopingreturn_comment", args=[r.pk]),
        ["comment-text"],
    ),
}


@pytest.fixture
def draft(camden):
    return complete_return(borough=camden, survey_round=SurveyRoundFactory(slug="demo"))


@pytest.mark.parametrize("form", SITE_FORMS)
@HYPOTHESIS
@given(data=st.data())
def test_every_site_form_answers_hostile_input_with_an_error_or_a_success(
    client, request, draft, form, data
):
    user, url, fields = SITE_FORMS[form]
    if user:
        client.force_login(request.getfixturevalue(user))
    before = _stored()
    response = _post(client, url(draft), fields, data)  # a server error would raise here
    assert response.status_code in {200, 400, 403, 429, SUCCESS}, response.status_code
    if response.status_code != SUCCESS:
        assert _stored() == before


@pytest.mark.parametrize("action", ["request_changes", "reopen_returns"])
@HYPOTHESIS
@given(text=HOSTILE)
def test_the_review_actions_answer_hostile_reasons_with_an_error_or_a_success(
    client, reviewer, lead, draft, action, text
):
    scoping_return = ScopingReturn.objects.get(pk=draft.pk)
    if scoping_return.state != "submitted" and action == "request_changes":
        scoping_return = workflow.submit(scoping_return=scoping_return, by=lead, notify=False)
    if action == "reopen_returns" and scoping_return.state != "accepted":
        if scoping_return.state != "submitted":
            scoping_return = workflow.submit(scoping_return=scoping_return, by=lead, notify=False)
        scoping_return = workflow.accept(scoping_return=scoping_return, by=reviewer, notify=False)
    client.force_login(reviewer)
    before = _stored()
    response = confirm_action(client, action, [scoping_return], text=text)
    assert response.status_code in {200, SUCCESS}
    if response.status_code == 200:
        assert "errorlist" in response.content.decode()
        assert _stored() == before
    else:  # sent back (or reopened) with the reason as typed, in the return's timeline
        event = ReturnEvent.objects.filter(scoping_return=scoping_return).latest("at", "id")
        assert event.to_state == "changes_requested" and event.comment == text.strip()
