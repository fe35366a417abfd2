"""The only code that moves a return or a round between states.

Every function is keyword-only, runs in one transaction with the row locked, refuses a transition
its state does not allow with a `WorkflowError` a person can read, writes a `ReturnEvent` and sends
the e-mail the transition implies. Views, admin actions, commands and imports call these.
"""

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from pcmh.security_log import log_event
from surveys import publications
from surveys.answers import with_article
from surveys.models import (
    AnswerQuery,
    EventKind,
    Publication,
    QueryState,
    ReturnComment,
    ReturnEvent,
    ReturnState,
    RoundState,
    ScopingReturn,
    SurveyRound,
)
from surveys.sections import latest_framework_version


class WorkflowError(Exception):
    """A transition the return's or round's state does not allow; the message is for people."""


def last_change(scoping_return: ScopingReturn) -> str:
    """Who changed the return last, and when: "Ann Lee on 1 December 2026 at 11:30"."""
    user = scoping_return.updated_by
    who = (user.get_full_name() or user.get_username()) if user else "someone else"
    when = timezone.localtime(scoping_return.updated_at).strftime("%-d %B %Y at %H:%M")
    return f"{who} on {when}"


def stale_message(current: ScopingReturn, *, typed_shown: bool = True) -> str:
    """Why a save was refused: the return changed after the page was opened (for every form).
    `typed_shown`: whether the page shows again what was typed."""
    then = (
        "What you typed is still below: check the return's current answers and save again."
        if typed_shown
        else "Open the return again to see its current answers, then make your changes again."
    )
    return (
        f"This return was changed by {last_change(current)} after you opened this page, so "
        f"your changes were not saved. {then}"
    )


class StaleVersion(WorkflowError):  # noqa: N818 - reads as a sentence: "raise StaleVersion"
    """The return changed since the form was opened; nothing was saved."""

    def __init__(self, current: ScopingReturn):
        self.current = current
        super().__init__(stale_message(current))


# The moves a return may make: action → (the states it may start from, the state it leads to,
# why it is refused from any other state). Every transition below checks this table.
TRANSITIONS = {
    "submit": (
        {ReturnState.DRAFT, ReturnState.CHANGES_REQUESTED},
        ReturnState.SUBMITTED,
        "{A_state} return cannot be submitted.",
    ),
    "request_changes": (
        {ReturnState.SUBMITTED},
        ReturnState.CHANGES_REQUESTED,
        "Changes can only be requested on a submitted return; this one is {state}.",
    ),
    "accept": (
        {ReturnState.SUBMITTED},
        ReturnState.ACCEPTED,
        "Only a submitted return can be accepted; this one is {state}.",
    ),
    "reopen": (
        {ReturnState.ACCEPTED},
        ReturnState.CHANGES_REQUESTED,
        "Only an accepted return can be reopened; this one is {state}.",
    ),
}


def allowed_actions(scoping_return: ScopingReturn) -> list[str]:
    """The transitions (keys of `TRANSITIONS`) the return's state allows now."""
    return [
        action for action, (sources, _, _) in TRANSITIONS.items() if scoping_return.state in sources
    ]


def _target(locked: ScopingReturn, action: str) -> str:
    """The state `action` moves the locked return to, or the refusal its state calls for."""
    sources, target, refusal = TRANSITIONS[action]
    if locked.state not in sources:
        state = locked.get_state_display().lower()
        raise WorkflowError(refusal.format(state=state, A_state=with_article(state).capitalize()))
    return target


def start_return(
    *,
    survey_round: SurveyRound,
    borough,
    by,
    answers: dict | None = None,
    rows: dict | None = None,
    reason: str = "",
) -> tuple[ScopingReturn, bool]:
    """The one way a return comes to be: a draft for `borough` in `survey_round` (with
    `answers`, from an import, the admin or the borough's last return, and its child `rows`,
    {relation: [{field: value}]}), or the one that exists already; (return, created).
    Two starts at the same moment make one return."""
    existing = ScopingReturn.objects.filter(survey_round=survey_round, borough=borough).first()
    if existing is not None:
        return existing, False
    scoping_return = ScopingReturn(
        survey_round=survey_round, borough=borough, updated_by=by, **(answers or {})
    )
    scoping_return._history_user = by
    scoping_return._change_reason = reason or "Started"
    try:
        with transaction.atomic():
            scoping_return.save()
            for relation, values in (rows or {}).items():
                manager = getattr(scoping_return, relation)
                for row_values in values:
                    row = manager.model(scoping_return=scoping_return, **row_values)
                    row._history_user = by
                    row._change_reason = reason or "Started"
                    row.save()
    except IntegrityError:
        return ScopingReturn.objects.get(survey_round=survey_round, borough=borough), False
    log_event("return_started", user=by, borough=borough.slug, round=survey_round.slug)
    return scoping_return, True


def edit_refusal(
    scoping_return: ScopingReturn, user, *, reviewing: bool = False, correcting: bool = False
) -> str | None:
    """Why `user` may not change `scoping_return` now, or None if they may: the one answer the
    lead's pages, the admin and the imports read.

    A lead (of the return's borough) changes a draft, or a return sent back for changes, while
    its round is open. Reviewing (the admin, imports), the steering group changes any return
    not yet accepted, as its admin permissions allow. An accepted return is changed by nobody
    until it is reopened, except by the steering group correcting an answer (`correcting`: a
    data fix with a reason). Once the round is published its report keeps its own copy of the
    returns: a return reopened for a correction is changed by its leads again, with no
    deadline, and the report changes only when the correction is published.
    """
    if scoping_return.state == ReturnState.ACCEPTED and not (correcting and reviewing):
        return "This return has been accepted: it must be reopened before it can be changed."
    if reviewing:
        return None  # the admin's permissions say which of the steering group may
    correction = reopened_for_correction(scoping_return)
    if not scoping_return.survey_round.is_open and not correction:
        return (
            f"{scoping_return.survey_round} is closed: you can read this return but not change it."
        )
    late = (
        None
        if correction
        else deadline_refusal(scoping_return.survey_round, scoping_return.extended_to)
    )
    if late:
        return late
    if scoping_return.state == ReturnState.SUBMITTED:
        return "This return has been submitted and is waiting for review, so it cannot be changed."
    if not scoping_return.borough.memberships.filter(user=user).exists():
        return "Only the borough's leads can change this return."
    return None


def reopened_for_correction(scoping_return: ScopingReturn) -> bool:
    """Whether the return is one of a published round reopened by the steering group for a
    correction: its leads change and submit it again, whatever the round's dates."""
    return (
        scoping_return.survey_round.state == RoundState.PUBLISHED
        and scoping_return.state == ReturnState.CHANGES_REQUESTED
    )


def deadline_refusal(survey_round: SurveyRound, extended_to=None) -> str | None:
    """Why leads may no longer change or submit returns of `survey_round` (or one return given
    an extension to `extended_to`): the date has passed (at the end of that day, with no step by
    anyone). Leads only: loaders, imports and the steering group are not held to it."""
    deadline = extended_to or survey_round.closes_on
    if deadline < timezone.localdate():
        which = "extension's date" if extended_to else "closing date"
        return (
            f"The {which}, {deadline:%-d %B %Y}, has passed: you can read this return but "
            "not change or submit it. Ask the steering group if you need more time."
        )
    return None


def extend_deadline(*, scoping_return: ScopingReturn, by, until, reason: str) -> ScopingReturn:
    """The steering group gives one borough until `until` to change and submit its return,
    with a reason the lead sees; recorded in the return's history."""
    reason = _text_of(
        reason, "Give the reason for the extension.", limit=_limit("extension_reason")
    )
    with transaction.atomic():
        locked = _lock(scoping_return)
        if locked.survey_round.state != RoundState.OPEN:
            raise WorkflowError(f"{locked.survey_round} is closed: no extension can be given.")
        if until <= locked.survey_round.closes_on:
            raise WorkflowError(
                f"An extension must run past the round's closing date, "
                f"{locked.survey_round.closes_on:%-d %B %Y}."
            )
        if locked.state in (ReturnState.SUBMITTED, ReturnState.ACCEPTED):
            raise WorkflowError(
                f"This return is {locked.get_state_display().lower()}: it needs no extension."
            )
        locked.extended_to, locked.extension_reason = until, reason
        locked.version += 1
        locked.updated_by = locked._history_user = by
        locked._change_reason = f"Extension to {until:%-d %B %Y}: {reason}"
        locked.save()
    _mail(
        f"An extension for {locked.borough}'s PCMH return ({locked.survey_round})",
        f"The steering group has given {locked.borough} until {until:%-d %B %Y} to complete "
        f"and submit its return for {locked.survey_round}:\n\n{reason}",
        lead_emails(locked),
        link=_for_leads(locked),
    )
    return locked


def needing_lead_action(user):
    """The returns of `user`'s boroughs waiting for them, oldest round first, in rounds still
    open: those the steering group has sent back for changes, and those with queries to answer
    (`open_queries`: how many)."""
    from django.db.models import Count, Q

    return (
        ScopingReturn.objects.filter(
            borough__memberships__user=user, survey_round__state=RoundState.OPEN
        )
        .annotate(open_queries=Count("queries", filter=Q(queries__state=QueryState.OPEN)))
        .filter(Q(state=ReturnState.CHANGES_REQUESTED) | Q(open_queries__gt=0))
        .select_related("borough", "survey_round")
        .order_by("survey_round__opens_on", "borough__name")
    )


def comment_refusal(scoping_return: ScopingReturn, user) -> str | None:
    """Why `user` may not add to the return's comments now, or None if they may. Once a round
    is published its returns are the report: leads read them, the conversation is over."""
    from boroughs.models import is_steering_group

    if scoping_return.survey_round.state == RoundState.PUBLISHED and not is_steering_group(user):
        return (
            f"{scoping_return.survey_round} is published: its returns take no more comments. "
            "Write to the steering group instead."
        )
    return None


class IncompleteReturn(WorkflowError):  # noqa: N818 - reads as a sentence, as StaleVersion
    """Submission refused: the return lacks answers the round requires (`missing`: the
    (field id, message) pairs of `missing_for_submission`)."""

    def __init__(self, missing: list[tuple[str, str]]):
        self.missing = missing
        super().__init__(
            "The return cannot be submitted yet: " + "; ".join(m for _, m in missing) + "."
        )


def _lock(scoping_return: ScopingReturn, version: int | None = None) -> ScopingReturn:
    """Lock the return's row; with `version`, refuse if it changed since the caller read it."""
    locked = (
        ScopingReturn.objects.select_for_update(of=("self",))
        .select_related("survey_round", "borough", "updated_by")
        .get(pk=scoping_return.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(locked)
    return locked


def _event(locked, *, by, to_state=None, comment="", kind=EventKind.TRANSITION, query=None):
    """Record a step in the return's timeline: a transition to `to_state`, or (`kind`) a query's
    step, a "no return" mark or a correction, which leave the return's state as it is."""
    to_state = to_state or locked.state
    event = ReturnEvent.objects.create(
        scoping_return=locked,
        by=by,
        kind=kind,
        query=query,
        from_state=locked.state,
        to_state=to_state,
        comment=comment,
    )
    log_event(
        "workflow",
        user=by,
        **{
            "return": locked.pk,
            "borough": locked.borough.slug,
            "round": locked.survey_round.slug,
            "step": kind,
            "from": locked.state,
            "to": to_state,
        },
    )
    return event


def lead_emails(scoping_return) -> list[str]:
    return list(
        scoping_return.borough.memberships.filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def with_link(body: str, link: tuple[str, str]) -> str:
    """An e-mail's body ending with the absolute link (settings.SITE_URL) to the page it is
    about: `link` = (what it opens, path). Every e-mail the service sends ends so."""
    what, path = link
    return f"{body}\n\n{what}: {settings.SITE_URL}{path}\n"


def _mail(subject, body, recipients, *, link, notify=True):
    """E-mail `recipients` once the transaction commits, the body ending with `link`."""
    if notify and recipients:
        body = with_link(body, link)
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        )


def _mail_each(messages, *, notify=True):
    """E-mail several messages over one connection once the transaction commits: (subject,
    body, recipients, link) each, every body ending with its link."""
    if not notify:
        return
    datatuple = [
        (subject, with_link(body, link), None, recipients)
        for subject, body, recipients, link in messages
        if recipients
    ]
    if datatuple:
        transaction.on_commit(lambda: send_mass_mail(datatuple))


def _for_leads(scoping_return) -> tuple[str, str]:
    return ("Open the return", scoping_return.get_absolute_url())


def review_url(scoping_return, step: str = "", **query) -> str:
    """The steering group's review page of a return (in the admin), or one of its steps
    (`step`: "_accept", "_query"...), with `query` as its query string."""
    url = reverse(
        f"admin:surveys_scopingreturn_review{step}",
        args=[scoping_return.survey_round.slug, scoping_return.borough.slug],
    )
    return f"{url}?{urlencode(query)}" if query else url


def _for_reviewers(scoping_return) -> tuple[str, str]:
    return ("Review it", review_url(scoping_return))


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _move(locked, *, by, to_state, comment="", **fields):
    """Apply a transition to the locked row through a versioned update, recorded in history."""
    _event(locked, by=by, to_state=to_state, comment=comment)
    locked.state = to_state
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1  # the row is locked: no one else can have moved it
    locked.updated_by = by
    locked._history_user = by
    locked._change_reason = comment or f"{locked.get_state_display()}"
    locked.save()
    return locked


def save_changes(
    *,
    scoping_return: ScopingReturn,
    version: int,
    by,
    fields: dict,
    section: str = "",
    reason: str = "",
    current: bool = False,
    correction: str = "",
) -> ScopingReturn:
    """Save changed fields only if the return is still at `version` (one conditional UPDATE).

    The UPDATE ... WHERE id = ... AND version = n both checks and claims the version, so two saves
    that read the same version cannot both win, on any number of app servers.

    `correction`: the steering group's reason for correcting a submitted or accepted return's
    answers (a data fix), recorded in its history and on its timeline.

    `current`: `scoping_return` is the row as the database held it at `version`, with `fields`
    set and nothing else changed (an import's row). Every change to a return takes a new
    version, so once the claim succeeds the row has not changed since: it is not read again.
    """
    # No savepoint of its own inside a caller's transaction (an import's row has one): a refused
    # claim changed nothing, and it is raised once the block has ended.
    with transaction.atomic(savepoint=False):
        claimed = ScopingReturn.objects.filter(pk=scoping_return.pk, version=version).update(
            version=F("version") + 1
        )
        if claimed == 1:
            # Our UPDATE holds the row lock until commit: nobody can change it in between.
            if current:
                fresh = scoping_return
                fresh.version = version + 1
            else:
                fresh = ScopingReturn.objects.select_related("survey_round", "borough").get(
                    pk=scoping_return.pk
                )
            for name, value in fields.items():
                setattr(fresh, name, value)
            if section:
                saved = ScopingReturn._meta.get_field("sections_saved")
                fresh.sections_saved = saved.with_code(fresh.sections_saved, section)
            fresh.updated_by = by
            fresh._history_user = by
            fresh._change_reason = reason or (f"Saved section: {section}" if section else "Saved")
            if correction:
                fresh._change_reason = f"Correction: {correction}"
                _event(fresh, by=by, kind=EventKind.CORRECTED, comment=correction)
            fresh.save()
            return fresh
    raise StaleVersion(ScopingReturn.objects.select_related("updated_by").get(pk=scoping_return.pk))


def confirm_unchanged(
    *, scoping_return: ScopingReturn, version: int, by, section: str
) -> ScopingReturn:
    """A lead confirms a section carried over from an earlier round has not changed since (an
    answer of its own, in the history): the section no longer needs checking."""
    earlier = scoping_return.carried_from
    if earlier is None:
        raise WorkflowError("This return was not carried over from an earlier round.")
    unchanged = ScopingReturn._meta.get_field("sections_unchanged")
    return save_changes(
        scoping_return=scoping_return,
        version=version,
        by=by,
        fields={
            "sections_unchanged": unchanged.with_code(scoping_return.sections_unchanged, section)
        },
        reason=f"No change since {earlier}: {section}",
    )


def submit(
    *, scoping_return: ScopingReturn, by, notify: bool = True, version: int | None = None
) -> ScopingReturn:
    """A lead sends a draft (or a return sent back for changes) to the steering group."""
    from surveys.completeness import missing_for_submission

    with transaction.atomic():
        locked = _lock(scoping_return, version)
        target = _target(locked, "submit")
        if locked.survey_round.state != RoundState.OPEN and not reopened_for_correction(locked):
            raise WorkflowError("This round is closed: returns can no longer be submitted.")
        missing = missing_for_submission(locked)
        if missing:
            raise IncompleteReturn(missing)
        locked = _move(
            locked,
            by=by,
            to_state=target,
            submitted_at=timezone.now(),
            submitted_by=by,
            no_return_reason="",  # the borough has made its return after all
        )
    _mail(
        f"PCMH return submitted: {locked.borough} ({locked.survey_round})",
        f"{locked.borough}'s return for {locked.survey_round} was submitted by "
        f"{by.get_full_name() or by.get_username()} and is waiting for review.",
        [settings.STEERING_GROUP_EMAIL],
        link=_for_reviewers(locked),
        notify=notify,
    )
    return locked


def request_changes(
    *,
    scoping_return: ScopingReturn,
    by,
    comment: str,
    notify: bool = True,
    version: int | None = None,
) -> ScopingReturn:
    """A reviewer sends a submitted return back to the borough with a comment."""
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("Say what needs to change: the comment cannot be empty.")
    with transaction.atomic():
        locked = _lock(scoping_return, version)
        target = _target(locked, "request_changes")
        locked = _move(locked, by=by, to_state=target, comment=comment)
    _mail(
        f"Changes requested to {locked.borough}'s PCMH return",
        f"The steering group has asked for changes to {locked.borough}'s return for "
        f"{locked.survey_round}:\n\n{comment}\n\nSign in to PCMH Returns to update it.",
        lead_emails(locked),
        link=_for_leads(locked),
        notify=notify,
    )
    return locked


def accept(
    *, scoping_return: ScopingReturn, by, notify: bool = True, version: int | None = None
) -> ScopingReturn:
    """A reviewer accepts a submitted return; it then counts in the round's report."""
    with transaction.atomic():
        locked = _lock(scoping_return, version)
        target = _target(locked, "accept")
        unresolved = unresolved_queries(locked)
        if unresolved:
            raise WorkflowError(
                f"{locked.borough}'s return has {len(unresolved)} "
                f"{'query' if len(unresolved) == 1 else 'queries'} not yet resolved ("
                + "; ".join(q.about for q in unresolved)
                + "): resolve them before accepting it."
            )
        locked = _move(
            locked,
            by=by,
            to_state=target,
            accepted_at=timezone.now(),
            accepted_by=by,
        )
    _mail(
        f"{locked.borough}'s PCMH return has been accepted",
        f"The steering group has accepted {locked.borough}'s return for {locked.survey_round}. "
        "Thank you.",
        lead_emails(locked),
        link=_for_leads(locked),
        notify=notify,
    )
    return locked


def reopen(
    *,
    scoping_return: ScopingReturn,
    by,
    reason: str,
    notify: bool = True,
    version: int | None = None,
) -> ScopingReturn:
    """A reviewer reopens an accepted return for changes, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("Give a reason for reopening the return.")
    with transaction.atomic():
        locked = _lock(scoping_return, version)
        target = _target(locked, "reopen")
        locked = _move(
            locked,
            by=by,
            to_state=target,
            comment=reason,
            accepted_at=None,
            accepted_by=None,
        )
    _mail(
        f"{locked.borough}'s PCMH return has been reopened",
        f"The steering group has reopened {locked.borough}'s return for {locked.survey_round}:"
        f"\n\n{reason}",
        lead_emails(locked),
        link=_for_leads(locked),
        notify=notify,
    )
    return locked


def add_comment(*, scoping_return: ScopingReturn, by, text: str, notify: bool = True):
    """Add to a return's thread and e-mail the other side (leads ↔ steering group)."""
    from boroughs.models import is_steering_group

    refusal = comment_refusal(scoping_return, by)
    if refusal:
        raise WorkflowError(refusal)
    text = (text or "").strip()
    if not text:
        raise WorkflowError("Enter a comment.")
    comment = ReturnComment.objects.create(scoping_return=scoping_return, author=by, text=text)
    to_leads = is_steering_group(by)
    _mail(
        f"New comment on {scoping_return.borough}'s PCMH return ({scoping_return.survey_round})",
        f"{_name(by)} wrote about {scoping_return.borough}'s return for "
        f"{scoping_return.survey_round}:\n\n{text}",
        lead_emails(scoping_return) if to_leads else [settings.STEERING_GROUP_EMAIL],
        link=_for_leads(scoping_return) if to_leads else _for_reviewers(scoping_return),
        notify=notify,
    )
    return comment


# --- Queries: a reviewer's question on one answer, followed until it is resolved ----------------


def unresolved_queries(scoping_return) -> list[AnswerQuery]:
    """The return's queries still open or answered (not resolved): they stop it being accepted."""
    return list(scoping_return.queries.exclude(state=QueryState.RESOLVED))


def query_subject(scoping_return, field: str, row_id=None) -> str:
    """What a query on `field` (an answer, or a child relation with `row_id`) is about, as
    people read it: "Service status", "Care role 2: Psychiatrist"; WorkflowError when the return
    has no such answer or row."""
    from surveys.answers import field_label
    from surveys.sections import FIELD_NAMES, ROWS

    if field in FIELD_NAMES and row_id is None:
        return field_label(field)
    if field in ROWS and row_id is not None:
        ids = list(getattr(scoping_return, field).values_list("pk", flat=True))
        if row_id in ids:
            row = getattr(scoping_return, field).get(pk=row_id)
            return f"{ROWS[field].one} {ids.index(row_id) + 1}: {row}"
    raise WorkflowError("There is no such answer in this return to raise a query on.")


def query_link(query) -> str:
    """Where a lead answers a query: the section page, at the answer."""
    from surveys.sections import SECTION_OF

    scoping_return = query.scoping_return
    section = SECTION_OF[query.field]
    anchor = f"{query.field}-title" if query.row_id else f"div_id_{query.field}"
    url = reverse(
        "surveys:section",
        args=[scoping_return.survey_round.slug, scoping_return.borough.slug, section.slug],
    )
    return f"{url}#{anchor}"


def _limit(name: str, model=ScopingReturn) -> int:
    """The longest text the field `name` (of a return, or of `model`) holds."""
    return model._meta.get_field(name).max_length


def _text_of(text: str, empty_message: str, limit: int = 5000) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowError(empty_message)
    if len(text) > limit:
        raise WorkflowError(f"Keep it to {limit:,} characters or fewer.")
    return text


def _lock_query(query) -> AnswerQuery:
    return (
        AnswerQuery.objects.select_for_update(of=("self",))
        .select_related("scoping_return__survey_round", "scoping_return__borough")
        .get(pk=query.pk)
    )


def raise_query(
    *, scoping_return: ScopingReturn, by, field: str, row_id=None, text: str, notify=True
) -> AnswerQuery:
    """A reviewer asks about one answer (or child row) of a return, drafts included, while the
    round is open; the borough's leads are e-mailed the query with a link to the answer."""
    text = _text_of(text, "Enter the query: what do you want the borough to check or explain?")
    with transaction.atomic():
        locked = _lock(scoping_return)
        if locked.survey_round.state != RoundState.OPEN:
            raise WorkflowError(
                f"{locked.survey_round} is closed: queries can no longer be raised."
            )
        if locked.state == ReturnState.ACCEPTED:
            raise WorkflowError("This return has been accepted: reopen it to raise a query.")
        about = query_subject(locked, field, row_id)
        query = AnswerQuery(
            scoping_return=locked, field=field, row_id=row_id, about=about, text=text, raised_by=by
        )
        query._history_user = by
        query.save()
        _event(locked, by=by, kind=EventKind.QUERY_RAISED, query=query, comment=f"{about}: {text}")
    _mail(
        f"Query on {locked.borough}'s PCMH return ({locked.survey_round}): {about}",
        f"The steering group has a query on {locked.borough}'s return for {locked.survey_round}, "
        f"about {about}:\n\n{text}\n\nReply on the return's page, changing the answer if it "
        "needs to change.",
        lead_emails(locked),
        link=("Answer the query", query_link(query)),
        notify=notify,
    )
    return query


def answer_query(*, query: AnswerQuery, by, reply: str, notify=True) -> AnswerQuery:
    """A lead of the borough replies to an open query (usually after changing the answer); the
    steering group is e-mailed the reply with a link to the review page."""
    reply = _text_of(reply, "Enter your reply to the query.")
    with transaction.atomic():
        locked = _lock_query(query)
        scoping_return = locked.scoping_return
        if not scoping_return.borough.memberships.filter(user=by).exists():
            raise WorkflowError("Only the borough's leads can answer its queries.")
        if scoping_return.survey_round.state != RoundState.OPEN:
            raise WorkflowError(
                f"{scoping_return.survey_round} is closed: queries can no longer be answered."
            )
        if locked.state != QueryState.OPEN:
            raise WorkflowError(f"This query is {locked.get_state_display().lower()} already.")
        locked.state = QueryState.ANSWERED
        locked.reply, locked.answered_by, locked.answered_at = reply, by, timezone.now()
        locked._history_user = by
        locked.save()
        _event(
            scoping_return,
            by=by,
            kind=EventKind.QUERY_ANSWERED,
            query=locked,
            comment=f"{locked.about}: {reply}",
        )
    _mail(
        f"Query answered on {scoping_return.borough}'s PCMH return ({scoping_return.survey_round})",
        f"{_name(by)} answered the query about {locked.about} on {scoping_return.borough}'s "
        f"return for {scoping_return.survey_round}.\n\nThe query:\n{locked.text}\n\n"
        f"The reply:\n{reply}",
        [settings.STEERING_GROUP_EMAIL],
        link=_for_reviewers(scoping_return),
        notify=notify,
    )
    return locked


def resolve_query(*, query: AnswerQuery, by) -> AnswerQuery:
    """A reviewer closes a query, answered or (withdrawn) still open."""
    with transaction.atomic():
        locked = _lock_query(query)
        if locked.state == QueryState.RESOLVED:
            raise WorkflowError("This query is resolved already.")
        locked.state = QueryState.RESOLVED
        locked.resolved_by, locked.resolved_at = by, timezone.now()
        locked._history_user = by
        locked.save()
        _event(locked.scoping_return, by=by, kind=EventKind.QUERY_RESOLVED, query=locked)
    return locked


def reopen_query(*, query: AnswerQuery, by, text: str, notify=True) -> AnswerQuery:
    """A reviewer is not satisfied with the reply (or a resolved query needs more): the query is
    open again, with what is still needed, and the leads are e-mailed."""
    text = _text_of(text, "Say what is still needed.")
    with transaction.atomic():
        locked = _lock_query(query)
        scoping_return = locked.scoping_return
        if scoping_return.survey_round.state != RoundState.OPEN:
            raise WorkflowError(
                f"{scoping_return.survey_round} is closed: queries can no longer be re-opened."
            )
        if locked.state == QueryState.OPEN:
            raise WorkflowError("This query is open already.")
        if scoping_return.state == ReturnState.ACCEPTED:
            raise WorkflowError("This return has been accepted: reopen it first.")
        locked.state = QueryState.OPEN
        locked.text = f"{locked.text}\n\n{text}"
        locked.resolved_by = locked.resolved_at = None
        locked._history_user = by
        locked.save()
        _event(
            scoping_return,
            by=by,
            kind=EventKind.QUERY_REOPENED,
            query=locked,
            comment=f"{locked.about}: {text}",
        )
    _mail(
        f"Query re-opened on {scoping_return.borough}'s PCMH return "
        f"({scoping_return.survey_round})",
        f"The steering group has re-opened its query about {locked.about} on "
        f"{scoping_return.borough}'s return for {scoping_return.survey_round}:\n\n{text}",
        lead_emails(scoping_return),
        link=("Answer the query", query_link(locked)),
        notify=notify,
    )
    return locked


def open_queries_for_lead(scoping_return) -> list[AnswerQuery]:
    """The queries waiting for the borough's reply (open), in the order they were raised."""
    return list(scoping_return.queries.filter(state=QueryState.OPEN))


# --- Rounds -------------------------------------------------------------------------------------


def mark_no_return(*, survey_round: SurveyRound, borough, by, reason: str) -> ScopingReturn:
    """The steering group records that a borough makes no return this round, and why; the
    report shows "No return: <reason>", and publishing no longer waits for it."""
    reason = _text_of(
        reason, "Give the reason the borough makes no return.", limit=_limit("no_return_reason")
    )
    if survey_round.state == RoundState.PUBLISHED:
        raise WorkflowError(f"{survey_round} is published: its returns can no longer change.")
    scoping_return, _ = start_return(
        survey_round=survey_round, borough=borough, by=by, reason="Started to record no return"
    )
    with transaction.atomic():
        locked = _lock(scoping_return)
        if locked.state == ReturnState.ACCEPTED:
            raise WorkflowError(f"{borough}'s return is accepted: it is counted in the report.")
        _event(locked, by=by, kind=EventKind.NO_RETURN, comment=reason)
        locked.no_return_reason = reason
        locked.version += 1
        locked.updated_by = locked._history_user = by
        locked._change_reason = f"Marked as no return: {reason}"
        locked.save()
    return locked


def round_position(survey_round: SurveyRound) -> dict:
    """Where a round's boroughs stand, for the close and publish pages (three queries):
    `counts` per state (accepted, submitted, changes requested, draft, not started),
    `unready`: the boroughs whose return is neither accepted nor marked no return (publishing
    waits for them), `no_return`: (borough, reason) of those marked, `early`: whether the
    closing date is still to come."""
    from boroughs.models import Borough

    returns = {
        r.borough_id: r
        for r in ScopingReturn.objects.in_round(survey_round).only(
            "borough_id", "state", "version", "sections_saved", "no_return_reason"
        )
    }
    counts = {"accepted": 0, "submitted": 0, "changes_requested": 0, "draft": 0, "not_started": 0}
    unready, no_return = [], []
    for borough in Borough.objects.all():
        found = returns.get(borough.pk)
        if found is None or (
            found.state == ReturnState.DRAFT and found.version == 1 and not found.sections_saved
        ):
            counts["not_started"] += 1
        else:
            counts[found.state] += 1
        if found is not None and found.no_return_reason and found.state != ReturnState.ACCEPTED:
            no_return.append((borough, found.no_return_reason))
        elif found is None or found.state != ReturnState.ACCEPTED:
            unready.append(borough)
    return {
        "counts": counts,
        "unready": unready,
        "no_return": no_return,
        "early": survey_round.closes_on >= timezone.localdate(),
    }


RESERVED_SLUGS = {"review"}  # /returns/review/ is the steering group's dashboard


def carried_over(scoping_return) -> tuple[dict, dict]:
    """What a new round's draft takes from `scoping_return`: every answer of the field
    catalogue, and every child row ({relation: [{field: value}]})."""
    from surveys.changes import row_fields
    from surveys.sections import FIELD_NAMES, ROWS

    answers = {name: getattr(scoping_return, name) for name in FIELD_NAMES}
    rows = {}
    for relation in ROWS:
        manager = getattr(scoping_return, relation)
        fields = row_fields(manager.model)
        rows[relation] = [
            {f.attname: getattr(row, f.attname) for f in fields} for row in manager.all()
        ]
    return answers, rows


def last_accepted_returns(previous: SurveyRound | None) -> dict:
    """Each borough's last accepted return in `previous` or a round before it: {borough id:
    return} (one query, and one per kind of child row)."""
    if previous is None:
        return {}
    from surveys.sections import ROWS

    found = {}
    for scoping_return in (
        ScopingReturn.objects.filter(
            state=ReturnState.ACCEPTED, survey_round__opens_on__lte=previous.opens_on
        )
        .select_related("survey_round")
        .prefetch_related(*ROWS)
        .order_by("borough_id", "-survey_round__opens_on", "-survey_round_id")
    ):
        found.setdefault(scoping_return.borough_id, scoping_return)
    return found


def open_round(
    *, name: str, slug: str, opens_on, closes_on, by, previous: SurveyRound | None = None,
    guidance: str = "", uses_toolkit: bool = False, toolkit_version=None,
) -> SurveyRound:  # fmt: skip
    """Open a new round and every borough's return at once: a draft prefilled from the
    borough's last accepted return (in `previous` or before it), answers and child rows
    (Section 11's levels, evidence and next steps among them), or an empty draft where there is
    none; each through `start_return`. A round `uses_toolkit` against `toolkit_version`, by
    default the latest approved (`toolkit.versions.latest_approved`)."""
    from boroughs.models import Borough
    from toolkit.versions import latest_approved

    if uses_toolkit and toolkit_version is None:
        toolkit_version = latest_approved()
        if toolkit_version is None:
            raise WorkflowError(
                "There is no toolkit version to use: add one in the admin before opening a "
                "round that uses the self-assessment toolkit."
            )
    slug = (slug or "").strip()
    if slug in RESERVED_SLUGS:
        raise WorkflowError(f"The slug “{slug}” is reserved: choose another.")
    if SurveyRound.objects.filter(slug=slug).exists():
        raise WorkflowError(f"A round with the slug “{slug}” exists already.")
    if SurveyRound.objects.filter(name=name).exists():
        raise WorkflowError(f"A round named “{name}” exists already.")
    if closes_on < opens_on:
        raise WorkflowError("The round must close on or after the day it opens.")
    sources = last_accepted_returns(previous)
    with transaction.atomic():
        survey_round = SurveyRound(
            name=name,
            slug=slug,
            opens_on=opens_on,
            closes_on=closes_on,
            previous_round=previous,
            guidance=guidance,
            framework_version=latest_framework_version(),  # a new round asks the latest questions
            uses_toolkit=uses_toolkit,
            toolkit_version=toolkit_version if uses_toolkit else None,
        )
        survey_round._history_user = by
        survey_round.save()
        for borough in Borough.objects.all():
            source = sources.get(borough.pk)
            if source is None:
                start_return(survey_round=survey_round, borough=borough, by=by)
                continue
            answers, rows = carried_over(source)
            answers["carried_from"] = source.survey_round
            start_return(
                survey_round=survey_round,
                borough=borough,
                by=by,
                answers=answers,
                rows=rows,
                reason=f"Carried over from {source.survey_round}",
            )
    log_event("round_opened", user=by, round=slug)
    return survey_round


def _round_mail(survey_round, subject, body, link_of, *, notify):
    """One e-mail per borough to its leads, naming the borough and the round."""
    from boroughs.models import Borough, BoroughMembership

    leads = {}
    for borough_id, email in (
        BoroughMembership.objects.filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("borough_id", "user__email")
    ):
        leads.setdefault(borough_id, []).append(email)
    _mail_each(
        [
            (
                subject.format(borough=borough, round=survey_round),
                body.format(borough=borough, round=survey_round),
                leads.get(borough.pk, []),
                link_of(borough),
            )
            for borough in Borough.objects.filter(pk__in=leads)
        ],
        notify=notify,
    )


def close_round(*, survey_round: SurveyRound, by, notify: bool = True) -> SurveyRound:
    """Close an open round: leads can read but no longer change or submit their returns."""
    with transaction.atomic():
        locked = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
        if locked.state != RoundState.OPEN:
            raise WorkflowError(
                f"Only an open round can be closed; {locked} is "
                f"{locked.get_state_display().lower()}."
            )
        locked.state = RoundState.CLOSED
        locked.closed_at, locked.closed_by = timezone.now(), by
        locked._history_user = by
        locked.save()
        _round_mail(
            locked,
            "{round} is closed: {borough}'s PCMH return",
            "{round} has closed: {borough}'s return can be read but no longer changed or "
            "submitted. The steering group will be in touch if it needs anything more.",
            lambda borough: ("Your returns", reverse("surveys:your_returns")),
            notify=notify,
        )
    log_event("round_closed", user=by, round=locked.slug)
    return locked


def _refuse_unready(locked: SurveyRound) -> None:
    """Refuse to publish `locked` (or a correction of it) while any borough's return is
    neither accepted nor marked "no return" with a reason."""
    unready = round_position(locked)["unready"]
    if unready:
        names = ", ".join(str(b) for b in unready)
        raise WorkflowError(
            f"{locked} cannot be published yet: {len(unready)} "
            f"{'borough has' if len(unready) == 1 else 'boroughs have'} neither an accepted "
            f"return nor a reason for making no return ({names}). Accept their returns or "
            "mark them as no return."
        )


def _publish(locked: SurveyRound, *, by, note: str = "") -> Publication:
    """The round's next publication version, its returns frozen in it as they stand now."""
    last = locked.publications.order_by("-version").values_list("version", flat=True).first()
    publication = Publication.objects.create(
        survey_round=locked, version=(last or 0) + 1, published_by=by, note=note
    )
    publications.freeze(publication)
    return publication


def publish_round(*, survey_round: SurveyRound, by, notify: bool = True) -> SurveyRound:
    """Publish a closed round: its report, counting accepted returns, becomes public, computed
    from a copy of its returns frozen now (version 1 of its publication). Refused while any
    borough's return is neither accepted nor marked "no return" with a reason."""
    with transaction.atomic():
        locked = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
        if locked.state != RoundState.CLOSED:
            raise WorkflowError(
                f"Only a closed round can be published; {locked} is "
                f"{locked.get_state_display().lower()}."
            )
        _refuse_unready(locked)
        locked.state = RoundState.PUBLISHED
        locked.published_at, locked.published_by = timezone.now(), by
        locked._history_user = by
        locked.save()
        _publish(locked, by=by)
        _round_mail(
            locked,
            "{round} is published: {borough}'s profile",
            "The steering group has published the report of {round}. {borough}'s profile in "
            "it shows the borough's accepted return beside its STP and London.",
            lambda borough: (
                "Read the profile",
                reverse("reports:borough", args=[locked.slug, borough.slug]),
            ),
            notify=notify,
        )
    log_event("round_published", user=by, round=locked.slug)
    return locked


def corrected_returns(survey_round: SurveyRound) -> list[ScopingReturn]:
    """The returns of a published round that differ from their copies in its current
    publication (changed, reopened or marked since): what a correction would publish."""
    current = survey_round.publications.order_by("-version").first()
    if current is None:
        return []
    frozen = dict(
        ScopingReturn.all_rows.filter(publication=current).values_list("borough_id", "version")
    )
    return [
        r
        for r in ScopingReturn.objects.in_round(survey_round).select_related("borough")
        if frozen.get(r.borough_id) != r.version
    ]


def publish_correction(*, survey_round: SurveyRound, by, note: str, notify: bool = True):
    """Publish a correction of a published round: a new version of its report, computed from
    its returns as they stand now, with `note` saying what it corrects ("Corrected on <date>:
    <note>" on the report; earlier versions stay readable). Refused without a note, while a
    return is reopened and not accepted again, and when nothing has changed."""
    note = _text_of(note, "Say what the correction changes.", _limit("note", Publication))
    with transaction.atomic():
        locked = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
        if locked.state != RoundState.PUBLISHED:
            raise WorkflowError(
                f"Only a published round can be corrected; {locked} is "
                f"{locked.get_state_display().lower()}. Publish it first."
            )
        _refuse_unready(locked)
        if not corrected_returns(locked):
            raise WorkflowError(
                f"No return of {locked} has changed since its report was last published: "
                "there is nothing to correct."
            )
        publication = _publish(locked, by=by, note=note)
        _round_mail(
            locked,
            "{round}: a correction is published",
            f"The steering group has published a correction of the report of {{round}} "
            f"(version {publication.version}): " + note.replace("{", "{{").replace("}", "}}"),
            lambda borough: (
                "Read the profile",
                reverse("reports:borough", args=[locked.slug, borough.slug]),
            ),
            notify=notify,
        )
    log_event("round_corrected", user=by, round=locked.slug, version=str(publication.version))
    return publication
