"""The rounds' screen: dates and guidance, closed and published by actions (`actions.py`)."""

from django import forms

from surveys.admin.actions import close_rounds, publish_rounds
from surveys.admin.mixins import HistoryAdmin, is_limited_reviewer
from surveys.models import SurveyRound


class SurveyRoundAdminForm(forms.ModelForm):
    class Meta:
        model = SurveyRound
        fields = ["name", "slug", "opens_on", "closes_on", "guidance", "previous_round"]

    def clean(self):
        data = super().clean()
        previous = data.get("previous_round")
        if previous is not None and self.instance.pk and previous.pk == self.instance.pk:
            self.add_error("previous_round", "A round cannot be its own previous round.")
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "The round must close on or after the day it opens.")
        return data


class SurveyRoundAdmin(HistoryAdmin):
    form = SurveyRoundAdminForm
    list_display = ["name", "state", "opens_on", "closes_on", "published_at", "previous_round"]
    list_filter = ["state"]
    list_select_related = ["previous_round"]
    search_fields = ["name", "slug"]
    fields = [
        "name",
        "slug",
        ("opens_on", "closes_on"),
        "guidance",
        "previous_round",
        "state",
        "published_at",
    ]
    readonly_fields = ["state", "published_at"]
    prepopulated_fields = {"slug": ["name"]}
    actions = [close_rounds, publish_rounds]
    history_list_display = ["state"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_change_permission(self, request, obj=None):
        # A round covers all of London: a reviewer limited to some STPs does not run it.
        return super().has_change_permission(request, obj) and not is_limited_reviewer(request.user)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not is_limited_reviewer(request.user)
