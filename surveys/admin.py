"""The steering group's review screens: returns, their child rows, rounds, import and export.

Every screen starts from the boroughs the user may see (`Borough.objects.for_user`), in its
queryset and in its object permissions (a history view can reach a record the list hides). State
changes go through `surveys.workflow`; a save in the admin is a versioned `workflow.save_changes`.
"""

import os
import zipfile
from datetime import datetime
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.tmp_storages import CacheStorage
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from boroughs.models import Borough
from pcmh.security_log import log_event
from surveys import workflow
from surveys.choices import ItSystem, ModelType, ReturnState
from surveys.forms import (
    CareRoleForm,
    CommentForm,
    ContactForm,
    FundingLineForm,
    KeepsWhatItIsGiven,
    OutcomeMeasureForm,
    join_codes,
)
from surveys.models import (
    CareRole,
    Contact,
    DataQualityNote,
    FundingLine,
    OutcomeMeasure,
    ReturnComment,
    ReturnEvent,
    ScopingReturn,
    SurveyRound,
)
from surveys.resources import (
    CareRoleResource,
    ContactResource,
    DataQualityNoteResource,
    FundingLineResource,
    OutcomeMeasureResource,
    ScopingReturnResource,
)
from surveys.sections import SECTIONS

SECTION_FIELDS = [name for section in SECTIONS for name in section.fields]
ANSWER_QUESTIONS = [
    "training",
    "shared_it",
    "medicines_management",
    "depot_antipsychotics",
    "clozapine_clinic",
    "lithium_clinic",
    "advice_line",
    "primary_care_pharmacist",
    "outcome_measures",
    "recurrent_funding",
]
SPREADSHEET_FORMATS = [base_formats.CSV, base_formats.XLSX]
# An .xlsx is a zip: refuse one that would unpack to far more than the upload limit.
XLSX_MAX_EXPANSION = 20


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "the system"


def stale_message(current) -> str:
    """Why a save was refused: someone changed the return after the page was opened."""
    who = _who(current.updated_by) if current.updated_by else "someone else"
    return (
        f"This return was changed by {who} on {_when(current.updated_at)} after you opened it, "
        "so your changes were not saved. "
        "Open the return again to see its current answers, then make your changes again."
    )


def visible_borough_ids(request) -> frozenset:
    """The boroughs the signed-in user may see, once per request."""
    ids = getattr(request, "_pcmh_visible_boroughs", None)
    if ids is None:
        ids = frozenset(Borough.objects.for_user(request.user).values_list("pk", flat=True))
        request._pcmh_visible_boroughs = ids
    return ids


def is_limited_reviewer(user) -> bool:
    return not user.is_superuser and user.reviewer_stps.exists()


# --- Shared behaviour -----------------------------------------------------------------------


class BoroughScopedAdmin:
    """Lists and object permissions limited to the boroughs the user may see."""

    borough_path = "borough"  # the lookup from the model to its Borough

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(**{f"{self.borough_path}__in": Borough.objects.for_user(request.user)})
        )

    def borough_id_of(self, obj):
        return obj.borough_id

    def may_see(self, request, obj) -> bool:
        return obj is None or self.borough_id_of(obj) in visible_borough_ids(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.may_see(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_see(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_see(request, obj)


LIST_CHOICES = {"model_types": dict(ModelType.choices), "it_systems": dict(ItSystem.choices)}


class LabelledChangeHelper(HistoricalRecordContextHelper):
    """Show a change's old and new values as people read them: labels, not stored codes."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if value in ("", None):
            return "(blank)"
        if change.field in LIST_CHOICES:
            labels = LIST_CHOICES[change.field]
            return ", ".join(labels.get(code, code) for code in str(value).split(",") if code)
        field = self.model._meta.get_field(change.field)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return value


class HistoryAdmin(SimpleHistoryAdmin):
    """simple-history's list of changes (old → new per field), without its revert."""

    def get_historical_record_context_helper(self, request, historical_record):
        return LabelledChangeHelper(self.model, historical_record)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POST to this view as a revert, past every check we make on
        # saves: a past version is only ever shown.
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class SpreadsheetImportForm(ImportForm):
    """The import form, refusing files over the size limit or of another type than .csv/.xlsx."""

    def __init__(self, formats, resources, **kwargs):
        self.format_classes = formats
        super().__init__(formats, resources, **kwargs)
        limit = filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)
        self.fields["import_file"].help_text = f"A .csv or .xlsx file of at most {limit}."

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(
                f"The file is {filesizeformat(upload.size)}: files over {filesizeformat(limit)} "
                "are refused. Split it into smaller files."
            )
        extension = Path(upload.name).suffix.lower()
        if extension not in {".csv", ".xlsx"}:
            raise ValidationError(
                f"“{Path(upload.name).name[:80]}” is not a .csv or .xlsx file: only CSV and "
                "Excel (.xlsx) files can be imported."
            )
        if extension == ".xlsx":
            self._check_xlsx(upload, limit)
        upload.seek(0)
        return upload

    @staticmethod
    def _check_xlsx(upload, limit):
        try:
            with zipfile.ZipFile(upload) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise ValidationError("The file is not a valid Excel (.xlsx) workbook.") from None
        if unpacked > limit * XLSX_MAX_EXPANSION:
            raise ValidationError(
                "The workbook unpacks to more than "
                f"{filesizeformat(limit * XLSX_MAX_EXPANSION)}: it is refused."
            )

    def clean(self):
        data = super().clean()
        upload, chosen = data.get("import_file"), data.get("format")
        if upload and chosen not in (None, ""):
            expected = self.format_classes[int(chosen)]().get_extension()
            extension = Path(upload.name).suffix.lower().lstrip(".")
            if extension != expected:
                self.add_error(
                    "format",
                    f"The file is a .{extension} file: choose the {extension.upper()} format.",
                )
        return data


def describe_import_errors(result, limit: int = 5) -> str:
    """The first problems of an import, as "row 3 (line 4 of the file), training: …"."""
    problems = []
    for row in result.invalid_rows:
        where = f"row {row.number} (line {row.number + 1} of the file)"
        for column, texts in row.error_dict.items():
            column = "" if column == NON_FIELD_ERRORS else f", {column}"
            problems.append(f"{where}{column}: {' '.join(texts)}")
    for number, errors in result.row_errors():
        where = f"row {number} (line {number + 1} of the file)"
        problems.extend(f"{where}: {error.error}" for error in errors)
    problems.extend(str(error.error) for error in result.base_errors)
    shown = "; ".join(problems[:limit])
    more = len(problems) - limit
    return shown + (f"; and {more} more" if more > 0 else "")


class PreviewedImportForm(ConfirmImportForm):
    """The confirm step, carrying when the preview was shown (returns changed since are refused)."""

    previewed_at = forms.CharField(widget=forms.HiddenInput())

    def clean_previewed_at(self):
        try:
            previewed_at = datetime.fromisoformat(self.cleaned_data["previewed_at"])
        except ValueError:
            raise ValidationError("The preview's time is missing: import the file again.") from None
        if timezone.is_naive(previewed_at):
            raise ValidationError("The preview's time is missing: import the file again.")
        return previewed_at


class SpreadsheetImportExportMixin(ImportExportMixin):
    """django-import-export limited to CSV and XLSX, one transaction, all or nothing."""

    import_formats = SPREADSHEET_FORMATS
    export_formats = SPREADSHEET_FORMATS
    import_form_class = SpreadsheetImportForm
    confirm_form_class = PreviewedImportForm
    import_error_display = ("message",)

    def process_import(self, request, **kwargs):
        name = os.path.basename(request.POST.get("import_file_name", ""))
        if self.has_import_permission(request) and name and not self._waiting(name):
            # Already imported by a first click, or swept after a day: nothing is imported.
            return self._back_to_import(
                request,
                "Nothing was imported: the uploaded file is no longer available (it was imported "
                "already, or its preview is more than a day old). Upload the file again.",
            )
        return super().process_import(request, **kwargs)

    def _back_to_import(self, request, message: str):
        self.message_user(request, message, messages.ERROR)
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))

    def _waiting(self, name: str) -> bool:
        """Whether the upload of a preview is still where the confirmation will read it."""
        storage = self.get_tmp_storage_class()(name=name, **self.get_tmp_storage_class_kwargs())
        if isinstance(storage, CacheStorage):
            return cache.get(storage.CACHE_PREFIX + name) is not None
        return os.path.exists(storage.get_full_path())

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        return {**initial, "previewed_at": timezone.now().isoformat()}

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        kwargs = super().get_import_data_kwargs(**kwargs)
        # A row that fails validation at the confirm step (the data changed since the preview)
        # rolls back the whole file, not just that row.
        kwargs["rollback_on_validation_errors"] = True
        if isinstance(form, PreviewedImportForm):
            kwargs["previewed_at"] = form.cleaned_data["previewed_at"]
        return kwargs

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            log_event(
                "import_refused",
                request,
                model=self.model._meta.label_lower,
                invalid_rows=len(result.invalid_rows),
                row_errors=len(result.row_errors()),
            )
            return self._back_to_import(
                request, f"Nothing was imported: {describe_import_errors(result)}."
            )
        totals = result.totals
        log_event(
            "import",
            request,
            model=self.model._meta.label_lower,
            new=totals.get("new", 0),
            updated=totals.get("update", 0),
            skipped=totals.get("skip", 0),
        )
        return super().process_result(result, request)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        log_event(
            "export",
            request,
            model=self.model._meta.label_lower,
            rows=queryset.count(),
            format=file_format.get_title(),
        )
        return super().get_export_data(file_format, request, queryset, **kwargs)


def _run_workflow(model_admin, request, queryset, *, done_message, apply):
    """Apply a workflow function to each return, then say what was done and what was skipped.

    `done_message` is formatted with the number of returns done, "return(s)" and their boroughs.
    """
    done = []
    for scoping_return in queryset.select_related("borough", "survey_round"):
        try:
            apply(scoping_return)
        except workflow.WorkflowError as error:
            model_admin.message_user(
                request,
                f"Skipped {scoping_return.borough} ({scoping_return.survey_round}): {error}",
                messages.WARNING,
            )
        else:
            done.append(str(scoping_return.borough))
    if done:
        noun = "return" if len(done) == 1 else "returns"
        model_admin.message_user(
            request,
            done_message.format(count=len(done), noun=noun, names=", ".join(done)),
            messages.SUCCESS,
        )
    elif not queryset.exists():
        model_admin.message_user(
            request, "None of the selected returns is one you may review.", messages.WARNING
        )


class ReasonForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField"}),
        max_length=5000,
        error_messages={"max_length": "Keep it to 5,000 characters or fewer"},
    )

    def __init__(self, *args, label: str, help_text: str, required_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].help_text = help_text
        self.fields["text"].error_messages["required"] = required_message


# --- Returns ----------------------------------------------------------------------------------


class ScopingReturnAdminForm(KeepsWhatItIsGiven, forms.ModelForm):
    """The return's fields, with the version it was read at and lists as checkboxes."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": "Reload the page: the form did not say which version it is."},
    )
    model_types = forms.MultipleChoiceField(
        label="Model types",
        choices=ModelType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    it_systems = forms.MultipleChoiceField(
        label="IT systems",
        choices=ItSystem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ScopingReturn
        fields = ["survey_round", "borough", *SECTION_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields.pop("version", None)
        elif "version" in self.fields:
            self.initial["version"] = self.instance.version
        for name in ("model_types", "it_systems"):
            if name in self.fields:
                current = getattr(self.instance, name, "") or ""
                self.initial[name] = [code for code in current.split(",") if code]

    def clean_model_types(self):
        return join_codes(self.cleaned_data.get("model_types") or [], self.instance.model_types)

    def clean_it_systems(self):
        return join_codes(self.cleaned_data.get("it_systems") or [], self.instance.it_systems)

    def clean(self):
        data = super().clean()
        version = data.get("version")
        if "version" in self.fields and version is not None and version != self.instance.version:
            raise ValidationError(stale_message(self.instance), code="stale")
        return data


class ReturnChildInline(InlineModelAdmin):
    """A child row of a return: editable with the return, read-only once it is accepted."""

    extra = 0
    show_change_link = True

    @staticmethod
    def _open(obj) -> bool:
        return obj is None or obj.state != ReturnState.ACCEPTED

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._open(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._open(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._open(obj)


class ReturnChildTabularInline(ReturnChildInline, admin.TabularInline):
    pass


class CareRoleInline(ReturnChildTabularInline):
    model = CareRole
    form = CareRoleForm
    verbose_name_plural = "4. Care roles"


class OutcomeMeasureInline(ReturnChildTabularInline):
    model = OutcomeMeasure
    form = OutcomeMeasureForm
    verbose_name_plural = "8. Outcome measures used"


class FundingLineInline(ReturnChildTabularInline):
    model = FundingLine
    form = FundingLineForm
    verbose_name_plural = "9. Funding lines"


class ContactInline(ReturnChildTabularInline):
    model = Contact
    form = ContactForm
    verbose_name_plural = "10. Contacts"


class DataQualityNoteForm(KeepsWhatItIsGiven, forms.ModelForm):
    class Meta:
        model = DataQualityNote
        fields = ["field", "narrative", "appendix", "note"]


class DataQualityNoteInline(ReturnChildInline, admin.StackedInline):
    model = DataQualityNote
    form = DataQualityNoteForm
    fields = ["field", "narrative", "appendix", "note"]
    verbose_name_plural = "Data-quality notes"


REVIEW_FIELDS = (
    "state",
    ("submitted_at", "submitted_by"),
    ("accepted_at", "accepted_by"),
    ("updated_at", "updated_by"),
)
READ_ONLY_FIELDS = [
    "state",
    "submitted_at",
    "submitted_by",
    "accepted_at",
    "accepted_by",
    "updated_at",
    "updated_by",
    "review_timeline",
    "comment_thread",
    "model_type_names",
    "it_system_names",
]
# On a read-only page, lists of codes are shown by their labels.
READ_ONLY_SHOWN_AS = {"model_types": "model_type_names", "it_systems": "it_system_names"}


@admin.register(ScopingReturn)
class ScopingReturnAdmin(BoroughScopedAdmin, SpreadsheetImportExportMixin, HistoryAdmin):
    form = ScopingReturnAdminForm
    # The model's version is never edited: the form's own `version` field carries the one read.
    exclude = ["version"]
    resource_classes = [ScopingReturnResource]
    list_display = [
        "borough",
        "stp",
        "survey_round",
        "state",
        "status",
        "submitted_at",
        "updated_at",
    ]
    list_filter = [
        "survey_round",
        "state",
        ("borough__stp", admin.RelatedOnlyFieldListFilter),
        "status",
        "scope",
        *ANSWER_QUESTIONS,
    ]
    list_select_related = ["borough__stp", "survey_round"]
    search_fields = ["borough__name", "contacts__name", "contacts__email"]
    search_help_text = "Search by borough, or by a contact's name or e-mail."
    readonly_fields = READ_ONLY_FIELDS
    inlines = [
        CareRoleInline,
        OutcomeMeasureInline,
        FundingLineInline,
        ContactInline,
        DataQualityNoteInline,
    ]
    actions = ["accept_returns", "request_changes", "reopen_returns"]
    history_list_display = ["state", "version"]
    save_on_top = True

    # The list

    @admin.display(description="STP footprint", ordering="borough__stp__display_order")
    def stp(self, obj):
        return obj.borough.stp

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting returns in bulk would bypass the workflow, accepted ones included.
        actions.pop("delete_selected", None)
        return actions

    # The change page

    def get_fieldsets(self, request, obj=None):
        head = ["survey_round", "borough"]
        editable = obj is None or self.has_change_permission(request, obj)
        if obj is not None:
            head += list(REVIEW_FIELDS)
            if editable:
                head.append("version")
        fieldsets = [("Return", {"fields": head})]
        fieldsets += [
            (
                f"{section.number}. {section.title}",
                {
                    "fields": [
                        name if editable else READ_ONLY_SHOWN_AS.get(name, name)
                        for name in section.fields
                    ]
                },
            )
            for section in SECTIONS
            if section.fields
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Review history and comments",
                    {
                        "fields": ["review_timeline", "comment_thread"],
                        "description": "Care roles, outcome measures, funding lines, contacts "
                        "and data-quality notes are below.",
                    },
                )
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields += ["survey_round", "borough"]
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "borough":
            kwargs["queryset"] = Borough.objects.for_user(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Model types")
    def model_type_names(self, obj):
        return ", ".join(obj.model_type_labels())

    @admin.display(description="IT systems")
    def it_system_names(self, obj):
        return ", ".join(obj.it_system_labels())

    @admin.display(description="Timeline")
    def review_timeline(self, obj):
        events = list(obj.events.select_related("by"))
        if not events:
            return "Not submitted yet."
        return format_html(
            '<ol class="review-timeline">{}</ol>',
            format_html_join(
                "",
                "<li><strong>{}</strong> → <strong>{}</strong> on {} by {}{}</li>",
                (
                    (
                        event.get_from_state_display(),
                        event.get_to_state_display(),
                        _when(event.at),
                        _who(event.by),
                        format_html("<br>{}", linebreaksbr(event.comment)) if event.comment else "",
                    )
                    for event in events
                ),
            ),
        )

    @admin.display(description="Comments")
    def comment_thread(self, obj):
        comments = list(obj.comments.select_related("author"))
        if not comments:
            return "No comments yet."
        return format_html(
            '<ol class="comment-thread" id="comments">{}</ol>',
            format_html_join(
                "",
                "<li><strong>{}</strong>, {}:<br>{}</li>",
                (
                    (_who(comment.author), _when(comment.at), linebreaksbr(comment.text))
                    for comment in comments
                ),
            ),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if self.has_comment_permission(request):
            comment_form = CommentForm(prefix="comment")
            comment_form.fields["text"].widget.attrs.update(
                {"aria-describedby": "id_comment-text_helptext", "class": "vLargeTextField"}
            )
            extra_context["comment_form"] = comment_form
            extra_context["comment_url"] = reverse(
                "admin:surveys_scopingreturn_comment", args=[object_id]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except workflow.StaleVersion as stale:
            # Raised inside the admin's transaction: the return and its rows are unchanged.
            self.message_user(request, stale_message(stale.current), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if not change:
            obj.updated_by = request.user
            obj._history_user = request.user
            obj.save()
        # A change is saved in save_related, where the changes to its rows are known too.

    def save_related(self, request, form, formsets, change):
        if change:
            fields = {
                name: getattr(form.instance, name)
                for name in form.changed_data
                if name in SECTION_FIELDS
            }
            if fields or any(formset.has_changed() for formset in formsets):
                # Claims the version read with the page (one conditional UPDATE), or raises
                # StaleVersion inside the admin's transaction, so the rows are not saved either.
                fresh = workflow.save_changes(
                    scoping_return=form.instance,
                    version=form.cleaned_data["version"],
                    by=request.user,
                    fields=fields,
                )
                form.instance.version = fresh.version
                form.instance.updated_at = fresh.updated_at
                form.instance.updated_by = request.user
        super().save_related(request, form, formsets, change)

    # Permissions

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.state == ReturnState.ACCEPTED:
            return False  # read-only until it is reopened
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state == ReturnState.ACCEPTED:
            return False
        return super().has_delete_permission(request, obj)

    def has_review_permission(self, request):
        return request.user.has_perm("surveys.review_scopingreturn")

    def has_comment_permission(self, request):
        return request.user.has_perm("surveys.add_returncomment")

    # Comments

    def get_urls(self):
        return [
            path(
                "<path:object_id>/comment/",
                self.admin_site.admin_view(self.comment_view),
                name="surveys_scopingreturn_comment",
            ),
            *super().get_urls(),
        ]

    def comment_view(self, request, object_id):
        return require_POST(self._comment)(request, object_id)

    def _comment(self, request, object_id):
        scoping_return = self.get_object(request, unquote(object_id))
        if scoping_return is None:
            raise Http404("No such return.")
        if not (
            self.has_view_permission(request, scoping_return)
            and self.has_comment_permission(request)
        ):
            raise PermissionDenied
        form = CommentForm(request.POST, prefix="comment")
        if form.is_valid():
            workflow.add_comment(
                scoping_return=scoping_return, by=request.user, text=form.cleaned_data["text"]
            )
            self.message_user(
                request,
                f"Your comment was added to {scoping_return.borough}'s return; its leads are "
                "e-mailed.",
                messages.SUCCESS,
            )
        else:
            errors = "; ".join(error for errors in form.errors.values() for error in errors)
            self.message_user(request, f"The comment was not added: {errors}.", messages.ERROR)
        return HttpResponseRedirect(
            reverse("admin:surveys_scopingreturn_change", args=[scoping_return.pk]) + "#comments"
        )

    # Workflow actions

    @admin.action(description="Accept the selected submitted returns", permissions=["review"])
    def accept_returns(self, request, queryset):
        _run_workflow(
            self,
            request,
            queryset,
            done_message="Accepted {count} {noun}: {names}.",
            apply=lambda r: workflow.accept(scoping_return=r, by=request.user),
        )

    @admin.action(description="Request changes to the selected returns", permissions=["review"])
    def request_changes(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            action="request_changes",
            title="Request changes",
            intro="Only submitted returns are sent back; others are skipped. The borough's leads "
            "are e-mailed your comment and see it on their task list.",
            form_kwargs={
                "label": "What needs to change",
                "help_text": "The same comment goes to every selected return.",
                "required_message": "Say what needs to change",
            },
            submit="Send back for changes",
            done_message="Sent {count} {noun} back for changes: {names}.",
            apply=lambda r, text: workflow.request_changes(
                scoping_return=r, by=request.user, comment=text
            ),
        )

    @admin.action(description="Reopen the selected accepted returns", permissions=["review"])
    def reopen_returns(self, request, queryset):
        return self._with_reason(
            request,
            queryset,
            action="reopen_returns",
            title="Reopen accepted returns",
            intro="Only accepted returns of rounds not yet published are reopened; others are "
            "skipped. A reopened return goes back to its leads for changes.",
            form_kwargs={
                "label": "Reason for reopening",
                "help_text": "The borough's leads are e-mailed the reason.",
                "required_message": "Give a reason for reopening",
            },
            submit="Reopen",
            done_message="Reopened {count} {noun}: {names}.",
            apply=lambda r, text: workflow.reopen(scoping_return=r, by=request.user, reason=text),
        )

    def _with_reason(
        self, request, queryset, *, action, title, intro, form_kwargs, submit, done_message, apply
    ):
        """An action that first asks for a comment on an intermediate page, then applies."""
        data = request.POST if "apply" in request.POST else None
        form = ReasonForm(data, **form_kwargs)
        if form.is_valid():
            text = form.cleaned_data["text"]
            _run_workflow(
                self, request, queryset, done_message=done_message, apply=lambda r: apply(r, text)
            )
            return None
        returns = list(queryset.select_related("borough", "survey_round"))
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "opts": self.model._meta,
            "returns": returns,
            "form": form,
            "action": action,
            "submit_label": submit,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "changelist_url": reverse("admin:surveys_scopingreturn_changelist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "surveys/admin_action_form.html", context)


# --- Child rows, events and comments ----------------------------------------------------------


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


class ChildRowAdmin(ReturnPartAdmin, SpreadsheetImportExportMixin, HistoryAdmin):
    """A child row's list, history, import and export; it is edited on its return's page.

    Editing here would bypass the return's version check and its accepted lock, so these pages
    are read-only; import and export need the returns' own import and export permissions.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_import_permission(self, request):
        return request.user.has_perm("surveys.import_scopingreturn")

    def has_export_permission(self, request):
        return request.user.has_perm("surveys.export_scopingreturn")


@admin.register(CareRole)
class CareRoleAdmin(ChildRowAdmin):
    resource_classes = [CareRoleResource]
    list_display = ["borough", "survey_round", "role", "role_other", "wte", "band", "employer"]
    list_filter = [*ReturnPartAdmin.list_filter, "role"]


@admin.register(Contact)
class ContactAdmin(ChildRowAdmin):
    resource_classes = [ContactResource]
    list_display = ["borough", "survey_round", "name", "job_title", "organisation", "email"]
    search_fields = [*ReturnPartAdmin.search_fields, "name", "email"]


@admin.register(OutcomeMeasure)
class OutcomeMeasureAdmin(ChildRowAdmin):
    resource_classes = [OutcomeMeasureResource]
    list_display = ["borough", "survey_round", "name"]


@admin.register(FundingLine)
class FundingLineAdmin(ChildRowAdmin):
    resource_classes = [FundingLineResource]
    list_display = ["borough", "survey_round", "amount", "financial_year", "recurrent", "source"]


@admin.register(DataQualityNote)
class DataQualityNoteAdmin(ChildRowAdmin):
    resource_classes = [DataQualityNoteResource]
    list_display = ["borough", "survey_round", "field", "note"]
    list_filter = [*ReturnPartAdmin.list_filter, "field"]


class ReadOnlyPartAdmin(ReturnPartAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReturnEvent)
class ReturnEventAdmin(ReadOnlyPartAdmin):
    list_display = ["borough", "survey_round", "from_state", "to_state", "at", "by"]
    list_filter = [*ReturnPartAdmin.list_filter, "to_state"]
    list_select_related = [*ReturnPartAdmin.list_select_related, "by"]
    date_hierarchy = "at"


@admin.register(ReturnComment)
class ReturnCommentAdmin(ReadOnlyPartAdmin):
    """The threads, to read; a comment is added on its return's page, which e-mails the leads."""

    list_display = ["borough", "survey_round", "author", "at", "text"]
    list_select_related = [*ReturnPartAdmin.list_select_related, "author"]
    search_fields = [*ReturnPartAdmin.search_fields, "text"]
    date_hierarchy = "at"


# --- Rounds -----------------------------------------------------------------------------------


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


@admin.register(SurveyRound)
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
    actions = ["close_rounds", "publish_rounds"]
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

    def _run(self, request, queryset, *, verb, apply):
        done = []
        for survey_round in queryset:
            try:
                apply(survey_round)
            except workflow.WorkflowError as error:
                self.message_user(request, f"Skipped {survey_round}: {error}", messages.WARNING)
            else:
                done.append(str(survey_round))
        if done:
            self.message_user(request, f"{verb}: {', '.join(done)}.", messages.SUCCESS)

    @admin.action(description="Close the selected open rounds", permissions=["change"])
    def close_rounds(self, request, queryset):
        self._run(
            request,
            queryset,
            verb="Closed",
            apply=lambda r: workflow.close_round(survey_round=r, by=request.user),
        )

    @admin.action(description="Publish the selected closed rounds", permissions=["change"])
    def publish_rounds(self, request, queryset):
        self._run(
            request,
            queryset,
            verb="Published",
            apply=lambda r: workflow.publish_round(survey_round=r, by=request.user),
        )
