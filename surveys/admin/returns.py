"""The returns' screen: a return's answers in its sections, its review history and comments.

A save here is a versioned `workflow.save_changes`; accepting, sending back and reopening are
the actions in `actions.py`; the return's rows are its inlines (`rows.py`).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from boroughs.models import Borough
from surveys import workflow
from surveys.admin.actions import accept_returns, reason_field, reopen_returns, request_changes
from surveys.admin.imports import SpreadsheetImportExportMixin
from surveys.admin.mixins import (
    REVIEWED_STATES,
    BoroughScopedAdmin,
    HistoryAdmin,
    changeable,
    correcting,
)
from surveys.admin.review import ReviewPages, review_url
from surveys.admin.rows import (
    BarrierInline,
    BenefitInline,
    CareRoleInline,
    ContactInline,
    DataQualityNoteInline,
    FundingLineInline,
    OutcomeMeasureInline,
    SelfAssessmentInline,
)
from surveys.forms import CommentForm, KeepsWhatItIsGiven
from surveys.models import ANSWER_FIELD_NAMES, ReturnState, ScopingReturn
from surveys.resources import ScopingReturnResource
from surveys.sections import FIELD_NAMES, SECTIONS

SECTION_FIELDS = list(FIELD_NAMES)
ANSWER_QUESTIONS = list(ANSWER_FIELD_NAMES)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "the system"


class ScopingReturnAdminForm(KeepsWhatItIsGiven, forms.ModelForm):
    """The return's fields, with the version it was read at and lists as checkboxes."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": "Reload the page: the form did not say which version it is."},
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

    def clean(self):
        data = super().clean()
        version = data.get("version")
        if "version" in self.fields and version is not None and version != self.instance.version:
            raise ValidationError(workflow.stale_message(self.instance), code="stale")
        return data


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


class CorrectionForm(ScopingReturnAdminForm):
    """Correcting an answer of a submitted or accepted return: a data fix, with its reason."""

    correction_reason = reason_field(
        label="Reason for the correction",
        help_text="Recorded in the return's history and on its timeline.",
        required="Give the reason for the correction",
    )


class ScopingReturnAdmin(
    ReviewPages, BoroughScopedAdmin, SpreadsheetImportExportMixin, HistoryAdmin
):
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
        SelfAssessmentInline,
        BenefitInline,
        BarrierInline,
        DataQualityNoteInline,
    ]
    actions = [accept_returns, request_changes, reopen_returns]
    history_list_display = ["state", "version"]
    save_on_top = True

    # The list

    @admin.display(description="STP footprint", ordering="borough__stp__display_order")
    def stp(self, obj):
        return obj.borough.stp

    def get_inlines(self, request, obj):
        """Section 11's rows only on a return whose round uses the toolkit (and on the page
        that adds a return, whose round is not yet chosen)."""
        uses_toolkit = obj is None or obj.survey_round.uses_toolkit
        return [i for i in self.inlines if uses_toolkit or not getattr(i, "toolkit", False)]

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Deleting returns in bulk would bypass the workflow, accepted ones included.
        actions.pop("delete_selected", None)
        return actions

    # The change page

    def _correcting(self, request, obj) -> bool:
        return obj is not None and obj.state in REVIEWED_STATES and correcting(request)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._correcting(request, obj):
            kwargs["form"] = CorrectionForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        head = ["survey_round", "borough"]
        editable = obj is None or self.has_change_permission(request, obj)
        if obj is not None:
            head += list(REVIEW_FIELDS)
        if editable and self._correcting(request, obj):
            head.append("correction_reason")
            # The form's hidden `version` is rendered by the change form's template, labelless.
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
        return ", ".join(obj.code_labels("model_types"))

    @admin.display(description="IT systems")
    def it_system_names(self, obj):
        return ", ".join(obj.code_labels("it_systems"))

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
            extra_context["comment_form"] = self.comment_form()
            extra_context["comment_url"] = reverse(
                "admin:surveys_scopingreturn_comment", args=[object_id]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The return the page shows, read once by the admin: its review steps as buttons.
        if obj is not None:
            context.update(
                review_url=review_url(obj),
                tools=self._tools(request, obj),
                correcting=self._correcting(request, obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _tools(self, request, obj) -> list[tuple[str, str]]:
        """The buttons of a return's admin page: (label, address), as its state allows."""
        tools = [("Review this return", review_url(obj))]
        if not self.has_review_permission(request):
            return tools
        if obj.state == ReturnState.SUBMITTED:
            tools += [
                ("Accept", review_url(obj, "_accept")),
                ("Request changes", review_url(obj, "_request_changes")),
            ]
        if obj.state == ReturnState.ACCEPTED:
            tools.append(("Reopen", review_url(obj, "_reopen")))
        change = reverse("admin:surveys_scopingreturn_change", args=[obj.pk])
        if obj.state in REVIEWED_STATES and self.has_change_permission(request, None):
            tools.append(
                ("Stop correcting", change)
                if correcting(request)
                else ("Correct an answer", f"{change}?correct=1")
            )
        return tools

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except workflow.StaleVersion as stale:
            # Raised inside the admin's transaction: the return and its rows are unchanged.
            self.message_user(
                request, workflow.stale_message(stale.current, typed_shown=False), messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if not change:
            started, created = workflow.start_return(
                survey_round=obj.survey_round,
                borough=obj.borough,
                by=request.user,
                answers={name: getattr(obj, name) for name in SECTION_FIELDS},
                reason="Added in the admin",
            )
            if not created:  # started by someone else since the form was checked
                raise workflow.StaleVersion(started)
            obj.pk = started.pk
            obj.refresh_from_db()
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
                    correction=form.cleaned_data.get("correction_reason", ""),
                )
                form.instance.version = fresh.version
                form.instance.updated_at = fresh.updated_at
                form.instance.updated_by = request.user
        super().save_related(request, form, formsets, change)

    # Permissions

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and changeable(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Deleting needs no "Correct an answer": the workflow alone says (accepted: never).
        return super().has_delete_permission(request, obj) and (
            obj is None or not workflow.edit_refusal(obj, request.user, reviewing=True)
        )

    def has_review_permission(self, request):
        return request.user.has_perm("surveys.review_scopingreturn")

    def has_comment_permission(self, request):
        return request.user.has_perm("surveys.add_returncomment")

    # Comments

    def get_urls(self):
        return [
            *self.review_urls(),
            path(
                "<path:object_id>/comment/",
                self.admin_site.admin_view(self.comment_view),
                name="surveys_scopingreturn_comment",
            ),
            *super().get_urls(),
        ]

    def comment_form(self):
        """The form adding to a return's comments, on its admin and review pages."""
        form = CommentForm(prefix="comment")
        form.fields["text"].widget.attrs.update(
            {"aria-describedby": "id_comment-text_helptext", "class": "vLargeTextField"}
        )
        return form

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
        back = (
            review_url(scoping_return)
            if request.POST.get("next") == "review"
            else reverse("admin:surveys_scopingreturn_change", args=[scoping_return.pk])
        )
        return HttpResponseRedirect(back + "#comments")
