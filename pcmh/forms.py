from crispy_forms.helper import FormHelper
from django.contrib.auth import forms as auth_forms


def inside_template_form(form) -> None:
    """Render `form` with crispy-forms inside a <form> of the template's own, which carries the
    one CSRF token and the buttons."""
    form.helper = FormHelper()
    form.helper.form_tag = False
    form.helper.disable_csrf = True


class _Crispy:
    """Render with crispy-forms; the template supplies the <form> and the button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        inside_template_form(self)


class LoginForm(_Crispy, auth_forms.AuthenticationForm):
    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
    }


class PasswordChangeForm(_Crispy, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(_Crispy, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(_Crispy, auth_forms.SetPasswordForm):
    pass
