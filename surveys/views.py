"""The lead's pages: their returns, the task list, one form per section, check and submit."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from boroughs.models import Borough, Stp, is_steering_group
from surveys import unsaved, workflow
from surveys.answers import section_rows
from surveys.completeness import missing_items, section_needs, section_state, to_check
from surveys.forms import (
    FORMSETS,
    CommentForm,
    DeclarationForm,
    QueryReplyForm,
    edit_rows,
    posted_version,
    section_form_class,
    shown_unchecked,
)
from surveys.models import QueryState, ReturnState, RoundState, ScopingReturn, SurveyRound
from surveys.sections import ROWS, SECTION_OF, SECTIONS_BY_SLUG, sections_for


def _return_for(request, round_slug, borough_slug):
    """The return, if the user may see its borough: otherwise 404, never 403 (no hint it exists)."""
    return get_object_or_404(
        ScopingReturn.objects.for_user(request.user).select_related(
            "survey_round", "borough__stp", "updated_by", "carried_from"
        ),
        survey_round__slug=round_slug,
        borough__slug=borough_slug,
    )


def _can_edit(user, scoping_return) -> bool:
    return workflow.edit_refusal(scoping_return, user) is None


@login_required
def your_returns(request):
    boroughs = list(Borough.objects.for_user(request.user).select_related("stp"))
    if is_steering_group(request.user) and not request.user.borough_memberships.exists():
        return redirect("surveys:dashboard")
    rounds = list(SurveyRound.objects.all())
    returns = {
        (r.survey_round_id, r.borough_id): r
        for r in ScopingReturn.objects.filter(borough__in=boroughs).select_related(
            "survey_round", "borough"
        )
    }
    rows = [
        {
            "borough": borough,
            "items": [
                (survey_round, scoping_return, _can_edit(request.user, scoping_return))
                if (scoping_return := returns.get((survey_round.pk, borough.pk)))
                else (survey_round, None, False)
                for survey_round in rounds
            ],
        }
        for borough in boroughs
    ]
    context = {"rows": rows, "needing_action": workflow.needing_lead_action(request.user)}
    return render(request, "surveys/your_returns.html", context)


@login_required
@require_POST
def start_return(request, round_slug, borough_slug):
    borough = get_object_or_404(Borough.objects.for_user(request.user), slug=borough_slug)
    survey_round = get_object_or_404(SurveyRound, slug=round_slug)
    if not borough.memberships.filter(user=request.user).exists():
        raise Http404("Only the borough's leads start its return.")
    if survey_round.state != RoundState.OPEN:
        messages.error(request, f"{survey_round} is closed: a new return cannot be started.")
        return redirect("surveys:your_returns")
    late = workflow.deadline_refusal(survey_round)
    if late:
        messages.error(request, late)
        return redirect("surveys:your_returns")
    scoping_return, created = workflow.start_return(
        survey_round=survey_round, borough=borough, by=request.user
    )
    if created:
        messages.success(request, f"You have started {borough}'s return for {survey_round}.")
    return redirect(scoping_return)


@login_required
def return_page(request, round_slug, borough_slug):
    scoping_return = _return_for(request, round_slug, borough_slug)
    sections = [
        {"section": s, "state": section_state(scoping_return, s)}
        for s in sections_for(scoping_return.survey_round)
    ]
    events = scoping_return.events.select_related("by")
    last_request = (
        events.filter(to_state=ReturnState.CHANGES_REQUESTED).last()
        if scoping_return.state == ReturnState.CHANGES_REQUESTED
        else None
    )
    return render(
        request,
        "surveys/return.html",
        {
            "return": scoping_return,
            "sections": sections,
            "events": events,
            "comments": scoping_return.comments.select_related("author"),
            "comment_form": CommentForm(),
            "comment_refusal": workflow.comment_refusal(scoping_return, request.user),
            "last_request": last_request,
            "can_edit": _can_edit(request.user, scoping_return),
            "completed": sum(1 for s in sections if s["state"] == "Completed"),
            "queries": _queries_for_lead(scoping_return),
        },
    )


def _queries_for_lead(scoping_return, section=None) -> list:
    """The steering group's unresolved queries on the return (or one section), each with the
    link to its answer and, when the lead may reply, its reply form."""
    queries = [
        q
        for q in scoping_return.queries.exclude(state=QueryState.RESOLVED).select_related(
            "answered_by"
        )
        if section is None or SECTION_OF[q.field] == section
    ]
    for query in queries:
        query.link = workflow.query_link(query)
        query.section_url = query.link.split("#")[0]
        query.section = SECTION_OF[query.field]
        if query.state == QueryState.OPEN and scoping_return.survey_round.is_open:
            query.reply_form = QueryReplyForm(prefix=f"query-{query.pk}")
    return queries


def _mark_queried(form, queries):
    """Beside each queried answer, in its hint: the query, and a link to reply to it."""
    if form is None:
        return
    for query in queries:
        if query.row_id is None and query.field in form.fields and query.state == QueryState.OPEN:
            field = form.fields[query.field]
            note = format_html(
                '<strong class="pcmh-query-note">The steering group has a query on this answer:'
                '</strong> <a class="govuk-link" href="#query-{}">read it and reply</a>',
                query.pk,
            )
            field.help_text = (
                format_html("{}<br>{}", field.help_text, note) if field.help_text else note
            )


def _next_section(slug, survey_round=None):
    slugs = [s.slug for s in sections_for(survey_round)]
    index = slugs.index(slug)
    return slugs[index + 1] if index + 1 < len(slugs) else None


def _bound_to_saved(form):
    """`form` bound to the answers as saved, so that errors can be shown beside its fields."""
    data = QueryDict(mutable=True)
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data.setlist(form.add_prefix(name), [str(item) for item in value])
        elif isinstance(value, Decimal):  # as its input shows it: "17.5", "650,000"
            data[form.add_prefix(name)] = form[name].field.widget.format_value(value)
        elif value not in (None, False):
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    bound = type(form)(data, instance=form.instance)
    bound.is_valid()
    return bound


@unsaved.login_required_keeping_answers
def section(request, round_slug, borough_slug, section):
    scoping_return = _return_for(request, round_slug, borough_slug)
    if section not in {s.slug for s in sections_for(scoping_return.survey_round)}:
        raise Http404("No such section.")
    this = SECTIONS_BY_SLUG[section]
    refusal = workflow.edit_refusal(scoping_return, request.user)
    can_edit = refusal is None
    if request.method == "POST" and not can_edit:
        messages.error(request, refusal)
        return redirect(scoping_return)

    form_class = section_form_class(section, scoping_return.survey_round.framework_version)
    data = request.POST if request.method == "POST" else None
    restored = None  # typed before signing in again (surveys/unsaved.py): shown, not saved
    if request.method == "GET" and can_edit:
        data = restored = unsaved.take(request, scoping_return, section)
    edited = edit_rows(data, this.children) if request.method == "POST" else None
    if edited is not None:  # "Add another" or "Remove": shown again, not saved
        data = edited
    form = form_class(data, instance=scoping_return) if form_class else None
    formsets = [
        FORMSETS[name](data, instance=scoping_return, prefix=name) for name in this.children
    ]
    for formset in formsets:
        formset.title = ROWS[formset.prefix].title
    stale = None
    if edited is not None:
        shown_unchecked(form, formsets)
    elif request.method == "POST":
        version = posted_version(request.POST)
        valid = (form is None or form.is_valid()) and all(f.is_valid() for f in formsets)
        if valid:
            try:
                with transaction.atomic():
                    # The form put its answers on the return (lists of codes joined, in order).
                    fields = {name: getattr(scoping_return, name) for name in this.fields}
                    saved = workflow.save_changes(
                        scoping_return=scoping_return,
                        version=version,
                        by=request.user,
                        fields=fields,
                        section=section,
                    )
                    for formset in formsets:
                        formset.instance = saved
                        formset.save()
            except workflow.StaleVersion as stale_error:
                stale = stale_error
            else:
                messages.success(request, f"Section {this.number}, {this.title}, is saved.")
                next_slug = _next_section(section, scoping_return.survey_round)
                if "continue" in request.POST and (
                    "check" in request.GET or request.GET.get("from") == "check"
                ):
                    # Opened from check answers (or its error summary): back there.
                    return redirect("surveys:check", round_slug, borough_slug)
                if "continue" in request.POST and next_slug:
                    return redirect("surveys:section", round_slug, borough_slug, next_slug)
                if "continue" in request.POST:
                    return redirect("surveys:check", round_slug, borough_slug)
                return redirect(scoping_return)
    needs = {}
    if request.method == "GET" and "check" in request.GET and can_edit and restored is None:
        # Sent here from a refused submit: say beside each question what it still needs.
        needs = section_needs(scoping_return, this)
        if form is not None and needs.keys() & form.fields.keys():
            form = _bound_to_saved(form)
            for name, message in needs.items():
                if name in form.fields:
                    form.add_error(name, message)
    queries = _queries_for_lead(scoping_return, this)
    _mark_queried(form, queries)
    queried_rows = {q.row_id for q in queries if q.row_id and q.state == QueryState.OPEN}
    for formset in formsets:
        for row in formset.forms:
            row.queried = row.instance.pk in queried_rows
    if not can_edit:
        for f in [form, *[row for fs in formsets for row in fs.forms]]:
            if f is not None:
                for field in f.fields.values():
                    field.disabled = True
    if stale:
        version_shown = stale.current.version
    elif restored is not None:  # the version the typed answers were read at
        version_shown = restored.get("version", "")
    else:
        version_shown = scoping_return.version
    return render(
        request,
        "surveys/section.html",
        {
            "return": scoping_return,
            "section": this,
            "form": form,
            "formsets": formsets,
            "formset_errors": any(fs.is_bound and not fs.is_valid() for fs in formsets)
            or any(fs.prefix in needs for fs in formsets),
            "formset_needs": [
                (f"{fs.prefix}-title", needs[fs.prefix]) for fs in formsets if fs.prefix in needs
            ],
            "version": version_shown,
            "stale": stale,
            "can_edit": can_edit,
            "read_only_reason": refusal,
            "queries": queries,
            "to_check": to_check(scoping_return, this),
        },
        status=409 if stale else 200,
    )


@login_required
@require_POST
def confirm_unchanged(request, round_slug, borough_slug, section):
    """A lead confirms a carried-over section has not changed since the earlier round."""
    scoping_return = _return_for(request, round_slug, borough_slug)
    if section not in SECTIONS_BY_SLUG:
        raise Http404("No such section.")
    this = SECTIONS_BY_SLUG[section]
    refusal = workflow.edit_refusal(scoping_return, request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect(scoping_return)
    version = posted_version(request.POST)
    try:
        workflow.confirm_unchanged(
            scoping_return=scoping_return, version=version, by=request.user, section=section
        )
    except workflow.StaleVersion as stale:
        messages.error(request, workflow.stale_message(stale.current, typed_shown=False))
        return redirect("surveys:section", round_slug, borough_slug, section)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
        return redirect(scoping_return)
    messages.success(
        request,
        f"Section {this.number}, {this.title}: no change since {scoping_return.carried_from}.",
    )
    next_slug = _next_section(section, scoping_return.survey_round)
    if next_slug:
        return redirect("surveys:section", round_slug, borough_slug, next_slug)
    return redirect("surveys:check", round_slug, borough_slug)


@login_required
@require_POST
def reply_to_query(request, round_slug, borough_slug, query_id):
    """A lead answers the steering group's query on one answer (from its section page)."""
    scoping_return = _return_for(request, round_slug, borough_slug)
    query = get_object_or_404(scoping_return.queries, pk=query_id)
    form = QueryReplyForm(request.POST, prefix=f"query-{query.pk}")
    section_url = workflow.query_link(query).split("#")[0]
    if form.is_valid():
        try:
            workflow.answer_query(query=query, by=request.user, reply=form.cleaned_data["text"])
        except workflow.WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Your reply about {query.about} has been sent to the steering group."
            )
    else:
        messages.error(request, " ".join(form.errors.get("text", ["Enter your reply."])))
    return redirect(f"{section_url}#query-{query.pk}")


@login_required
def check_answers(request, round_slug, borough_slug):
    scoping_return = _return_for(request, round_slug, borough_slug)
    return render(request, "surveys/check.html", _check_context(request, scoping_return))


def copyable_returns(user):
    """The returns `user` may have a copy of, to print or to download: at any state those of
    the boroughs they may see (`ScopingReturn.for_user`: their leads, the steering group), and
    anyone's once its round is published and the return accepted."""
    public = ScopingReturn.objects.filter(
        survey_round__state=RoundState.PUBLISHED, state=ReturnState.ACCEPTED
    )
    return ScopingReturn.objects.for_user(user) | public


def copy_of_return(request, round_slug, borough_slug):
    """The return a copy is asked for, if `copyable_returns` allows it: otherwise 404."""
    return get_object_or_404(
        copyable_returns(request.user).select_related(
            "survey_round", "borough__stp", "submitted_by", "accepted_by"
        ),
        survey_round__slug=round_slug,
        borough__slug=borough_slug,
    )


def return_copy(request, round_slug, borough_slug):
    """A copy of one borough's return to keep or print (the GOV.UK "get a copy of your answers"
    pattern), for whoever `copyable_returns` allows; otherwise 404."""
    scoping_return = copy_of_return(request, round_slug, borough_slug)
    context = {**_answers_context(scoping_return), "can_edit": False}
    return render(request, "surveys/return_copy.html", context)


def _answers_context(scoping_return) -> dict:
    """What surveys/_answers.html shows: each section's answers and the return's child rows."""
    return {
        "return": scoping_return,
        "sections": [
            (s, section_rows(scoping_return, s)) for s in sections_for(scoping_return.survey_round)
        ],
        "care_roles": scoping_return.care_roles.all(),
        **self_assessment_context(scoping_return),
        "measures": scoping_return.measures.all(),
        "funding_lines": scoping_return.funding_lines.all(),
        "contacts": scoping_return.contacts.all(),
    }


def self_assessment_context(scoping_return) -> dict:
    """What Section 11 shows on check answers and copies: each guidance area with the return's
    level, evidence and next step (None where it has none), its benefits and barriers."""
    if not scoping_return.survey_round.uses_toolkit:
        return {}
    from toolkit.versions import areas

    rows = {row.area_id: row for row in scoping_return.self_assessments.select_related("level")}
    return {
        "uses_toolkit": True,
        "self_assessments": [(area, rows.get(area.slug)) for area in areas()],
        "themed_rows": [
            ("Benefits seen", list(scoping_return.benefits.all())),
            ("Barriers met", list(scoping_return.barriers.all())),
        ],
    }


def _missing_links(scoping_return) -> list[tuple[str, str]]:
    """(href, message): what the return still needs, each linked to its field's section page."""
    args = [scoping_return.survey_round.slug, scoping_return.borough.slug]
    return [
        (
            f"{reverse('surveys:section', args=[*args, item.section.slug])}?check=1#{item.anchor}",
            item.message,
        )
        for item in missing_items(scoping_return)
    ]


def _check_context(request, scoping_return, declaration=None, submit_error=None, attempted=False):
    missing = _missing_links(scoping_return)
    return {
        **_answers_context(scoping_return),
        "missing": missing,
        # After a refused submit, each missing field is an error of its own in the summary.
        "missing_errors": missing if attempted else [],
        "declaration": declaration or DeclarationForm(initial={"version": scoping_return.version}),
        "can_edit": _can_edit(request.user, scoping_return),
        "submit_error": submit_error,
    }


@login_required
@require_POST
def submit_return(request, round_slug, borough_slug):
    scoping_return = _return_for(request, round_slug, borough_slug)
    not_now = workflow.edit_refusal(scoping_return, request.user)
    if not_now:
        messages.error(request, not_now)
        return redirect(scoping_return)
    declaration = DeclarationForm(request.POST)
    refusal = None
    if declaration.is_valid():
        try:
            workflow.submit(
                scoping_return=scoping_return,
                by=request.user,
                version=declaration.cleaned_data["version"],
            )
        except workflow.WorkflowError as exc:
            refusal = exc
        else:
            return redirect("surveys:submitted", round_slug, borough_slug)
    scoping_return.refresh_from_db()
    if isinstance(refusal, workflow.StaleVersion):
        # The page now shows the answers as they are: the lead confirms those, afresh.
        declaration = DeclarationForm(initial={"version": scoping_return.version})
    # Refused for missing answers, the summary lists them one by one, each linked to its
    # question, rather than as the workflow's one sentence.
    error = (
        None if refusal is None or isinstance(refusal, workflow.IncompleteReturn) else str(refusal)
    )
    context = _check_context(request, scoping_return, declaration, error, attempted=True)
    return render(request, "surveys/check.html", context, status=400)


@login_required
def submitted(request, round_slug, borough_slug):
    scoping_return = _return_for(request, round_slug, borough_slug)
    if scoping_return.state != ReturnState.SUBMITTED:
        return redirect(scoping_return)
    return render(request, "surveys/submitted.html", {"return": scoping_return})


@login_required
@require_POST
def add_comment(request, round_slug, borough_slug):
    scoping_return = _return_for(request, round_slug, borough_slug)
    form = CommentForm(request.POST)
    refusal = workflow.comment_refusal(scoping_return, request.user)
    if refusal:
        messages.error(request, refusal)
    elif form.is_valid():
        workflow.add_comment(
            scoping_return=scoping_return, by=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, "Your comment has been added.")
    else:
        messages.error(request, " ".join(form.errors.get("text", ["Enter a comment."])))
    return redirect(reverse("surveys:return", args=[round_slug, borough_slug]) + "#comments")


@login_required
def dashboard(request):
    """The steering group's view of every round: states per STP, not started, overdue, waits."""
    if not is_steering_group(request.user):
        raise Http404("Not found.")
    rounds = list(SurveyRound.objects.all())
    selected = next(
        (r for r in rounds if r.slug == request.GET.get("round")),
        next((r for r in rounds if r.state != RoundState.PUBLISHED), rounds[0] if rounds else None),
    )
    context = {"rounds": rounds, "round": selected}
    if selected:
        boroughs = Borough.objects.for_user(request.user)
        returns = ScopingReturn.objects.in_round(selected).filter(borough__in=boroughs)
        started = returns.exclude(state=ReturnState.DRAFT, sections_saved="", version=1)
        states = ReturnState.values
        per_stp = (
            Stp.objects.filter(boroughs__in=boroughs)
            .annotate(
                total=Count("boroughs", distinct=True),
                **{
                    state: Count(
                        "boroughs__returns",
                        filter=Q(
                            boroughs__returns__survey_round=selected, boroughs__returns__state=state
                        ),
                        distinct=True,
                    )
                    for state in states
                },
            )
            .order_by("display_order")
        )
        context.update(
            {
                "per_stp": per_stp,
                "states": ReturnState.choices,
                "totals": returns.aggregate(
                    **{state: Count("pk", filter=Q(state=state)) for state in states}
                ),
                # An empty draft (as the demo round makes for every borough) is not started.
                "not_started": boroughs.exclude(
                    Exists(started.filter(borough=OuterRef("pk")))
                ).select_related("stp"),
                "drafts": started.filter(
                    state__in=[ReturnState.DRAFT, ReturnState.CHANGES_REQUESTED]
                ).select_related("borough"),
                "overdue": selected.is_overdue,
                "waiting": returns.filter(state=ReturnState.SUBMITTED)
                .select_related("borough")
                .order_by("submitted_at"),
                "now": timezone.now(),
            }
        )
        context["summary"] = returns.aggregate(first=Min("submitted_at"), last=Max("submitted_at"))
    return render(request, "surveys/dashboard.html", context)
