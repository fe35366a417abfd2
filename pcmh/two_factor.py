"""Two-factor sign-in (TOTP, django-otp) for staff: the steering group and administrators.

With OTP_REQUIRED_FOR_STAFF on (production's default), a staff user who has signed in with a
password is sent to set up an authenticator app (first time) or to enter its code, and can reach
nothing else until then.
"""

import base64

import segno
from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from boroughs.models import is_staff_member

ALLOWED_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/static/")


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        max_length=8,
        help_text="The 6-digit code, for example 123456.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


def needs_second_factor(user) -> bool:
    return settings.OTP_REQUIRED_FOR_STAFF and is_staff_member(user) and not user.is_verified()


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and needs_second_factor(user)
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            target = "two_factor_verify" if user_has_device(user) else "two_factor_setup"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


def _next(request):
    """Where to go once verified: a page of this site only (never `//host` or `/\\host`)."""
    target = request.POST.get("next") or request.GET.get("next") or "/"
    safe = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


def _check(request, device):
    form = TokenForm(request.POST)
    if form.is_valid() and device.verify_token(form.cleaned_data["token"].strip()):
        return form, True
    if form.is_valid():
        form.add_error("token", "The code is not right: enter the current code from the app")
    return form, False


@login_required
def setup(request):
    """Show a new key (kept in the session, so a GET stores nothing) and confirm it with a code."""
    if user_has_device(request.user):
        return redirect("two_factor_verify")
    key = request.session.get("two_factor_key") or random_hex(20)
    request.session["two_factor_key"] = key
    device = TOTPDevice(user=request.user, name="Authenticator", key=key, confirmed=True)
    form = TokenForm()
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            token = form.cleaned_data["token"].strip()
            if token.isdigit() and totp.verify(int(token), tolerance=device.tolerance):
                device.save()
                del request.session["two_factor_key"]
                otp_login(request, device)
                messages.success(request, "Two-factor sign-in is set up.")
                return redirect(_next(request))
            form.add_error("token", "The code is not right: enter the current code from the app")
    secret = base64.b32encode(device.bin_key).decode()
    qr_code = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    return render(
        request,
        "registration/two_factor_setup.html",
        {"form": form, "secret": secret, "qr_code": qr_code, "next": _next(request)},
    )


@login_required
def verify(request):
    devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
    if not devices:
        return redirect("two_factor_setup")
    form = TokenForm()
    if request.method == "POST":
        for device in devices:
            form, ok = _check(request, device)
            if ok:
                otp_login(request, device)
                return redirect(_next(request))
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)}
    )
