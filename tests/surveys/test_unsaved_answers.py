"""A Save pressed after the session ended keeps what was typed for an hour, in a cookie's key."""

import datetime
import hashlib

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from surveys import unsaved
from surveys.models import ScopingReturn, UnsavedAnswers
from tests.factories import ScopingReturnFactory, SurveyRoundFactory
from tests.helpers.html_forms import as_post, response_form_data

pytestmark = pytest.mark.django_db

TYPED = {
    "status": "established",
    "service_name": "Typed while signed out",
    "current_situation": "Running in <two> practices & growing.",
}


@pytest.fixture
def scoping_return(camden):
    return ScopingReturnFactory(survey_round=SurveyRoundFactory(slug="demo"), borough=camden)


def section_url(slug="service", borough="camden"):
    return reverse("surveys:section", args=["demo", borough, slug])


def post_signed_out(client, scoping_return, data=TYPED, slug="service", **extra):
    payload = {"version": scoping_return.version, "continue": "1", **data}
    response = client.post(section_url(slug), payload, **extra)
    if response.status_code == 302:
        client.get(response["Location"])  # the sign-in page, which shows the first message
    return response


def test_a_signed_out_save_keeps_the_answers_and_sends_the_lead_to_sign_in(client, scoping_return):
    response = client.post(section_url(), {"version": "1", "continue": "1", **TYPED})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={section_url()}"
    cookie = response.cookies[unsaved.cookie_name()]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert cookie["max-age"] == 3600
    key = cookie.value
    assert key not in response["Location"]
    kept = UnsavedAnswers.objects.get()
    assert kept.key_hash == hashlib.sha256(key.encode()).hexdigest() != key
    assert (kept.scoping_return, kept.section) == (scoping_return, "service")
    assert kept.data["service_name"] == ["Typed while signed out"]
    assert "csrfmiddlewaretoken" not in kept.data
    scoping_return.refresh_from_db()
    assert (scoping_return.service_name, scoping_return.version) == ("", 1)

    login_page = client.get(response["Location"])
    assert "your answers have not been saved yet" in login_page.content.decode()


def test_after_signing_in_the_lead_finds_their_answers_and_nothing_is_saved(
    client, lead, scoping_return
):
    post_signed_out(client, scoping_return)
    client.force_login(lead)

    response = client.get(section_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Typed while signed out"' in html
    assert "Running in &lt;two&gt; practices &amp; growing." in html
    assert [str(m) for m in get_messages(response.wsgi_request)] == [unsaved.RESTORED]
    assert "Nothing has been saved yet" in html
    assert response.cookies[unsaved.cookie_name()].value == ""  # deleted
    assert not UnsavedAnswers.objects.exists()
    scoping_return.refresh_from_db()
    assert (scoping_return.service_name, scoping_return.version) == ("", 1)
    assert ScopingReturn.history.count() == 1

    again = client.get(section_url())  # once only
    assert "Typed while signed out" not in again.content.decode()


def test_saving_the_restored_page_saves_the_answers(client, lead, scoping_return):
    post_signed_out(client, scoping_return)
    client.force_login(lead)
    page = client.get(section_url())
    assert f'name="version" value="{scoping_return.version}"' in page.content.decode()

    response = client.post(section_url(), {"version": "1", "later": "1", **TYPED})

    assert response.status_code == 302
    scoping_return.refresh_from_db()
    assert scoping_return.service_name == "Typed while signed out"


def test_the_restored_page_carries_the_version_that_was_posted(
    client, lead, make_user, camden, scoping_return
):
    post_signed_out(client, scoping_return)
    ScopingReturn.objects.filter(pk=scoping_return.pk).update(version=5)  # a colleague saved
    client.force_login(lead)

    page = client.get(section_url())
    assert 'name="version" value="1"' in page.content.decode()

    response = client.post(section_url(), {"version": "1", "later": "1", **TYPED})
    assert response.status_code == 409  # refused as stale, as any save from an old page
    scoping_return.refresh_from_db()
    assert scoping_return.service_name == ""


def test_child_rows_typed_while_signed_out_come_back(client, lead, scoping_return):
    typed = {
        "contacts-TOTAL_FORMS": "2",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "100",
        "contacts-0-name": "Dr Ada Lead",
        "contacts-0-email": "ada.lead@nhs.net",
    }
    post_signed_out(client, scoping_return, typed, slug="contacts")
    client.force_login(lead)

    html = client.get(section_url("contacts")).content.decode()

    assert 'value="Dr Ada Lead"' in html
    assert not scoping_return.contacts.exists()


@pytest.mark.parametrize("who", ["other_lead", "reviewer"])
def test_someone_who_may_not_edit_the_return_sees_nothing_of_it(
    client, request, who, scoping_return
):
    post_signed_out(client, scoping_return)
    client.force_login(request.getfixturevalue(who))

    response = client.get(section_url())

    assert response.status_code == (404 if who == "other_lead" else 200)
    assert "Typed while signed out" not in response.content.decode()
    assert unsaved.RESTORED not in [str(m) for m in get_messages(response.wsgi_request)]
    assert not UnsavedAnswers.objects.exists()


def test_a_submitted_return_is_not_filled_with_the_kept_answers(client, lead, scoping_return):
    post_signed_out(client, scoping_return)
    ScopingReturn.objects.filter(pk=scoping_return.pk).update(state="submitted")
    client.force_login(lead)

    response = client.get(section_url())

    assert "Typed while signed out" not in response.content.decode()
    assert not UnsavedAnswers.objects.exists()


def test_answers_for_another_section_are_not_shown_there(client, lead, scoping_return):
    post_signed_out(client, scoping_return)
    client.force_login(lead)

    response = client.get(section_url("model"))

    assert "Typed while signed out" not in response.content.decode()
    assert not UnsavedAnswers.objects.exists()


def test_answers_kept_more_than_an_hour_ago_are_not_used(client, lead, scoping_return):
    post_signed_out(client, scoping_return)
    UnsavedAnswers.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    client.force_login(lead)

    response = client.get(section_url())

    assert "Typed while signed out" not in response.content.decode()


def test_old_entries_are_deleted_when_new_ones_are_kept(client, scoping_return):
    post_signed_out(client, scoping_return)
    UnsavedAnswers.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    client.cookies.clear()

    post_signed_out(client, scoping_return)

    assert UnsavedAnswers.objects.count() == 1
    assert UnsavedAnswers.objects.get().created_at > timezone.now() - datetime.timedelta(minutes=1)


def test_a_second_signed_out_save_replaces_the_first(client, lead, scoping_return):
    post_signed_out(client, scoping_return)
    post_signed_out(client, scoping_return, {**TYPED, "service_name": "Second try"})

    assert UnsavedAnswers.objects.count() == 1
    client.force_login(lead)
    assert 'value="Second try"' in client.get(section_url()).content.decode()


@pytest.mark.parametrize("value", ["", "made-up", "x" * 5000, "é;\\\"'"])
def test_a_tampered_or_unknown_cookie_is_ignored(client, lead, scoping_return, value):
    post_signed_out(client, scoping_return)
    client.cookies[unsaved.cookie_name()] = value
    client.force_login(lead)

    response = client.get(section_url())

    assert response.status_code == 200
    assert "Typed while signed out" not in response.content.decode()


def test_a_return_that_does_not_exist_keeps_nothing_and_says_nothing(client, scoping_return):
    for url in [section_url(borough="croydon"), section_url("no-such-section")]:
        response = client.post(url, {"version": "1", **TYPED})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert unsaved.cookie_name() not in response.cookies
    assert not UnsavedAnswers.objects.exists()


def test_too_much_or_invalid_text_is_not_kept_but_still_asks_to_sign_in(client, scoping_return):
    for data in [{"current_situation": "x" * 200_001}, {"service_name": "a\x00b"}]:
        response = post_signed_out(client, scoping_return, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert unsaved.cookie_name() not in response.cookies
    assert not UnsavedAnswers.objects.exists()


def test_a_signed_out_page_view_is_still_just_sent_to_sign_in(client, scoping_return):
    response = client.get(section_url() + "?check")

    assert response["Location"] == f"{reverse('login')}?next={section_url()}%3Fcheck"
    assert not UnsavedAnswers.objects.exists()


def test_the_cookie_is_host_only_and_secure_in_production(client, settings, scoping_return):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.SESSION_COOKIE_SECURE = True

    response = post_signed_out(client, scoping_return, secure=True)

    cookie = response.cookies["__Host-pcmh_unsaved"]
    assert cookie["secure"] and cookie["path"] == "/" and not cookie["domain"]


@pytest.mark.parametrize("query", ["?from=check", "?check=1"])
def test_answers_typed_on_a_page_opened_from_check_answers_go_back_there_once_saved(
    client, lead, scoping_return, query
):
    url = section_url() + query
    response = client.post(url, {"version": "1", "continue": "1", **TYPED})
    assert response["Location"].startswith(reverse("login"))
    client.force_login(lead)
    page = client.get(url)  # where signing in sends the lead
    assert 'value="Typed while signed out"' in page.content.decode()
    saved = client.post(url, as_post(response_form_data(page, button="continue")))
    assert saved["Location"] == reverse("surveys:check", args=["demo", "camden"])
    scoping_return.refresh_from_db()
    assert scoping_return.service_name == "Typed while signed out"
