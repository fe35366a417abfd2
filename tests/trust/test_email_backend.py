"""E-mail goes through GOV.UK Notify when its API key and plain e-mail template are set, through
EMAIL_BACKEND otherwise; half of Notify's settings stops start-up with a sentence naming the other.
"""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.core.mail import send_mail, send_mass_mail

from surveys import workflow
from tests.factories import complete_return

NOTIFY_BACKEND = "django_gov_notify.backends.NotifyEmailBackend"
CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
# A key of Notify's shape (name, service id, secret); no request is made with it.
API_KEY = "pcmh_test-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
SEND = "notifications_python_client.notifications.NotificationsAPIClient.send_email_notification"


def _settings_with(**environment) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter with `environment` (and none of the e-mail
    variables of the environment the tests run in)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name != "EMAIL_BACKEND" and not name.startswith("GOVUK_NOTIFY_")
    }
    env.update(DJANGO_SETTINGS_MODULE="pcmh.settings", DEBUG="1", **environment)
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_without_notify_the_email_backend_is_the_default():
    result = _settings_with()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == CONSOLE_BACKEND


def test_with_notifys_key_and_template_the_email_goes_through_notify():
    result = _settings_with(
        GOVUK_NOTIFY_API_KEY=API_KEY, GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID=TEMPLATE_ID
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == NOTIFY_BACKEND


def test_an_explicit_email_backend_wins_over_notify():
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    result = _settings_with(
        EMAIL_BACKEND=smtp,
        GOVUK_NOTIFY_API_KEY=API_KEY,
        GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID=TEMPLATE_ID,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == smtp


@pytest.mark.parametrize(
    "given, missing",
    [
        ({"GOVUK_NOTIFY_API_KEY": API_KEY}, "GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID"),
        ({"GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID": TEMPLATE_ID}, "GOVUK_NOTIFY_API_KEY"),
    ],
)
def test_half_of_notifys_settings_stops_start_up_naming_the_missing_one(given, missing):
    result = _settings_with(**given)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set too" in result.stderr


@pytest.fixture
def notify(settings):
    settings.EMAIL_BACKEND = NOTIFY_BACKEND
    settings.GOVUK_NOTIFY_API_KEY = API_KEY
    settings.GOVUK_NOTIFY_PLAIN_EMAIL_TEMPLATE_ID = TEMPLATE_ID
    with mock.patch(SEND, autospec=True) as send:
        yield send


def _sent(send) -> list[dict]:
    return [call.kwargs for call in send.call_args_list]


def _plain(to, subject, body) -> dict:
    """What the plain template is sent for one recipient, as django-gov-notify documents it."""
    return {
        "email_address": to,
        "template_id": TEMPLATE_ID,
        "personalisation": {"subject": subject, "body": body},
    }


def test_send_mail_sends_one_notification_per_recipient(notify):
    sent = send_mail("Subject", "Body", None, ["a@nhs.net", "b@nhs.net"])
    assert sent == 1
    assert _sent(notify) == [
        _plain("a@nhs.net", "Subject", "Body"),
        _plain("b@nhs.net", "Subject", "Body"),
    ]


def test_send_mass_mail_sends_every_message(notify):
    sent = send_mass_mail(
        [("One", "First", None, ["a@nhs.net"]), ("Two", "Second", None, ["b@nhs.net", "c@nhs.net"])]
    )
    assert sent == 2
    assert _sent(notify) == [
        _plain("a@nhs.net", "One", "First"),
        _plain("b@nhs.net", "Two", "Second"),
        _plain("c@nhs.net", "Two", "Second"),
    ]


@pytest.mark.django_db
def test_a_workflow_email_goes_to_notify_with_recipient_subject_and_body(
    notify, settings, lead, reviewer, camden, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://pcmh.example.nhs.uk"
    scoping_return = complete_return(borough=camden)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.add_comment(scoping_return=scoping_return, by=reviewer, text="Please check 3b.")
    [message] = _sent(notify)
    assert message["email_address"] == lead.email
    assert message["template_id"] == TEMPLATE_ID
    personalisation = message["personalisation"]
    assert personalisation["subject"] == (
        f"New comment on Camden's PCMH return ({scoping_return.survey_round})"
    )
    body = personalisation["body"]
    assert "Please check 3b." in body
    assert f"https://pcmh.example.nhs.uk{scoping_return.get_absolute_url()}" in body
