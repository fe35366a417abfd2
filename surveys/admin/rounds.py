"""The rounds' screen: dates and guidance; closing and publishing a round, and recording the
boroughs that make no return.

Each step goes through a page that says what it will do and where the boroughs stand
(`workflow.round_position`) before a button that posts: from the round's page (buttons of
django-object-actions, leading to `<id>/close/`, `<id>/publish/`, `<id>/no-return/`) and from
the change list's actions for several rounds at once. Every change is a `surveys.workflow`
function, for the steering group of all London only (a reviewer limited to some STPs has no
change permission on rounds).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django_object_actions import DjangoObjectActions, action

from boroughs.models import Borough
from surveys import workflow
from surveys.admin.actions import reason_field, run_workflow
from surveys.admin.mixins import HistoryAdmin, is_limited_reviewer
from surveys.choices import ReturnState, RoundState
from surveys.forms import KeepsWhatItIsGiven
from surveys.models import Publication, ScopingReturn, SurveyRound
from toolkit import versions

NO_RETURN_REASON_LIMIT = ScopingReturn._meta.get_field("no_return_reason").max_length
# The round's own sentence for a toolkit round without a version (its check constraint's).
TOOLKIT_VERSION_NEEDED = next(
    c.violation_error_message
    for c in SurveyRound._meta.constraints
    if c.name == "toolkit_round_has_a_toolkit_version"
)
CORRECTION_NOTE_LIMIT = Publication._meta.get_field("note").max_length


class SurveyRoundAdminForm(forms.ModelForm):
    class Meta:
        model = SurveyRound
        fields = [
            "name",
            "slug",
            "opens_on",
            "closes_on",
            "guidance",
            "previous_round",
            "report_grouping",
            "uses_toolkit",
            "toolkit_version",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "report_grouping" in self.fields:  # a post without it keeps the grouping it has
            self.fields["report_grouping"].required = False
        version = self.fields.get("toolkit_version")
        if version is not None and self.instance.pk is None:
            version.initial = getattr(versions.latest_approved(), "pk", None)
            version.help_text = (
                "The descriptors its leads read while choosing a level: the latest approved "
                "version unless you choose another. Only a round that uses the toolkit has one."
            )

    def clean_report_grouping(self):
        return self.cleaned_data.get("report_grouping") or self.instance.report_grouping

    def clean(self):
        data = super().clean()
        previous = data.get("previous_round")
        if previous is not None and self.instance.pk and previous.pk == self.instance.pk:
            self.add_error("previous_round", "A round cannot be its own previous round.")
        opens_on, closes_on = data.get("opens_on"), data.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", "The round must close on or after the day it opens.")
        if not self.instance.pk and data.get("slug") in workflow.RESERVED_SLUGS:
            self.add_error("slug", f"“{data['slug']}” is reserved: choose another slug.")
        if "uses_toolkit" in self.fields:
            if data.get("uses_toolkit") and not data.get("toolkit_version"):
                self.add_error("toolkit_version", TOOLKIT_VERSION_NEEDED)
            elif not data.get("uses_toolkit"):
                data["toolkit_version"] = None  # a round without the toolkit uses no version
        return data


class NoReturnForm(KeepsWhatItIsGiven, forms.Form):
    """A borough of the round whose return is not accepted, and why it makes no return."""

    borough = forms.ModelChoiceField(
        queryset=Borough.objects.none(),
        empty_label="Choose a borough",
        error_messages={
            "required": "Choose the borough that makes no return",
            "invalid_choice": "Choose a borough from the list: the return of the one chosen "
            "has been accepted",
        },
    )
    reason = reason_field(
        label="Why it makes no return",
        help_text=f"Up to {NO_RETURN_REASON_LIMIT:,} characters. The report shows the borough "
        'as "No return:" followed by these words, for anyone to read once the round is '
        "published.",
        required="Give the reason the borough makes no return",
        limit=NO_RETURN_REASON_LIMIT,
        rows=5,
    )

    def __init__(self, *args, survey_round, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = ScopingReturn.objects.in_round(survey_round).filter(state=ReturnState.ACCEPTED)
        self.fields["borough"].queryset = Borough.objects.exclude(
            pk__in=accepted.values("borough_id")
        )


class CorrectionForm(KeepsWhatItIsGiven, forms.Form):
    """What a published correction changes, in words the report shows beside its date."""

    note = reason_field(
        label="What the correction changes",
        help_text=f"Up to {CORRECTION_NOTE_LIMIT:,} characters. The report shows “Corrected on "
        "<date>:” followed by these words, for anyone to read; for example “Camden's recurrent "
        "funding is Yes, not No.”",
        required="Say what the correction changes",
        limit=CORRECTION_NOTE_LIMIT,
        limit_message=f"Keep it to {CORRECTION_NOTE_LIMIT:,} characters or fewer",
        rows=4,
    )


@dataclass(frozen=True)
class Step:
    """Closing or publishing a round: the state it starts from, the workflow function, and
    what its pages say."""

    name: str  # the last part of its address, and of its URL's name
    start: str  # the round's state it needs
    label: str  # its button on the round's page
    title: str  # its confirmation page, formatted with the round
    confirm: str  # the confirmation page's button
    apply: Callable
    consequences: tuple[str, ...]  # what will happen, a sentence each
    early: str  # what the warning adds when the closing date has not passed
    done: str  # the message once done, formatted with the rounds' names
    refusal: str  # why a round in another state is left as it is
    waits_for_boroughs: bool = False  # whether every borough must be accepted or marked first


CLOSE = Step(
    name="close",
    start=RoundState.OPEN,
    label="Close this round",
    title="Close {round}",
    confirm="Yes, close the round",
    apply=workflow.close_round,
    consequences=(
        "The round's state becomes closed: it is recorded who closed it and when.",
        "The boroughs' leads can read their returns but can no longer change or submit them. "
        "Returns not yet submitted stay as they are: before the round is published, each of "
        "those boroughs is either accepted or recorded as making no return.",
        "The leads of every borough are e-mailed that the round has closed, with a link to "
        "their returns.",
        "The steering group goes on reviewing: submitted returns can still be accepted or sent "
        "back, and boroughs recorded as making no return.",
    ),
    early="closing now stops the leads who are still working on their returns.",
    done="Closed {names}: the leads of every borough have been e-mailed.",
    refusal="Only an open round can be closed.",
)

PUBLISH = Step(
    name="publish",
    start=RoundState.CLOSED,
    label="Publish this round",
    title="Publish {round}",
    confirm="Yes, publish the round",
    apply=workflow.publish_round,
    consequences=(
        "The round's report becomes public: anyone can read its summary, tables, map and each "
        "borough's profile, counting the accepted returns. A borough recorded as making no "
        'return is shown as "No return:" with its reason.',
        "The round's state becomes published: it is recorded who published it and when. The "
        "report is computed from a copy of the returns kept as they are now: a return reopened "
        "and corrected later changes nothing the report says until a correction is published "
        "(its version 2, with a note of what it corrects). No more boroughs can be recorded as "
        "making no return.",
        "The leads of every borough are e-mailed a link to their borough's profile.",
    ),
    early="publishing now makes the report public before the date the boroughs were given.",
    done="Published {names}: the report is public and the leads of every borough have been "
    "e-mailed.",
    refusal="Only a closed round can be published.",
    waits_for_boroughs=True,
)

STEPS = {step.name: step for step in (CLOSE, PUBLISH)}

# The position's counts, in the order `workflow.round_position` gives them, as people read them.
COUNT_LABELS = {**dict(ReturnState.choices), "not_started": "Not started"}


def _round_admin_url(name, survey_round=None) -> str:
    args = [] if survey_round is None else [survey_round.pk]
    return reverse(f"admin:surveys_surveyround_{name}", args=args)


def _returns_url(survey_round, **filters) -> str:
    """The returns' change list, filtered to the round (and to `filters`)."""
    query = urlencode({"survey_round__id__exact": survey_round.pk, **filters})
    return f"{reverse('admin:surveys_scopingreturn_changelist')}?{query}"


def situation(survey_round, step: Step | None = None) -> dict:
    """Where the round's boroughs stand, as its pages show it, and (for `step`) what stops the
    step: "" when nothing does."""
    position = workflow.round_position(survey_round)
    rows = [
        (
            COUNT_LABELS[state],
            count,
            _returns_url(survey_round, state__exact=state) if state in ReturnState.values else "",
        )
        for state, count in position["counts"].items()
    ]
    hold_up = ""
    if step is not None and survey_round.state != step.start:
        hold_up = f"{survey_round} is {survey_round.get_state_display().lower()}. {step.refusal}"
    elif step is not None and step.waits_for_boroughs and position["unready"]:
        count = len(position["unready"])
        hold_up = (
            f"{count} {'borough has' if count == 1 else 'boroughs have'} neither an accepted "
            "return nor a reason for making no return: "
            + ", ".join(str(b) for b in position["unready"])
            + "."
        )
    no_return_url = _round_admin_url("no_return", survey_round)
    return {
        "survey_round": survey_round,
        "rows": rows,
        "no_return": position["no_return"],
        "unready": [
            (
                borough,
                f"{no_return_url}?{urlencode({'borough': borough.pk})}",
                _returns_url(survey_round, borough__id__exact=borough.pk),
            )
            for borough in position["unready"]
        ],
        "early": position["early"],
        "returns_url": _returns_url(survey_round),
        "change_url": _round_admin_url("change", survey_round),
        "hold_up": hold_up,
    }


class SurveyRoundAdmin(DjangoObjectActions, HistoryAdmin):
    form = SurveyRoundAdminForm
    change_form_template = "admin/surveys/surveyround/change_form.html"
    list_display = ["name", "state", "opens_on", "closes_on", "closed_at", "published_at"]
    list_filter = ["state"]
    list_select_related = ["previous_round"]
    search_fields = ["name", "slug"]
    fields = [
        "name",
        "slug",
        ("opens_on", "closes_on"),
        "guidance",
        "previous_round",
        "report_grouping",
        ("uses_toolkit", "toolkit_version"),
        "state",
        ("closed_at", "closed_by"),
        ("published_at", "published_by"),
    ]
    readonly_fields = ["state", "closed_at", "closed_by", "published_at", "published_by"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["close_rounds", "publish_rounds"]
    change_actions = [
        "close_this_round",
        "publish_this_round",
        "record_no_return",
        "publish_a_correction",
    ]
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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.state == RoundState.PUBLISHED:
            # What a published round's report says rests on them: fixed with it.
            fields += ["uses_toolkit", "toolkit_version"]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None and "previous_round" in form.base_fields:
            form.base_fields["previous_round"].help_text = (
                "Every borough's return is created when the round is saved: a draft prefilled "
                "from the borough's last accepted return in this round or before it, or empty."
            )
        return form

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # Opening a round creates every borough's return with it (surveys.workflow.open_round);
        # the form has refused what the workflow would (a reserved or taken slug, dates).
        opened = workflow.open_round(
            name=obj.name,
            slug=obj.slug,
            opens_on=obj.opens_on,
            closes_on=obj.closes_on,
            previous=obj.previous_round,
            guidance=obj.guidance,
            uses_toolkit=obj.uses_toolkit,
            toolkit_version=obj.toolkit_version,
            by=request.user,
        )
        if opened.report_grouping != obj.report_grouping:
            opened.report_grouping = obj.report_grouping
            opened._history_user = request.user
            opened.save(update_fields=["report_grouping"])
        obj.pk = opened.pk
        obj.refresh_from_db()

    # The round's page: its buttons, and where its boroughs stand

    def get_change_actions(self, request, object_id, form_url):
        survey_round = self.get_object(request, object_id)
        if survey_round is None or not self.has_change_permission(request, survey_round):
            return []
        return [
            name
            for name, states in (
                ("close_this_round", {RoundState.OPEN}),
                ("publish_this_round", {RoundState.CLOSED}),
                ("record_no_return", {RoundState.OPEN, RoundState.CLOSED}),
                ("publish_a_correction", {RoundState.PUBLISHED}),
            )
            if survey_round.state in states
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        survey_round = self.get_object(request, unquote(object_id))
        if survey_round is not None:
            extra_context = {**(extra_context or {}), "situation": situation(survey_round)}
        return super().change_view(request, object_id, form_url, extra_context)

    @action(
        label=CLOSE.label,
        description="Close the round, after a page that says what it will do",
        button_type="a",
        methods=["GET"],
    )
    def close_this_round(self, request, survey_round):
        return redirect(_round_admin_url(CLOSE.name, self._to_run(request, survey_round)))

    @action(
        label=PUBLISH.label,
        description="Publish the round's report, after a page that says what it will do",
        button_type="a",
        methods=["GET"],
    )
    def publish_this_round(self, request, survey_round):
        return redirect(_round_admin_url(PUBLISH.name, self._to_run(request, survey_round)))

    @action(
        label="Record a borough with no return",
        description="Record that a borough makes no return this round, and why",
        button_type="a",
        methods=["GET"],
    )
    def record_no_return(self, request, survey_round):
        return redirect(_round_admin_url("no_return", self._to_run(request, survey_round)))

    @action(
        label="Publish a correction",
        description="Publish a new version of the round's report, with the returns corrected "
        "since, after a page that lists them",
        button_type="a",
        methods=["GET"],
    )
    def publish_a_correction(self, request, survey_round):
        return redirect(_round_admin_url("correct", self._to_run(request, survey_round)))

    # The confirmation pages

    def get_urls(self):
        own = [
            path(
                f"<path:object_id>/{step.name}/",
                self.admin_site.admin_view(self.step_view),
                {"step": step.name},
                name=f"surveys_surveyround_{step.name}",
            )
            for step in STEPS.values()
        ]
        own.append(
            path(
                "<path:object_id>/no-return/",
                self.admin_site.admin_view(self.no_return_view),
                name="surveys_surveyround_no_return",
            )
        )
        own.append(
            path(
                "<path:object_id>/correct/",
                self.admin_site.admin_view(self.correction_view),
                name="surveys_surveyround_correct",
            )
        )
        return own + [self._ids_checked(url) for url in super().get_urls()]

    def _ids_checked(self, url):
        """django-object-actions' button route looks the round up by whatever its address holds
        ("abc" is a server error there): an id that cannot be one is a page that does not exist."""
        if not (
            isinstance(url, URLPattern)
            and f"admin:{url.name}" == self.tools_view_name
            and "pk" in url.pattern.regex.groupindex
        ):
            return url
        view = url.callback

        def checked(request, pk, **kwargs):
            self._check_ids(pk)
            return view(request, pk=pk, **kwargs)

        return URLPattern(url.pattern, checked, url.default_args, url.name)

    def _to_run(self, request, survey_round):
        if not self.has_change_permission(request, survey_round):
            raise PermissionDenied
        return survey_round

    def _round_to_run(self, request, object_id):
        """The round of the address, for a user who may run rounds: 404 for an id that is no
        round's, 403 for a reviewer who may not run rounds."""
        self._check_ids(object_id)
        survey_round = self.get_object(request, unquote(object_id))
        if survey_round is None:
            raise Http404("No such round.")
        return self._to_run(request, survey_round)

    def _page(self, request, template, title, **context):
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            f"admin/surveys/surveyround/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "media": self.media,
                **context,
            },
        )

    def step_view(self, request, object_id, step):
        survey_round = self._round_to_run(request, object_id)
        step = STEPS[step]
        if request.method == "POST":
            try:
                step.apply(survey_round=survey_round, by=request.user)
            except workflow.WorkflowError as error:
                self.message_user(request, str(error), messages.ERROR)
                return redirect(_round_admin_url(step.name, survey_round))
            self.message_user(request, step.done.format(names=survey_round), messages.SUCCESS)
            return redirect(_round_admin_url("change", survey_round))
        return self._page(
            request,
            "step.html",
            step.title.format(round=survey_round),
            step=step,
            item=situation(survey_round, step),
            no_return_url=_round_admin_url("no_return", survey_round),
        )

    def no_return_view(self, request, object_id):
        survey_round = self._round_to_run(request, object_id)
        published = survey_round.state == RoundState.PUBLISHED
        form = NoReturnForm(
            request.POST if request.method == "POST" else None,
            survey_round=survey_round,
            initial={"borough": request.GET.get("borough", "")},
        )
        if request.method == "POST" and form.is_valid():
            borough, reason = form.cleaned_data["borough"], form.cleaned_data["reason"]
            try:
                workflow.mark_no_return(
                    survey_round=survey_round, borough=borough, by=request.user, reason=reason
                )
            except workflow.WorkflowError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Recorded that {borough} makes no return to {survey_round}: {reason}",
                    messages.SUCCESS,
                )
                # Publishing is what waits for these marks: back to its page, which lists
                # the boroughs still in the way.
                after = PUBLISH.name if survey_round.state == RoundState.CLOSED else "change"
                return redirect(_round_admin_url(after, survey_round))
        return self._page(
            request,
            "no_return.html",
            f"Record a borough of {survey_round} with no return",
            form=None if published else form,
            published=published,
            item=situation(survey_round),
        )

    def correction_view(self, request, object_id):
        """Publishing a correction: the returns changed since the report's current version,
        the versions so far, and the note the report will show."""
        survey_round = self._round_to_run(request, object_id)
        form = CorrectionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                publication = workflow.publish_correction(
                    survey_round=survey_round, by=request.user, note=form.cleaned_data["note"]
                )
            except workflow.WorkflowError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Published version {publication.version} of {survey_round}'s report: "
                    f"“Corrected on {publication.published_at:%-d %B %Y}: {publication.note}” "
                    "is shown on it, and the leads of every borough have been e-mailed.",
                    messages.SUCCESS,
                )
                return redirect(_round_admin_url("change", survey_round))
        published = survey_round.state == RoundState.PUBLISHED
        item = situation(survey_round)
        unready = item["unready"] if published else []
        return self._page(
            request,
            "correction.html",
            f"Publish a correction of {survey_round}",
            form=form,
            item=item,
            published=published,
            unready=unready,
            changed=workflow.corrected_returns(survey_round) if published else [],
            publications=survey_round.publications.order_by("version"),
            report_url=reverse("reports:summary", args=[survey_round.slug]),
        )

    # The change list's actions: a confirmation page first, as Django's own delete

    def _selected(self, request, queryset, step: Step):
        if request.POST.get("post") == "yes":
            run_workflow(
                self,
                request,
                queryset,
                done_message=step.done,
                nouns=("round", "rounds"),
                apply=lambda r: step.apply(survey_round=r, by=request.user),
            )
            return None
        items = [situation(survey_round, step) for survey_round in queryset]
        return self._page(
            request,
            "selected.html",
            f"{step.label.removesuffix(' this round')} the selected rounds",
            step=step,
            items=items,
            can_confirm=any(not item["hold_up"] for item in items),
            action=f"{step.name}_rounds",
            action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            changelist_url=_round_admin_url("changelist"),
        )

    @admin.action(description="Close the selected open rounds", permissions=["change"])
    def close_rounds(self, request, queryset):
        return self._selected(request, queryset, CLOSE)

    @admin.action(description="Publish the selected closed rounds", permissions=["change"])
    def publish_rounds(self, request, queryset):
        return self._selected(request, queryset, PUBLISH)
