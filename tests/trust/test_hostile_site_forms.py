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
from tests.helpers.hostile import HOSTILE, HYPOTHESIS
from tests.surveys.admin_helpers import confirm_action

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


# (the user who fills the form in, the URL given the return, the client and the user, the
# fields typed into it)
SITE_FORMS = {
    "sign-in": (None, lambda r, *_: reverse("login"), ["username", "password"]),
    "password reset": (None, lambda r, *_: reverse("password_reset"), ["email"]),
    "password change": (
        "lead",
        lambda r, *_: reverse("password_change"),
        ["old_password", "new_password1", "new_password2"],
    ),
    "two-factor set-up": ("reviewer", lambda r, *_: reverse("two_factor_setup"), ["token"]),
    "comment": (
        "lead",
        lambda r, *_: reverse("surveys:comment", args=[r.survey_round.slug, "camden"]),
        ["text"],
    ),
    "declaration": (
        "lead",
        lambda r, *_: reverse("surveys:submit", args=[r.survey_round.slug, "camden"]),
        ["version", "declaration"],
    ),
    "admin comment": (
        "reviewer",
        lambda r, *_: reverse("admin:surveys_scopingreturn_comment", args=[r.pk]),
        ["comment-text"],
    ),
}


def _set_password_url(client, user):
    """Follow a password reset link as the e-mail gives it: the form to choose a new password."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user.refresh_from_db()  # an earlier example may have changed the password (and the token)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    return client.get(link)["Location"]


def _verify_url(client, user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(user=user, name="Phone", defaults={"confirmed": True})
    return reverse("two_factor_verify")


SITE_FORMS.update(
    {
        "set a new password": (
            "lead",
            lambda r, client, user: _set_password_url(client, user),
            ["new_password1", "new_password2"],
        ),
        "two-factor code": (
            "reviewer",
            lambda r, client, user: _verify_url(client, user),
            ["token"],
        ),
    }
)


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
        user = request.getfixturevalue(user)
        client.force_login(user)
    target = url(draft, client, user)
    before = _stored()
    response = _post(client, target, fields, data)  # a server error would raise here
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


@pytest.mark.parametrize(
    ("model_name", "fields"),
    [
        ("scopingreturn", ["status", "service_name", "min_age", "max_age", "training", "aims"]),
        ("surveyround", ["name", "slug", "opens_on", "closes_on", "guidance"]),
    ],
)
@HYPOTHESIS
@given(data=st.data())
def test_the_admin_change_forms_answer_hostile_input_with_an_error_or_a_save(
    client, reviewer, draft, model_name, fields, data
):
    from tests.surveys.admin_helpers import admin_url, change_form_data

    client.force_login(reviewer)
    obj = draft if model_name == "scopingreturn" else draft.survey_round
    url = admin_url(f"{model_name}_change", obj.pk)
    form = change_form_data(client.get(url))  # what the browser would send back unchanged
    form.update({name: data.draw(HOSTILE, label=name) for name in fields})
    before = _stored(), list(type(obj).objects.filter(pk=obj.pk).values())
    response = client.post(url, form)  # a server error would raise here
    assert response.status_code in {200, SUCCESS}
    if response.status_code == 200:
        assert "errornote" in response.content.decode()
        assert (_stored(), list(type(obj).objects.filter(pk=obj.pk).values())) == before
