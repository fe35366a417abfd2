"""A published round's descriptors stay as its report showed them: once a round that used a
toolkit version is published (whether the version was a draft or approved), the steering group's
attempts to change one of its descriptors, through the version's page in the admin or on the
model itself, are refused with the reason, and no page of the round changes by a byte. Copying
the version into a new draft is the way to change them; an open round's draft stays editable,
and its leads read the new text."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from boroughs.models import Borough
from surveys import workflow
from surveys.models import SelfAssessment
from tests.factories import SurveyRoundFactory, close_and_publish, complete_return
from tests.helpers.html_forms import as_post, form_data
from tests.reports.helpers import body
from toolkit import versions
from toolkit.models import Descriptor, ToolkitVersion

pytestmark = pytest.mark.django_db

REWRITTEN = "Rewritten after the round: every borough is embedded."
VERSION_FORM = "toolkitversion_form"


@pytest.fixture(autouse=True)
def _every_page_computed(settings):
    """No page comes from the report cache: what is compared is what the round's data renders."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def _change_url(version):
    return reverse("admin:toolkit_toolkitversion_change", args=[version.pk])


def _action_url(version, action):
    return f"{_change_url(version).removesuffix('change/')}actions/{action}/"


def _boroughs():
    """Five boroughs across STP footprints, Camden first (its profile is compared)."""
    camden = Borough.objects.get(slug="camden")
    others = Borough.objects.exclude(pk=camden.pk).order_by("stp__display_order", "pk")
    by_stp = {}
    for borough in others:
        by_stp.setdefault(borough.stp_id, []).append(borough)
    return [camden, *[b for group in by_stp.values() for b in group[:2]]][:5]


def _toolkit_round(version, *, slug, by, publish=True):
    """A toolkit round against `version` with five boroughs' accepted returns, their levels
    spread over the four levels; published unless told otherwise."""
    survey_round = SurveyRoundFactory(
        toolkit=True, toolkit_version=version, slug=slug, name=f"Round {slug}"
    )
    levels = [level.slug for level in versions.levels()]
    for i, borough in enumerate(_boroughs()):
        scoping_return = complete_return(borough=borough, survey_round=survey_round)
        for j, area in enumerate(versions.areas()):
            SelfAssessment.objects.filter(scoping_return=scoping_return, area=area).update(
                level_id=levels[(i + j) % len(levels)]
            )
        workflow.submit(scoping_return=scoping_return, by=by, notify=False)
        workflow.accept(scoping_return=scoping_return, by=by, notify=False)
    if publish:
        survey_round = close_and_publish(survey_round, by)
    return survey_round


def _approved_version(by):
    """A version approved by the steering group: version 1's descriptors, copied and approved."""
    copy = versions.copy_as_draft(version=ToolkitVersion.objects.get(number=1), by=by)
    return versions.approve(version=copy, by=by)


def _between(text, start, end):
    found = re.search(re.escape(start) + ".*?" + re.escape(end), text, re.S)
    assert found, start
    return found.group(0)


def _shown(client, steering_client, survey_round):
    """Every page and download of the round that shows its version's descriptors or anything
    read from the version or the levels, as bytes: the self-assessment page (descriptors, Draft),
    Camden's profile (its benchmark), its printable copy, summary.json, self_assessments.csv, and
    the Section 11 table of the steering group's review page (which names the version)."""
    slug = survey_round.slug
    pages = {
        "self-assessment": reverse("reports:self_assessment", args=[slug]),
        "profile": reverse("reports:borough", args=[slug, "camden"]),
        "printable copy": reverse("reports:return_copy", args=[slug, "camden"]),
        "summary.json": reverse("reports:summary_json", args=[slug]),
        "self_assessments.csv": reverse("reports:data_csv", args=[slug, "self_assessments"]),
    }
    shown = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        shown[name] = body(response)
    review = steering_client.get(
        workflow.review_url(survey_round.returns.get(borough__slug="camden"))
    ).content.decode()
    shown["review"] = _between(review, '<table id="rows-self_assessments">', "</table>").encode()
    return shown


def _descriptors(version):
    return dict(version.descriptors.values_list("pk", "text"))


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _edited(data, descriptor, text):
    """The version's page as posted by a browser in which the descriptor's row was editable
    and its text changed (the read-only page has no such controls: a page opened earlier has)."""
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.endswith("-id") and value == str(descriptor.pk)
    )
    data[f"descriptors-{index}-area"] = descriptor.area_id
    data[f"descriptors-{index}-level"] = descriptor.level_id
    data[f"descriptors-{index}-text"] = text
    return data


@pytest.fixture
def steering_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def anonymous():
    return Client()


@pytest.mark.parametrize("kind", ["draft", "approved"])
def test_a_published_rounds_descriptors_cannot_be_changed_and_its_pages_stay_as_they_were(
    kind, anonymous, steering_client, reviewer
):
    version = (
        ToolkitVersion.objects.get(number=1) if kind == "draft" else _approved_version(reviewer)
    )
    assert version.is_draft == (kind == "draft")
    survey_round = _toolkit_round(version, slug=f"published-{kind}", by=reviewer)
    descriptor = version.descriptors.select_related("area", "level").first()
    before = _shown(anonymous, steering_client, survey_round)
    page = before["self-assessment"].decode()
    assert escape(descriptor.text) in page  # the pages compared do show the descriptors
    assert ("Draft" in page) == (kind == "draft")
    assert ("Draft" in before["profile"].decode()) == (kind == "draft")
    stored = _descriptors(version)
    refusal = version.edit_refusal()
    assert refusal
    assert survey_round.name in refusal

    # The version's page says why, and shows the descriptors to read, not to edit.
    response = steering_client.get(_change_url(version))
    assert refusal in _messages(response)
    page = response.content.decode()
    assert "descriptors-0-text" not in page
    assert f"{escape(descriptor.text)}</p>" in page
    assert _action_url(version, "approve") not in page

    # Posted with a descriptor's text changed (as from a page opened while it could be):
    # refused with the reason, nothing saved.
    data = _edited(form_data(page, form_id=VERSION_FORM), descriptor, REWRITTEN)
    data["note"] = "Changed along with the descriptor."
    response = steering_client.post(_change_url(version), as_post(data), follow=True)
    assert _messages(response) == [f"Nothing was saved. {refusal}"]
    # On the model itself, by any other path.
    descriptor.text = REWRITTEN
    with pytest.raises(ValidationError, match=re.escape(refusal)):
        descriptor.full_clean()
    with pytest.raises(ValidationError, match=re.escape(refusal)):
        descriptor.save()
    with pytest.raises(ValidationError, match=re.escape(refusal)):
        Descriptor(
            version=version, area=descriptor.area, level=descriptor.level, text=REWRITTEN
        ).save()

    version.refresh_from_db()
    assert _descriptors(version) == stored
    assert version.note != "Changed along with the descriptor."
    assert version.is_draft == (kind == "draft")
    assert _shown(anonymous, steering_client, survey_round) == before


def test_a_draft_used_by_a_published_round_is_not_approved_from_a_page_opened_before(
    anonymous, steering_client, reviewer
):
    """The Approve button of a page opened while the round was open, pressed once it is
    published: refused, and the round's pages still say Draft."""
    version = ToolkitVersion.objects.get(number=1)
    survey_round = _toolkit_round(version, slug="approve-later", by=reviewer, publish=False)
    assert (
        _action_url(version, "approve")
        in steering_client.get(_change_url(version)).content.decode()
    )
    survey_round = close_and_publish(survey_round, reviewer)
    before = _shown(anonymous, steering_client, survey_round)
    assert "Draft" in before["self-assessment"].decode()

    response = steering_client.post(_action_url(version, "approve"), follow=True)
    assert _messages(response) == [f"Not approved. {version.edit_refusal()}"]  # once, with why
    version.refresh_from_db()
    assert version.is_draft and version.approved_at is None
    assert _shown(anonymous, steering_client, survey_round) == before


def test_a_page_opened_while_the_round_was_open_saves_nothing_once_it_is_published(
    anonymous, steering_client, reviewer
):
    """The version's page opened (editable) while its round was open, its descriptor edited and
    saved after the round was published: the steering group is told why nothing was saved."""
    version = ToolkitVersion.objects.get(number=1)
    survey_round = _toolkit_round(version, slug="stale", by=reviewer, publish=False)
    page = steering_client.get(_change_url(version)).content.decode()
    data = form_data(page, form_id=VERSION_FORM)
    index = next(k.split("-")[1] for k in data if k.endswith("-text"))
    descriptor = Descriptor.objects.get(pk=data[f"descriptors-{index}-id"])
    data[f"descriptors-{index}-text"] = REWRITTEN
    data["_save"] = "Save"
    survey_round = close_and_publish(survey_round, reviewer)
    before = _shown(anonymous, steering_client, survey_round)
    stored = _descriptors(version)

    response = steering_client.post(_change_url(version), as_post(data), follow=True)
    assert _messages(response) == [f"Nothing was saved. {version.edit_refusal()}"]
    assert _descriptors(version) == stored
    descriptor.refresh_from_db()
    assert descriptor.text != REWRITTEN
    assert _shown(anonymous, steering_client, survey_round) == before


def test_a_copy_into_a_new_draft_is_edited_and_the_published_round_keeps_the_old_text(
    anonymous, steering_client, reviewer
):
    version = _approved_version(reviewer)
    survey_round = _toolkit_round(version, slug="copied", by=reviewer)
    before = _shown(anonymous, steering_client, survey_round)
    stored = _descriptors(version)

    response = steering_client.post(_action_url(version, "copy_as_draft"))
    assert response.status_code == 302
    draft = ToolkitVersion.objects.get(based_on=version)
    assert draft.is_draft and draft.edit_refusal() is None
    assert response.url == _change_url(draft)
    page = steering_client.get(response.url).content.decode()
    data = form_data(page, form_id=VERSION_FORM)
    index = next(k.split("-")[1] for k in data if k.endswith("-text"))
    edited = Descriptor.objects.get(pk=data[f"descriptors-{index}-id"])
    old = edited.text
    assert escape(old) in before["self-assessment"].decode()
    data[f"descriptors-{index}-text"] = REWRITTEN
    data["_save"] = "Save"
    response = steering_client.post(_change_url(draft), as_post(data), follow=True)
    assert any("was changed successfully" in message for message in _messages(response))

    edited.refresh_from_db()
    assert edited.text == REWRITTEN and edited.version == draft
    assert _descriptors(version) == stored
    after = _shown(anonymous, steering_client, survey_round)
    assert after == before
    assert REWRITTEN not in after["self-assessment"].decode()


def _radio_hint(page, area, level):
    """The hint of the level's radio in the area's fieldset of Section 11, as read."""
    block = _between(page, f'id="area-{area.slug}"', "</fieldset>")
    radio = re.search(rf'<input[^>]*value="{level.slug}"[^>]*>', block, re.S)
    assert radio, (area.slug, level.slug)
    hint = re.search(r'aria-describedby="([^"]+)"', radio.group(0)).group(1)
    found = re.search(rf'<span id="{hint}"[^>]*>(.*?)</span>', block, re.S)
    return html.unescape(found.group(1)).strip()


def test_an_open_rounds_draft_is_edited_and_its_leads_read_the_new_descriptor(
    steering_client, lead, reviewer, camden
):
    version = ToolkitVersion.objects.get(number=1)
    survey_round = SurveyRoundFactory(toolkit=True, slug="open")
    complete_return(borough=camden, survey_round=survey_round)
    assert survey_round.toolkit_version == version and version.edit_refusal() is None
    leads_client = Client()
    leads_client.force_login(lead)
    section = reverse("surveys:section", args=[survey_round.slug, "camden", "self-assessment"])

    page = steering_client.get(_change_url(version)).content.decode()
    data = form_data(page, form_id=VERSION_FORM)
    index = next(k.split("-")[1] for k in data if k.endswith("-text"))
    edited = Descriptor.objects.select_related("area", "level").get(
        pk=data[f"descriptors-{index}-id"]
    )
    assert _radio_hint(leads_client.get(section).content.decode(), edited.area, edited.level) == (
        edited.text
    )
    data[f"descriptors-{index}-text"] = REWRITTEN
    data["_save"] = "Save"
    response = steering_client.post(_change_url(version), as_post(data))
    assert response.status_code == 302

    edited.refresh_from_db()
    assert edited.text == REWRITTEN
    page = leads_client.get(section).content.decode()
    assert _radio_hint(page, edited.area, edited.level) == REWRITTEN


def test_a_drafts_page_saved_as_the_browser_sends_it_changes_nothing(steering_client):
    version = ToolkitVersion.objects.get(number=1)
    assert version.edit_refusal() is None

    def state():
        fresh = ToolkitVersion.objects.get(pk=version.pk)
        return (
            {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields},
            list(fresh.descriptors.order_by("pk").values_list("pk", "area", "level", "text")),
            ToolkitVersion.history.filter(id=version.pk).count(),
            Descriptor.history.filter(version_id=version.pk).count(),
        )

    before = state()
    page = steering_client.get(_change_url(version)).content.decode()
    data = form_data(page, form_id=VERSION_FORM)
    assert any(key.endswith("-text") for key in data)  # the descriptors are offered to edit
    data["_save"] = "Save"
    response = steering_client.post(_change_url(version), as_post(data))
    assert response.status_code == 302
    assert state() == before
