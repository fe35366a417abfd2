"""An admin page saved as the browser sends it, unchanged, changes nothing: not a field, not a
row, and no history record of no change (surveys.admin.mixins.HistoryAdmin)."""

import pytest
from django.urls import reverse

from tests.factories import SurveyRoundFactory
from tests.helpers.html_forms import as_post, response_form_data
from toolkit.models import GuidanceArea, Level, Principle

pytestmark = pytest.mark.django_db


def _state(obj):
    fresh = type(obj).objects.get(pk=obj.pk)
    return (
        {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields},
        type(obj).history.filter(**{obj._meta.pk.attname: obj.pk}).count(),
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: Principle.objects.order_by("order").first(),
        lambda: GuidanceArea.objects.order_by("order").first(),
        lambda: Level.objects.order_by("rank").first(),
        lambda: SurveyRoundFactory(slug="open-round", guidance="Read the guidance first."),
    ],
    ids=["principle", "guidance area", "level", "round"],
)
def test_an_unchanged_admin_page_saved_changes_nothing(client, superuser, make):
    obj = make()
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    client.force_login(superuser)
    before = _state(obj)
    data = response_form_data(client.get(url), form_id=f"{meta.model_name}_form")
    data["_save"] = "Save"
    response = client.post(url, as_post(data))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _state(obj) == before
