"""The changelists' workflow actions: each calls a `surveys.workflow` function per object.

Accept, request changes and reopen act on returns (a return's own review page has the same
steps, `review.py`); closing and publishing rounds are in `rounds.py`. All of them go through
`run_workflow`, which says what was done and what was skipped, and why.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse

from surveys import workflow


def run_workflow(
    model_admin,
    request,
    objects,
    *,
    apply,
    done_message,
    skipped_as=str,
    done_as=str,
    nouns=("return", "returns"),
    none_message="",
):
    """Apply a workflow function to each object, then say what was done and what was skipped.

    `done_message` is formatted with the number done (`count`), the singular or plural of
    `nouns` (`noun`) and the done objects as `done_as` names them (`names`). A skipped object is
    named by `skipped_as`. `none_message` is shown when nothing was selected that the user may see.
    """
    done = []
    for obj in objects:
        try:
            apply(obj)
        except workflow.WorkflowError as error:
            model_admin.message_user(
                request, f"Skipped {skipped_as(obj)}: {error}", messages.WARNING
            )
        else:
            done.append(done_as(obj))
    if done:
        noun = nouns[0] if len(done) == 1 else nouns[1]
        model_admin.message_user(
            request,
            done_message.format(count=len(done), noun=noun, names=", ".join(done)),
            messages.SUCCESS,
        )
    elif none_message and not objects.exists():
        model_admin.message_user(request, none_message, messages.WARNING)


def reason_field(
    *, label="", help_text="", required="", limit=2000, limit_message="", rows=3
) -> forms.CharField:
    """The words a review step asks for, in the admin's large text box: a comment, a reason
    (`limit` characters; `limit_message` says so when it is passed)."""
    messages_ = {"max_length": limit_message or f"Keep the reason to {limit:,} characters or fewer"}
    if required:
        messages_["required"] = required
    return forms.CharField(
        label=label or None,
        help_text=help_text,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows, "class": "vLargeTextField"}),
        error_messages=messages_,
    )


class ReasonForm(forms.Form):
    text = reason_field(limit=5000, limit_message="Keep it to 5,000 characters or fewer", rows=5)

    def __init__(self, *args, label: str, help_text: str, required_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].help_text = help_text
        self.fields["text"].error_messages["required"] = required_message


# --- Returns ----------------------------------------------------------------------------------


def _run_on_returns(model_admin, request, queryset, *, done_message, apply):
    run_workflow(
        model_admin,
        request,
        queryset.select_related("borough", "survey_round"),
        apply=apply,
        done_message=done_message,
        skipped_as=lambda r: f"{r.borough} ({r.survey_round})",
        done_as=lambda r: str(r.borough),
        none_message="None of the selected returns is one you may review.",
    )


def _confirmed(
    model_admin,
    request,
    queryset,
    *,
    action,
    title,
    intro,
    submit,
    done_message,
    apply,
    form_kwargs=None,
):
    """An action that first shows what it will do on an intermediate page (and, with
    `form_kwargs`, asks for a comment there), then applies once confirmed."""
    confirmed = "apply" in request.POST
    form = ReasonForm(request.POST if confirmed else None, **form_kwargs) if form_kwargs else None
    if confirmed and (form is None or form.is_valid()):
        text = form.cleaned_data["text"] if form else None
        _run_on_returns(
            model_admin,
            request,
            queryset,
            done_message=done_message,
            apply=(lambda r: apply(r, text)) if form else apply,
        )
        return None
    returns = list(queryset.select_related("borough", "survey_round"))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "opts": model_admin.model._meta,
        "returns": returns,
        "form": form,
        "action": action,
        "submit_label": submit,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "changelist_url": reverse("admin:surveys_scopingreturn_changelist"),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "surveys/admin_action_form.html", context)


@admin.action(description="Accept the selected submitted returns", permissions=["review"])
def accept_returns(model_admin, request, queryset):
    return _confirmed(
        model_admin,
        request,
        queryset,
        action="accept_returns",
        title="Accept returns",
        intro="Only submitted returns with no unresolved query are accepted; others are "
        "skipped, each with the reason. An accepted return counts in its round's report and "
        "cannot be changed unless it is reopened; the borough's leads are e-mailed.",
        submit="Accept the returns",
        done_message="Accepted {count} {noun}: {names}.",
        apply=lambda r: workflow.accept(scoping_return=r, by=request.user),
    )


@admin.action(description="Request changes to the selected returns", permissions=["review"])
def request_changes(model_admin, request, queryset):
    return _confirmed(
        model_admin,
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
def reopen_returns(model_admin, request, queryset):
    return _confirmed(
        model_admin,
        request,
        queryset,
        action="reopen_returns",
        title="Reopen accepted returns",
        intro="Only accepted returns are reopened; others are skipped. A reopened return goes "
        "back to its leads for changes. A published round's report keeps the return as it was "
        "published until a correction of the round is published.",
        form_kwargs={
            "label": "Reason for reopening",
            "help_text": "The borough's leads are e-mailed the reason.",
            "required_message": "Give a reason for reopening",
        },
        submit="Reopen",
        done_message="Reopened {count} {noun}: {names}.",
        apply=lambda r, text: workflow.reopen(scoping_return=r, by=request.user, reason=text),
    )
