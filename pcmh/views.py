"""Site pages: home by role, the accessibility statement, accounts and error pages."""

import hashlib
import sys
from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import views as auth_views
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from boroughs.models import Borough, is_steering_group, register_extent
from pcmh import forms
from pcmh.client_ip import client_ip
from pcmh.middleware import refresh_idle_timeout
from pcmh.security_log import log_event
from surveys import workflow
from surveys.choices import ReturnState
from surveys.models import ScopingReturn, SurveyRound


def home(request):
    user = request.user
    context = {"published_rounds": SurveyRound.objects.published()}
    if user.is_authenticated and is_steering_group(user):
        context["open_rounds"] = SurveyRound.objects.exclude(state="published")
        context["waiting"] = (
            ScopingReturn.objects.for_user(user).filter(state=ReturnState.SUBMITTED).count()
        )
        return render(request, "home/steering_group.html", context)
    if user.is_authenticated:
        context["boroughs"] = Borough.objects.for_user(user).select_related("stp")
        context["needing_action"] = workflow.needing_lead_action(user)
        return render(request, "home/lead.html", context)
    context["register"] = register_extent()
    return render(request, "home/public.html", context)


def accessibility(request):
    return render(request, "accessibility.html")


def cookies(request):
    """The cookies the service sets (only essential ones), named as settings name them."""
    context = {
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        "session_idle": timedelta(seconds=settings.SESSION_COOKIE_AGE),
        "session_at_browser_close": settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
    }
    return render(request, "cookies.html", context)


def privacy(request):
    return render(request, "privacy.html")


@require_GET
@never_cache
def keep_alive(request):
    """What the timeout warning's "Stay signed in" asks for: a signed-in request, so the session
    starts its idle time again, whenever it last did; 401 once it has ended."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    refresh_idle_timeout(request, force=True)
    return HttpResponse(status=204)


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have been signed out.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, throttled per address asked for and per client: past the
    limits nothing is sent, and the page says what it always says (whether or not an account
    has that address), so the throttle tells nothing either."""

    form_class = forms.PasswordResetForm

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()
        within = _count_within_window(f"password-reset:email:{digest}") <= (
            settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
        )
        within &= _count_within_window(f"password-reset:ip:{client_ip(self.request)}") <= (
            settings.PASSWORD_RESET_LIMIT_PER_CLIENT
        )
        if within:
            return super().form_valid(form)
        log_event("password_reset_throttled", self.request)
        return HttpResponseRedirect(self.get_success_url())


def _count_within_window(key: str) -> int:
    """How many times `key` was counted in the current window, this time included (the cache
    is shared by every app server: Redis in production)."""
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=window)
        return 1


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm


def view_on_site(request, content_type_id, object_id):
    """The admin's "View on site" redirect, for records the user may see in the admin only:
    Django's own tells any staff member the address of any record, another STP's included."""
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
    except ContentType.DoesNotExist:
        raise Http404("No such record.") from None
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        raise Http404("No such record.")
    try:
        visible = model_admin.get_queryset(request).filter(pk=object_id).exists()
    except (ValueError, ValidationError):
        visible = False
    if not visible:
        raise Http404("No such record.")
    return contenttype_views.shortcut(request, content_type_id, object_id)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    log_event("permission_denied", request, path=request.path, method=request.method)
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    log_event("csrf_failure", request, path=request.path)
    return render(
        request,
        "403.html",
        {
            "detail": "The form had expired or came from another site. Go back, reload the page "
            "and try again."
        },
        status=403,
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors: they may need the database that has just failed.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render({}), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render({}))
