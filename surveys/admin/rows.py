"""A return's rows (care roles, contacts, outcome measures, funding lines, data-quality notes).

They are edited with their return, as its inlines; their own lists, and those of its review
events and comments, are to read, with history, import and export.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.utils.html import format_html

from surveys.admin.imports import SpreadsheetImportExportMixin
from surveys.admin.mixins import BoroughScopedAdmin, HistoryAdmin, ReadOnlyAdmin, changeable
from surveys.admin.review import review_url
from surveys.fields import code_in_list
from surveys.forms import (
    BarrierForm,
    BenefitForm,
    CareRoleForm,
    ContactForm,
    FundingLineForm,
    KeepsWhatItIsGiven,
    OutcomeMeasureForm,
)
from surveys.models import (
    Barrier,
    Benefit,
    CareRole,
    Contact,
    DataQualityNote,
    FundingLine,
    OutcomeMeasure,
    SelfAssessment,
)
from surveys.resources import (
    SELF_ASSESSMENT_FIELDS,
    BarrierResource,
    BenefitResource,
    CareRoleResource,
    ContactResource,
    DataQualityNoteResource,
    FundingLineResource,
    OutcomeMeasureResource,
    SelfAssessmentResource,
)
from surveys.sections import rows_heading
from toolkit.choices import Theme


class ReturnChildInline(InlineModelAdmin):
    """A child row of a return: editable with the return, read-only once it is accepted."""

    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and changeable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and changeable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and changeable(request, obj)


class ReturnChildTabularInline(ReturnChildInline, admin.TabularInline):
    pass


class CareRoleInline(ReturnChildTabularInline):
    model = CareRole
    form = CareRoleForm
    verbose_name_plural = rows_heading("care_roles")


class OutcomeMeasureInline(ReturnChildTabularInline):
    model = OutcomeMeasure
    form = OutcomeMeasureForm
    verbose_name_plural = rows_heading("measures")


class FundingLineInline(ReturnChildTabularInline):
    model = FundingLine
    form = FundingLineForm
    verbose_name_plural = rows_heading("funding_lines")


class ContactInline(ReturnChildTabularInline):
    model = Contact
    form = ContactForm
    verbose_name_plural = rows_heading("contacts")


class SelfAssessmentAdminForm(KeepsWhatItIsGiven, forms.ModelForm):
    class Meta:
        model = SelfAssessment
        fields = SELF_ASSESSMENT_FIELDS


class ToolkitRowsInline(ReturnChildTabularInline):
    """Section 11's rows: on the page of a return only when its round uses the toolkit
    (`ScopingReturnAdmin.get_inlines`)."""

    toolkit = True


class SelfAssessmentInline(ToolkitRowsInline):
    model = SelfAssessment
    form = SelfAssessmentAdminForm
    verbose_name_plural = rows_heading("self_assessments")


class BenefitInline(ToolkitRowsInline):
    model = Benefit
    form = BenefitForm
    verbose_name_plural = rows_heading("benefits")


class BarrierInline(ToolkitRowsInline):
    model = Barrier
    form = BarrierForm
    verbose_name_plural = rows_heading("barriers")


class DataQualityNoteForm(KeepsWhatItIsGiven, forms.ModelForm):
    class Meta:
        model = DataQualityNote
        fields = ["field", "narrative", "appendix", "note"]


class DataQualityNoteInline(ReturnChildInline, admin.StackedInline):
    model = DataQualityNote
    form = DataQualityNoteForm
    fields = ["field", "narrative", "appendix", "note"]
    verbose_name_plural = "Data-quality notes"


class ReturnPartAdmin(BoroughScopedAdmin, admin.ModelAdmin):
    """Rows that belong to a return: listed by the return's round and borough."""

    borough_path = "scoping_return__borough"
    list_filter = [
        "scoping_return__survey_round",
        ("scoping_return__borough__stp", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["scoping_return__borough", "scoping_return__survey_round"]
    search_fields = ["scoping_return__borough__name"]

    def borough_id_of(self, obj):
        return obj.scoping_return.borough_id

    @admin.display(description="borough", ordering="scoping_return__borough__display_order")
    def borough(self, obj):
        return obj.scoping_return.borough

    @admin.display(description="round", ordering="scoping_return__survey_round")
    def survey_round(self, obj):
        return obj.scoping_return.survey_round


class ChildRowAdmin(ReadOnlyAdmin, ReturnPartAdmin, SpreadsheetImportExportMixin, HistoryAdmin):
    """A child row's list, history, import and export; it is edited on its return's page.

    Editing here would bypass the return's version check and its accepted lock, so these pages
    are read-only; import and export need the returns' own import and export permissions.
    """

    def has_import_permission(self, request):
        return request.user.has_perm("surveys.import_scopingreturn")

    def has_export_permission(self, request):
        return request.user.has_perm("surveys.export_scopingreturn")


class CareRoleAdmin(ChildRowAdmin):
    resource_classes = [CareRoleResource]
    list_display = [
        "borough", "survey_round", "role", "role_other", "post_status", "wte", "band", "employer",
    ]  # fmt: skip
    list_filter = [*ReturnPartAdmin.list_filter, "role", "post_status"]


class ContactAdmin(ChildRowAdmin):
    resource_classes = [ContactResource]
    list_display = ["borough", "survey_round", "name", "job_title", "organisation", "email"]
    search_fields = [*ReturnPartAdmin.search_fields, "name", "email"]


class OutcomeMeasureAdmin(ChildRowAdmin):
    resource_classes = [OutcomeMeasureResource]
    list_display = ["borough", "survey_round", "name"]


class FundingLineAdmin(ChildRowAdmin):
    resource_classes = [FundingLineResource]
    list_display = ["borough", "survey_round", "amount", "financial_year", "recurrent", "source"]


class SelfAssessmentAdmin(ChildRowAdmin):
    resource_classes = [SelfAssessmentResource]
    list_display = ["borough", "survey_round", "area", "level", "next_step", "target_date"]
    list_filter = [*ReturnPartAdmin.list_filter, "level", "area"]
    list_select_related = [*ReturnPartAdmin.list_select_related, "area", "level"]


class ThemeFilter(admin.SimpleListFilter):
    """Rows tagged with one theme (of the several a row may have)."""

    title = "theme"
    parameter_name = "theme"

    def lookups(self, request, model_admin):
        return Theme.choices

    def queryset(self, request, queryset):
        code = self.value()
        if code not in Theme.values:
            return queryset
        return queryset.filter(code_in_list("themes", code))


class ThemedRowAdmin(ChildRowAdmin):
    list_display = ["borough", "survey_round", "text", "theme_list"]
    list_filter = [*ReturnPartAdmin.list_filter, ThemeFilter]
    search_fields = [*ReturnPartAdmin.search_fields, "text"]

    @admin.display(description="themes")
    def theme_list(self, obj):
        return ", ".join(obj.theme_labels)


class BenefitAdmin(ThemedRowAdmin):
    resource_classes = [BenefitResource]


class BarrierAdmin(ThemedRowAdmin):
    resource_classes = [BarrierResource]


class DataQualityNoteAdmin(ChildRowAdmin):
    resource_classes = [DataQualityNoteResource]
    list_display = ["borough", "survey_round", "field", "note"]
    list_filter = [*ReturnPartAdmin.list_filter, "field"]


class ReturnEventAdmin(ReadOnlyAdmin, ReturnPartAdmin):
    list_display = ["borough", "survey_round", "kind", "from_state", "to_state", "at", "by"]
    list_filter = [*ReturnPartAdmin.list_filter, "kind", "to_state"]
    list_select_related = [*ReturnPartAdmin.list_select_related, "by"]
    date_hierarchy = "at"


class ReturnCommentAdmin(ReadOnlyAdmin, ReturnPartAdmin):
    """The threads, to read; a comment is added on its return's page, which e-mails the leads."""

    list_display = ["borough", "survey_round", "author", "at", "text"]
    list_select_related = [*ReturnPartAdmin.list_select_related, "author"]
    search_fields = [*ReturnPartAdmin.search_fields, "text"]
    date_hierarchy = "at"


class AnswerQueryAdmin(ReadOnlyAdmin, ReturnPartAdmin, HistoryAdmin):
    """The queries of every return, to follow: each is raised, resolved and re-opened on its
    return's review page and answered by the borough's leads (`surveys.workflow`)."""

    list_display = ["borough", "survey_round", "about", "state", "raised_at", "answered_at"]
    list_filter = [*ReturnPartAdmin.list_filter, "state"]
    search_fields = [*ReturnPartAdmin.search_fields, "about", "text", "reply"]
    date_hierarchy = "raised_at"
    history_list_display = ["state"]

    @admin.display(description="review page")
    def review_link(self, obj):
        return format_html('<a href="{}">Review the return</a>', review_url(obj.scoping_return))

    readonly_fields = ["review_link"]
