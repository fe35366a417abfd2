from crispy_forms.helper import FormHelper
from django.contrib.auth import forms as auth_forms


class _Crispy:
    """Render with crispy-forms; the template supplies the <form> and the button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


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
