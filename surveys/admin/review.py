"""The review page of a return, and its actions: accept, request changes, reopen, raise a query
on one answer or child row, resolve or re-open a query.

Pages of the returns' admin (`ScopingReturnAdmin.get_urls`), behind the admin's sign-in and
second factor, for the steering group: a reviewer limited to some STPs finds only their
boroughs' returns (404 for others). Every step is a `surveys.workflow` function; after one, the
reviewer is taken to the next return waiting for review.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode

from boroughs.models import is_steering_group
from surveys import workflow
from surveys.admin.actions import ReasonForm, reason_field
from surveys.answers import display_value, section_rows
from surveys.changes import changes_since_submission, row_fields, row_value
from surveys.choices import ReturnState, RoundState
from surveys.forms import posted_version
from surveys.models import SelfAssessment
from surveys.sections import ROWS, sections_for


def _review_name(step=""):
    return f"surveys_scopingreturn_review{step}"


review_url = workflow.review_url


class ReviewPages:
    """The review pages of `ScopingReturnAdmin` (mixed in before it)."""

    def review_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(_redirecting(view))

        base = "review/<slug:round_slug>/<slug:borough_slug>/"
        return [
            path(base, wrap(self.review_view), name=_review_name()),
            path(f"{base}accept/", wrap(self.accept_view), name=_review_name("_accept")),
            path(
                f"{base}request-changes/",
                wrap(self.request_changes_view),
                name=_review_name("_request_changes"),
            ),
            path(f"{base}reopen/", wrap(self.reopen_view), name=_review_name("_reopen")),
            path(f"{base}query/", wrap(self.raise_query_view), name=_review_name("_query")),
            path(f"{base}extend/", wrap(self.extend_view), name=_review_name("_extend")),
            path(
                f"{base}queries/<int:query_id>/",
                wrap(self.query_view),
                name=_review_name("_query_detail"),
            ),
        ]

    # Finding the return

    def _reviewed(self, request, round_slug, borough_slug):
        """The return, if the user is of the steering group and may see its borough; else 404."""
        if not is_steering_group(request.user):
            raise Http404("No such return.")
        scoping_return = get_object_or_404(
            self.get_queryset(request).select_related(
                "survey_round", "borough__stp", "submitted_by", "accepted_by", "updated_by"
            ),
            survey_round__slug=round_slug,
            borough__slug=borough_slug,
        )
        if not self.has_view_permission(request, scoping_return):
            raise Http404("No such return.")
        return scoping_return

    def _may_act(self, request, scoping_return) -> bool:
        # A published round's returns too: reopened and accepted again for a correction (its
        # report keeps its own copy until the correction is published).
        return self.has_review_permission(request)

    def _may_query(self, request, scoping_return) -> bool:
        return (
            self.has_review_permission(request)
            and scoping_return.survey_round.state == RoundState.OPEN
            and scoping_return.state != ReturnState.ACCEPTED
        )

    def _acting(self, request, round_slug, borough_slug):
        scoping_return = self._reviewed(request, round_slug, borough_slug)
        if not self._may_act(request, scoping_return):
            self.message_user(
                request, "You may read this return but not review it.", messages.ERROR
            )
            raise _Redirect(review_url(scoping_return))
        return scoping_return

    def _render(self, request, template, scoping_return, status=200, **context):
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            f"admin/surveys/scopingreturn/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "return": scoping_return,
                "review_url": review_url(scoping_return),
                "changelist_url": reverse("admin:surveys_scopingreturn_changelist")
                + f"?{urlencode({'survey_round__id__exact': scoping_return.survey_round_id})}",
                **context,
            },
            status=status,
        )

    def _next(self, request, scoping_return, done: str):
        """After an action: say what was done, and go to the next return waiting for review."""
        following = (
            self.get_queryset(request)
            .filter(survey_round=scoping_return.survey_round, state=ReturnState.SUBMITTED)
            .exclude(pk=scoping_return.pk)
            .select_related("borough", "survey_round")
            .order_by("submitted_at", "borough__display_order")
            .first()
        )
        if following is None:
            self.message_user(
                request,
                f"{done} No other return in {scoping_return.survey_round} is waiting for review.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("surveys:dashboard")
                + f"?{urlencode({'round': scoping_return.survey_round.slug})}"
            )
        self.message_user(
            request, f"{done} Next waiting for review: {following.borough}.", messages.SUCCESS
        )
        return HttpResponseRedirect(review_url(following))

    # The page

    def review_view(self, request, round_slug, borough_slug):
        scoping_return = self._reviewed(request, round_slug, borough_slug)
        may_query = self._may_query(request, scoping_return)
        changes = changes_since_submission(scoping_return)
        queries = list(scoping_return.queries.select_related("raised_by", "answered_by"))
        queried = {}
        for query in queries:
            queried.setdefault((query.field, query.row_id), []).append(query)
        sections = []
        for section in sections_for(scoping_return.survey_round):
            answers = [
                {
                    "name": name,
                    "label": label,
                    "value": value,
                    "change": changes.answers.get(name),
                    "queries": queried.get((name, None), []),
                    "query_url": review_url(scoping_return, "_query", on=name) if may_query else "",
                }
                for name, label, value in section_rows(scoping_return, section)
            ]
            children = []
            if section.toolkit:
                sections.append(
                    {
                        "section": section,
                        "answers": answers,
                        "children": [],
                        "toolkit": _self_assessment(scoping_return, queried, may_query),
                    }
                )
                continue
            for relation in section.children:
                manager = getattr(scoping_return, relation)
                fields = row_fields(manager.model)
                children.append(
                    {
                        "rows": ROWS[relation],
                        "fields": [f.verbose_name for f in fields],
                        "items": [
                            {
                                "number": number,
                                "values": [row_value(row, f) for f in fields],
                                "queries": queried.get((relation, row.pk), []),
                                "query_url": review_url(
                                    scoping_return, "_query", on=f"{relation}.{row.pk}"
                                )
                                if may_query
                                else "",
                            }
                            for number, row in enumerate(manager.all(), start=1)
                        ],
                    }
                )
            sections.append({"section": section, "answers": answers, "children": children})
        unresolved = [q for q in queries if q.is_unresolved]
        return self._render(
            request,
            "review.html",
            scoping_return,
            title=f"Review {scoping_return.borough}'s return",
            sections=sections,
            changes=changes,
            row_changes=changes.rows,
            queries=queries,
            unresolved=unresolved,
            events=scoping_return.events.select_related("by", "query"),
            comments=scoping_return.comments.select_related("author"),
            quality_notes=scoping_return.quality_notes.all(),
            may_act=self._may_act(request, scoping_return),
            may_query=may_query,
            comment_form=self.comment_form() if self.has_comment_permission(request) else None,
            comment_url=reverse("admin:surveys_scopingreturn_comment", args=[scoping_return.pk]),
            change_url=reverse("admin:surveys_scopingreturn_change", args=[scoping_return.pk]),
            history_url=reverse("admin:surveys_scopingreturn_history", args=[scoping_return.pk]),
            published=scoping_return.survey_round.state == RoundState.PUBLISHED,
        )

    # Accept, request changes, reopen

    def accept_view(self, request, round_slug, borough_slug):
        scoping_return = self._acting(request, round_slug, borough_slug)
        refusal = None
        if request.method == "POST":
            try:
                workflow.accept(
                    scoping_return=scoping_return,
                    by=request.user,
                    version=posted_version(request.POST),
                )
            except workflow.WorkflowError as error:
                refusal = str(error)
            else:
                return self._next(
                    request, scoping_return, f"Accepted {scoping_return.borough}'s return."
                )
        unresolved = workflow.unresolved_queries(scoping_return)
        if scoping_return.state != ReturnState.SUBMITTED and refusal is None:
            refusal = (
                f"Only a submitted return can be accepted; this one is "
                f"{scoping_return.get_state_display().lower()}."
            )
        return self._render(
            request,
            "review_confirm.html",
            scoping_return,
            title=f"Accept {scoping_return.borough}'s return",
            what_happens=[
                f"The return counts in {scoping_return.survey_round}'s report.",
                "Nobody can change it unless the steering group reopens it.",
                _told(scoping_return),
            ],
            unresolved=unresolved,
            refusal=refusal,
            can_confirm=not unresolved and scoping_return.state == ReturnState.SUBMITTED,
            submit_label="Accept the return",
            version=scoping_return.version,
            status=400 if refusal and request.method == "POST" else 200,
        )

    def request_changes_view(self, request, round_slug, borough_slug):
        return self._with_comment(
            request,
            round_slug,
            borough_slug,
            action="request_changes",
            title="Request changes to {borough}'s return",
            label="What needs to change",
            required_message="Say what needs to change",
            help_text="The borough's leads are e-mailed your comment and see it on their task "
            "list.",
            submit_label="Send back for changes",
            states=(ReturnState.SUBMITTED,),
            done="Sent {borough}'s return back for changes.",
            apply=lambda r, by, text, version: workflow.request_changes(
                scoping_return=r, by=by, comment=text, version=version
            ),
        )

    def reopen_view(self, request, round_slug, borough_slug):
        return self._with_comment(
            request,
            round_slug,
            borough_slug,
            action="reopen",
            title="Reopen {borough}'s accepted return",
            label="Reason for reopening",
            required_message="Give a reason for reopening",
            help_text="The borough's leads are e-mailed the reason; the return goes back to them "
            "for changes and stops counting in the report until it is accepted again.",
            submit_label="Reopen the return",
            states=(ReturnState.ACCEPTED,),
            done="Reopened {borough}'s return.",
            apply=lambda r, by, text, version: workflow.reopen(
                scoping_return=r, by=by, reason=text, version=version
            ),
        )

    def _with_comment(self, request, round_slug, borough_slug, **step):
        scoping_return = self._acting(request, round_slug, borough_slug)
        borough = scoping_return.borough
        form = ReasonForm(
            request.POST if request.method == "POST" else None,
            label=step["label"],
            help_text=step["help_text"],
            required_message=step["required_message"],
        )
        refusal = None
        if scoping_return.state not in step["states"]:
            refusal = (
                f"This return is {scoping_return.get_state_display().lower()}: "
                f"{step['submit_label'].lower()} is not possible now."
            )
        elif request.method == "POST" and form.is_valid():
            try:
                step["apply"](
                    scoping_return,
                    request.user,
                    form.cleaned_data["text"],
                    posted_version(request.POST),
                )
            except workflow.WorkflowError as error:
                refusal = str(error)
            else:
                return self._next(request, scoping_return, step["done"].format(borough=borough))
        return self._render(
            request,
            "review_confirm.html",
            scoping_return,
            title=step["title"].format(borough=borough),
            what_happens=[_told(scoping_return)],
            form=form,
            refusal=refusal,
            can_confirm=refusal is None or request.method == "POST",
            submit_label=step["submit_label"],
            version=scoping_return.version,
            status=400 if request.method == "POST" else 200,
        )

    # An extension for one borough

    def extend_view(self, request, round_slug, borough_slug):
        scoping_return = self._acting(request, round_slug, borough_slug)
        form = ExtensionForm(request.POST if request.method == "POST" else None)
        refusal = None
        if request.method == "POST" and form.is_valid():
            try:
                workflow.extend_deadline(
                    scoping_return=scoping_return,
                    by=request.user,
                    until=form.cleaned_data["until"],
                    reason=form.cleaned_data["reason"],
                )
            except workflow.WorkflowError as error:
                refusal = str(error)
            else:
                self.message_user(
                    request,
                    f"{scoping_return.borough} has until {form.cleaned_data['until']:%-d %B %Y}; "
                    "its leads are e-mailed.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(review_url(scoping_return))
        return self._render(
            request,
            "review_extend.html",
            scoping_return,
            title=f"Give {scoping_return.borough} an extension",
            form=form,
            refusal=refusal,
            status=400 if request.method == "POST" else 200,
        )

    # Queries

    def raise_query_view(self, request, round_slug, borough_slug):
        scoping_return = self._acting(request, round_slug, borough_slug)
        on = request.GET.get("on", "")
        field, _, row = on.partition(".")
        row_id = int(row) if row.isdigit() else None
        try:
            about = workflow.query_subject(scoping_return, field, row_id)
        except workflow.WorkflowError:
            raise Http404("No such answer.") from None
        if not self._may_query(request, scoping_return):
            self.message_user(
                request,
                "Queries can be raised only on returns not yet accepted, while the round is open.",
                messages.ERROR,
            )
            return HttpResponseRedirect(review_url(scoping_return))
        form = ReasonForm(
            request.POST if request.method == "POST" else None,
            label="Your query",
            help_text="What should the borough check or explain? Its leads are e-mailed the "
            "query with a link to the answer, and reply on their return.",
            required_message="Enter the query",
        )
        refusal = None
        if request.method == "POST" and form.is_valid():
            try:
                workflow.raise_query(
                    scoping_return=scoping_return,
                    by=request.user,
                    field=field,
                    row_id=row_id,
                    text=form.cleaned_data["text"],
                )
            except workflow.WorkflowError as error:
                refusal = str(error)
            else:
                self.message_user(
                    request,
                    f"Query raised on {about}; {scoping_return.borough}'s leads are e-mailed.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(review_url(scoping_return) + "#queries")
        value = (
            display_value(scoping_return, field)
            if row_id is None
            else ", ".join(
                v
                for v in (
                    row_value(row, f)
                    for row in [getattr(scoping_return, field).get(pk=row_id)]
                    for f in row_fields(getattr(scoping_return, field).model)
                )
                if v
            )
        )
        return self._render(
            request,
            "review_confirm.html",
            scoping_return,
            title=f"Raise a query on {about}",
            quoted=(about, value or "Not answered"),
            what_happens=[_told(scoping_return, "the query")],
            form=form,
            refusal=refusal,
            can_confirm=True,
            submit_label="Raise the query",
            status=400 if request.method == "POST" else 200,
        )

    def query_view(self, request, round_slug, borough_slug, query_id):
        scoping_return = self._reviewed(request, round_slug, borough_slug)
        query = get_object_or_404(scoping_return.queries, pk=query_id)
        may_act = self._may_act(request, scoping_return)
        form = ReasonForm(
            request.POST if request.POST.get("step") == "reopen" else None,
            label="What is still needed",
            help_text="The query is open again; the borough's leads are e-mailed this.",
            required_message="Say what is still needed",
        )
        refusal = None
        if request.method == "POST" and may_act:
            step = request.POST.get("step")
            try:
                if step == "resolve":
                    workflow.resolve_query(query=query, by=request.user)
                    done = f"Resolved the query on {query.about}."
                elif step == "reopen" and form.is_valid():
                    workflow.reopen_query(
                        query=query, by=request.user, text=form.cleaned_data["text"]
                    )
                    done = (
                        f"Re-opened the query on {query.about}; the borough's leads are e-mailed."
                    )
                else:
                    done = None
            except workflow.WorkflowError as error:
                refusal = str(error)
            else:
                if done:
                    self.message_user(request, done, messages.SUCCESS)
                    return HttpResponseRedirect(review_url(scoping_return) + "#queries")
            query.refresh_from_db()
        return self._render(
            request,
            "review_query.html",
            scoping_return,
            title=f"Query on {query.about}",
            query=query,
            steps=query.events.select_related("by"),
            form=form,
            refusal=refusal,
            may_act=may_act,
            status=400 if request.method == "POST" else 200,
        )


def _self_assessment(scoping_return, queried, may_query) -> dict:
    """Section 11 to review: each guidance area's level, evidence, next step and target date,
    with last round's next step where the return was carried over from one, and a query on
    the area's row; the benefits and barriers with their themes."""
    from toolkit.versions import areas

    def query_url(relation, row):
        if not may_query or row is None:
            return ""
        return review_url(scoping_return, "_query", on=f"{relation}.{row.pk}")

    rows = {r.area_id: r for r in scoping_return.self_assessments.select_related("level")}
    planned = {}
    if scoping_return.carried_from_id:
        # The borough's return it was carried over from is its return in that round.
        planned = dict(
            SelfAssessment.objects.filter(
                scoping_return__survey_round_id=scoping_return.carried_from_id,
                scoping_return__borough_id=scoping_return.borough_id,
            )
            .exclude(next_step="")
            .values_list("area_id", "next_step")
        )
    relation = "self_assessments"
    return {
        "carried_from": scoping_return.carried_from,
        "areas": [
            {
                "area": area,
                "row": rows.get(area.slug),
                "planned": planned.get(area.slug, ""),
                "queries": queried.get((relation, rows[area.slug].pk), [])
                if area.slug in rows
                else [],
                "query_url": query_url(relation, rows.get(area.slug)),
            }
            for area in areas()
        ],
        "themed": [
            {
                "rows": ROWS[name],
                "items": [
                    {
                        "number": number,
                        "row": row,
                        "queries": queried.get((name, row.pk), []),
                        "query_url": query_url(name, row),
                    }
                    for number, row in enumerate(getattr(scoping_return, name).all(), start=1)
                ],
            }
            for name in ("benefits", "barriers")
        ],
    }


class ExtensionForm(forms.Form):
    until = forms.DateField(
        label="New deadline",
        help_text="The last day its leads may change and submit the return, as YYYY-MM-DD.",
        widget=forms.DateInput(attrs={"class": "vDateField", "autocomplete": "off"}),
        error_messages={
            "required": "Enter the new deadline",
            "invalid": "Enter the new deadline as a date, for example 2027-10-15",
        },
    )
    reason = reason_field(
        label="Reason",
        help_text="The borough's leads see it on their return.",
        required="Give the reason for the extension",
    )


class _Redirect(Exception):  # noqa: N818 - control flow: "raise _Redirect(url)"
    def __init__(self, url):
        self.url = url


def _redirecting(view):
    """`view`, where a `_Redirect` raised on the way becomes the redirect it names."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except _Redirect as redirect:
            return HttpResponseRedirect(redirect.url)

    return wrapped


def _told(scoping_return, what="") -> str:
    emails = workflow.lead_emails(scoping_return)
    what = f" {what}" if what else ""
    if not emails:
        return f"{scoping_return.borough} has no lead with an e-mail address to tell."
    return f"{scoping_return.borough}'s leads are e-mailed{what}: {', '.join(emails)}."
