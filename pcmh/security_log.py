"""Security-relevant events as structured log lines on the `pcmh.security` logger.

Each line is `event=<name> user=<username> ip=<address> ...` so a log pipeline can filter on it.
"""

import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from boroughs.models import is_staff_member
from pcmh.client_ip import client_ip

logger = logging.getLogger("pcmh.security")


def _clean(value) -> str:
    """`value` as one token of one line: a backslash, white space, every control and line
    separator character (\\r, \\x0b, \\x85, U+2028...) escaped, so that no value can end
    the line or start another field."""
    return "".join(_escape(character) for character in str(value)[:150])


def _escape(character: str) -> str:
    if character == "\\":
        return "\\\\"
    if character.isprintable() and not character.isspace():
        return character
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def axes_username(request, credentials=None) -> str:
    """The username that django-axes records for an attempt, cut to what its table holds
    (255 characters): a longer one, typed or sent by a script, is an ordinary failed sign-in
    rather than a database error."""
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    if credentials:
        username = credentials.get(field)
    else:
        username = request.POST.get(field) if request is not None else None
    return str(username or "")[:255] or None


def log_event(event: str, request=None, user=None, **fields) -> None:
    """Log one event. Without `request` (a workflow function, a command), the request being
    answered, if any, still gives the address (simple-history's middleware holds it)."""
    if request is None:
        request = getattr(HistoricalRecords.context, "request", None)
    ip = client_ip(request) if request is not None else None
    username = getattr(user, "username", None) or (
        getattr(getattr(request, "user", None), "username", None) if request is not None else None
    )
    details = " ".join(f"{key}={_clean(value)}" for key, value in fields.items())
    logger.info(
        "event=%s user=%s ip=%s %s", _clean(event), _clean(username or "-"), ip or "-", details
    )


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    if request is not None and is_staff_member(user):
        # Staff sessions end when the browser closes (and after the idle timeout).
        request.session.set_expiry(0)
    log_event("login_success", request, user)


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    log_event("logout", request, user)


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    log_event("login_failure", request, attempted=credentials.get("username", "-"))


@receiver(user_locked_out)
def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    log_event("lockout", request, attempted=username or "-")
