"""Deadline reminders: the leads of a borough that has not submitted are e-mailed 14, 7 and 1
days before its deadline (its extension's, if it has one) and the day after, each once.

Run every day from cron by `manage.py send_reminders`; a day missed sends the reminder due
then, late, never two at once.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction

from surveys.models import ReminderSent, ReturnState, RoundState, ScopingReturn
from surveys.workflow import with_link

# (what the reminder is called, days from the deadline), in the order they fall due.
REMINDERS = (
    ("14 days before", -14),
    ("7 days before", -7),
    ("1 day before", -1),
    ("1 day after", 1),
)
LAST_WINDOW = 7  # the day-after reminder is not sent later than this many days after


@dataclass(frozen=True)
class Reminder:
    scoping_return: ScopingReturn
    kind: str
    deadline: date
    recipients: tuple[str, ...]

    def message(self) -> tuple[str, str, None, list[str]]:
        r = self.scoping_return
        when = f"{self.deadline:%-d %B %Y}"
        if self.kind == "1 day after":
            subject = f"{r.borough}'s PCMH return for {r.survey_round} is overdue"
            body = (
                f"{r.borough}'s return for {r.survey_round} was due on {when} and has not been "
                "submitted. Submit it as soon as you can, or ask the steering group for an "
                "extension."
            )
        else:
            subject = f"{r.borough}'s PCMH return for {r.survey_round} is due on {when}"
            body = (
                f"{r.borough}'s return for {r.survey_round} is due on {when} ({self.kind} the "
                "deadline) and has not been submitted yet."
            )
        body = with_link(body, ("Open the return", r.get_absolute_url()))
        return subject, body, None, list(self.recipients)


def _due_kind(deadline: date, today: date) -> str | None:
    """The reminder due today for `deadline`: the latest whose day has come, or None."""
    due = None
    for kind, offset in REMINDERS:
        if deadline + timedelta(days=offset) <= today:
            due = kind
    if due == "1 day after" and today > deadline + timedelta(days=LAST_WINDOW):
        return None
    if due is not None and due != "1 day after" and today > deadline:
        return None  # a "before" reminder after the deadline is no use
    return due


def due_reminders(today: date) -> list[Reminder]:
    """The reminders to send today: for each return not submitted in an open round, the one
    due, unless it was sent already for that deadline (three queries)."""
    from boroughs.models import BoroughMembership

    returns = list(
        ScopingReturn.objects.filter(
            survey_round__state=RoundState.OPEN,
            state__in=[ReturnState.DRAFT, ReturnState.CHANGES_REQUESTED],
        ).select_related("survey_round", "borough")
    )
    sent = set(
        ReminderSent.objects.filter(scoping_return__in=returns).values_list(
            "scoping_return_id", "kind", "deadline"
        )
    )
    leads: dict[int, list[str]] = {}
    for borough_id, email in (
        BoroughMembership.objects.filter(user__is_active=True)
        .exclude(user__email="")
        .values_list("borough_id", "user__email")
    ):
        leads.setdefault(borough_id, []).append(email)
    due = []
    for scoping_return in returns:
        kind = _due_kind(scoping_return.deadline, today)
        if kind is None or (scoping_return.pk, kind, scoping_return.deadline) in sent:
            continue
        recipients = tuple(leads.get(scoping_return.borough_id, ()))
        if recipients:
            due.append(Reminder(scoping_return, kind, scoping_return.deadline, recipients))
    return due


def send_reminders(today: date) -> list[Reminder]:
    """Send today's reminders, recording each first so that a second run sends none again."""
    sent = []
    for reminder in due_reminders(today):
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    scoping_return=reminder.scoping_return,
                    kind=reminder.kind,
                    deadline=reminder.deadline,
                )
        except IntegrityError:  # another run recorded it at the same moment
            continue
        sent.append(reminder)
    if sent:
        send_mass_mail([reminder.message() for reminder in sent])
    return sent
