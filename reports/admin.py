"""The steering group's screens for what a round's printed report says beside its figures: the
published statements, and the service aims with the boroughs whose narratives state each.

Every member of the steering group reads them; the steering group of all London edits them (a
reviewer limited to some STPs reads only, as for rounds). Every change is kept in the history.
"""

from django import forms
from django.contrib import admin

from reports.figures import figure_choices
from reports.models import PublishedStatement, RoundAim, RoundAimBorough, ThemeStatement
from surveys.admin.mixins import HistoryAdmin, is_limited_reviewer
from surveys.forms import KeepsWhatItIsGiven


class AllLondonEdits:
    """Edited by the steering group of all London; read by every member of it."""

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and not is_limited_reviewer(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not is_limited_reviewer(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not is_limited_reviewer(request.user)


class PublishedStatementForm(KeepsWhatItIsGiven, forms.ModelForm):
    figure = forms.ChoiceField(
        label="Figure it qualifies",
        choices=figure_choices,
        help_text="The figure of the summary the statement is shown beside.",
    )

    class Meta:
        model = PublishedStatement
        fields = [
            "survey_round",
            "key",
            "order",
            "figure",
            "printed",
            "printed_value",
            "explanation",
        ]


@admin.register(PublishedStatement)
class PublishedStatementAdmin(AllLondonEdits, HistoryAdmin):
    form = PublishedStatementForm
    list_display = ["key", "survey_round", "order", "figure", "printed_value"]
    list_display_links = ["key"]
    list_filter = ["survey_round"]
    list_select_related = ["survey_round"]
    search_fields = ["key", "printed", "explanation"]
    history_list_display = ["printed_value"]


class RoundAimForm(KeepsWhatItIsGiven, forms.ModelForm):
    class Meta:
        model = RoundAim
        fields = ["survey_round", "key", "order", "name", "printed"]


class RoundAimBoroughForm(KeepsWhatItIsGiven, forms.ModelForm):
    class Meta:
        model = RoundAimBorough
        fields = ["borough", "words"]
        widgets = {"words": forms.Textarea(attrs={"rows": 2, "cols": 60})}


class RoundAimBoroughInline(AllLondonEdits, admin.TabularInline):
    model = RoundAimBorough
    form = RoundAimBoroughForm
    extra = 0
    verbose_name = "borough whose narrative states the aim"
    verbose_name_plural = "boroughs whose narratives state the aim"


@admin.register(RoundAim)
class RoundAimAdmin(AllLondonEdits, HistoryAdmin):
    form = RoundAimForm
    inlines = [RoundAimBoroughInline]
    list_display = ["name", "survey_round", "order", "key"]
    list_filter = ["survey_round"]
    list_select_related = ["survey_round"]
    search_fields = ["key", "name", "printed"]


class ThemeStatementForm(KeepsWhatItIsGiven, forms.ModelForm):
    class Meta:
        model = ThemeStatement
        fields = ["survey_round", "kind", "theme", "order", "text"]


@admin.register(ThemeStatement)
class ThemeStatementAdmin(AllLondonEdits, HistoryAdmin):
    form = ThemeStatementForm
    list_display = ["__str__", "survey_round", "kind", "theme", "order"]
    list_filter = ["survey_round", "kind", "theme"]
    list_select_related = ["survey_round"]
    search_fields = ["text"]
