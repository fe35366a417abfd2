"""The only code that moves a return or a round between states.

Every function is keyword-only, runs in one transaction with the row locked, refuses a transition
its state does not allow with a `WorkflowError` a person can read, writes a `ReturnEvent` and sends
the e-mail the transition implies. Views, admin actions, commands and imports call these.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from pcmh.security_log import log_event
from surveys.answers import with_article
from surveys.models import (
    ReturnComment,
    ReturnEvent,
    ReturnState,
    RoundState,
    ScopingReturn,
    SurveyRound,
)


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
    *, survey_round: SurveyRound, borough, by, answers: dict | None = None, reason: str = ""
) -> tuple[ScopingReturn, bool]:
    """The one way a return comes to be: a draft for `borough` in `survey_round` (with
    `answers`, from an import or the admin), or the one that exists already; (return, created).
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
    except IntegrityError:
        return ScopingReturn.objects.get(survey_round=survey_round, borough=borough), False
    log_event("return_started", user=by, borough=borough.slug, round=survey_round.slug)
    return scoping_return, True


def edit_refusal(scoping_return: ScopingReturn, user, *, reviewing: bool = False) -> str | None:
    """Why `user` may not change `scoping_return` now, or None if they may: the one answer the
    lead's pages, the admin and the imports read.

    A lead (of the return's borough) changes a draft, or a return sent back for changes, while
    its round is open. Reviewing (the admin, imports), the steering group changes any return
    not yet accepted, as its admin permissions allow. An accepted return is changed by nobody
    until it is reopened.
    """
    if scoping_return.state == ReturnState.ACCEPTED:
        return "This return has been accepted: it must be reopened before it can be changed."
    if reviewing:
        return None  # the admin's permissions say which of the steering group may
    if not scoping_return.survey_round.is_open:
        return (
            f"{scoping_return.survey_round} is closed: you can read this return but not change it."
        )
    if scoping_return.state == ReturnState.SUBMITTED:
        return "This return has been submitted and is waiting for review, so it cannot be changed."
    if not scoping_return.borough.memberships.filter(user=user).exists():
        return "Only the borough's leads can change this return."
    return None


def needing_lead_action(user):
    """The returns of `user`'s boroughs waiting for them, oldest round first: those the steering
    group has sent back for changes, in a round still open."""
    return (
        ScopingReturn.objects.filter(
            borough__memberships__user=user,
            state=ReturnState.CHANGES_REQUESTED,
            survey_round__state=RoundState.OPEN,
        )
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


def _event(locked, *, by, to_state, comment=""):
    event = ReturnEvent.objects.create(
        scoping_return=locked, by=by, from_state=locked.state, to_state=to_state, comment=comment
    )
    log_event(
        "workflow",
        user=by,
        **{
            "return": locked.pk,
            "borough": locked.borough.slug,
            "round": locked.survey_round.slug,
            "from": locked.state,
            "to": to_state,
        },
    )
    return event


def _lead_emails(scoping_return) -> list[str]:
    return list(
        scoping_return.borough.memberships.filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def _mail(subject, body, recipients, *, link, notify=True):
    """E-mail `recipients` once the transaction commits; the body ends with the absolute link
    (settings.SITE_URL) to the page the message is about, `link` = (what it opens, path)."""
    if notify and recipients:
        what, path = link
        body = f"{body}\n\n{what}: {settings.SITE_URL}{path}\n"
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        )


def _for_leads(scoping_return) -> tuple[str, str]:
    return ("Open the return", scoping_return.get_absolute_url())


def _for_reviewers(scoping_return) -> tuple[str, str]:
    return (
        "Review it",
        reverse("admin:surveys_scopingreturn_change", args=[scoping_return.pk]),
    )


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
) -> ScopingReturn:
    """Save changed fields only if the return is still at `version` (one conditional UPDATE).

    The UPDATE ... WHERE id = ... AND version = n both checks and claims the version, so two saves
    that read the same version cannot both win, on any number of app servers.

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
            fresh.save()
            return fresh
    raise StaleVersion(ScopingReturn.objects.select_related("updated_by").get(pk=scoping_return.pk))


def submit(
    *, scoping_return: ScopingReturn, by, notify: bool = True, version: int | None = None
) -> ScopingReturn:
    """A lead sends a draft (or a return sent back for changes) to the steering group."""
    from surveys.completeness import missing_for_submission

    with transaction.atomic():
        locked = _lock(scoping_return, version)
        target = _target(locked, "submit")
        if locked.survey_round.state != RoundState.OPEN:
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
        _lead_emails(locked),
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
        _lead_emails(locked),
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
        if locked.survey_round.state == RoundState.PUBLISHED:
            raise WorkflowError("The round is published: its returns can no longer be reopened.")
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
        _lead_emails(locked),
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
        f"New comment on {scoping_return.borough}'s PCMH return",
        f"{by.get_full_name() or by.get_username()} wrote:\n\n{text}",
        _lead_emails(scoping_return) if to_leads else [settings.STEERING_GROUP_EMAIL],
        link=_for_leads(scoping_return) if to_leads else _for_reviewers(scoping_return),
        notify=notify,
    )
    return comment


def close_round(*, survey_round: SurveyRound, by) -> SurveyRound:
    """Close an open round: leads can read but no longer change or submit their returns."""
    with transaction.atomic():
        locked = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
        if locked.state != RoundState.OPEN:
            raise WorkflowError(f"Only an open round can be closed; {locked} is {locked.state}.")
        locked.state = RoundState.CLOSED
        locked._history_user = by
        locked.save()
    log_event("round_closed", user=by, round=locked.slug)
    return locked


def publish_round(*, survey_round: SurveyRound, by) -> SurveyRound:
    """Publish a closed round: its report, counting accepted returns, becomes public."""
    with transaction.atomic():
        locked = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
        if locked.state != RoundState.CLOSED:
            raise WorkflowError(
                f"Only a closed round can be published; {locked} is "
                f"{locked.get_state_display().lower()}."
            )
        locked.state = RoundState.PUBLISHED
        locked.published_at = timezone.now()
        locked._history_user = by
        locked.save()
    log_event("round_published", user=by, round=locked.slug)
    return locked
