"""Answers posted after the session had ended: kept for an hour, given back after signing in.

A lead whose session ends while they type presses Save and is sent to sign in. What they typed
is kept on the server (`UnsavedAnswers`) with the return and section it belongs to, under a
random key that only their browser holds, in a cookie (never in the URL; the server keeps only a
hash of the key). The first section page that browser opens once signed in uses it or drops it:
if the person may edit that return and it is the same section, the form is shown filled with
what they typed and nothing is saved until they save it; anything else throws it away.
"""

import hashlib
import secrets
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.utils import timezone

from surveys.models import ScopingReturn, UnsavedAnswers
from surveys.sections import SECTIONS_BY_SLUG

KEPT_FOR = timedelta(hours=1)
MAX_CHARACTERS = 200_000  # of one section's answers: a real section is a few thousand
MAX_KEPT = 1_000  # entries site-wide at once: anyone can post to a section's address
SIGNED_OUT = (
    "You were signed out, so your answers have not been saved yet. Sign in to get back to them."
)
RESTORED = (
    "You were signed out before your answers were saved. Nothing has been saved yet: "
    "check your answers below and save them."
)


def cookie_name() -> str:
    """`__Host-` in production, as for the session cookie: only this host, over HTTPS, path /."""
    prefix = "__Host-" if settings.SESSION_COOKIE_NAME.startswith("__Host-") else ""
    return f"{prefix}pcmh_unsaved"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _storable(data: dict[str, list[str]]) -> bool:
    """Small enough, and nothing a browser never sends (PostgreSQL's JSON refuses NUL)."""
    texts = [*data, *(value for values in data.values() for value in values)]
    return sum(len(text) for text in texts) <= MAX_CHARACTERS and not any(
        "\x00" in text for text in texts
    )


def _keep(request, round_slug, borough_slug, section) -> str | None:
    """Keep the anonymous POST for the return it belongs to; its key, or None if not kept."""
    if section not in SECTIONS_BY_SLUG:
        return None
    scoping_return = ScopingReturn.objects.filter(
        survey_round__slug=round_slug, borough__slug=borough_slug
    ).first()
    data = {name: values for name, values in request.POST.lists() if name != "csrfmiddlewaretoken"}
    if scoping_return is None or not _storable(data):
        return None
    UnsavedAnswers.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    if earlier := request.COOKIES.get(cookie_name()):  # one entry per browser
        UnsavedAnswers.objects.filter(key_hash=_hash(earlier)).delete()
    if UnsavedAnswers.objects.count() >= MAX_KEPT:
        return None
    key = secrets.token_urlsafe(32)
    UnsavedAnswers.objects.create(
        key_hash=_hash(key), scoping_return=scoping_return, section=section, data=data
    )
    return key


def login_required_keeping_answers(view):
    """`login_required` for the section page, except that a signed-out Save keeps its answers.

    Once signed in, the browser's kept answers last until the first section page it opens:
    the view takes them (`take`) if they are for that page and the user may edit the return;
    whatever it did not take is deleted, and so is the cookie.
    """
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request, round_slug, borough_slug, section):
        if not request.user.is_authenticated:
            key = (
                _keep(request, round_slug, borough_slug, section)
                if request.method == "POST"
                else None
            )
            if key is None:
                return guarded(request, round_slug, borough_slug, section)
            messages.warning(request, SIGNED_OUT)
            response = redirect_to_login(request.get_full_path())  # `?from=check` etc. kept
            response.set_cookie(
                cookie_name(),
                key,
                max_age=int(KEPT_FOR.total_seconds()),
                path="/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
        key = request.COOKIES.get(cookie_name())
        if not key:
            return view(request, round_slug, borough_slug, section)
        try:
            response = view(request, round_slug, borough_slug, section)
        finally:
            UnsavedAnswers.objects.filter(key_hash=_hash(key)).delete()
        response.delete_cookie(cookie_name(), path="/", samesite="Lax")
        return response

    return wrapper


def take(request, scoping_return, section) -> QueryDict | None:
    """The answers this browser typed into `section` of `scoping_return` before signing in
    again, once (they are deleted), with a message that nothing is saved yet; else None.

    Call it only for a user who may edit the return.
    """
    key = request.COOKIES.get(cookie_name())
    if not key:
        return None
    kept = UnsavedAnswers.objects.filter(
        key_hash=_hash(key),
        scoping_return=scoping_return,
        section=section,
        created_at__gte=timezone.now() - KEPT_FOR,
    ).first()
    if kept is None or not UnsavedAnswers.objects.filter(pk=kept.pk).delete()[0]:
        return None
    data = QueryDict(mutable=True)
    for name, values in kept.data.items():
        data.setlist(name, [str(value) for value in values])
    data._mutable = False
    messages.warning(request, RESTORED)
    return data
